"""The seeds' lift-off step scored from the IMU and the load cell (issue 8)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.drills import DrillEngine, EngineSettings, load_builtin
from isoforce.drills.kinds import LiftOffStep
from isoforce.drills.lift_off_imu import score_lift_off_step
from isoforce.signal.imu import ImuProcessor, ImuProcessorSettings, LiftOff
from isoforce.simulation import ImuSettings, VirtualImu
from tests.drills.drills_helpers import simulate

FS_HZ = 400.0
LIFT_DEG = 12.0


def min_jerk(t: np.ndarray, t0: float, t1: float, a0: float, a1: float) -> np.ndarray:
    u = np.clip((t - t0) / (t1 - t0), 0.0, 1.0)
    return a0 + (a1 - a0) * u**3 * (10 - 15 * u + 6 * u**2)


def lift_off_angles(t: np.ndarray, start: float, tops: list[float]) -> np.ndarray:
    """The plan's timing: lift 3 s / lower 3 s, twice, then lift and hold 5 s, then lower."""
    angle = np.zeros_like(t)
    for i, top in enumerate(tops):
        up0 = start + 6.0 * i + 0.5
        held = i == len(tops) - 1
        down0 = start + 20.0 if held else start + 6.0 * i + 3.0
        rise = min_jerk(t, up0, up0 + 2.0, 0.0, top)
        fall = min_jerk(t, down0, down0 + 2.0, 0.0, top)
        angle += rise - fall
    return angle


def imu_lift_offs(start_s: float, tops: list[float]) -> list[LiftOff]:
    t = start_s - 3.0 + np.arange(round(28.0 * FS_HZ)) / FS_HZ
    angle = lift_off_angles(t, start_s, tops)
    imu = VirtualImu(ImuSettings(placement="shank"), fs_hz=FS_HZ, seed=7)
    out = imu.step(angle_deg=angle, effort_pct=np.zeros_like(t))
    proc = ImuProcessor(ImuProcessorSettings(), fs_hz=FS_HZ)
    return list(proc.update(t_s=t, acc_g=out.acc_g, gyro_dps=out.gyro_dps).lift_offs)


@pytest.fixture(scope="module")
def lift_step() -> tuple[DrillEngine, int]:
    engine = DrillEngine(load_builtin("pails-rails-hip"), EngineSettings())
    simulate(engine, t_end=sum(p.duration_s for p in engine.plan) + 1.0)
    index = next(i for i, p in enumerate(engine.plan) if p.kind == "lift_off")
    return engine, index


def test_the_seeds_lift_offs_are_scored_from_the_imu_and_the_load_cell(
    lift_step: tuple[DrillEngine, int],
) -> None:
    engine, index = lift_step
    score = next(s for s in engine.result().step_scores if s.step_index == index)
    plan = engine.plan[index].step
    assert isinstance(plan, LiftOffStep) and plan.count == 3 and plan.hold_last_s == 5.0
    lifts = imu_lift_offs(score.started_t_s, [LIFT_DEG] * 3)
    result = score_lift_off_step(step=score, plan_step=plan, lift_offs=lifts)
    assert (result.expected, result.detected) == (3, 3)
    assert [r.label for r in result.reps] == ["lift-off 1/3", "lift-off 2/3", "lift-off 3/3"]
    assert all(r.reached_end_range for r in result.reps)
    assert [r.held for r in result.reps] == [None, None, True]
    assert result.reps[-1].hold_s == pytest.approx(5.0 + 0.5, abs=0.2)  # held 5.5 s
    assert all(r.off_block for r in result.reps)  # the simulated cell read ~0 throughout
    assert result.complete


def test_a_short_third_lift_and_a_missing_hold_are_scored(
    lift_step: tuple[DrillEngine, int],
) -> None:
    engine, index = lift_step
    score = next(s for s in engine.result().step_scores if s.step_index == index)
    plan = engine.plan[index].step
    assert isinstance(plan, LiftOffStep)
    lifts = imu_lift_offs(score.started_t_s, [LIFT_DEG, LIFT_DEG, 6.0])
    result = score_lift_off_step(step=score, plan_step=plan, lift_offs=lifts, end_range_deg=12.0)
    assert [r.reached_end_range for r in result.reps] == [True, True, False]
    assert not result.complete
    none = score_lift_off_step(step=score, plan_step=plan, lift_offs=[])
    assert none.detected == 0 and not any(r.detected for r in none.reps)
    assert [r.held for r in none.reps] == [False, False, False]
