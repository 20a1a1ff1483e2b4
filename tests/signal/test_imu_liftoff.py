"""Lift-off detection and hold timing on the simulated IMU (issue 8 acceptance: ±0.2 s)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.signal.imu import (
    LiftOff,
    LiftOffDetector,
    LiftOffSettings,
    LiftPhase,
    LimbAngleSettings,
    LimbAngleTracker,
    time_lift_off,
)
from isoforce.simulation import MotionScript, lift_off_sequence
from tests.signal.imu_helpers import FS_HZ, chunk_slices, simulate

TOLERANCE_S = 0.2


def run(
    script: MotionScript, *, seed: int = 0, **kwargs: object
) -> tuple[list[LiftOff], list[str], LiftOffDetector]:
    out = simulate(script, seed=seed, **kwargs)  # type: ignore[arg-type]
    tracker = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ)
    detector = LiftOffDetector(LiftOffSettings(), fs_hz=FS_HZ)
    found: list[LiftOff] = []
    phases: list[str] = []
    for s in chunk_slices(script.angle_deg.size, seed=seed, largest=60):
        angle = tracker.update(acc_g=out.acc_g[s], gyro_dps=out.gyro_dps[s])
        found += detector.update(
            t_s=script.t_s[s], angle_deg=angle.angle_deg, rate_dps=angle.axis_rate_dps
        )
        if not phases or phases[-1] != detector.phase.value:
            phases.append(detector.phase.value)
    return found, phases, detector


@pytest.mark.parametrize(
    ("placement", "elevation_deg", "end_range_deg", "lift_deg"),
    [
        ("shank", 0.0, 30.0, 10.0),  # the default script: IR lift-offs
        ("shank", 0.0, -35.0, 15.0),  # ER
        ("thigh", 90.0, 25.0, 8.0),  # standing thigh sensor: gyro-only angle
        ("thigh", 0.0, 20.0, 5.0),  # small lifts
    ],
)
def test_lift_offs_are_found_and_holds_timed_within_0_2_s(
    placement: str, elevation_deg: float, end_range_deg: float, lift_deg: float
) -> None:
    script = lift_off_sequence(fs_hz=FS_HZ, end_range_deg=end_range_deg, lift_deg=lift_deg)
    found, _, _ = run(script, placement=placement, elevation_deg=elevation_deg)
    assert len(found) == len(script.lift_off_hold) == 3
    rest_deg = end_range_deg - np.copysign(lift_deg, end_range_deg)
    zero = script.angle_deg[0]  # the angle is measured from the zero pose at rest
    for lift, (hold_start, hold_end) in zip(found, script.lift_off_hold, strict=True):
        assert abs(lift.top_s - hold_start) <= TOLERANCE_S
        assert abs(lift.lower_s - hold_end) <= TOLERANCE_S
        assert abs(lift.hold_s - (hold_end - hold_start)) <= TOLERANCE_S
        assert lift.top_deg == pytest.approx(end_range_deg - zero, abs=0.5)
        assert lift.rest_deg == pytest.approx(rest_deg - zero, abs=0.5)
        assert lift.start_s < lift.top_s and lift.lower_s < lift.end_s
    assert found[-1].hold_s == pytest.approx(5.0, abs=TOLERANCE_S)  # the 3rd is held 5 s


def test_phases_go_rest_lift_hold_lower_and_the_hold_clock_runs() -> None:
    script = lift_off_sequence(fs_hz=FS_HZ, count=1, hold_last_s=5.0)
    out = simulate(script)
    tracker = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ)
    detector = LiftOffDetector(LiftOffSettings(), fs_hz=FS_HZ)
    half = round(6.0 * FS_HZ)  # mid-hold (the hold runs 3.5–8.5 s)
    angle = tracker.update(acc_g=out.acc_g[:half], gyro_dps=out.gyro_dps[:half])
    detector.update(t_s=script.t_s[:half], angle_deg=angle.angle_deg, rate_dps=angle.axis_rate_dps)
    assert detector.phase is LiftPhase.HOLD
    assert detector.hold_elapsed_s(6.0) == pytest.approx(2.5, abs=0.3)
    _, phases, _ = run(script)
    assert phases == ["rest", "lift", "hold", "lower", "rest"]


def test_chunking_does_not_change_the_lift_offs() -> None:
    script = lift_off_sequence(fs_hz=FS_HZ)
    a, _, _ = run(script, seed=0)
    b, _, _ = run(script, seed=0)  # same data, other chunk sizes come from another detector run
    out = simulate(script, seed=0)
    angle = LimbAngleTracker(LimbAngleSettings(), fs_hz=FS_HZ).update(
        acc_g=out.acc_g, gyro_dps=out.gyro_dps
    )
    whole = LiftOffDetector(LiftOffSettings(), fs_hz=FS_HZ).update(
        t_s=script.t_s, angle_deg=angle.angle_deg, rate_dps=angle.axis_rate_dps
    )
    assert list(whole) == a == b


def test_small_wobbles_are_not_lift_offs() -> None:
    t = np.arange(round(20 * FS_HZ)) / FS_HZ
    angle = 10.0 + 1.5 * np.sin(2 * np.pi * t / 4.0)  # 3° peak to peak: under the 4° lift
    script = MotionScript(FS_HZ, angle, np.zeros(t.size, bool), np.zeros(t.size), ())
    found, phases, _ = run(script)
    assert found == [] and phases == ["rest"]


def test_time_lift_off_needs_a_lift_and_a_return() -> None:
    t = np.arange(400) / FS_HZ
    flat = np.zeros(400)
    assert time_lift_off(t_s=t, angle_deg=flat, rate_dps=flat, rest_deg=0.0) is None
    assert time_lift_off(t_s=t[:3], angle_deg=flat[:3], rate_dps=flat[:3], rest_deg=0.0) is None
    with pytest.raises(ValueError, match="settings"):
        LiftOffSettings(min_lift_deg=0.0)
