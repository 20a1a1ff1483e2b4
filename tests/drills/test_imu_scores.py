"""Drill steps scored from the IMU: stillness, range of motion, and their text (issue 8)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.drills import DrillEngine, load_drill_text
from isoforce.drills.imu_scores import (
    ImuStepScore,
    ImuTrace,
    RomStepScore,
    score_rom_step,
    score_stillness,
    summarize_imu,
)
from isoforce.drills.kinds import StepKind
from isoforce.drills.plan import Phase
from isoforce.drills.report import imu_step_text, imu_summary_lines
from isoforce.signal.imu import DualModeReport

FS_HZ = 100.0
ROM = """movement = "hip-rotation"
[[steps]]
kind = "passive"
seconds = 2
[[steps]]
kind = "rom"
reps = 2
rotate_s = 4
return_s = 2
"""


def trace(angle: np.ndarray, still: np.ndarray, phase: np.ndarray, step: int = 0) -> ImuTrace:
    t = np.arange(angle.size) / FS_HZ
    return ImuTrace(t, angle, still, np.full(angle.size, step, np.int64), phase.astype(np.int64))


def test_a_rom_step_is_rotations_in_and_out_with_labels() -> None:
    drill = load_drill_text(ROM, name="rom")
    plan = DrillEngine(drill).plan
    assert drill.sensors.imu and not drill.sensors.force_push
    phases = [seg.phase for seg in plan[1].segments]
    assert phases == [Phase.ROTATE_IN, Phase.RETURN, Phase.ROTATE_OUT, Phase.RETURN] * 2
    assert plan[1].duration_s == drill.steps[1].duration_s == 24.0


def test_phases_at_follows_the_plan_ahead_of_time() -> None:
    engine = DrillEngine(load_drill_text(ROM, name="rom"))
    t = np.array([-1.0, 0.5, 2.5, 6.5, 8.5, 100.0])
    expected = [Phase.PENDING, Phase.PASSIVE, Phase.ROTATE_IN, Phase.RETURN, Phase.ROTATE_OUT]
    assert list(engine.phases_at(t)) == [*expected, Phase.PENDING]
    engine.update(t_s=np.arange(0, 3, 0.01), effort_pct=np.zeros(300))
    assert engine.phases_at(np.array([2.0, 6.5, 100.0])).tolist() == [
        Phase.ROTATE_IN,
        Phase.RETURN,
        Phase.DONE,
    ]


def test_end_range_is_the_furthest_angle_held_half_a_second_not_a_jolt() -> None:
    n = 400
    phase = np.full(2 * n, int(Phase.ROTATE_IN))
    phase[n:] = int(Phase.ROTATE_OUT)
    rise = np.minimum(np.arange(n) / (n / 2), 1.0)  # 2 s up, then 2 s held
    angle = np.concatenate([30.0 * rise, -40.0 * rise])
    angle[n - 100] = 90.0  # a one-sample jolt moves a 0.5 s mean by 1/50 of itself
    score = score_rom_step(trace(angle, np.ones(2 * n, bool), phase))
    assert [r.label for r in score.reps] == ["IR 1/1", "ER 1/1"]
    assert score.ir_deg == pytest.approx(30.0 + 60.0 / 50)
    assert score.er_deg == pytest.approx(40.0)
    unknown = score_rom_step(trace(np.full(2 * n, np.nan), np.ones(2 * n, bool), phase))
    assert unknown.ir_deg is None and unknown.reps[0].end_range_deg is None


def test_moving_time_is_counted_and_reported_for_isometric_steps() -> None:
    still = np.ones(1000, bool)
    still[200:350] = False  # 1.5 s
    still[600:620] = False  # 0.2 s
    angle = np.zeros(1000)
    angle[200:350] = np.linspace(0, 3, 150)
    s = score_stillness(trace(angle, still, np.full(1000, int(Phase.HOLD))))
    assert s is not None
    assert (s.moving_s, s.longest_moving_s, s.moving_stretches) == pytest.approx((1.7, 1.5, 2))
    assert s.moving_fraction == pytest.approx(0.17) and s.angle_range_deg == pytest.approx(3.0)
    text = imu_step_text(ImuStepScore(0, s), kind=StepKind.HOLD)
    assert text == "MOVING 1.7 s (longest 1.5 s): not isometric; angle wandered 3.0°"
    calm = score_stillness(trace(np.zeros(10), np.ones(10, bool), np.zeros(10)))
    assert imu_step_text(ImuStepScore(0, calm), kind=StepKind.HOLD) == "leg still throughout"
    assert imu_step_text(ImuStepScore(0, s), kind=StepKind.LIFT_OFF) is None  # moving is the point
    assert score_stillness(trace(np.zeros(0), np.zeros(0, bool), np.zeros(0))) is None


def test_the_summary_pools_steps_and_says_when_there_is_no_estimate() -> None:
    drill = load_drill_text(ROM, name="rom")
    plan = DrillEngine(drill).plan
    still = score_stillness(trace(np.zeros(100), np.ones(100, bool), np.zeros(100)))
    rom = RomStepScore((), 35.0, 41.5)
    scores = [ImuStepScore(0, still), ImuStepScore(1, None, rom)]
    summary = summarize_imu(scores, plan, placement="shank", dual=None)
    lines = imu_summary_lines(summary)
    assert "active end range: internal rotation 35.0°, external rotation 41.5°" in lines
    assert "leg still in all 1 isometric/relaxed steps" in lines
    assert any(line.startswith("effort estimate: off") for line in lines)
    dual = DualModeReport(n=4000, rmse_pct=9.5, bias_pct=1.2, mae_pct=7.0, in_band_fraction=0.9)
    calibrated = summarize_imu(scores, plan, placement="shank", dual=dual, calibrated=True)
    assert any("RMS error 9.5 %" in line for line in imu_summary_lines(calibrated))
