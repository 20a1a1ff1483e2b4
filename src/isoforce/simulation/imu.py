"""A simulated 6-axis IMU strapped on the thigh or the shank.

Pure model: arrays in, arrays out, state carried in the object. No clock, no I/O.

Sensor axes (right-handed, fixed to the sensor):

* **x** — the hip-rotation axis (the femur's long axis), oriented so that *internal rotation is
  a positive right-handed rotation about +x*. The gyro's x channel therefore reads
  d(angle)/dt with IR positive.
* **y** — in the zero pose, the direction that points straight up (away from gravity),
  perpendicular to the femur. For the shank placement (knee at 90°, femur horizontal as in
  sitting, prone or 90/90) this is along the shank towards the knee.
* **z** — x × y, normal to the skin under the sensor; muscle vibration (MMG) is mostly along z.

With the femur horizontal (``axis_elevation_deg`` = 0) the accelerometer at rest reads
``(0, cos θ, −sin θ)`` g at hip angle θ, so ``θ = atan2(−acc_z, acc_y)`` (tilt against gravity,
drift-free). ``axis_elevation_deg`` tilts the femur up from horizontal: gravity then reads
``(sin e, cos e·cos θ, −cos e·sin θ)``, and at 90° (femur vertical, as when standing) the
accelerometer no longer sees the rotation — only the gyro does.

The sensor sits ``r`` from the rotation axis (thigh: 0.07 m, on the skin over the femur; shank:
0.20 m below the knee), so rotation adds a small linear acceleration (tangential α·r and
centripetal ω²·r). Angular rate and acceleration are backward differences of the angle with
the previous sample carried between chunks (the first sample ever has zero rate), so the
bias-free gyro x integrates exactly to the angle change: Σ gyro_x / fs = θ[last] − θ[first].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import overload

import numpy as np
from scipy import signal

from isoforce.core.samples import FloatArray
from isoforce.errors import ConfigError
from isoforce.signal.filters import SosFilter
from isoforce.simulation._dsp import child_generators, unit_noise_sos

IMU_FS_MIN_HZ = 20.0
IMU_FS_MAX_HZ = 2000.0
PLACEMENT_RADIUS_M = {"thigh": 0.07, "shank": 0.20}

_G_M_S2 = 9.80665
_MMG_BAND_TOP_FRACTION_OF_FS = 0.45
_MMG_FILTER_ORDER = 4
_MMG_KNEE = 0.75
_MMG_KNEE_WIDTH = 0.05


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True, slots=True)
class ImuSettings:
    """How the simulated IMU is mounted and how noisy it is; units are in the field names.

    ``mmg_rest_g`` and ``mmg_max_g`` are the RMS of the muscle vibration along z at 0 % and at
    100 % effort (see :func:`saturating_mmg_rms_g`); x and y get ``mmg_cross_axis_fraction`` of
    it. The vibration is white noise through a 4th-order Butterworth band-pass with −3 dB edges
    at ``mmg_band_hz``, whose top is clipped to 0.45 × the sample rate.
    """

    placement: str = "thigh"
    acc_noise_g: float = 0.002
    gyro_noise_dps: float = 0.05
    gyro_bias_dps: tuple[float, float, float] = (0.3, -0.2, 0.1)
    mmg_rest_g: float = 0.001
    mmg_max_g: float = 0.02
    mmg_band_hz: tuple[float, float] = (8.0, 45.0)
    mmg_cross_axis_fraction: float = 0.3
    axis_elevation_deg: float = 0.0

    def __post_init__(self) -> None:
        _require(self.placement in PLACEMENT_RADIUS_M, "placement must be 'thigh' or 'shank'")
        _require(self.acc_noise_g >= 0.0, "acc_noise_g must be >= 0")
        _require(self.gyro_noise_dps >= 0.0, "gyro_noise_dps must be >= 0")
        _require(len(self.gyro_bias_dps) == 3, "gyro_bias_dps needs three values (x, y, z)")
        _require(self.mmg_rest_g >= 0.0, "mmg_rest_g must be >= 0")
        _require(self.mmg_max_g >= self.mmg_rest_g, "mmg_max_g must be >= mmg_rest_g")
        lo, hi = self.mmg_band_hz
        _require(0.0 < lo < hi, "mmg_band_hz must be (low, high) with 0 < low < high")
        _require(
            0.0 <= self.mmg_cross_axis_fraction <= 1.0,
            "mmg_cross_axis_fraction must be within 0..1",
        )
        _require(-90.0 <= self.axis_elevation_deg <= 90.0, "axis_elevation_deg must be within ±90")
        numbers: list[float] = [*self.gyro_bias_dps, *self.mmg_band_hz]
        numbers += [
            getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), float)
        ]
        _require(all(math.isfinite(v) for v in numbers), "settings must be finite numbers")

    @property
    def radius_m(self) -> float:
        """Distance of the sensor from the rotation axis for this placement."""
        return PLACEMENT_RADIUS_M[self.placement]


@dataclass(frozen=True, slots=True)
class ImuOutput:
    """One chunk of IMU samples: ``acc_g`` and ``gyro_dps``, each ``(n, 3)`` in sensor x, y, z."""

    acc_g: FloatArray
    gyro_dps: FloatArray


@overload
def saturating_mmg_rms_g(*, effort_pct: float, settings: ImuSettings) -> float: ...
@overload
def saturating_mmg_rms_g(*, effort_pct: FloatArray, settings: ImuSettings) -> FloatArray: ...
def saturating_mmg_rms_g(
    *, effort_pct: float | FloatArray, settings: ImuSettings
) -> float | FloatArray:
    """MMG RMS (g, along the skin normal) at an effort magnitude in % of max.

    Rises linearly from ``mmg_rest_g`` at 0 % and bends smoothly into a plateau above ~75 %
    (a soft knee 5 % wide), reaching ``mmg_max_g`` at 100 % and barely more beyond — the shape
    the MMG studies report (domain-science §4.2). Negative efforts count as 0 %.
    """
    x = np.maximum(np.asarray(effort_pct, dtype=np.float64), 0.0) / 100.0

    def bent(v: FloatArray | float) -> FloatArray:
        return np.asarray(
            v - _MMG_KNEE_WIDTH * np.logaddexp(0.0, (np.asarray(v) - _MMG_KNEE) / _MMG_KNEE_WIDTH),
            dtype=np.float64,
        )

    shape = (bent(x) - bent(0.0)) / (bent(1.0) - bent(0.0))
    rms = settings.mmg_rest_g + (settings.mmg_max_g - settings.mmg_rest_g) * shape
    if isinstance(effort_pct, float | int):
        return float(rms)
    return np.asarray(rms, dtype=np.float64)


class VirtualImu:
    """A 6-axis IMU riding on a limb whose hip angle and effort you script.

    ``step()`` takes consecutive chunks of the true hip rotation angle (degrees from the zero
    pose, IR positive) and the effort magnitude (% of max), one value per sample at ``fs_hz``,
    and returns accelerometer and gyro samples. See the module docstring for the axes.
    """

    def __init__(self, settings: ImuSettings, *, fs_hz: float, seed: int) -> None:
        _require(
            IMU_FS_MIN_HZ <= fs_hz <= IMU_FS_MAX_HZ,
            f"fs_hz must be within {IMU_FS_MIN_HZ:g}..{IMU_FS_MAX_HZ:g} Hz",
        )
        lo, hi = settings.mmg_band_hz
        hi = min(hi, _MMG_BAND_TOP_FRACTION_OF_FS * fs_hz)
        _require(lo < hi, f"mmg_band_hz starts above {hi:g} Hz, too high for fs_hz={fs_hz:g}")
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self.mmg_band_hz = (lo, hi)
        self._rng_acc, self._rng_gyro, self._rng_mmg = child_generators(seed, 3)
        band = signal.butter(
            _MMG_FILTER_ORDER, [lo, hi], btype="bandpass", fs=self.fs_hz, output="sos"
        )
        self._mmg = SosFilter(unit_noise_sos(band, fs_hz=self.fs_hz), channels=3)
        cross = settings.mmg_cross_axis_fraction
        self._mmg_axes = np.array([cross, cross, 1.0])
        self._bias_dps = np.asarray(settings.gyro_bias_dps, dtype=np.float64)
        elevation = math.radians(settings.axis_elevation_deg)
        self._up_along_x = math.sin(elevation)
        self._up_in_plane = math.cos(elevation)
        self._last_angle_deg: float | None = None
        self._last_rate_dps = 0.0
        self._samples_done = 0

    @property
    def samples_done(self) -> int:
        """How many samples ``step()`` has produced so far."""
        return self._samples_done

    def step(self, *, angle_deg: FloatArray, effort_pct: FloatArray | float) -> ImuOutput:
        """Produce IMU samples for the next chunk of angle and effort (same length)."""
        angle = np.asarray(angle_deg, dtype=np.float64)
        if angle.ndim != 1:
            raise ValueError("angle_deg must be a 1-D array")
        n = int(angle.shape[0])
        effort = np.broadcast_to(np.asarray(effort_pct, dtype=np.float64), (n,))
        if not (np.all(np.isfinite(angle)) and np.all(np.isfinite(effort))):
            raise ValueError("angle_deg and effort_pct must be finite")
        if n == 0:
            return ImuOutput(acc_g=np.empty((0, 3)), gyro_dps=np.empty((0, 3)))
        first = float(angle[0]) if self._last_angle_deg is None else self._last_angle_deg
        rate_dps = np.diff(angle, prepend=first) * self.fs_hz
        accel_dps2 = np.diff(rate_dps, prepend=self._last_rate_dps) * self.fs_hz
        self._last_angle_deg = float(angle[-1])
        self._last_rate_dps = float(rate_dps[-1])

        theta = np.radians(angle)
        omega = np.radians(rate_dps)
        alpha = np.radians(accel_dps2)
        r = self.settings.radius_m
        acc = np.empty((n, 3))
        acc[:, 0] = self._up_along_x
        acc[:, 1] = self._up_in_plane * np.cos(theta)
        acc[:, 2] = -self._up_in_plane * np.sin(theta)
        if self.settings.placement == "shank":  # sensor at −r·y: a = (0, ω²r, −αr)
            acc[:, 1] += omega * omega * r / _G_M_S2
            acc[:, 2] -= alpha * r / _G_M_S2
        else:  # sensor at +r·z: a = (0, −αr, −ω²r)
            acc[:, 1] -= alpha * r / _G_M_S2
            acc[:, 2] -= omega * omega * r / _G_M_S2
        mmg_rms = saturating_mmg_rms_g(effort_pct=np.array(effort), settings=self.settings)
        mmg = self._mmg(self._rng_mmg.standard_normal((n, 3)))
        acc += mmg * mmg_rms[:, np.newaxis] * self._mmg_axes
        acc += self.settings.acc_noise_g * self._rng_acc.standard_normal((n, 3))

        gyro = np.empty((n, 3))
        gyro[:, 0] = rate_dps
        gyro[:, 1:] = 0.0
        gyro += self._bias_dps + self.settings.gyro_noise_dps * self._rng_gyro.standard_normal(
            (n, 3)
        )
        self._samples_done += n
        return ImuOutput(acc_g=acc, gyro_dps=gyro)
