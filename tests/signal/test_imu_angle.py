"""Hip rotation angle from the simulated IMU against its ground truth (issue 8 acceptance)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.signal.imu import (
    AngleSource,
    LimbAngleSettings,
    LimbAngleTracker,
    Placement,
    quaternion_from_gravity,
    roll_pitch_deg,
    twist_angle_deg,
)
from isoforce.simulation import MotionScript, cars_sequence
from tests.signal.imu_helpers import FS_HZ, chunk_slices, rms, simulate

ZERO_S = 1.0


def track(script: MotionScript, **kwargs: object) -> tuple[np.ndarray, LimbAngleTracker]:
    out = simulate(script, **kwargs)  # type: ignore[arg-type]
    tracker = LimbAngleTracker(LimbAngleSettings(zero_s=ZERO_S), fs_hz=script.fs_hz)
    angle = tracker.update(acc_g=out.acc_g, gyro_dps=out.gyro_dps).angle_deg
    return angle, tracker


@pytest.mark.parametrize(
    ("placement", "elevation_deg", "source"),
    [
        ("shank", 0.0, AngleSource.GRAVITY),  # seated / prone / 90-90: rotation tilts the shin
        ("thigh", 0.0, AngleSource.GRAVITY),
        ("thigh", 45.0, AngleSource.GRAVITY),
        ("thigh", 90.0, AngleSource.GYRO),  # standing: a turn about gravity, gyro only
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_angle_error_within_2_deg_rms_over_60_s_of_cars(
    placement: str, elevation_deg: float, source: AngleSource, seed: int
) -> None:
    script = cars_sequence(fs_hz=FS_HZ, duration_s=60.0, seed=seed)
    angle, tracker = track(script, placement=placement, elevation_deg=elevation_deg, seed=seed)
    zero_n = round(ZERO_S * FS_HZ)
    assert np.isnan(angle[:zero_n]).all()  # no angle before the zero pose
    assert np.isfinite(angle[zero_n:]).all()
    error = angle - script.angle_deg
    assert rms(error) <= 2.0
    assert rms(error) <= 0.5  # what it achieves today (0.02–0.2°); 2° is the acceptance bar
    assert tracker.source is source
    # the sweep really covered the range: the test is not passing on a still limb
    assert np.nanmax(angle) > 30.0 and np.nanmin(angle) < -35.0


def test_gyro_only_angle_handles_a_large_bias_without_drift() -> None:
    """Standing thigh sensor, a poor gyro: 2 °/s bias and 4× the noise. Plain integration drifts."""
    script = cars_sequence(fs_hz=FS_HZ, duration_s=60.0, seed=5)
    bias = (2.0, -1.5, 1.0)
    out = simulate(
        script, placement="thigh", elevation_deg=90.0, gyro_bias_dps=bias, gyro_noise_dps=0.2
    )
    tracker = LimbAngleTracker(LimbAngleSettings(zero_s=ZERO_S), fs_hz=FS_HZ)
    angle = tracker.update(acc_g=out.acc_g, gyro_dps=out.gyro_dps).angle_deg
    assert rms(angle - script.angle_deg) <= 2.0
    np.testing.assert_allclose(tracker.gyro_bias_dps, bias, atol=0.05)
    naive = np.cumsum(out.gyro_dps[:, 0]) / FS_HZ  # integrating without drift handling
    assert rms(naive - script.angle_deg) > 30.0


def test_chunked_tracking_equals_all_at_once() -> None:
    script = cars_sequence(fs_hz=FS_HZ, duration_s=12.0, seed=3)
    out = simulate(script, placement="thigh", elevation_deg=60.0)
    whole = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ)
    expected = whole.update(acc_g=out.acc_g, gyro_dps=out.gyro_dps)
    parts = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ)
    pieces = [
        parts.update(acc_g=out.acc_g[s], gyro_dps=out.gyro_dps[s])
        for s in chunk_slices(script.angle_deg.size, seed=1)
    ]
    np.testing.assert_array_equal(np.concatenate([p.angle_deg for p in pieces]), expected.angle_deg)
    np.testing.assert_array_equal(np.concatenate([p.gyro_dps for p in pieces]), expected.gyro_dps)


def test_zero_pose_waits_for_a_still_second_and_angles_are_relative_to_it() -> None:
    t = np.arange(round(6.0 * FS_HZ)) / FS_HZ
    angle_true = np.where(t < 2.0, 10.0 * np.sin(2 * np.pi * t), 0.0) + 15.0
    angle_true[t >= 4.0] = 15.0 + 20.0 * np.minimum((t[t >= 4.0] - 4.0), 1.0)
    script = MotionScript(FS_HZ, angle_true, np.zeros(t.size, bool), np.zeros(t.size), ())
    angle, tracker = track(script)
    first = int(np.argmax(np.isfinite(angle)))
    assert 2.0 <= first / FS_HZ <= 3.5  # not while it was swinging
    assert tracker.zeroed
    assert abs(angle[-1] - 20.0) < 0.5  # 35° true, 15° at the zero pose


def test_flipped_limb_axis_flips_the_sign() -> None:
    script = cars_sequence(fs_hz=FS_HZ, duration_s=15.0, seed=0)
    out = simulate(script)
    flipped = LimbAngleTracker(LimbAngleSettings(limb_axis=(-1.0, 0.0, 0.0)), fs_hz=FS_HZ)
    angle = flipped.update(acc_g=out.acc_g, gyro_dps=out.gyro_dps).angle_deg
    assert rms(angle + script.angle_deg) < 0.5


def test_rezero_restarts_from_the_current_pose() -> None:
    script = cars_sequence(fs_hz=FS_HZ, duration_s=20.0, seed=0)
    out = simulate(script)
    tracker = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ)
    tracker.update(acc_g=out.acc_g, gyro_dps=out.gyro_dps)
    tracker.rezero()
    assert not tracker.zeroed
    again = tracker.update(acc_g=out.acc_g[:800], gyro_dps=out.gyro_dps[:800]).angle_deg
    assert np.isnan(again[:400]).all() and np.isfinite(again[400:]).all()


def test_quaternion_helpers_agree_with_geometry() -> None:
    theta = np.radians(np.array([-40.0, 0.0, 25.0]))
    q = np.column_stack((np.cos(theta / 2), np.sin(theta / 2), np.zeros(3), np.zeros(3)))
    np.testing.assert_allclose(twist_angle_deg(q_rel=q, axis=np.array([1.0, 0, 0])), [-40, 0, 25])
    up = np.array([0.0, np.sin(theta[2]), np.cos(theta[2])])  # z up, then rolled +25° about x
    roll, pitch = roll_pitch_deg(quaternion=quaternion_from_gravity(acc_g=up))[0]
    assert roll == pytest.approx(25.0) and pitch == pytest.approx(0.0, abs=1e-9)
    nose_up = np.array([-np.sin(theta[2]), 0.0, np.cos(theta[2])])  # pitched +25° about y
    roll, pitch = roll_pitch_deg(quaternion=quaternion_from_gravity(acc_g=nose_up))[0]
    assert pitch == pytest.approx(25.0) and roll == pytest.approx(0.0, abs=1e-9)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="limb_axis"):
        LimbAngleSettings(limb_axis=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="fs_hz"):
        LimbAngleTracker(LimbAngleSettings(), fs_hz=0.0)
    assert Placement("thigh") is Placement.THIGH
