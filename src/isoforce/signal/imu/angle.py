"""Hip rotation angle from a thigh or shank IMU, relative to a zero pose captured at the start.

The sensor's ``limb_axis`` (a unit vector in the sensor frame, by default +x) must lie along
the femur, with internal rotation a positive right-handed turn about it (flip the vector for
the other leg or a sensor strapped the other way round); this is the axis convention of
:mod:`isoforce.simulation.imu`. The angle is the *twist* about that axis of the sensor's
rotation since the zero pose, so other movements (a little hip flexion, a shifted pelvis) do
not leak into it to first order.

How well the angle holds depends on where gravity is (domain-science §4.5):

* limb axis near horizontal (sitting, prone, 90/90 — and always so for a **shank** sensor with
  the knee at 90°, which then reads hip rotation as tilt): gravity sees the rotation, so the
  fused angle is **drift-free**;
* limb axis near vertical (standing, a **thigh** sensor): the rotation is a turn about gravity,
  which only the gyro sees. The gyro's bias is measured during the still zero pose and then
  tracked by Fusion's bias estimator during later still moments; what is left drifts slowly
  (about 0.1–0.5°/min for a good MEMS gyro), so re-zero between sets.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.signal.imu.orientation import (
    FusionSettings,
    OrientationFilter,
    quaternion_conjugate,
    quaternion_from_gravity,
    quaternion_multiply,
    twist_angle_deg,
)

#: Below this share of gravity perpendicular to the limb axis, the rotation is gyro-only.
GRAVITY_SHARE_MIN = 0.5


class Placement(enum.Enum):
    """Where the IMU is strapped."""

    THIGH = "thigh"
    SHANK = "shank"


PLACEMENT_GUIDANCE: dict[Placement, str] = {
    Placement.SHANK: (
        "Shank, just below the knee, the sensor's x arrow parallel to the thigh (pointing "
        "forward along the femur with the knee bent 90°). With the thigh level (sitting, prone, "
        "90/90) hip rotation tilts the shin against gravity, so the angle cannot drift. Best "
        "for range of motion, CARs and lift-offs."
    ),
    Placement.THIGH: (
        "Thigh, on the skin over the femur (mid-thigh, or over TFL for an IR effort estimate), "
        "x arrow along the femur. Best for muscle vibration. With the thigh upright the rotation "
        "is seen by the gyro only: hold still 1 s at the start (and between sets) so its bias "
        "can be measured."
    ),
}


class AngleSource(enum.Enum):
    """What keeps the angle honest: gravity (drift-free) or the bias-corrected gyro alone."""

    GRAVITY = "gravity: drift-free"
    GYRO = "gyro only: slow drift, re-zero between sets"


@dataclass(frozen=True, slots=True)
class LimbAngleSettings:
    """Settings of :class:`LimbAngleTracker`; units are in the names.

    The zero pose is taken from the first ``zero_s`` of samples that look still: every gyro
    axis, averaged over 50 ms blocks (which takes out sensor noise, not a real turn), varies by
    less than ``zero_gyro_sd_dps`` (SD); gravity's direction moves by less than
    ``zero_tilt_deg`` between the two halves; and the accelerometer reads 1 g within
    ``zero_acc_tolerance_g``. Until then the angle is NaN. A steady turn about gravity cannot be
    told from gyro bias, which is why the user is asked to hold still.
    """

    placement: Placement = Placement.SHANK
    limb_axis: tuple[float, float, float] = (1.0, 0.0, 0.0)
    zero_s: float = 1.0
    zero_gyro_sd_dps: float = 0.5
    zero_tilt_deg: float = 0.5
    zero_acc_tolerance_g: float = 0.15
    fusion: FusionSettings = field(default_factory=FusionSettings)

    def __post_init__(self) -> None:
        norm = math.sqrt(sum(v * v for v in self.limb_axis))
        if not (len(self.limb_axis) == 3 and math.isfinite(norm) and norm > 0.0):
            raise ValueError("limb_axis must be a non-zero 3-vector")
        if not (
            self.zero_s > 0.0 and self.zero_gyro_sd_dps > 0.0 and self.zero_acc_tolerance_g > 0
        ):
            raise ValueError("zero_s, zero_gyro_sd_dps and zero_acc_tolerance_g must be > 0")

    @property
    def axis_unit(self) -> FloatArray:
        """``limb_axis`` scaled to unit length."""
        axis = np.asarray(self.limb_axis, dtype=np.float64)
        return np.asarray(axis / np.linalg.norm(axis), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class AngleBlock:
    """One chunk of angle output.

    ``angle_deg`` is the rotation from the zero pose (IR positive; NaN until the zero pose is
    set); ``gyro_dps`` the gyro with its current bias estimate removed, ``(n, 3)``;
    ``axis_rate_dps`` its component about the limb axis.
    """

    angle_deg: FloatArray
    gyro_dps: FloatArray
    axis_rate_dps: FloatArray


class LimbAngleTracker:
    """Streams the hip rotation angle; ``update()`` is chunk-invariant (see the module doc)."""

    def __init__(self, settings: LimbAngleSettings, *, fs_hz: float) -> None:
        if not (math.isfinite(fs_hz) and fs_hz > 0.0):
            raise ValueError("fs_hz must be > 0")
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self._axis = settings.axis_unit
        self._zero_n = max(2, round(settings.zero_s * fs_hz))
        self._filter = OrientationFilter(settings.fusion, fs_hz=fs_hz)
        self._buf_acc: list[FloatArray] = []
        self._buf_gyro: list[FloatArray] = []
        self._buffered = 0
        self._q0_conj: FloatArray | None = None
        self._bias0 = np.zeros(3)
        self.gravity_share: float | None = None
        """Share of gravity perpendicular to the limb axis in the zero pose (1 = level)."""

    @property
    def zeroed(self) -> bool:
        """Whether the zero pose has been captured."""
        return self._q0_conj is not None

    @property
    def source(self) -> AngleSource | None:
        """What keeps the angle from drifting in this pose (None before the zero pose)."""
        if self.gravity_share is None:
            return None
        return AngleSource.GRAVITY if self.gravity_share >= GRAVITY_SHARE_MIN else AngleSource.GYRO

    @property
    def gyro_bias_dps(self) -> FloatArray:
        """The gyro bias currently removed (°/s per axis)."""
        return self._filter.gyro_bias_dps if self.zeroed else self._bias0.copy()

    def rezero(self) -> None:
        """Capture a new zero pose from the next still ``zero_s`` (orientation state restarts)."""
        self._filter = OrientationFilter(self.settings.fusion, fs_hz=self.fs_hz)
        self._q0_conj = None
        self._buf_acc, self._buf_gyro, self._buffered = [], [], 0

    def update(self, *, acc_g: FloatArray, gyro_dps: FloatArray) -> AngleBlock:
        """Process one chunk of ``(n, 3)`` accelerometer (g) and gyro (°/s) samples."""
        acc = np.asarray(acc_g, dtype=np.float64)
        gyro = np.asarray(gyro_dps, dtype=np.float64)
        if acc.ndim != 2 or acc.shape[1] != 3 or gyro.shape != acc.shape:
            raise ValueError("acc_g and gyro_dps must both have shape (n, 3)")
        n = acc.shape[0]
        angle = np.full(n, np.nan)
        corrected = gyro - self._bias0
        start = 0
        while self._q0_conj is None and start < n:
            take = min(n - start, self._zero_n - self._buffered)
            self._buf_acc.append(acc[start : start + take])
            self._buf_gyro.append(gyro[start : start + take])
            self._buffered += take
            start += take
            if self._buffered == self._zero_n:
                self._try_zero()
        if self._q0_conj is not None and start < n:
            quats, corrected[start:] = self._filter.update(acc_g=acc[start:], gyro_dps=gyro[start:])
            q_rel = quaternion_multiply(self._q0_conj, quats)
            angle[start:] = twist_angle_deg(q_rel=q_rel, axis=self._axis)
        return AngleBlock(angle, corrected, corrected @ self._axis)

    def _try_zero(self) -> None:
        """Take the buffered window as the zero pose if it was still; else slide it by half."""
        acc = np.concatenate(self._buf_acc)
        gyro = np.concatenate(self._buf_gyro)
        mean_acc = acc.mean(axis=0)
        noise_sd = float(gyro.std(axis=0).max())
        k = max(1, round(0.05 * self.fs_hz))
        blocks = gyro[: (gyro.shape[0] // k) * k].reshape(-1, k, 3).mean(axis=1)
        half = acc.shape[0] // 2
        first, second = acc[:half].mean(axis=0), acc[half:].mean(axis=0)
        cos_tilt = float(first @ second) / float(np.linalg.norm(first) * np.linalg.norm(second))
        tilt_deg = math.degrees(math.acos(min(1.0, max(-1.0, cos_tilt))))
        settings = self.settings
        still = (
            float(blocks.std(axis=0).max()) < settings.zero_gyro_sd_dps
            and tilt_deg < settings.zero_tilt_deg
            and abs(float(np.linalg.norm(mean_acc)) - 1.0) < settings.zero_acc_tolerance_g
        )
        if not still:
            keep = self._zero_n // 2
            self._buf_acc, self._buf_gyro = [acc[-keep:]], [gyro[-keep:]]
            self._buffered = keep
            return
        self._bias0 = gyro.mean(axis=0)
        q0 = quaternion_from_gravity(acc_g=mean_acc)
        self._filter.start_at(quaternion=q0, gyro_bias_dps=self._bias0, gyro_noise_sd_dps=noise_sd)
        self._q0_conj = quaternion_conjugate(q0)
        up = mean_acc / np.linalg.norm(mean_acc)
        along = float(up @ self._axis)
        self.gravity_share = math.sqrt(max(0.0, 1.0 - along * along))
        self._buf_acc, self._buf_gyro, self._buffered = [], [], 0
