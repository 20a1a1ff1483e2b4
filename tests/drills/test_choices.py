"""Movement, position and cycles chosen at start."""

from __future__ import annotations

import pytest

from isoforce.drills import load_builtin
from isoforce.drills.choices import MAX_CYCLES, DrillChoices, apply_choices
from isoforce.drills.model import RepeatStep


def test_no_choice_keeps_the_drill_as_written() -> None:
    drill = load_builtin("pails-rails-hip")
    assert apply_choices(drill, DrillChoices()) == drill


def test_movement_and_position_replace_the_drills_own() -> None:
    drill = apply_choices(
        load_builtin("tension-drill"), DrillChoices(movement="hip-er", position="prone")
    )
    assert (drill.movement, drill.position) == ("hip-er", "prone")
    # an unknown but well-formed name is the user's own movement
    assert apply_choices(drill, DrillChoices(movement="shoulder-er")).movement == "shoulder-er"


def test_cycles_set_how_often_the_repeated_block_runs() -> None:
    ere = load_builtin("end-range-expansion")
    three = apply_choices(ere, DrillChoices(cycles=3))
    block = three.steps[1]
    assert isinstance(block, RepeatStep) and block.times == 3
    settle_s, one_cycle_s = ere.steps[0].duration_s, ere.steps[1].duration_s
    assert three.duration_s == pytest.approx(settle_s + 3 * one_cycle_s)  # the settle runs once


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        (DrillChoices(movement="Hip ER"), "lower-case"),
        (DrillChoices(position=""), "lower-case"),
        (DrillChoices(cycles=0), f"1–{MAX_CYCLES}"),
        (DrillChoices(cycles=MAX_CYCLES + 1), f"1–{MAX_CYCLES}"),
    ],
)
def test_bad_choices_say_what_is_allowed(choices: DrillChoices, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        apply_choices(load_builtin("end-range-expansion"), choices)


def test_cycles_need_a_repeated_block() -> None:
    with pytest.raises(ValueError, match="no repeated block"):
        apply_choices(load_builtin("pails-rails-hip"), DrillChoices(cycles=2))
