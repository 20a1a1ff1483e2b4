"""The pain key, "better?", the cramp key and the checks after a phase, on simulated time.

The pails-rails-hip timeline (no pain): passive 0-120, ramp 120-130, hold 50 % 130-150,
RAILs 50 % 150-170, breaths 170-180, passive 180-200, ramp 50 → max 200-210, hold max 210-230,
RAILs 230-250, breaths, lift-offs.
"""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills import (
    Check,
    DrillEngine,
    EndReason,
    EngineSettings,
    EngineStatus,
    EventKind,
    Phase,
    load_builtin,
    load_drill_text,
    pain_drop_level,
)
from tests.drills.drills_helpers import simulate


def hip(**kwargs: object) -> DrillEngine:
    return DrillEngine(load_builtin("pails-rails-hip"), **kwargs)  # type: ignore[arg-type]


def test_the_drop_rule_is_ten_points_or_ten_percent_whichever_is_more() -> None:
    assert pain_drop_level(70.0) == pytest.approx(60.0)  # the seed's "60 great, 70 painful"
    assert pain_drop_level(50.0) == pytest.approx(40.0)
    assert pain_drop_level(150.0) == pytest.approx(135.0)  # above 100: 10 % is the bigger drop
    assert pain_drop_level(8.0) == 0.0
    for level in np.linspace(0.0, 200.0, 41):
        assert pain_drop_level(level) <= 0.9 * level + 1e-12


def test_pain_mid_hold_drops_at_once_asks_better_and_caps_every_later_push() -> None:
    engine = hip()
    run = simulate(
        engine,
        t_end=330.0,
        actions=[
            (135.0, lambda e, t: e.mark_pain(t, 48.0)),
            (137.0, lambda e, t: e.answer_better(t, better=True)),
        ],
    )
    # painful level = the effort (48 %, below the 50 % target); the drop is to 38 %, at once
    assert run.target_at(134.98) == pytest.approx(50.0)
    assert run.target_at(135.0) == pytest.approx(38.0)
    assert run.phase[run.at(136.0)] == Phase.PAIN_HOLD
    asked = [e for e in run.kinds(EventKind.CUE) if e.text == "better?"]
    assert [e.t_s for e in asked] == [135.0]
    (drop_event,) = run.kinds(EventKind.PAIN_DROP)
    assert drop_event.value == pytest.approx(38.0) and drop_event.step_index == 2
    (answer,) = run.kinds(EventKind.PAIN_ANSWER)
    assert (answer.t_s, answer.text) == (137.0, "better")
    # "better": the hold carries on where it stopped (15 s were left), at 38 %
    assert run.phase[run.at(140.0)] == Phase.HOLD and run.target_at(140.0) == pytest.approx(38.0)
    result = engine.result()
    hold = result.step_scores[2]
    assert hold.ended_by is EndReason.COMPLETED and hold.ended_t_s == pytest.approx(152.0)
    # the pull is not what hurt: RAILs stay at 50 %
    assert run.target_at(160.0) == pytest.approx(-50.0)
    # every later push target, the ramp "to max" and the hold "max" included, stays at 38 %
    pushes = run.target[(run.t >= 135.0) & (run.target > 0)]
    assert pushes.size and np.max(pushes) == pytest.approx(38.0)
    assert run.target_at(220.0) == pytest.approx(38.0)
    capped = [e for e in run.kinds(EventKind.TARGET_CLAMPED) if "after pain" in e.text]
    assert capped and all(e.value == pytest.approx(38.0) for e in capped)
    (drop,) = result.drops
    assert (drop.painful_pct, drop.level_pct, drop.cause, drop.answer) == (
        48.0,
        38.0,
        "pain",
        "better",
    )
    assert drop.direction is Direction.PUSH and drop.reference is ReferenceKind.PAIN_FREE
    assert engine.status is EngineStatus.FINISHED


def test_not_better_keeps_lowering_and_silence_counts_as_better() -> None:
    engine = hip()
    run = simulate(
        engine,
        t_end=200.0,
        actions=[
            (135.0, lambda e, t: e.mark_pain(t, None)),  # not measured: the target, 50 %
            (137.0, lambda e, t: e.answer_better(t, better=False)),
            (139.0, lambda e, t: e.mark_pain(t, 30.0)),  # the pain key again in the hold
        ],
    )
    assert run.target_at(135.5) == pytest.approx(40.0)
    assert run.target_at(137.5) == pytest.approx(30.0)
    assert run.target_at(139.5) == pytest.approx(20.0)
    drops = engine.result().drops
    assert [(d.level_pct, d.cause, d.answer) for d in drops] == [
        (40.0, "pain", "not better"),
        (30.0, "not better", "pain again"),
        (20.0, "pain again", "no answer"),
    ]
    # nobody answered the last "better?": after the 8 s hold the hold carries on at 20 %
    answers = [(e.t_s, e.text) for e in run.kinds(EventKind.PAIN_ANSWER)]
    assert answers[-1] == (pytest.approx(147.0), "no answer")
    assert run.phase[run.at(148.0)] == Phase.HOLD and run.target_at(148.0) == pytest.approx(20.0)


def test_the_cap_is_carried_to_steps_referenced_to_the_mvic_in_newtons() -> None:
    text = """
name = "mixed"
movement = "hip-ir"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 80
seconds = 10

[[steps]]
kind = "hold"
direction = "push"
reference = "mvic"
target_pct = 60
seconds = 10
"""
    refs = {
        (ReferenceKind.PAIN_FREE, Direction.PUSH): 100.0,
        (ReferenceKind.MVIC, Direction.PUSH): 200.0,
    }
    engine = DrillEngine(load_drill_text(text, name="mixed"), references_n=refs)
    run = simulate(
        engine,
        t_end=30.0,
        actions=[
            (5.0, lambda e, t: e.mark_pain(t, 80.0)),
            (6.0, lambda e, t: e.answer_better(t, better=True)),
        ],
    )
    # pain at 80 % of 100 N → 70 N; the MVIC step asked 60 % of 200 N = 120 N, now 35 %
    assert run.target_at(8.0) == pytest.approx(70.0)
    assert run.target_at(14.0) == pytest.approx(35.0)


def test_pain_in_a_max_trial_ends_the_trials_and_holds_below_the_effort() -> None:
    engine = DrillEngine(load_builtin("max-test"))
    k = next(p.index for p in engine.plan if p.kind == "max_trial")
    # 2 s into the first trial's effort, which follows its ready time
    ready = engine.plan[k].segments[0].duration_s
    at = sum(p.duration_s for p in engine.plan[:k]) + ready + 2.0
    run = simulate(
        engine,
        t_end=at + 20.0,
        effort=lambda e, t: np.full(t.shape, 80.0),
        actions=[(at, lambda e, t: e.mark_pain(t, 80.0))],
    )
    score = engine.result().step_scores[k]
    assert score.ended_by is EndReason.PAIN  # no MVIC from a painful trial
    assert run.target_at(at + 0.5) == pytest.approx(70.0)
    assert run.phase[run.at(at + 0.5)] == Phase.PAIN_HOLD
    # no answer: after the hold the next step starts (the trials do not resume)
    assert run.step[run.at(at + 9.0)] == k + 1


def test_cramp_releases_rests_and_carries_on_with_the_max_untouched() -> None:
    engine = hip()
    run = simulate(engine, t_end=330.0, actions=[(135.0, lambda e, t: e.mark_cramp(t, 50.0))])
    rest = (run.t >= 135.0) & (run.t < 155.0)
    assert np.all(run.target[rest] == 0.0) and np.all(run.phase[rest] == Phase.CRAMP_REST)
    # then the hold carries on where it stopped (15 s left), at 50 %, and nothing is capped
    assert run.phase[run.at(156.0)] == Phase.HOLD and run.target_at(156.0) == pytest.approx(50.0)
    result = engine.result()
    assert result.step_scores[2].ended_by is EndReason.COMPLETED
    assert result.step_scores[2].ended_t_s == pytest.approx(170.0)
    assert run.target_at(240.0) == pytest.approx(100.0)  # the hold "max", now 230-250
    assert not result.drops and [c.t_s for c in result.cramps] == [135.0]
    assert len(result.step_scores) == len(engine.plan)  # one score per step, none overwritten


def test_checks_after_a_phase_name_the_step_that_ended_and_pinching_lowers() -> None:
    engine = hip()
    run = simulate(
        engine,
        t_end=330.0,
        actions=[
            (152.0, lambda e, t: e.record_check(t, Check.CRAMPING)),  # 2 s after the 50 % hold
            (165.0, lambda e, t: e.record_check(t, Check.COMPENSATION)),  # 15 s into RAILs
            (215.0, lambda e, t: e.record_check(t, Check.PINCHING)),  # 5 s into the max hold
        ],
    )
    checks = engine.result().checks
    assert [(c.check, c.step_index) for c in checks] == [
        (Check.CRAMPING, 2),
        (Check.COMPENSATION, 3),
        (Check.PINCHING, 6),  # the ramp to max ended 5 s before
    ]
    assert [e.text for e in run.kinds(EventKind.CHECK)] == ["cramping", "compensation", "pinching"]
    # pinching in the ramp to 100 %: later pushes stay at 90 %, at once
    assert run.target_at(214.9) == pytest.approx(100.0)
    assert run.target_at(215.0) == pytest.approx(90.0)
    (drop,) = engine.result().drops
    assert (drop.cause, drop.painful_pct, drop.level_pct) == ("pinching", 100.0, 90.0)


def test_the_summary_tells_pains_cramps_and_checks_in_the_order_they_happened() -> None:
    from isoforce.drills.report import result_summary

    engine = hip()
    simulate(
        engine,
        t_end=330.0,
        actions=[
            (135.0, lambda e, t: e.mark_cramp(t, 50.0)),
            (165.0, lambda e, t: e.record_check(t, Check.COMPENSATION)),
            (240.0, lambda e, t: e.mark_pain(t, 90.0)),
        ],
    )
    lines = result_summary(engine.result())
    said = [line.split(" ")[0] for line in lines if " at " in line or line.startswith("check")]
    assert said == ["cramp", "check:", "pain", "pain"], lines  # the mark, then its drop


def test_pause_in_a_pain_hold_and_skip_of_it() -> None:
    engine = hip()
    run = simulate(
        engine,
        t_end=200.0,
        actions=[
            (135.0, lambda e, t: e.mark_pain(t, 50.0)),
            (136.0, lambda e, t: e.pause(t)),
            (146.0, lambda e, t: e.resume(t)),
            (148.0, lambda e, t: e.skip(t)),
        ],
    )
    assert np.all(run.target[(run.t >= 136.0) & (run.t < 146.0)] == 0.0)
    assert run.phase[run.at(147.0)] == Phase.PAIN_HOLD  # 10 s paused: the hold goes on
    assert run.target_at(147.0) == pytest.approx(40.0)
    # the skip ends the hold and the step: RAILs after a 3 s get-ready, from 151 s
    assert run.phase[run.at(149.0)] == Phase.READY and run.target_at(149.0) == 0.0
    assert run.target_at(152.0) == pytest.approx(-50.0)
    result = engine.result()
    assert result.step_scores[2].ended_by is EndReason.SKIPPED
    assert result.drops[0].answer == "no answer"


def test_pain_while_paused_resumes_into_the_hold() -> None:
    engine = hip()
    run = simulate(
        engine,
        t_end=160.0,
        actions=[(140.0, lambda e, t: e.pause(t)), (142.0, lambda e, t: e.mark_pain(t, None))],
    )
    assert run.phase[run.at(143.0)] == Phase.PAIN_HOLD
    assert run.target_at(143.0) == pytest.approx(40.0)
    assert engine.result().pains[0].effort_pct is None


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="pain_drop_pct"):
        EngineSettings(pain_drop_pct=0.0)
    with pytest.raises(ValueError, match="pain_hold_s"):
        EngineSettings(pain_hold_s=0.0)
