"""Stillness detection on labelled simulated motion (issue 8 acceptance: F1 >= 0.95)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.signal.imu import (
    LimbAngleSettings,
    LimbAngleTracker,
    StillnessDetector,
    StillnessSettings,
    runs,
    sample_f1,
    segment_f1,
)
from isoforce.simulation import MotionScript, cars_sequence, lift_off_sequence
from tests.signal.imu_helpers import FS_HZ, chunk_slices, simulate


def detect(script: MotionScript, **kwargs: object) -> np.ndarray:
    out = simulate(script, **kwargs)  # type: ignore[arg-type]
    angle = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ).update(
        acc_g=out.acc_g, gyro_dps=out.gyro_dps
    )
    detector = StillnessDetector(StillnessSettings(), fs_hz=FS_HZ)
    return detector.update(gyro_dps=angle.gyro_dps, acc_g=out.acc_g, angle_deg=angle.angle_deg)


SCRIPTS = {
    "cars-0": lambda: cars_sequence(fs_hz=FS_HZ, seed=0),
    "cars-1": lambda: cars_sequence(fs_hz=FS_HZ, seed=1),
    "cars-2": lambda: cars_sequence(fs_hz=FS_HZ, seed=2),
    "lift-offs": lambda: lift_off_sequence(fs_hz=FS_HZ),
    "lift-offs-er": lambda: lift_off_sequence(fs_hz=FS_HZ, end_range_deg=-35.0, lift_deg=15.0),
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
@pytest.mark.parametrize("placement", ["shank", "thigh"])
def test_still_segments_are_found_with_f1_at_least_0_95(name: str, placement: str) -> None:
    script = SCRIPTS[name]()
    detected = detect(script, placement=placement)
    # score up to the last label change: a CARs script is cut mid-move at 60 s
    complete = int(np.flatnonzero(np.diff(script.still))[-1]) + 1
    truth, still = script.still[:complete], detected[:complete]
    assert len(runs(truth)) >= 5
    assert segment_f1(truth=truth, detected=still) >= 0.95
    # Sample by sample the labels call the slow ends of every move "moving" (under 1°/s for
    # the first and last ~0.6 s of a sweep), which no stillness threshold can see; the detector
    # also needs a settled window before it says "still". Today: 0.80–0.90.
    assert sample_f1(truth=truth, detected=still) >= 0.78


def test_muscle_vibration_does_not_count_as_movement() -> None:
    """A hard isometric hold on the thigh (2.5× the default MMG) stays still."""
    n = round(10 * FS_HZ)
    script = MotionScript(FS_HZ, np.full(n, 20.0), np.ones(n, bool), np.full(n, 100.0), ())
    still = detect(script, placement="thigh", mmg_max_g=0.05)
    span = round(StillnessSettings().angle_window_s * FS_HZ)
    assert still[2 * span :].all()


def test_a_slow_creep_under_the_gyro_threshold_is_movement() -> None:
    """1.5 °/s leaks under the 2.5 °/s gyro threshold but moves 1.5° in the 1 s angle window."""
    t = np.arange(round(8 * FS_HZ)) / FS_HZ
    angle = np.where(t < 4.0, 10.0, 10.0 + 1.5 * (t - 4.0))
    script = MotionScript(FS_HZ, angle, t < 4.0, np.full(t.size, 50.0), ())
    still = detect(script)
    assert still[round(2.0 * FS_HZ) : round(4.0 * FS_HZ)].all()
    assert not still[round(5.0 * FS_HZ) :].any()


def test_a_bump_shakes_the_accelerometer_into_movement() -> None:
    n = round(4 * FS_HZ)
    acc = np.tile([0.0, 1.0, 0.0], (n, 1))
    t = np.arange(n) / FS_HZ
    bump = (t > 2.0) & (t < 2.5)
    acc[bump, 2] += 0.15 * np.sin(2 * np.pi * 2.0 * t[bump])  # a 2 Hz jolt, no rotation
    detector = StillnessDetector(StillnessSettings(), fs_hz=FS_HZ)
    still = detector.update(gyro_dps=np.zeros((n, 3)), acc_g=acc, angle_deg=np.zeros(n))
    assert still[round(1.0 * FS_HZ) : round(2.0 * FS_HZ)].all()
    assert not still[round(2.2 * FS_HZ) : round(2.6 * FS_HZ)].any()
    assert still[round(3.5 * FS_HZ) :].all()


def test_chunked_detection_equals_all_at_once() -> None:
    script = cars_sequence(fs_hz=FS_HZ, duration_s=20.0, seed=4)
    out = simulate(script)
    gyro = out.gyro_dps - out.gyro_dps[:400].mean(axis=0)
    angle = script.angle_deg.copy()
    angle[:100] = np.nan
    whole = StillnessDetector(StillnessSettings(), fs_hz=FS_HZ).update(
        gyro_dps=gyro, acc_g=out.acc_g, angle_deg=angle
    )
    detector = StillnessDetector(StillnessSettings(), fs_hz=FS_HZ)
    parts = [
        detector.update(gyro_dps=gyro[s], acc_g=out.acc_g[s], angle_deg=angle[s])
        for s in chunk_slices(angle.size, seed=2)
    ]
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    window = round(StillnessSettings().window_s * FS_HZ)
    assert not whole[: window - 1].any()  # no verdict before the first full window
    assert whole[window:].any()


def test_runs_and_f1_helpers() -> None:
    truth = np.array([1, 1, 1, 0, 0, 1, 1, 1, 1, 0], bool)
    assert runs(truth) == [(0, 3), (5, 9)]
    assert segment_f1(truth=truth, detected=truth) == 1.0
    shifted = np.array([0, 1, 1, 1, 0, 0, 0, 0, 1, 0], bool)  # one match, one miss, one false
    assert segment_f1(truth=truth, detected=shifted) == pytest.approx(0.5)
    assert sample_f1(truth=truth, detected=np.zeros(10, bool)) == 0.0
    assert segment_f1(truth=np.zeros(3, bool), detected=np.zeros(3, bool)) == 1.0
