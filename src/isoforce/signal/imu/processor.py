"""The whole IMU chain for one sensor: angle, stillness, lift-offs and the effort estimate.

:class:`ImuProcessor` takes sample blocks (or plain arrays) and keeps the session's running
state; :meth:`ImuProcessor.view` returns it as an :class:`ImuView`, plain data that a screen
or a headless command can show without knowing any of the algorithms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.signal.filters import TrailingMean
from isoforce.signal.imu.angle import (
    PLACEMENT_GUIDANCE,
    AngleBlock,
    LimbAngleSettings,
    LimbAngleTracker,
)
from isoforce.signal.imu.liftoff import LiftOff, LiftOffDetector, LiftOffSettings
from isoforce.signal.imu.mmg import (
    EffortEstimate,
    MmgBlock,
    MmgCalibration,
    MmgEstimator,
    MmgSettings,
)
from isoforce.signal.imu.report import DualModeAccumulator, DualModeReport
from isoforce.signal.imu.stillness import StillnessDetector, StillnessSettings

ACC_CHANNELS = ("acc_x_g", "acc_y_g", "acc_z_g")
GYRO_CHANNELS = ("gyro_x_dps", "gyro_y_dps", "gyro_z_dps")
ZERO_HINT = "hold the leg still in the start position to set the zero angle"


def has_imu(block: SampleBlock) -> bool:
    """Whether a block carries the six accelerometer and gyro channels."""
    return all(block.has(c) for c in (*ACC_CHANNELS, *GYRO_CHANNELS))


def imu_arrays(block: SampleBlock) -> tuple[FloatArray, FloatArray]:
    """The ``(n, 3)`` accelerometer (g) and gyro (°/s) arrays of a block."""
    acc = np.column_stack([block.column(c) for c in ACC_CHANNELS])
    gyro = np.column_stack([block.column(c) for c in GYRO_CHANNELS])
    return acc, gyro


@dataclass(frozen=True, slots=True)
class ImuProcessorSettings:
    """Settings of every stage of the IMU chain."""

    angle: LimbAngleSettings = field(default_factory=LimbAngleSettings)
    stillness: StillnessSettings = field(default_factory=StillnessSettings)
    lift_off: LiftOffSettings = field(default_factory=LiftOffSettings)
    mmg: MmgSettings = field(default_factory=MmgSettings)


@dataclass(frozen=True, slots=True)
class ImuBlock:
    """Per-sample results of one chunk, and the lift-offs completed in it."""

    t_s: FloatArray
    angle_deg: FloatArray
    still: NDArray[np.bool_]
    mmg: MmgBlock
    lift_offs: tuple[LiftOff, ...]


@dataclass(frozen=True, slots=True)
class ImuView:
    """What a screen shows about the IMU at one moment; plain values only.

    ``angle_deg`` is None until the zero pose is set (show ``zero_hint`` instead).
    ``ir_max_deg`` / ``er_max_deg`` are the furthest internal / external rotation reached so
    far (both positive). ``effort`` is an *estimate*: show its band (``effort.label()``), never
    ``effort.estimate_pct`` alone. ``dual`` compares it with the load cell when one is used.
    """

    t_s: float
    placement: str
    guidance: str
    angle_deg: float | None
    angle_source: str
    zero_hint: str
    still: bool
    ir_max_deg: float | None
    er_max_deg: float | None
    lift_phase: str
    hold_s: float
    lift_offs_done: int
    effort: EffortEstimate
    dual: DualModeReport | None

    @property
    def moving(self) -> bool:
        """Whether the limb is moving (a hold is no longer isometric)."""
        return not self.still


class ImuProcessor:
    """Runs the IMU chain over consecutive chunks of one sensor (see the module doc).

    In dual mode the estimate (which describes the last ``window_s`` of vibration) is compared
    with the load cell's effort magnitude averaged over the same window.
    """

    def __init__(
        self,
        settings: ImuProcessorSettings,
        *,
        fs_hz: float,
        calibration: MmgCalibration | None = None,
    ) -> None:
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self.angle = LimbAngleTracker(settings.angle, fs_hz=fs_hz)
        self.stillness = StillnessDetector(settings.stillness, fs_hz=fs_hz)
        self.lift_off = LiftOffDetector(settings.lift_off, fs_hz=fs_hz)
        self.mmg = MmgEstimator(settings.mmg, fs_hz=fs_hz, calibration=calibration)
        self.dual = DualModeAccumulator()
        self._cell_mean = TrailingMean(self.mmg.window)
        self._dual_used = False
        self.last: ImuBlock | None = None
        """The most recent chunk's results (None before the first)."""
        self._t_s = math.nan
        self._angle = math.nan
        self._still = False
        self._max = -math.inf
        self._min = math.inf

    def set_calibration(self, calibration: MmgCalibration | None) -> None:
        """Use this session's MMG calibration for the samples that follow."""
        self.mmg.calibration = calibration

    def rezero(self) -> None:
        """Capture a new zero pose from the next still second (range of motion restarts)."""
        self.angle.rezero()
        self._max, self._min = -math.inf, math.inf

    def update_block(
        self, block: SampleBlock, *, load_cell_pct: FloatArray | None = None
    ) -> ImuBlock:
        """Process a decoded block that carries the IMU channels."""
        acc, gyro = imu_arrays(block)
        return self.update(t_s=block.t_s, acc_g=acc, gyro_dps=gyro, load_cell_pct=load_cell_pct)

    def update(
        self,
        *,
        t_s: FloatArray,
        acc_g: FloatArray,
        gyro_dps: FloatArray,
        load_cell_pct: FloatArray | None = None,
    ) -> ImuBlock:
        """Process one chunk; ``load_cell_pct`` (signed effort %, dual mode) scores the estimate."""
        t = np.asarray(t_s, dtype=np.float64)
        acc = np.asarray(acc_g, dtype=np.float64)
        angle: AngleBlock = self.angle.update(acc_g=acc, gyro_dps=gyro_dps)
        still = self.stillness.update(gyro_dps=angle.gyro_dps, acc_g=acc, angle_deg=angle.angle_deg)
        lifts = self.lift_off.update(t_s=t, angle_deg=angle.angle_deg, rate_dps=angle.axis_rate_dps)
        mmg = self.mmg.update(acc_g=acc, still=still)
        if load_cell_pct is not None:
            self._dual_used = True
            self.dual.update(
                estimate_pct=mmg.estimate_pct,
                low_pct=mmg.low_pct,
                high_pct=mmg.high_pct,
                load_cell_pct=self._cell_mean(np.abs(np.asarray(load_cell_pct, dtype=np.float64))),
            )
        if t.size:
            self._t_s = float(t[-1])
            self._angle = float(angle.angle_deg[-1])
            self._still = bool(still[-1])
            finite = angle.angle_deg[np.isfinite(angle.angle_deg)]
            if finite.size:
                self._max = max(self._max, float(finite.max()))
                self._min = min(self._min, float(finite.min()))
        self.last = ImuBlock(t, angle.angle_deg, still, mmg, lifts)
        return self.last

    def view(self) -> ImuView:
        """The current state as plain data (see :class:`ImuView`)."""
        placement = self.settings.angle.placement
        zeroed = self.angle.zeroed and math.isfinite(self._angle)
        source = self.angle.source
        return ImuView(
            t_s=self._t_s,
            placement=placement.value,
            guidance=PLACEMENT_GUIDANCE[placement],
            angle_deg=self._angle if zeroed else None,
            angle_source=source.value if source is not None else "",
            zero_hint="" if zeroed else ZERO_HINT,
            still=self._still,
            ir_max_deg=max(self._max, 0.0) if math.isfinite(self._max) else None,
            er_max_deg=max(-self._min, 0.0) if math.isfinite(self._min) else None,
            lift_phase=self.lift_off.phase.value,
            hold_s=self.lift_off.hold_elapsed_s(self._t_s) if math.isfinite(self._t_s) else 0.0,
            lift_offs_done=len(self.lift_off.completed),
            effort=self.mmg.latest,
            dual=self.dual.report() if self._dual_used else None,
        )
