"""Consent above the max, labels from the targets used, and skipping one max trial."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills import Drill, DrillEngine, EventKind, load_builtin
from isoforce.drills.events import EngineSettings
from isoforce.drills.kinds import HoldStep, RampStep
from isoforce.drills.open_scale import open_ended, staircase_directions
from isoforce.drills.report import result_summary
from isoforce.drills.scoring import EndReason
from tests.drills.drills_helpers import FloatArray, simulate

PUSH = Direction.PUSH
PULL = Direction.PULL
PAIN_FREE_N = {(ReferenceKind.PAIN_FREE, PUSH): 150.0, (ReferenceKind.MVIC, PUSH): 200.0}


def above_drill(reference: ReferenceKind = ReferenceKind.PAIN_FREE, pct: float = 110.0) -> Drill:
    steps = (
        HoldStep(direction=PUSH, target_pct=50.0, seconds=4.0, reference=reference),
        HoldStep(direction=PUSH, target_pct=pct, seconds=4.0, reference=reference),
    )
    return Drill(name="above", movement="hip-ir", steps=steps, allow_above_max=True)


# ---- consent ----


def test_above_the_max_is_capped_and_said_so_without_consent() -> None:
    engine = DrillEngine(above_drill(), references_n=PAIN_FREE_N)
    (step,) = engine.above_max_steps()
    assert (step.step_index, step.pct, step.value_n) == (1, 110.0, pytest.approx(165.0))
    assert "110 % of the pain-free max = 165 N" in step.text()
    run = simulate(engine, t_end=9.0)
    assert run.target_at(6.0) == pytest.approx(100.0)
    (consent,) = run.kinds(EventKind.ABOVE_MAX_CONSENT)
    assert consent.text.startswith("not asked: capped at 100 %") and "165 N" in consent.text
    (warn,) = run.kinds(EventKind.TARGET_CLAMPED)
    assert "not agreed" in warn.text and warn.value == pytest.approx(100.0)
    assert engine.result().above_max == "not asked"
    label = engine.result().step_scores[1].label
    assert label == "hold push 100 % 4 s (capped at the max: going above it not agreed)"


def test_consent_lets_the_step_go_above_and_is_recorded() -> None:
    engine = DrillEngine(above_drill(), references_n=PAIN_FREE_N, above_max_consent=True)
    run = simulate(engine, t_end=9.0)
    assert run.target_at(6.0) == pytest.approx(110.0)
    (consent,) = run.kinds(EventKind.ABOVE_MAX_CONSENT)
    assert consent.text.startswith("agreed") and consent.value == 110.0
    assert not run.kinds(EventKind.TARGET_CLAMPED)
    assert engine.result().step_scores[1].label == "hold push 110 % 4 s"
    assert engine.result().above_max == "agreed"


def test_consent_given_while_running_counts_from_then() -> None:
    engine = DrillEngine(above_drill(), references_n=PAIN_FREE_N)
    agree = (2.0, lambda e, t: e.set_above_max_consent(t, agreed=True, how=" (key)"))
    run = simulate(engine, t_end=9.0, actions=[agree])
    events = run.kinds(EventKind.ABOVE_MAX_CONSENT)
    assert [e.text.split(":")[0] for e in events] == ["not asked", "agreed (key)"]
    assert events[1].t_s == pytest.approx(2.0)
    assert run.target_at(6.0) == pytest.approx(110.0)


def test_declined_is_capped_like_no_answer() -> None:
    engine = DrillEngine(above_drill(), references_n=PAIN_FREE_N, above_max_consent=False)
    run = simulate(engine, t_end=9.0)
    assert run.target_at(6.0) == pytest.approx(100.0)
    assert run.kinds(EventKind.ABOVE_MAX_CONSENT)[0].text.startswith("declined")


def test_an_mvic_reference_needs_consent_only_above_100_pct_of_the_mvic() -> None:
    at_max = DrillEngine(above_drill(ReferenceKind.MVIC, 100.0), references_n=PAIN_FREE_N)
    assert at_max.above_max_steps() == ()
    run = simulate(at_max, t_end=9.0)
    assert not run.kinds(EventKind.ABOVE_MAX_CONSENT) and at_max.result().above_max == ""
    above = DrillEngine(above_drill(ReferenceKind.MVIC, 105.0), references_n=PAIN_FREE_N)
    (step,) = above.above_max_steps()
    assert step.reference is ReferenceKind.MVIC and step.value_n == pytest.approx(210.0)


def test_builtin_drills_never_ask() -> None:
    for name in ("pails-rails-hip", "tension-drill", "max-test", "end-range-expansion"):
        assert DrillEngine(load_builtin(name)).above_max_steps() == (), name


# ---- labels from the targets actually used ----


def test_a_label_says_the_target_used_after_pain() -> None:
    steps = (
        HoldStep(direction=PUSH, target_pct=50.0, seconds=10.0),
        RampStep(direction=PUSH, from_pct=0.0, to_pct=100.0, seconds=5.0),
        HoldStep(direction=PUSH, target_pct=100.0, seconds=5.0),
    )
    engine = DrillEngine(Drill(name="p", movement="hip-ir", steps=steps))
    assert engine.step_label(2) == "hold push 100 % 5 s"
    pain = (5.0, lambda e, t: e.mark_pain(t, 50.0))
    better = (7.0, lambda e, t: e.answer_better(t, better=True))
    run = simulate(engine, t_end=40.0, actions=[pain, better])
    (drop,) = run.kinds(EventKind.PAIN_DROP)
    assert drop.value == pytest.approx(40.0)
    assert np.max(np.abs(run.target[run.t > 20.0])) == pytest.approx(40.0)
    labels = [s.label for s in engine.result().step_scores]
    assert labels == [
        "hold push 40 % 10 s (capped after pain at 0:05)",
        "ramp push 0→40 % (capped after pain at 0:05)",
        "hold push 40 % 5 s (capped after pain at 0:05)",
    ]
    scored = [e.text for e in run.kinds(EventKind.STEP_SCORED)]
    assert scored == labels


def test_a_ramp_a_cap_flattened_names_its_level_once() -> None:
    """Pain at 30 % before a ramp from 40 to 80 %: the ramp runs flat at the cap (20 %, 10
    points below), and its label says so once, not "20→20 %"."""
    steps = (
        HoldStep(direction=PUSH, target_pct=30.0, seconds=10.0),
        RampStep(direction=PUSH, from_pct=40.0, to_pct=80.0, seconds=5.0),
    )
    engine = DrillEngine(Drill(name="p", movement="hip-ir", steps=steps))
    pain = (5.0, lambda e, t: e.mark_pain(t, 30.0))
    better = (7.0, lambda e, t: e.answer_better(t, better=True))
    simulate(engine, t_end=20.0, actions=[pain, better])
    ramp = engine.result().step_scores[1].label
    assert ramp.startswith("ramp push 20 % (capped after pain"), ramp


def test_the_open_scale_practice_says_newtons() -> None:
    drill = load_builtin("tension-drill")
    opened = open_ended(drill, staircase_directions(drill))
    engine = DrillEngine(opened, newton_scale={(ReferenceKind.PAIN_FREE, d) for d in (PUSH, PULL)})

    def top(engine: DrillEngine, t: FloatArray) -> FloatArray:
        return np.clip(engine.targets_at(t), -140.0, 140.0)  # 140 N is all they have

    assert engine.step_label(3) == "ramp push 0→100 % (pass 1)"  # 100 % of a max not found yet
    simulate(engine, t_end=400.0, effort=top)
    result = engine.result()
    push = result.pain_free_found[0]
    assert (push.direction, push.level_pct, push.in_newtons) == (PUSH, pytest.approx(140.0), True)
    labels = [s.label for s in result.step_scores]
    ramps = [label for label in labels if label.startswith(("ramp", "release", "hold"))]
    assert ramps and all("%" not in label for label in ramps), labels
    assert labels[3:6] == [
        "ramp push 0→140 N (pass 1)",
        "hold push 140 N 3 s (pass 1)",
        "release push 140→0 N (pass 1)",
    ]


# ---- one skipped trial ----


def test_skip_in_the_max_test_skips_one_trial_and_says_so() -> None:
    engine = DrillEngine(load_builtin("max-test"))
    skip = (82.0, lambda e, t: e.skip(t))  # in the second push trial (80-85 s)
    run = simulate(engine, t_end=400.0, effort=lambda e, t: e.targets_at(t), actions=[skip])
    (skipped,) = run.kinds(EventKind.TRIAL_SKIPPED)
    assert (skipped.text, skipped.value) == ("trial 2 of 3 skipped", 2.0)
    result = engine.result()
    push = result.step_scores[1]
    assert push.ended_by is EndReason.COMPLETED
    assert [r.label for r in push.reps] == ["trial 1/3", "trial 3/3"]
    assert [(s.trial, s.trials) for s in result.skipped_trials] == [(2, 3)]
    # the rest after the skipped trial starts at once, so the third trial comes 60 s later
    third = [e for e in run.kinds(EventKind.REP_DONE) if e.step_index == 1]
    assert [e.text for e in third] == ["trial 1/3", "trial 3/3"]
    assert third[1].t_s == pytest.approx(82.0 + 60.0 + 5.0)
    lines = result_summary(result)
    assert any("push max test: MVIC from 2 of 3 trials (trial 2 skipped)" in x for x in lines)
    pull = result.step_scores[3]
    assert len(pull.reps) == 3


def test_skipping_every_trial_stores_no_mvic_and_says_so() -> None:
    engine = DrillEngine(load_builtin("max-test"), EngineSettings())
    skips = [(t, lambda e, t: e.skip(t)) for t in (12.0, 13.0, 14.0)]  # in the get-ready
    run = simulate(engine, t_end=300.0, actions=skips)
    texts = [e.text for e in run.kinds(EventKind.TRIAL_SKIPPED)]
    assert texts == ["trial 1 of 3 skipped", "trial 2 of 3 skipped", "trial 3 of 3 skipped"]
    result = engine.result()
    assert result.step_scores[1].reps == ()
    assert result.step_scores[1].ended_t_s == pytest.approx(14.0)
    assert any("push max test: all 3 trials skipped: no MVIC" in x for x in result_summary(result))


def test_skip_outside_a_max_test_still_skips_the_step() -> None:
    engine = DrillEngine(load_builtin("max-test"))
    run = simulate(engine, t_end=20.0, actions=[(3.0, lambda e, t: e.skip(t))])
    assert run.kinds(EventKind.SKIPPED) and not run.kinds(EventKind.TRIAL_SKIPPED)
    assert engine.result().step_scores[0].ended_by is EndReason.SKIPPED
