"""Sensor orientation from accelerometer + gyro: x-io's Fusion AHRS, streamed chunk by chunk.

We use the ``imufusion`` package (x-io Technologies' C library *Fusion* with Python bindings)
rather than a hand-written complementary filter: it is the revised AHRS of Madgwick's thesis
(ch. 7) with the parts a hand-written filter usually lacks — a start-up gain ramp, rejection of
accelerometer readings disturbed by linear acceleration, recovery when that lasts too long,
gyro over-range recovery — and a run-time gyro bias (offset) estimator that learns the bias
during the stationary periods of normal use. It is MIT licensed, ships wheels for Linux, macOS
and Windows, and costs about 1 µs per sample.

Quaternions are ``(w, x, y, z)`` arrays, shape ``(n, 4)``, rotating sensor-frame vectors into
the Earth frame (North-West-Up). No magnetometer: indoors it is disturbed by steel and
electronics (domain-science §4.5 [I21]), so heading (rotation about the vertical) comes from the
gyro alone and is kept from drifting by the bias estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import imufusion
import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.signal.imu._settings import require_finite_fields


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


@dataclass(frozen=True, slots=True)
class FusionSettings:
    """Settings of the Fusion AHRS and its gyro bias estimator; units are in the names.

    ``gain`` 0.5, ``acceleration_rejection_deg`` 10 and a 5 s rejection timeout are the values
    x-io recommend for most applications. The bias estimator treats the sensor as stationary
    when every bias-corrected gyro axis stays below a threshold for ``bias_period_s``; it then
    low-pass filters the gyro into its offset. x-io's default threshold (3 °/s) let it mistake
    the slow ends of controlled rotations for bias in our CARs simulation, so the threshold is
    ``bias_noise_factor`` × the gyro noise SD measured in the still zero pose, kept within
    ``bias_threshold_min_dps`` … ``bias_threshold_max_dps``.
    """

    gain: float = 0.5
    gyro_range_dps: float = 2000.0
    acceleration_rejection_deg: float = 10.0
    rejection_timeout_s: float = 5.0
    bias_noise_factor: float = 4.0
    bias_threshold_min_dps: float = 0.5
    bias_threshold_max_dps: float = 3.0
    bias_period_s: float = 1.0

    def __post_init__(self) -> None:
        require_finite_fields(self, what="fusion settings", zero_ok=True)
        _require(self.bias_period_s > 0.0, "bias_period_s must be > 0")
        _require(
            self.bias_threshold_min_dps <= self.bias_threshold_max_dps,
            "bias_threshold_min_dps must be <= bias_threshold_max_dps",
        )

    def bias_threshold_dps(self, *, gyro_noise_sd_dps: float) -> float:
        """The stationary threshold for a gyro whose still noise has this SD (°/s)."""
        return min(
            max(self.bias_noise_factor * gyro_noise_sd_dps, self.bias_threshold_min_dps),
            self.bias_threshold_max_dps,
        )


def quaternion_from_gravity(*, acc_g: FloatArray) -> FloatArray:
    """The orientation (heading 0) whose "up" in the sensor frame is the measured ``acc_g``.

    A still accelerometer reads +1 g straight up. Roll and pitch follow from it (Z-Y-X Euler
    order); the heading is unobservable without a magnetometer and set to 0.
    """
    a = np.asarray(acc_g, dtype=np.float64)
    norm = float(np.linalg.norm(a))
    _require(a.shape == (3,) and norm > 0.0, "acc_g must be a non-zero 3-vector")
    ax, ay, az = a / norm
    roll = math.atan2(ay, az)
    pitch = math.atan2(-ax, math.hypot(ay, az))
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    return np.array([cr * cp, sr * cp, cr * sp, -sr * sp])


def quaternion_multiply(p: FloatArray, q: FloatArray) -> FloatArray:
    """Hamilton product ``p ⊗ q`` of ``(..., 4)`` arrays (broadcasting)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    pw, px, py, pz = p[..., 0], p[..., 1], p[..., 2], p[..., 3]
    qw, qx, qy, qz = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        (
            pw * qw - px * qx - py * qy - pz * qz,
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
        ),
        axis=-1,
    )


def quaternion_conjugate(q: FloatArray) -> FloatArray:
    """The inverse rotation of unit quaternions ``(..., 4)``."""
    out = np.array(q, dtype=np.float64, copy=True)
    out[..., 1:] *= -1.0
    return out


def twist_angle_deg(*, q_rel: FloatArray, axis: FloatArray) -> FloatArray:
    """Angle (degrees, within ±180) of the part of rotations ``q_rel`` about the unit ``axis``.

    Swing-twist decomposition: the twist about ``axis`` keeps the quaternion's scalar part and
    the projection of its vector part on the axis. Right-handed: positive is counter-clockwise
    looking down the axis.
    """
    q = np.asarray(q_rel, dtype=np.float64)
    projection = q[..., 1:] @ np.asarray(axis, dtype=np.float64)
    angle = 2.0 * np.degrees(np.arctan2(projection, q[..., 0]))
    return np.asarray((angle + 180.0) % 360.0 - 180.0, dtype=np.float64)


def roll_pitch_deg(*, quaternion: FloatArray) -> FloatArray:
    """Roll (about x) and pitch (about y) in degrees, Z-Y-X Euler order, shape ``(n, 2)``.

    The convention of aircraft and of WitMotion's own angle output.
    """
    q = np.atleast_2d(np.asarray(quaternion, dtype=np.float64))
    w, x, y, z = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    roll = np.arctan2(2.0 * (w * x + y * z), 1.0 - 2.0 * (x * x + y * y))
    pitch = np.arcsin(np.clip(2.0 * (w * y - z * x), -1.0, 1.0))
    return np.asarray(np.degrees(np.column_stack((roll, pitch))), dtype=np.float64)


class OrientationFilter:
    """Streaming AHRS: ``update()`` takes consecutive chunks of accelerometer and gyro samples.

    Each sample goes through the bias estimator (which subtracts its current gyro offset) and
    then the AHRS; the state lives in the two imufusion objects, so chunks of any size give the
    same result as one call. :meth:`start_at` sets a known orientation and gyro offset (from a
    still zero pose) and skips the AHRS start-up ramp.
    """

    def __init__(self, settings: FusionSettings, *, fs_hz: float) -> None:
        _require(math.isfinite(fs_hz) and fs_hz > 0.0, "fs_hz must be > 0")
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self._ahrs = imufusion.Ahrs()
        self._ahrs.set_settings(
            imufusion.AhrsSettings(
                sample_rate=self.fs_hz,
                convention=imufusion.CONVENTION_NWU,
                gain=settings.gain,
                gyroscope_range=settings.gyro_range_dps,
                acceleration_rejection=settings.acceleration_rejection_deg,
                magnetic_rejection=0.0,
                rejection_timeout=settings.rejection_timeout_s,
            )
        )
        self._bias = imufusion.Bias()
        self._set_bias_threshold(settings.bias_threshold_max_dps)

    def _set_bias_threshold(self, threshold_dps: float) -> None:
        self.bias_threshold_dps = threshold_dps
        """The bias estimator's current stationary threshold (°/s)."""
        self._bias.set_settings(
            imufusion.BiasSettings(
                sample_rate=self.fs_hz,
                stationary_threshold=threshold_dps,
                stationary_period=self.settings.bias_period_s,
            )
        )

    def start_at(
        self, *, quaternion: FloatArray, gyro_bias_dps: FloatArray, gyro_noise_sd_dps: float
    ) -> None:
        """Continue from a known still pose: orientation, gyro offset and gyro noise SD (°/s).

        Skips the AHRS start-up ramp and sets the bias estimator's threshold from the noise.
        """
        self._ahrs.set_quaternion(np.asarray(quaternion, dtype=np.float64))
        self._ahrs.skip_startup()
        self._set_bias_threshold(
            self.settings.bias_threshold_dps(gyro_noise_sd_dps=gyro_noise_sd_dps)
        )
        self._bias.set_offset(np.asarray(gyro_bias_dps, dtype=np.float64))

    @property
    def gyro_bias_dps(self) -> FloatArray:
        """The gyro offset currently subtracted (°/s per axis)."""
        return np.asarray(self._bias.get_offset(), dtype=np.float64)

    def update(self, *, acc_g: FloatArray, gyro_dps: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Fuse one chunk; returns per-sample quaternions ``(n, 4)`` and bias-corrected gyro.

        ``acc_g`` and ``gyro_dps`` are ``(n, 3)`` in the sensor frame (g and °/s).
        """
        acc = np.ascontiguousarray(acc_g, dtype=np.float64)
        gyro = np.ascontiguousarray(gyro_dps, dtype=np.float64)
        _require(acc.ndim == 2 and acc.shape[1] == 3, "acc_g must have shape (n, 3)")
        _require(gyro.shape == acc.shape, "gyro_dps must have the shape of acc_g")
        n = acc.shape[0]
        quats = np.empty((n, 4))
        corrected = np.empty((n, 3))
        ahrs, bias = self._ahrs, self._bias
        for i in range(n):
            g = bias.update(gyro[i])
            corrected[i] = g
            ahrs.update_no_magnetometer(g, acc[i])
            quats[i] = ahrs.get_quaternion()
        return quats, corrected
