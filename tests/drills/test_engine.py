"""The drill engine on simulated time: target curves, events, pain, pause/skip/abort."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.core.effort_key import Direction
from isoforce.drills import (
    Drill,
    DrillEngine,
    EndReason,
    EngineSettings,
    EngineStatus,
    EventKind,
    Phase,
    load_builtin,
)
from isoforce.drills.kinds import HoldStep, PassiveStep, RampStep, StaircaseStep
from isoforce.drills.phase_clock import COUNT_IN_S, is_effort
from isoforce.drills.plan import PlanStep
from isoforce.drills.segments import Segment
from tests.drills.drills_helpers import Run, simulate


def hip_run(**kwargs: object) -> tuple[DrillEngine, Run]:
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    return engine, simulate(engine, t_end=320.0, **kwargs)  # type: ignore[arg-type]


def test_pails_rails_hip_runs_on_simulated_time_with_the_seeds_target_curve() -> None:
    engine, run = hip_run()  # how fast: benchmarks/bench_drill.py
    assert engine.status is EngineStatus.FINISHED
    # Timeline: passive 0-120, ramp 120-130, hold 130-150, RAILs 150-170, breaths 170-180,
    # passive 180-200, ramp 200-210, hold max 210-230, RAILs 230-250, breaths 250-285,
    # lift-offs 285-308 (3 × (lift 3 s + lower 3 s) + the third held 5 s).
    expected = {
        60.0: 0.0, 120.0: 0.0, 125.0: 25.0, 130.0: 50.0, 149.9: 50.0, 150.0: -50.0,
        169.9: -50.0, 175.0: 0.0, 190.0: 0.0, 200.0: 50.0, 205.0: 75.0, 210.0: 100.0,
        229.9: 100.0, 230.0: -50.0, 260.0: 0.0, 290.0: 0.0, 310.0: 0.0,
    }  # fmt: skip
    for t_s, target in expected.items():
        assert run.target_at(t_s) == pytest.approx(target, abs=1e-9), t_s
    assert np.all(np.abs(run.target) <= 100.0)
    finished = run.kinds(EventKind.DRILL_FINISHED)
    assert len(finished) == 1 and finished[0].t_s == pytest.approx(308.0)
    assert run.events[-1].kind is EventKind.DRILL_FINISHED
    assert run.step[run.at(310.0)] == -1 and run.phase[run.at(310.0)] == Phase.DONE
    assert run.phase[run.at(125.0)] == Phase.RAMP and run.step[run.at(125.0)] == 1


def test_events_label_steps_cues_and_reps() -> None:
    _, run = hip_run()
    started = run.kinds(EventKind.STEP_STARTED)
    assert [e.step_index for e in started] == list(range(12))
    assert [e.t_s for e in started][:4] == pytest.approx([0.0, 120.0, 130.0, 150.0])
    assert started[2].text == "PAILs — drive the knee into the block"
    hold_cues = [(e.t_s, e.text) for e in run.kinds(EventKind.CUE) if e.step_index == 2]
    assert hold_cues == [(130.0, "hold"), (147.0, "3"), (148.0, "2"), (149.0, "1")]
    reps = [e.text for e in run.kinds(EventKind.REP_DONE) if e.step_index == 11]
    assert reps == ["lift-off 1/3", "lift-off 2/3", "lift-off 3/3"]
    scored = run.kinds(EventKind.STEP_SCORED)
    assert len(scored) == 12 and all(e.score is not None for e in scored)
    assert scored[2].score is not None and scored[2].score.ended_by is EndReason.COMPLETED


def test_following_the_target_keeps_holds_in_band() -> None:
    engine, _ = hip_run()
    summary = engine.result().summary
    assert summary.hold_in_band_fraction == pytest.approx(1.0)
    assert summary.rmse == pytest.approx(0.0, abs=1e-9)

    def lagging(engine: DrillEngine, t: np.ndarray) -> np.ndarray:
        # A first-order athlete 0.3 s behind the target, with a little tremor.
        target = engine.targets_at(t - 0.3)
        return target + 0.5 * np.sin(2 * np.pi * 3.0 * t)

    engine2 = DrillEngine(load_builtin("pails-rails-hip"))
    simulate(engine2, t_end=320.0, effort=lagging)
    holds = [s for s in engine2.result().step_scores if s.kind == "hold"]
    assert all((s.metrics.in_band_fraction or 0) >= 0.8 for s in holds)


def test_tension_drill_finds_the_pain_free_max_and_practises_at_it() -> None:
    engine = DrillEngine(load_builtin("tension-drill"))
    t = np.arange(0.0, 400.0, 1 / 80)
    targets, events, marked_at = [], [], None
    for chunk in np.array_split(t, 4000):  # 0.1 s chunks, as a live loop would see them
        effort = engine.targets_at(chunk)  # a simulated athlete who follows the target exactly
        upd = engine.update(t_s=chunk, effort_pct=effort)
        targets.append(upd.target_pct)
        events.extend(upd.events)
        step = engine.current_step
        in_stairs = (
            step is not None and step.kind == "staircase" and step.direction is Direction.PUSH
        )
        # The pinch comes at the 70 % level: the user presses the pain key.
        if marked_at is None and in_stairs and upd.target_pct.max() >= 70.0:
            marked_at = float(chunk[-1])
            events.extend(engine.mark_pain(marked_at, float(effort[-1])))
    target = np.concatenate(targets)
    result = engine.result()
    assert marked_at is not None
    push, pull = result.pain_free_found  # push first, then pull
    assert push.direction is Direction.PUSH and push.level_pct == pytest.approx(
        60.0
    )  # last comfortable
    assert push.by_pain and result.pains[0].effort_pct == pytest.approx(70.0)
    # pull has its own staircase: no pain there, so it climbs to its ceiling
    assert pull.direction is Direction.PULL and (pull.level_pct, pull.how) == (
        pytest.approx(100.0),
        "ceiling",
    )
    found = [e for e in events if e.kind is EventKind.PAIN_FREE_MAX]
    assert [e.value for e in found] == [pytest.approx(60.0), pytest.approx(100.0)]
    # The push practice after the staircase goes up to the new pain-free max, never above it.
    pull_t0 = next(s.started_t_s for s in result.step_scores if s.direction is Direction.PULL)
    assert np.max(target[(t > marked_at) & (t < pull_t0)]) == pytest.approx(60.0)
    # the pull practice to the pull max (pull targets are negative)
    assert np.min(target[t > pull_t0]) == pytest.approx(-100.0)
    # at once it holds the level below the painful one (70 → 60) and asks "better?"
    assert target[np.searchsorted(t, marked_at + 0.01)] == pytest.approx(60.0)
    assert engine.status is EngineStatus.FINISHED


def test_tension_drill_without_pain_keeps_the_ceiling() -> None:
    engine = DrillEngine(load_builtin("tension-drill"))
    simulate(engine, t_end=200.0)
    result = engine.result()
    assert result.pain_free_max_pct == pytest.approx(100.0)
    assert not result.pain_free_max_by_pain


def test_max_test_keeps_peak_and_best_windows_per_trial_and_overall() -> None:
    engine = DrillEngine(load_builtin("max-test"))
    # passive 0-10, ready 10-15, trials 15-20, 80-85, 145-150 (60 s rests).
    plateaus = ((15.0, 300.0), (80.0, 310.0), (145.0, 320.0))

    def athlete(engine: DrillEngine, t: np.ndarray) -> np.ndarray:
        out = np.zeros_like(t)
        for start, level in plateaus:
            out[(t >= start) & (t < start + 5.0)] = level
        out[np.isclose(t, 82.0)] = 400.0  # one spike in trial 2
        return out

    simulate(engine, t_end=160.0, effort=athlete)
    result = engine.result()
    trials = result.step_scores[1].reps
    assert [r.label for r in trials] == ["trial 1/3", "trial 2/3", "trial 3/3"]
    second = trials[1].max_effort
    assert second is not None
    assert second.peak == pytest.approx(400.0)
    assert second.best_0_5s == pytest.approx((39 * 310.0 + 400.0) / 40)
    assert second.best_1s == pytest.approx((79 * 310.0 + 400.0) / 80)
    best = result.max_effort
    assert best is not None
    assert (best.peak, best.best_0_5s, best.best_1s) == pytest.approx((400.0, 320.0, 320.0))


def test_pause_freezes_drill_time_and_target() -> None:
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    run = simulate(
        engine,
        t_end=330.0,
        actions=[(125.0, lambda e, t: e.pause(t)), (135.0, lambda e, t: e.resume(t))],
    )
    assert run.target_at(124.98) == pytest.approx(24.9375)
    paused = (run.t >= 125.0) & (run.t < 135.0)
    assert np.all(run.target[paused] == 0.0) and np.all(run.phase[paused] == Phase.PAUSED)
    assert np.all(run.step[paused] == 1)
    assert run.target_at(135.0) == pytest.approx(25.0)  # the ramp picks up where it stopped
    assert run.target_at(140.0) == pytest.approx(50.0)
    resumed = run.kinds(EventKind.RESUMED)
    assert resumed[0].value == pytest.approx(10.0)
    assert run.kinds(EventKind.DRILL_FINISHED)[0].t_s == pytest.approx(318.0)


def test_skip_counts_in_the_next_step_when_it_opens_with_an_effort() -> None:
    """Skipping the opening stretch: the ramp (an effort) starts after a 3 s get-ready with its
    3-2-1, as every other effort does, not at the key press."""
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    run = simulate(engine, t_end=40.0, actions=[(10.0, lambda e, t: e.skip(t))])
    first = engine.result().step_scores[0]
    assert first.ended_by is EndReason.SKIPPED and first.ended_t_s == 10.0
    assert run.kinds(EventKind.SKIPPED)[0].t_s == 10.0
    ready = (run.t >= 10.0) & (run.t < 13.0)
    assert np.all(run.phase[ready] == Phase.READY) and np.all(run.target[ready] == 0.0)
    assert np.all(run.step[ready] == 0)  # the skipped step's samples, not scored
    assert run.step[run.at(13.0)] == 1 and run.phase[run.at(13.0)] == Phase.RAMP
    assert run.target_at(18.0) == pytest.approx(25.0)  # the ramp, 3 s later than at once


def test_the_get_ready_after_a_skip_counts_down_and_a_second_skip_starts_at_once() -> None:
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    engine.update(t_s=np.arange(0.0, 10.0, 0.1), effort_pct=np.zeros(100))
    engine.skip(10.0)
    assert [engine.phase_clock(t).count_in for t in (10.0, 11.2, 12.5)] == [3, 2, 1]  # type: ignore[union-attr]
    clock = engine.phase_clock(10.0)
    assert clock is not None and clock.phase is Phase.READY and clock.next_direction is not None
    assert engine.leading_in  # the get-ready belongs to the ramp, the step it leads into
    engine.skip(11.0)  # no wait: the ramp starts now
    run = simulate(engine, t_start=11.0, t_end=14.0)
    assert run.step[0] == 1 and run.phase[0] == Phase.RAMP
    assert not engine.leading_in


def test_a_max_trials_own_get_ready_does_not_lead_into_the_next_step() -> None:
    engine = DrillEngine(load_builtin("max-test"))
    k = next(ps.index for ps in engine.plan if ps.segments[0].phase is Phase.READY)
    t_s = sum(ps.duration_s for ps in engine.plan[:k]) + 0.5
    run = simulate(engine, t_end=t_s)
    assert run.step[-1] == k and run.phase[-1] == Phase.READY
    assert not engine.leading_in


def test_skip_into_a_step_that_opens_at_rest_starts_it_at_once() -> None:
    """No get-ready before a step that asks for no effort first (here the breaths after the
    breaths): the count-in comes from that step's own timeline."""
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    k = next(
        ps.index
        for ps in engine.plan[1:]
        if not is_effort(ps, ps.segments[0]) and not is_effort(*_first(engine, ps.index - 1))
    )
    t_s = sum(ps.duration_s for ps in engine.plan[: k - 1]) + 1.0
    run = simulate(engine, t_end=t_s + 2.0, actions=[(t_s, lambda e, t: e.skip(t))])
    assert run.step[run.at(t_s)] == k and run.phase[run.at(t_s)] != Phase.READY


def _first(engine: DrillEngine, k: int) -> tuple[PlanStep, Segment]:
    return engine.plan[k], engine.plan[k].segments[0]


def test_abort_keeps_partial_results() -> None:
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    run = simulate(engine, t_end=160.0, actions=[(140.0, lambda e, t: e.abort(t))])
    result = engine.result()
    assert result.status is EngineStatus.ABORTED
    assert [s.ended_by for s in result.step_scores] == [
        EndReason.COMPLETED,
        EndReason.COMPLETED,
        EndReason.ABORTED,
    ]
    partial = result.step_scores[2].metrics
    # 10 s of the hold at 80 Hz, less its first second (the settle window)
    assert partial.n_samples == 720 and partial.in_band_fraction == pytest.approx(1.0)
    assert np.all(run.target[run.t >= 140.0] == 0.0)
    assert np.all(run.phase[run.t >= 140.0] == Phase.DONE)
    assert run.kinds(EventKind.DRILL_ABORTED)[0].t_s == 140.0
    assert not run.kinds(EventKind.DRILL_FINISHED)


def test_samples_before_the_start_are_pending() -> None:
    engine = DrillEngine(load_builtin("low-intensity"), start_t_s=5.0)
    assert engine.next_step is not None and engine.current_step is None
    run = simulate(engine, t_end=10.0)
    before = run.t < 5.0
    assert np.all(run.phase[before] == Phase.PENDING) and np.all(run.step[before] == -1)
    assert run.events[0].kind is EventKind.DRILL_STARTED and run.events[0].t_s == 5.0
    assert engine.step_remaining_s(10.0) == pytest.approx(25.0)


def _drill(*steps: object, allow: bool = False) -> Drill:
    return Drill(name="t", movement="m", steps=steps, allow_above_max=allow)  # type: ignore[arg-type]


def test_targets_above_the_ceiling_are_clamped_with_a_warning() -> None:
    hold = HoldStep(direction=Direction.PUSH, target_pct=130.0, seconds=2.0)
    for allow, ceiling in ((False, 100.0), (True, 120.0)):
        engine = DrillEngine(_drill(hold, allow=allow), above_max_consent=True)
        run = simulate(engine, t_end=3.0)
        assert run.target_at(1.0) == pytest.approx(ceiling)
        warn = run.kinds(EventKind.TARGET_CLAMPED)
        assert len(warn) == 1 and warn[0].value == ceiling
    allowed = DrillEngine(
        _drill(HoldStep(direction=Direction.PUSH, target_pct=110.0, seconds=2.0), allow=True),
        above_max_consent=True,
    )
    run = simulate(allowed, t_end=3.0)
    assert run.target_at(1.0) == pytest.approx(110.0) and not run.kinds(EventKind.TARGET_CLAMPED)


def test_band_events_follow_the_samples() -> None:
    engine = DrillEngine(_drill(HoldStep(direction=Direction.PULL, target_pct=40.0, seconds=6.0)))

    def wobble(engine: DrillEngine, t: np.ndarray) -> np.ndarray:
        out = np.full_like(t, -40.0)
        out[(t >= 3.0) & (t < 4.0)] = -50.0  # 10 points too hard for one second
        return out

    run = simulate(engine, t_end=7.0, fs_hz=10.0, chunk=3, effort=wobble)
    band = [(e.kind, e.t_s) for e in run.events if e.kind.value.startswith("band")]
    assert band == [
        (EventKind.BAND_ENTERED, 0.0),
        (EventKind.BAND_LEFT, 3.0),
        (EventKind.BAND_ENTERED, 4.0),
    ]
    assert run.in_band.sum() == 50
    score = engine.result().step_scores[0].metrics
    # rest → −40 % is a jump: the first 2 s settle unscored, so 10 of the 40 scored samples miss
    assert score.n_samples == 40 and score.in_band_fraction == pytest.approx(0.75)
    assert score.constant_error == pytest.approx(2.5)  # pull is scored in its own direction


def test_unmeasured_effort_is_not_a_false_zero() -> None:
    engine = DrillEngine(_drill(HoldStep(direction=Direction.PULL, target_pct=40.0, seconds=2.0)))
    run = simulate(engine, t_end=3.0, fs_hz=10.0, effort=lambda e, t: np.full_like(t, np.nan))
    assert not run.in_band.any()
    assert not [e for e in run.events if e.kind.value.startswith("band")]
    metrics = engine.result().step_scores[0].metrics
    # nothing measured at all (e.g. an IMU-only device): no time in band to report, not 0 %
    assert metrics.rmse is None and metrics.n_tracked == 0 and metrics.in_band_fraction is None


def test_repeat_blocks_score_every_pass_as_its_own_set() -> None:
    engine = DrillEngine(load_builtin("low-intensity"))
    run = simulate(engine, t_end=100.0)
    sets = engine.result().sets(1)
    assert len(sets) == 5 and all(len(s) == 3 for s in sets)
    assert [s[1].rep_path for s in sets] == [(p,) for p in range(5)]
    passes = [e.text for e in run.kinds(EventKind.REP_DONE) if e.text.startswith("pass")]
    assert passes == [f"pass {p}/5" for p in range(1, 6)]


def test_control_times_in_the_past_count_as_now_and_bad_input_raises() -> None:
    engine = DrillEngine(
        _drill(
            PassiveStep(seconds=5.0), RampStep(direction=Direction.PUSH, to_pct=50.0, seconds=5.0)
        )
    )
    engine.update(t_s=np.array([0.0, 1.0, 2.0]), effort_pct=np.zeros(3))
    events = engine.skip(0.5)
    assert events[0].t_s == 2.0
    with pytest.raises(ValueError, match="non-decreasing"):
        engine.update(t_s=np.array([1.5]), effort_pct=np.zeros(1))
    with pytest.raises(ValueError, match="1-D"):
        engine.update(t_s=np.array([3.0, 4.0]), effort_pct=np.zeros(3))
    with pytest.raises(ValueError):
        EngineSettings(default_band_pct=0.0)


def test_a_pain_hold_in_the_get_ready_after_a_skip_leads_into_the_next_step_with_a_new_count_in() -> (
    None
):
    """Pain in the get-ready after a skip: the hold belongs to the step it leads into, and when
    it ends that step's effort still comes after a 3-2-1, not at once."""
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    engine.update(t_s=np.arange(0.0, 10.0, 0.1), effort_pct=np.zeros(100))
    engine.skip(10.0)
    engine.mark_pain(11.0, None)
    assert engine.current_phase is Phase.PAIN_HOLD and not engine.pain_lowered  # at rest
    assert engine.leading_in  # the next step's, not the skipped one's
    hold_end_s = 11.0 + engine.settings.pain_hold_s
    # the clock looks ahead the same way: the get-ready, then the effort
    assert engine.phase_clock(hold_end_s - 1.0).count_in == 0  # type: ignore[union-attr]
    clock = engine.phase_clock(hold_end_s + 1.0)
    assert clock is not None and clock.count_in == 2
    run = simulate(engine, t_start=11.0, t_end=hold_end_s + 5.0)
    ready = (run.t >= hold_end_s) & (run.t < hold_end_s + COUNT_IN_S)
    assert np.all(run.phase[ready] == Phase.READY) and np.all(run.target[ready] == 0.0)
    after = run.at(hold_end_s + COUNT_IN_S)
    assert run.step[after] == 1 and run.phase[after] == Phase.RAMP
    assert not engine.leading_in


def test_the_pain_hold_after_a_pain_ends_a_staircase_stays_with_that_step() -> None:
    """A pain ends a staircase: its hold belongs to the staircase (it leads into nothing), and
    the step after it, which opens at rest, starts when the hold ends."""
    engine = DrillEngine(load_builtin("tension-drill"))
    stairs = engine.plan[1]
    assert isinstance(stairs.step, StaircaseStep)
    t_s = engine.plan[0].duration_s + 5.0
    simulate(engine, t_end=t_s, actions=[(t_s - 0.05, lambda e, t: e.mark_pain(t, 20.0))])
    assert engine.current_phase is Phase.PAIN_HOLD and engine.current_step is stairs
    assert engine.result().step_scores[1].ended_by is EndReason.PAIN
    assert not engine.leading_in and engine.pain_lowered
    hold_end_s = t_s - 0.05 + engine.settings.pain_hold_s
    run = simulate(engine, t_start=t_s, t_end=hold_end_s + 1.0)
    assert run.step[run.at(hold_end_s)] == 2 and run.phase[run.at(hold_end_s)] != Phase.READY


def test_pain_in_the_get_ready_after_a_skip_lowers_nothing() -> None:
    """Skipped mid-hold at 50 %, the pain key in the get-ready: nothing is loaded, so no target
    is lowered (the hold that was skipped does not count as the painful level)."""
    engine = DrillEngine(load_builtin("pails-rails-hip"))
    actions = [(140.0, lambda e, t: e.skip(t)), (141.0, lambda e, t: e.mark_pain(t, None))]
    simulate(engine, t_end=150.0, actions=actions)
    assert not engine.result().drops
