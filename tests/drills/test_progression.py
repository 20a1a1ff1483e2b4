"""The progression rule file and the next-target suggestion, on constructed histories."""

from __future__ import annotations

from pathlib import Path

import pytest

from isoforce.drills.progression import (
    Action,
    HoldResult,
    PainMark,
    TrainingSession,
    short_date,
    suggest,
)
from isoforce.drills.progression_rule import (
    ProgressionRule,
    builtin_rule,
    builtin_rule_text,
    find_rule,
    load_rule,
    parse_rule,
)
from isoforce.errors import DrillFileError

RULE = ProgressionRule()


def hold(
    target: float | None = 50.0, in_band: float | None = 100.0, *, done: bool = True
) -> HoldResult:
    return HoldResult(f"hold push {target} %", target, in_band, 1.0, done)


def session(
    day: str, *holds: HoldResult, pain_at: float | None = None, drill: str = "pails-rails-hip"
) -> TrainingSession:
    pains = () if pain_at is None else (PainMark(pain_at, pain_at - 10),)
    return TrainingSession(1, f"{day}T10:00:00+01:00", drill, holds or (hold(),), pains)


# -- the rule file ---------------------------------------------------------------------------


def test_builtin_rule_is_the_documented_default_and_explains_itself() -> None:
    rule = builtin_rule()
    assert rule == ProgressionRule(source="builtin")
    text = builtin_rule_text()
    for key in (
        "in_band_needed_pct",
        "raise_by_pct",
        "lower_by_pct",
        "painful_sessions_to_lower",
        "start_pct",
        "lowest_pct",
        "highest_pct",
    ):
        assert f"\n{key} = " in text
    assert text.count("#") > 20  # comments in plain words


def test_a_partial_file_keeps_the_other_defaults() -> None:
    rule = parse_rule("raise_by_pct = 2.5\npainful_sessions_to_lower = 3\n", source="mine.toml")
    assert rule.raise_by_pct == 2.5
    assert rule.painful_sessions_to_lower == 3
    assert rule.in_band_needed_pct == 80.0
    assert rule.source == "mine.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("raise_by = 5\n", "mine.toml:1: raise_by: unknown key for the progression rule"),
        ('raise_by_pct = "5"\n', "mine.toml:1: raise_by_pct: must be a number, got string"),
        ("\nraise_by_pct = 80\n", "mine.toml:2: raise_by_pct: must be between 0.5 and 25, got 80"),
        ("painful_sessions_to_lower = 1.5\n", "must be a whole number, got float"),
        ("highest_pct = 120\n", "highest_pct: must be between 5 and 100, got 120"),
        ("in_band_needed_pct = nan\n", "in_band_needed_pct: must be a finite number"),
        ("lowest_pct = 60\nhighest_pct = 50\n", "lowest_pct (60) must be below highest_pct (50)"),
        ("start_pct = 5\n", "start_pct: must be between lowest_pct (10) and highest_pct (100)"),
        ("raise_by_pct = \n", "mine.toml:1: toml: "),
        ("[raise]\nby = 5\n", "raise: unknown key"),
    ],
)
def test_bad_rule_files_fail_with_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(DrillFileError) as err:
        parse_rule(text, source="mine.toml")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_rule_is_found_by_flag_then_data_dir_then_builtin(tmp_path: Path) -> None:
    assert find_rule(None, tmp_path).source == "builtin"
    own = tmp_path / "progression.toml"
    own.write_text("raise_by_pct = 2\n", encoding="utf-8")
    assert find_rule(None, tmp_path).raise_by_pct == 2
    flag = tmp_path / "other.toml"
    flag.write_text("raise_by_pct = 3\n", encoding="utf-8")
    assert find_rule(flag, tmp_path).raise_by_pct == 3
    with pytest.raises(DrillFileError, match="cannot read"):
        load_rule(tmp_path / "missing.toml")


# -- the suggestion --------------------------------------------------------------------------


def test_no_max_and_no_drill_asks_for_the_tension_drill_first() -> None:
    s = suggest([], rule=RULE, pain_free_max_n=None)
    assert s.action is Action.FIRST
    assert s.text == "no drill yet — run the tension drill first — no pain-free max yet"


def test_a_max_without_holds_starts_at_the_rule_start() -> None:
    # a tension drill holds only at max: it is not a training session
    s = suggest([session("2026-11-16", hold(100.0))], rule=RULE, pain_free_max_n=150.0)
    assert s.action is Action.START
    assert s.target_pct == 50.0
    assert s.target_n == pytest.approx(75.0)
    assert "start the holds at 50 % of the 150 N pain-free max" in s.text


def test_all_holds_in_band_and_no_pain_raises_by_the_step() -> None:
    s = suggest(
        [session("2026-12-03", hold(50.0), hold(100.0), hold(50.0, 85.0))],
        rule=RULE,
        pain_free_max_n=150.0,
    )
    assert s.action is Action.RAISE
    assert (s.from_pct, s.target_pct) == (50.0, 55.0)
    assert s.target_n == pytest.approx(82.5)
    assert s.text == (
        "raise the hold target by 5 % (to 55 % of the 150 N pain-free max) — all holds in band "
        "and no pain in the last session"
    )


def test_a_hold_out_of_band_or_cut_short_keeps_the_target() -> None:
    out = suggest([session("2026-12-03", hold(50.0, 62.0))], rule=RULE, pain_free_max_n=150.0)
    assert out.action is Action.KEEP and out.target_pct == 50.0
    assert "in band 62 % of the time (80 % needed)" in out.text
    cut = suggest(
        [session("2026-12-03", hold(50.0, 100.0, done=False))], rule=RULE, pain_free_max_n=150.0
    )
    assert cut.action is Action.KEEP and "did not run to the end" in cut.text


def test_pain_in_the_last_session_keeps_the_target_and_says_when() -> None:
    s = suggest(
        [session("2026-11-26"), session("2026-12-03", pain_at=50.0)],
        rule=RULE,
        pain_free_max_n=135.0,
    )
    assert s.action is Action.KEEP
    assert s.text == "keep 50 % — pain at 50 % on 3 Dec"


def test_pain_in_two_sessions_in_a_row_lowers_the_target() -> None:
    s = suggest(
        [
            session("2026-11-19"),
            session("2026-11-26", pain_at=55.0),
            session("2026-12-03", hold(50.0), pain_at=50.0),
        ],
        rule=RULE,
        pain_free_max_n=120.0,
    )
    assert s.action is Action.LOWER
    assert s.target_pct == 45.0
    assert s.text.startswith(
        "lower to 45 % (45 % of the 120 N pain-free max) — painful in 2 sessions"
    )


def test_the_rule_numbers_are_used_and_targets_stay_within_its_limits() -> None:
    rule = ProgressionRule(raise_by_pct=10, painful_sessions_to_lower=1, lowest_pct=45)
    up = suggest([session("2026-12-03", hold(95.0))], rule=rule, pain_free_max_n=100.0)
    assert up.target_pct == 100.0  # capped at the pain-free max
    down = suggest([session("2026-12-03", pain_at=50.0)], rule=rule, pain_free_max_n=100.0)
    assert down.action is Action.LOWER and down.target_pct == 45.0
    floor = suggest(
        [session("2026-12-03", hold(45.0), pain_at=45.0)], rule=rule, pain_free_max_n=100.0
    )
    assert floor.action is Action.KEEP and "already at the lowest target" in floor.text
    capped = ProgressionRule(highest_pct=60)
    over = suggest([session("2026-12-03", hold(70.0))], rule=capped, pain_free_max_n=100.0)
    assert over.action is Action.LOWER and over.target_pct == 60.0
    at_cap = suggest([session("2026-12-03", hold(60.0))], rule=capped, pain_free_max_n=100.0)
    assert at_cap.action is Action.KEEP and "tension drill" in at_cap.text


def test_without_a_stored_max_the_target_is_in_percent_only() -> None:
    s = suggest([session("2026-12-03")], rule=RULE, pain_free_max_n=None)
    assert s.target_n is None
    assert "to 55 % of your pain-free max" in s.text


def test_short_date() -> None:
    assert short_date("2026-12-03T10:00:00+01:00") == "3 Dec"
    assert short_date("garbage") == "garbage"
