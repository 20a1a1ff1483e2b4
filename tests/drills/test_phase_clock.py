"""The phase clock: each phase's own countdown and a 3-2-1 before every effort, from the plan."""

from __future__ import annotations

import math

import numpy as np
import pytest

from isoforce.core.effort_key import Direction
from isoforce.drills import DrillEngine, find_drill
from isoforce.drills.phase_clock import PhaseClock
from isoforce.drills.segments import Phase


def _clock_at(engine: DrillEngine, t_s: float, *, fs_hz: float = 10.0) -> PhaseClock:
    """Feed the engine resting samples up to ``t_s`` and read its clock there."""
    start = getattr(engine, "_fed_to", 0.0)
    t = np.arange(start, t_s + 1e-9, 1.0 / fs_hz)
    if t.size:
        engine.update(t_s=t, effort_pct=np.zeros_like(t))
        engine._fed_to = float(t[-1]) + 1.0 / fs_hz  # type: ignore[attr-defined]
    clock = engine.phase_clock(t_s)
    assert clock is not None
    return clock


def test_the_max_test_names_each_trial_counts_its_rest_and_counts_in_every_trial() -> None:
    engine = DrillEngine(find_drill("max-test"))
    # passive 0-10 s, get ready 10-15, trial 1 15-20, rest 20-80, trial 2 80-85 …
    clock = _clock_at(engine, 5.0)
    assert clock.phase is Phase.PASSIVE and clock.remaining_s == pytest.approx(5.0)
    assert clock.count_in == 0 and clock.next_effort == "trial 1/3"
    clock = _clock_at(engine, 12.5)
    assert clock.phase is Phase.READY and clock.remaining_s == pytest.approx(2.5)
    assert clock.count_in == 3 and clock.next_direction is Direction.PUSH
    assert _clock_at(engine, 13.2).count_in == 2
    assert _clock_at(engine, 14.1).count_in == 1
    clock = _clock_at(engine, 16.0)
    assert clock.phase is Phase.EFFORT and clock.rep_label == "trial 1/3"
    assert clock.remaining_s == pytest.approx(4.0) and clock.count_in == 0
    clock = _clock_at(engine, 50.0)
    assert clock.phase is Phase.REST and clock.remaining_s == pytest.approx(30.0)
    assert clock.next_effort == "trial 2/3" and math.isnan(clock.count_in_s)
    assert _clock_at(engine, 78.0).count_in == 2


def test_a_hold_counts_down_as_one_phase_and_the_switch_to_pull_is_counted_in() -> None:
    engine = DrillEngine(find_drill("pails-rails-hip"))
    # passive 0-120 s (counted in to the ramp), ramp 120-130, push hold 130-150, pull 150-170
    assert _clock_at(engine, 118.5).count_in == 2
    clock = _clock_at(engine, 130.5)  # in the hold's unscored settle second
    assert clock.phase is Phase.HOLD and clock.remaining_s == pytest.approx(19.5)
    clock = _clock_at(engine, 148.0)
    assert clock.count_in == 2 and clock.next_direction is Direction.PULL


def test_while_paused_the_clock_stands_still() -> None:
    engine = DrillEngine(find_drill("max-test"))
    _clock_at(engine, 50.0)
    engine.pause(50.0)
    clock = engine.phase_clock(70.0)
    assert clock is not None and clock.remaining_s == pytest.approx(30.0)
    engine.abort(71.0)
    assert engine.phase_clock(72.0) is None


def test_after_a_cramp_rest_the_count_in_is_the_rests_last_three_seconds() -> None:
    """The cramp key mid-hold: a 20 s rest, then the hold carries on where it stood. The
    3-2-1 runs over the rest's last 3 s, not from the hold's own (shifted) start, which lies
    before the rest's end by the time the hold had run."""
    engine = DrillEngine(find_drill("pails-rails-hip"))
    _clock_at(engine, 140.0)  # 10 s into the push hold (130-150)
    engine.mark_cramp(140.0, 50.0)
    clock = _clock_at(engine, 145.0)
    assert clock.phase is Phase.CRAMP_REST and clock.remaining_s == pytest.approx(15.0)
    assert clock.count_in == 0 and math.isnan(clock.count_in_s)
    assert _clock_at(engine, 157.5).count_in == 3
    assert _clock_at(engine, 158.5).count_in == 2
    clock = _clock_at(engine, 159.5)
    assert clock.count_in == 1 and clock.next_direction is Direction.PUSH
    clock = _clock_at(engine, 161.0)
    assert clock.phase is Phase.HOLD and clock.count_in == 0
