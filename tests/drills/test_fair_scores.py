"""Issue 16, "scores measure the wrong thing": a settle window keeps the switch between push and
pull (and the first moments of a hold) out of the score, and a direction the sensor cannot see
is "not force-measured", never a score.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from isoforce.core.effort_key import Direction
from isoforce.drills.kinds.hold import HoldStep
from isoforce.drills.kinds.max_trial import MaxTrialStep
from isoforce.drills.loader import load_builtin
from isoforce.drills.model import Drill
from isoforce.drills.plan import build_plan
from isoforce.drills.report import NOT_FORCE_MEASURED, score_brief, score_row
from isoforce.drills.scoring import StepScore
from isoforce.drills.segments import HOLD_SETTLE_S, JUMP_SETTLE_S
from isoforce.live import SessionOptions
from isoforce.live.build import open_session


def _hold_scores(device: str) -> list[StepScore]:
    session = open_session(
        SessionOptions(device=device, speed=math.inf, seed=3), drill=load_builtin("pails-rails-hip")
    )
    outcome = asyncio.run(session.run())
    assert outcome.drill_result is not None
    return [s for s in outcome.drill_result.step_scores if s.kind.value == "hold"]


def test_finding_rails_scores_are_not_dominated_by_the_switch_from_pails() -> None:
    holds = _hold_scores("sim")
    pairs = list(zip(holds[0::2], holds[1::2], strict=True))
    assert len(pairs) == 2
    for pails, rails in pairs:
        assert pails.direction is Direction.PUSH and rails.direction is Direction.PULL
        assert pails.metrics.rmse is not None and rails.metrics.rmse is not None
        assert rails.metrics.rmse <= 2 * pails.metrics.rmse, (pails.label, rails.label)


def test_rmse_and_ce_say_their_unit_percent_of_the_max_or_newtons_with_no_max() -> None:
    score = _hold_scores("sim")[0]
    m = score.metrics
    assert m.rmse is not None and m.constant_error is not None
    brief = score_brief(score)
    assert f"RMSE {m.rmse:.1f} %" in brief and f"CE {m.constant_error:.1f} %" in brief
    newtons = score_brief(score, in_newtons=True)  # a step run on the 100 N scale
    assert f"RMSE {m.rmse:.1f} N" in newtons and f"CE {m.constant_error:.1f} N" in newtons


def test_finding_a_direction_the_sensor_cannot_see_is_not_force_measured_never_scored() -> None:
    holds = _hold_scores("sim-push")  # a compression-only cell: RAILs are invisible to it
    pulls = [s for s in holds if s.direction is Direction.PULL]
    assert pulls
    for score in pulls:
        m = score.metrics
        assert m.n_samples > 0 and m.n_tracked == 0
        assert m.rmse is None and m.in_band_fraction is None and m.mean_effort is None
        assert score_row(score)[2] == NOT_FORCE_MEASURED
        assert "0 %" not in score_brief(score) and NOT_FORCE_MEASURED in score_brief(score)
    pushes = [s for s in holds if s.direction is Direction.PUSH]
    assert all(s.metrics.rmse is not None for s in pushes)


def _plan(*steps: object) -> list[list[tuple[float, bool]]]:
    drill = Drill(name="t", movement="m", steps=steps)  # type: ignore[arg-type]
    plan = build_plan(drill, default_band_pct=5.0, passive_band_pct=5.0)
    return [[(seg.duration_s, seg.scored) for seg in ps.segments] for ps in plan]


def test_a_hold_settles_for_a_second_and_a_switch_for_two() -> None:
    push = HoldStep(direction=Direction.PUSH, target_pct=50.0, seconds=20.0)
    again = HoldStep(direction=Direction.PUSH, target_pct=50.0, seconds=10.0)
    pull = HoldStep(direction=Direction.PULL, target_pct=50.0, seconds=20.0)
    first, same, switch = _plan(push, again, pull)
    assert first == [(JUMP_SETTLE_S, False), (20.0 - JUMP_SETTLE_S, True)]  # rest → 50 %
    assert same == [(HOLD_SETTLE_S, False), (10.0 - HOLD_SETTLE_S, True)]  # 50 % → 50 %
    assert switch == [(JUMP_SETTLE_S, False), (20.0 - JUMP_SETTLE_S, True)]  # +50 → −50


def test_the_settle_window_keeps_the_target_cues_and_length() -> None:
    drill = Drill(
        name="t",
        movement="m",
        steps=(HoldStep(direction=Direction.PUSH, target_pct=40.0, seconds=8.0),),  # type: ignore[arg-type]
    )
    (ps,) = build_plan(drill, default_band_pct=5.0, passive_band_pct=5.0)
    settle, held = ps.segments
    assert ps.duration_s == pytest.approx(8.0)
    assert (settle.start_pct, settle.end_pct, held.start_pct, held.end_pct) == (40, 40, 40, 40)
    assert settle.cues == ((0.0, "hold"),)
    assert [settle.duration_s + c[0] for c in held.cues] == [5.0, 6.0, 7.0]  # "3", "2", "1"


def test_a_max_trial_is_never_cut() -> None:
    trials = MaxTrialStep(direction=Direction.PUSH, seconds=5.0, rest_s=60.0, trials=3, ready_s=0)
    (segments,) = _plan(trials)
    assert segments[0] == (5.0, True)
