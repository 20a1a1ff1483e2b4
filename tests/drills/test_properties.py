"""Property tests: any valid drill ends, targets stay in range, chunking changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills import DrillEngine, DrillEvent, EngineSettings, EventKind, Phase
from isoforce.drills.events import Check
from isoforce.drills.kinds import (
    BreathsStep,
    HoldStep,
    LiftOffStep,
    MaxTrialStep,
    PassiveStep,
    RampStep,
    ReleaseStep,
    StaircaseStep,
)
from isoforce.drills.model import Drill, RepeatStep, Step

FS_HZ = 20.0
secs = st.floats(0.3, 6.0)
directions = st.sampled_from(Direction)
refs = st.sampled_from(ReferenceKind)
bands = st.none() | st.floats(1.0, 20.0)


def leaves(max_pct: float, stairs: bool = True) -> st.SearchStrategy[Step]:
    pct = st.floats(0.0, max_pct)
    staircase = st.builds(
        StaircaseStep,
        direction=directions,
        step_pct=st.floats(5.0, 50.0),
        step_s=st.floats(0.2, 2.0),
        ceiling_pct=st.floats(5.0, max_pct),
    )
    return (staircase if stairs else st.nothing()) | st.one_of(
        st.builds(PassiveStep, seconds=secs),
        st.builds(BreathsStep, count=st.integers(1, 3), seconds_per_breath=st.floats(0.5, 4)),
        st.builds(
            RampStep,
            direction=directions,
            reference=refs,
            band_pct=bands,
            from_pct=pct,
            to_pct=pct,
            seconds=secs,
        ),
        st.builds(
            HoldStep,
            direction=directions,
            reference=refs,
            band_pct=bands,
            target_pct=pct,
            seconds=secs,
        ),
        st.builds(
            ReleaseStep,
            direction=directions,
            from_pct=st.floats(1.0, max_pct),
            rate_pct_per_s=st.floats(5.0, 40.0),
        ),
        st.builds(
            MaxTrialStep,
            direction=directions,
            target_pct=st.floats(1.0, max_pct),
            seconds=st.floats(0.5, 3.0),
            rest_s=st.floats(0.0, 3.0),
            trials=st.integers(1, 3),
            ready_s=st.floats(0.0, 2.0),
        ),
        st.builds(
            LiftOffStep,
            count=st.integers(1, 3),
            hold_last_s=st.floats(0.0, 2.0),
            lift_s=st.floats(0.3, 2.0),
            lower_s=st.floats(0.3, 2.0),
        ),
    )


def drills(
    max_pct: float = 100.0, allow: bool = False, stairs: bool = True
) -> st.SearchStrategy[Drill]:
    steps = st.recursive(
        leaves(max_pct, stairs),
        lambda inner: st.builds(
            RepeatStep,
            times=st.integers(1, 3),
            steps=st.lists(inner, min_size=1, max_size=3).map(tuple),
        ),
        max_leaves=6,
    )
    return st.builds(
        Drill,
        name=st.just("generated"),
        movement=st.just("hip-ir"),
        steps=st.lists(steps, min_size=1, max_size=4).map(tuple),
        allow_above_max=st.just(allow),
    )


Control = Callable[[DrillEngine, float], tuple[DrillEvent, ...]]
CONTROLS: dict[str, Control] = {
    "pain": lambda e, t: e.mark_pain(t, 12.0),
    "better": lambda e, t: e.answer_better(t, better=True),
    "not better": lambda e, t: e.answer_better(t, better=False),
    "cramp": lambda e, t: e.mark_cramp(t, 30.0),
    "pinching": lambda e, t: e.record_check(t, Check.PINCHING),
    "pause": lambda e, t: e.pause(t),
    "resume": lambda e, t: e.resume(t),
    "skip": lambda e, t: e.skip(t),
}
actions = st.lists(st.tuples(st.floats(0.0, 1.0), st.sampled_from(sorted(CONTROLS))), max_size=5)


def run(
    drill: Drill,
    cuts: list[int],
    acts: list[tuple[float, str]],
    seed: int = 0,
    start: float = 0.5,
    consent: bool | None = None,
) -> tuple[list[np.ndarray], list[DrillEvent], DrillEngine]:
    """Feed ``drill`` with noisy efforts, cut into chunks at ``cuts`` (sample indices).

    Control actions happen at fractions of the sample range, always between chunks (their
    sample index is added to the cuts), so every chunking sees them at the same moment.
    """
    engine = DrillEngine(
        drill,
        EngineSettings(pain_hold_s=1.0, cramp_rest_s=1.0),
        start_t_s=start,
        above_max_consent=consent,
    )
    # Long enough for the plan plus pauses and breaks (pauses are resumed at the end).
    n = int((drill.duration_s + 2.0 + len(acts) * 4.0) * FS_HZ) + 1
    t = np.arange(n) / FS_HZ
    rng = np.random.default_rng(seed)
    effort = rng.normal(0.0, 40.0, n)
    effort[rng.random(n) < 0.05] = np.nan
    at = {min(int(f * n), n - 1): name for f, name in acts}
    bounds = sorted({0, n, *(c for c in cuts if 0 < c < n), *at})
    columns, events = feed_blocks(engine, t, effort, bounds, at)
    tail = float(t[-1]) + drill.duration_s + 10.0
    events.extend(engine.update(t_s=np.array([tail]), effort_pct=np.array([0.0])).events)
    return columns, events, engine


def feed_blocks(
    engine: DrillEngine,
    t: np.ndarray,
    effort: np.ndarray,
    bounds: list[int],
    at: dict[int, str],
    after_block: Callable[[DrillEngine, float], None] | None = None,
) -> tuple[list[np.ndarray], list[DrillEvent]]:
    """Feed ``engine`` the blocks between ``bounds``, pressing ``at``'s controls before the
    block they start; then resume. The five columns joined, and every event.

    ``after_block(engine, t_s)`` runs after each block with its last sample time.
    """
    outs: list[list[np.ndarray]] = [[] for _ in range(5)]
    events: list[DrillEvent] = []
    for a, b in itertools.pairwise(bounds):
        if a in at:
            events.extend(CONTROLS[at[a]](engine, float(t[a])))
        upd = engine.update(t_s=t[a:b], effort_pct=effort[a:b])
        for k, arr in enumerate(
            (upd.target_pct, upd.band_pct, upd.step_index, upd.phase, upd.in_band)
        ):
            outs[k].append(arr)
        events.extend(upd.events)
        if after_block is not None:
            after_block(engine, float(t[b - 1]))
    events.extend(engine.resume(float(t[-1])))
    return [np.concatenate(o) for o in outs], events


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(drill=drills())
def test_any_valid_drill_finishes_with_every_step_scored(drill: Drill) -> None:
    (target, _, step, _, _), events, engine = run(drill, [], [])
    finished = [e for e in events if e.kind is EventKind.DRILL_FINISHED]
    assert len(finished) == 1 and events[-1].kind is EventKind.DRILL_FINISHED
    assert finished[0].t_s <= 0.5 + drill.duration_s + 1e-6
    assert len(engine.result().step_scores) == len(engine.plan)
    assert np.all(np.abs(target) <= 100.0 + 1e-9)
    assert not [e for e in events if e.kind is EventKind.TARGET_CLAMPED]
    running = step >= 0
    assert np.all(step[running] < len(engine.plan))


@FAST
@given(drill=drills(), acts=actions)
def test_controls_never_break_the_drill_or_its_limits(
    drill: Drill, acts: list[tuple[float, str]]
) -> None:
    (target, _, _, phase, in_band), events, engine = run(drill, [], acts)
    assert engine.status.value == "finished"
    assert sum(e.kind is EventKind.DRILL_FINISHED for e in events) == 1
    assert np.all(np.abs(target) <= 100.0 + 1e-9)
    resting = (phase == Phase.PAUSED) | (phase == Phase.CRAMP_REST) | (phase == Phase.DONE)
    assert np.all(target[resting] == 0.0) and not in_band[resting].any()
    # after a drop, no target in that direction goes above the level held
    t = np.arange(target.size) / FS_HZ
    for drop in engine.result().drops:
        later = (t >= drop.t_s) & (np.sign(target) == drop.direction.sign)
        assert np.all(np.abs(target[later]) <= drop.level_pct + 1e-9)
    times = [e.t_s for e in events]
    assert times == sorted(times)


@FAST
@given(drill=drills(max_pct=200.0), allow=st.booleans(), consent=st.booleans(), acts=actions)
def test_targets_stay_under_the_allowed_ceiling(
    drill: Drill, allow: bool, consent: bool, acts: list[tuple[float, str]]
) -> None:
    # Above 100 % only with allow_above_max in the file and the athlete's consent at run time.
    drill = Drill(
        name=drill.name, movement=drill.movement, steps=drill.steps, allow_above_max=allow
    )
    (target, *_), _, engine = run(drill, [], acts, consent=consent)
    ceiling = engine.settings.above_max_ceiling_pct if allow and consent else 100.0
    assert np.all(np.abs(target) <= ceiling + 1e-9)


@FAST
@given(drill=drills(max_pct=200.0, stairs=False), allow=st.booleans(), consent=st.booleans())
def test_a_clamped_target_is_never_silent(drill: Drill, allow: bool, consent: bool) -> None:
    # Without staircases (which rescale later targets to the max they find) the steps asking
    # for more than the ceiling are known up front: exactly those must warn.
    drill = Drill(
        name=drill.name, movement=drill.movement, steps=drill.steps, allow_above_max=allow
    )
    _, events, engine = run(drill, [], [], consent=consent)
    ceiling = engine.settings.above_max_ceiling_pct if allow and consent else 100.0
    warned = {e.step_index for e in events if e.kind is EventKind.TARGET_CLAMPED}
    too_high = {p.index for p in engine.plan if p.direction is not None and p.peak_pct > ceiling}
    assert warned == too_high


@FAST
@given(
    drill=drills(),
    acts=actions,
    cuts=st.lists(st.integers(1, 4000), max_size=30),
    seed=st.integers(0, 2**16),
)
def test_chunking_changes_nothing(
    drill: Drill, acts: list[tuple[float, str]], cuts: list[int], seed: int
) -> None:
    whole, events_a, engine_a = run(drill, [], acts, seed)
    chunked, events_b, engine_b = run(drill, cuts, acts, seed)
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_array_equal(a, b)
    assert repr(events_a) == repr(events_b)
    assert repr(engine_a.result()) == repr(engine_b.result())


def test_single_sample_chunks_match_one_block_on_a_builtin() -> None:
    from isoforce.drills import load_builtin

    drill = load_builtin("tension-drill")
    n = int(drill.duration_s * FS_HZ)
    whole, events_a, _ = run(drill, [], [(0.3, "pain")])
    singles, events_b, _ = run(drill, list(range(1, n + 50)), [(0.3, "pain")])
    for a, b in zip(whole, singles, strict=True):
        np.testing.assert_array_equal(a, b)
    assert repr(events_a) == repr(events_b)
