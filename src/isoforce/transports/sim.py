"""The simulated sensors as a transport: a virtual athlete on a load cell, or an IMU, as bytes.

The simulator is a transport like any other: it paces samples on a clock and emits isoforce
frames, which go through the same decoder and pipeline as real firmware. Besides the sensor
channels, it sends ground-truth channels (``truth_*``) that tests and the recorder use.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray, RawChunk
from isoforce.devices.base import DeviceSpec
from isoforce.devices.isoforce_frame import encode_frames
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.simulation.athlete import AthleteSettings, VirtualAthlete
from isoforce.simulation.imu import ImuSettings, VirtualImu
from isoforce.simulation.limb import LimbFollower, LimbSettings
from isoforce.simulation.profiles import demo_angle_profile, demo_effort_profile
from isoforce.transports.base import Transport
from isoforce.transports.pacing import Clock

#: Signed target % of the athlete's max as a function of sample times (the athlete's "screen").
TargetFn = Callable[[FloatArray], FloatArray]
#: The simulated IMU's hip rotation (degrees from the zero pose) as a function of sample times.
AngleFn = Callable[[FloatArray], FloatArray]
#: The drill's phase code (:class:`isoforce.drills.plan.Phase` values) at sample times.
PhaseFn = Callable[[FloatArray], NDArray[np.integer]]

MIN_RATE_HZ = 10.0
MAX_RATE_HZ = 2000.0
LOAD_CHANNELS = ("load_raw", "truth_target_pct", "truth_force_n")
IMU_CHANNELS = (
    "acc_x_g",
    "acc_y_g",
    "acc_z_g",
    "gyro_x_dps",
    "gyro_y_dps",
    "gyro_z_dps",
    "truth_angle_deg",
    "truth_target_pct",
)
#: A load cell and an IMU in one device: the load channels, then the IMU's.
DUAL_CHANNELS = LOAD_CHANNELS + tuple(c for c in IMU_CHANNELS if c not in LOAD_CHANNELS)


@dataclass(frozen=True, slots=True)
class SimSettings:
    """How the simulator runs: rate, seed, chunking, and the simulated person."""

    rate_hz: float = 80.0
    seed: int = 0
    chunk_s: float = 0.04
    athlete: AthleteSettings = field(default_factory=AthleteSettings)
    imu: ImuSettings = field(default_factory=ImuSettings)
    #: How the simulated person moves the leg while following a drill (IMU devices).
    limb: LimbSettings = field(default_factory=LimbSettings)
    #: Device clock at the first sample, in µs (uint32; wraps like a Progressor's clock).
    start_counter_us: int = 0
    #: Link drops as ``(at_s, for_s)`` in sample time: the stream raises a DISCONNECTED
    #: TransportError at ``at_s`` and the device is back ``for_s`` later (``inf`` = never).
    #: Samples the device took meanwhile never arrive (a sequence gap), as with a real radio.
    drops: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if not MIN_RATE_HZ <= self.rate_hz <= MAX_RATE_HZ:
            raise ConfigError(
                f"simulator rate must be {MIN_RATE_HZ:g}–{MAX_RATE_HZ:g} Hz, got {self.rate_hz:g}"
            )
        if not 0 < self.chunk_s <= 1:
            raise ConfigError(f"chunk length must be in (0, 1] s, got {self.chunk_s}")
        if any(at < 0 or length <= 0 for at, length in self.drops):
            raise ConfigError("simulated drops need at_s >= 0 and for_s > 0")


class SimTransport(Transport):
    """Streams a simulated device on ``clock``; deterministic for a given seed and target."""

    def __init__(
        self,
        spec: DeviceSpec,
        *,
        settings: SimSettings = SimSettings(),
        clock: Clock | None = None,
        target: TargetFn | None = None,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.clock = clock or Clock()
        self.target: TargetFn = target or demo_effort_profile_fn
        self.angle: AngleFn = demo_angle_profile_fn
        self._phases: PhaseFn | None = None
        self._has_imu = spec.capabilities.imu
        self._has_cell = spec.force_channel is not None
        self._open = False
        self._index = 0
        self._t0_host = 0.0
        self._drops = sorted(settings.drops)
        self._down_until: float | None = None
        fs = settings.rate_hz
        self.athlete = VirtualAthlete(settings.athlete, fs_hz=fs, seed=settings.seed)
        self.imu = VirtualImu(settings.imu, fs_hz=fs, seed=settings.seed + 1)
        self.limb = LimbFollower(settings.limb)

    async def open(self) -> None:
        """Start the simulated stream (nothing to connect to)."""
        self._open = True
        self._t0_host = self.clock.now()

    async def close(self) -> None:
        """Stop the stream."""
        self._open = False

    async def reconnect(self) -> None:
        """Come back after a simulated drop (waits on the clock until the device returns)."""
        if self._down_until is None:
            self._open = True
            return
        if math.isinf(self._down_until):
            raise TransportError(
                TransportErrorReason.NOT_FOUND, f"{self.spec.title} is gone for good"
            )
        await self.clock.sleep_until(self._t0_host + self._down_until)
        self._index = math.ceil(self._down_until * self.settings.rate_hz)
        self._down_until = None
        self._open = True

    def set_target(self, target: TargetFn) -> None:
        """Change what the virtual athlete follows (e.g. the drill engine's target curve)."""
        self.target = target

    def set_angle(self, angle: AngleFn) -> None:
        """Change how the simulated IMU's limb rotates (IMU devices; e.g. still for a calibration)."""
        self.angle = angle
        self._phases = None

    def follow_phases(self, phases: PhaseFn, *, lift_sign: int = 1) -> None:
        """Move the leg as a drill's phases ask (lift-offs, rotations; still otherwise).

        ``lift_sign`` is the direction of lift-offs: +1 internal rotation, −1 external.
        """
        self._phases = phases
        self.limb = LimbFollower(replace(self.settings.limb, lift_sign=lift_sign))

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """Emit one chunk of frames every ``chunk_s`` of (clock) time."""
        if not self._open:
            raise TransportError(TransportErrorReason.DISCONNECTED, "simulator is not open")
        fs = self.settings.rate_hz
        per_chunk = max(1, round(self.settings.chunk_s * fs))
        while self._open:
            start = self._index
            stop = start + per_chunk
            if self._drops:
                at_s, for_s = self._drops[0]
                at = math.ceil(at_s * fs)
                if start >= at:
                    self._drops.pop(0)
                    self._down_until = at_s + for_s
                    self._open = False
                    raise TransportError(
                        TransportErrorReason.DISCONNECTED, f"{self.spec.title}: link lost"
                    )
                stop = min(stop, at)
            await self.clock.sleep_until(self._t0_host + stop / fs)
            if not self._open:
                return
            data = self.render(start, stop)
            self._index = stop
            yield RawChunk(self.clock.now(), data)
            await asyncio.sleep(0)

    def render(self, start: int, stop: int) -> bytes:
        """Frames for samples ``start`` .. ``stop - 1`` (advances the simulated person's state)."""
        fs = self.settings.rate_hz
        idx = np.arange(start, stop, dtype=np.int64)
        t_s = idx / fs
        target = np.asarray(self.target(t_s), dtype=np.float64)
        t_us = self.settings.start_counter_us + np.rint(t_s * 1e6).astype(np.int64)
        columns: list[FloatArray] = []
        true_n: FloatArray | None = None
        if self._has_cell:
            force = self.athlete.step(target_pct=target)
            cal_n_per_count = self.spec.n_per_count or 1.0
            raw = np.rint(force.force_n / cal_n_per_count + self.spec.offset_counts)
            true_n = force.true_force_n
            columns += [raw, target, true_n]
        if self._has_imu:
            # the muscles vibrate with the force really produced, not the one asked for
            effort = np.abs(target) if true_n is None else self._effort_pct(true_n)
            if self._phases is not None:
                phase = self._phases(t_s)
                angle = self.limb.step(t_s=t_s, phase=phase, effort_pct=effort)
            else:
                angle = np.asarray(self.angle(t_s), dtype=np.float64)
            out = self.imu.step(angle_deg=angle, effort_pct=effort)
            columns += [*out.acc_g.T, *out.gyro_dps.T, angle]
            if not self._has_cell:
                columns.append(target)
        names = (
            DUAL_CHANNELS
            if self._has_cell and self._has_imu
            else (LOAD_CHANNELS if self._has_cell else IMU_CHANNELS)
        )
        values = np.array(columns).T  # one row per sample (cheaper than column_stack)
        return encode_frames(seq=idx, t_us=t_us, names=names, values=values)

    def _effort_pct(self, force_n: FloatArray) -> FloatArray:
        """Effort magnitude (% of the athlete's max in that direction) of a signed force."""
        maxima = np.where(
            force_n >= 0, self.settings.athlete.push_max_n, self.settings.athlete.pull_max_n
        )
        return 100.0 * np.abs(force_n) / maxima


def demo_effort_profile_fn(t_s: FloatArray) -> FloatArray:
    """The default target when no drill runs (rest, push ramp and hold, release, pull hold)."""
    return demo_effort_profile(t_s=t_s)


def demo_angle_profile_fn(t_s: FloatArray) -> FloatArray:
    """The default IMU motion: still through the demo's holds, rotating between them."""
    return demo_angle_profile(t_s=t_s)
