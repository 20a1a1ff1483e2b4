"""The tension drill with no maximum known: open-ended in newtons, ended by pain or a plateau."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills import DrillEngine, DrillEvent, EventKind, load_builtin
from isoforce.drills.events import EngineSettings, EngineStatus
from isoforce.drills.kinds.staircase import StaircaseStep
from isoforce.drills.open_scale import OPEN_CEILING_PCT, open_ended, staircase_directions
from isoforce.drills.plateau import PlateauWatch, held_pct
from isoforce.drills.report import result_summary, score_table
from isoforce.drills.scoring import EndReason
from tests.drills.drills_helpers import FloatArray, simulate


def open_tension_engine() -> DrillEngine:
    drill = load_builtin("tension-drill")
    opened = open_ended(drill, staircase_directions(drill))
    return DrillEngine(opened, EngineSettings(above_max_ceiling_pct=OPEN_CEILING_PCT))


def capped(top: float) -> Callable[[DrillEngine, FloatArray], FloatArray]:
    def athlete(engine: DrillEngine, t: FloatArray) -> FloatArray:
        return np.clip(engine.targets_at(t), -top, top)

    return athlete


def test_only_staircases_open_and_in_their_direction() -> None:
    drill = load_builtin("tension-drill")
    assert staircase_directions(drill) == {Direction.PUSH, Direction.PULL}
    assert staircase_directions(load_builtin("pails-rails-hip")) == frozenset()
    assert open_ended(drill, frozenset()) == drill
    only_push = open_ended(drill, frozenset({Direction.PUSH}))
    stairs = [s for s in only_push.steps if isinstance(s, StaircaseStep)]
    assert [(s.direction, s.in_newtons) for s in stairs] == [
        (Direction.PUSH, True),
        (Direction.PULL, False),
    ]
    assert (stairs[0].step_pct, stairs[0].ceiling_pct) == (20.0, OPEN_CEILING_PCT)
    # its levels are named in newtons, on screen and in the cue: never "level 300 %" of 100 N
    first = stairs[0].segments()[:2]
    assert [seg.rep_label for seg in first] == ["level 20 N", "level 40 N"]
    assert [seg.cues[0][1] for seg in first] == ["20 newtons", "40 newtons"]
    assert stairs[1].segments()[0].rep_label == "level 10 %"


def test_a_plateau_ends_the_open_staircase_at_the_most_force_held() -> None:
    engine = open_tension_engine()
    run = simulate(engine, t_end=400.0, effort=capped(230.0))  # 230 N push is all they have
    result = engine.result()
    push = result.pain_free_found[0]
    assert push.direction is Direction.PUSH and push.level_pct == pytest.approx(230.0)
    assert push.how == "plateau" and not push.by_pain
    stairs = result.step_scores[1]
    assert stairs.ended_by is EndReason.PLATEAU
    # levels 20 … 240 N, then 260 and 280 N missed: 14 levels of 2 s after the 30 s settle
    assert stairs.ended_t_s == pytest.approx(30.0 + 14 * 2.0)
    found, _ = run.kinds(EventKind.PAIN_FREE_MAX)  # push, then pull
    assert "plateau" in found.text
    # the practice ramps go up to what was found, not to the open ceiling
    pull_stairs = next(s for s in result.step_scores if s.direction is Direction.PULL)
    after = (run.t > stairs.ended_t_s) & (run.t < pull_stairs.started_t_s)
    assert np.max(run.target[after]) == pytest.approx(230.0)
    assert engine.status is EngineStatus.FINISHED


def test_pain_still_ends_the_open_staircase_at_the_last_comfortable_level() -> None:
    engine = open_tension_engine()

    def press_at_120(e: DrillEngine, t: float) -> tuple[DrillEvent, ...]:
        return e.mark_pain(t, 120.0)

    simulate(engine, t_end=120.0, actions=[(30.0 + 5 * 2.0 + 0.5, press_at_120)])
    result = engine.result()
    assert result.pain_free_max_pct == pytest.approx(100.0)  # levels 20 … 100 N were fine
    assert result.pain_free_max_found_by == "pain"


def test_a_slow_climb_that_still_rises_is_not_a_plateau() -> None:
    watch = PlateauWatch(step_pct=10.0, band_pct=5.0, levels_to_stop=2)
    t = np.linspace(0.0, 2.0, 161)
    # always 12 below the level, but 10 higher each time: still rising
    assert not any(
        watch.level_done(level, t, np.full_like(t, level - 12)) for level in (30, 40, 50, 60)
    )
    # two levels in a row without rising: a plateau
    assert not watch.level_done(70.0, t, np.full_like(t, 48.0))
    assert watch.level_done(80.0, t, np.full_like(t, 48.0))


def test_unmeasured_effort_is_never_a_plateau() -> None:
    watch = PlateauWatch(step_pct=10.0, band_pct=5.0, levels_to_stop=1)
    t = np.linspace(0.0, 2.0, 161)
    assert not watch.level_done(50.0, t, np.full_like(t, np.nan))
    assert held_pct(t[:0], t[:0]) is None
    assert held_pct(t, np.where(t > 1.3, np.nan, 10.0)) is None  # the held second mostly lost


def test_a_staircase_the_sensor_cannot_see_ends_after_two_blind_levels_with_no_max() -> None:
    watch = PlateauWatch(step_pct=10.0, band_pct=5.0, levels_to_stop=2)
    t = np.linspace(0.0, 2.0, 161)
    blind = np.full_like(t, np.nan)
    assert not watch.level_done(10.0, t, blind) and not watch.blind
    assert not watch.level_done(20.0, t, blind) and watch.blind
    # once a level was measured, later unmeasured ones (a lost stretch) never end it
    seen = PlateauWatch(step_pct=10.0, band_pct=5.0, levels_to_stop=2)
    seen.level_done(10.0, t, np.full_like(t, 10.0))
    for level in (20.0, 30.0, 40.0):
        seen.level_done(level, t, blind)
    assert not seen.blind

    engine = open_tension_engine()
    simulate(engine, t_end=400.0, effort=lambda e, tt: np.full_like(tt, np.nan))
    result = engine.result()
    stairs = [s for s in result.step_scores if s.kind == "staircase"]
    assert [s.direction for s in stairs] == [Direction.PUSH, Direction.PULL]
    for s in stairs:
        assert s.ended_by is EndReason.NOT_MEASURED
        assert s.ended_t_s - s.started_t_s == pytest.approx(2 * 2.0)  # not a climb to 2000 N
    assert result.pain_free_max_pct is None and result.pain_free_found == ()
    assert engine.status is EngineStatus.FINISHED


def test_each_direction_says_its_own_max_in_newtons_and_the_table_never_a_stand_in_pct() -> None:
    drill = load_builtin("tension-drill")
    opened = open_ended(drill, staircase_directions(drill))
    newton_scale = {(ReferenceKind.PAIN_FREE, d) for d in (Direction.PUSH, Direction.PULL)}
    engine = DrillEngine(
        opened, EngineSettings(above_max_ceiling_pct=OPEN_CEILING_PCT), newton_scale=newton_scale
    )
    # 230 N push and 160 N pull are all they have
    simulate(engine, t_end=400.0, effort=lambda e, t: np.clip(e.targets_at(t), -160.0, 230.0))
    result = engine.result()
    lines = result_summary(result)
    assert any(line.startswith("push pain-free max: 230 N (measured in newtons") for line in lines)
    assert any(line.startswith("pull pain-free max: 160 N (measured in newtons") for line in lines)
    table = score_table(result).splitlines()
    stairs = [row for row in table if "staircase" in row]
    assert len(stairs) == 2
    assert all(re.search(r"\d+ N\s+\d+ N\s+plateau", row) for row in stairs), stairs
    # the practice holds read in newtons too; a passive step (no force target) stays in %
    hold = next(row for row in table if "hold pull" in row)
    assert re.search(r"1[56]\d N\s+1[56]\d N", hold), hold
    passive = next(row for row in table if "passive 30 s" in row)
    assert passive.rstrip().endswith("completed") and " N " not in passive
