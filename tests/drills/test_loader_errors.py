"""Malformed drill files fail with ``file:line: field: problem``, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from isoforce.drills import load_drill, load_drill_text
from isoforce.errors import DrillFileError

HOLD = """movement = "hip-ir"

[[steps]]
kind = "passive"
seconds = 10

[[steps]]
kind = "hold"
direction = "push"
target_pct = 50
seconds = 20
"""

# (file text, line, field, words the problem must contain)
CASES: list[tuple[str, int, str, str]] = [
    # 1 TOML syntax error: tomllib's line, reformatted
    ('movement = "hip-ir"\n\n[[steps]]\nkind = "passive"\nseconds = \n', 5, "toml", "Invalid"),
    # 2 duplicate key is a TOML error too
    ('movement = "hip-ir"\nmovement = "hip-er"\n', 2, "toml", "Cannot overwrite"),
    # 3 wrong type: string where a number belongs
    (HOLD.replace("seconds = 20", 'seconds = "twenty"'), 11, "steps[2].seconds", "number"),
    # 4 wrong type: boolean is not a number
    (HOLD.replace("seconds = 20", "seconds = true"), 11, "steps[2].seconds", "got boolean"),
    # 5 unknown step kind
    (HOLD.replace('kind = "hold"', 'kind = "jump"'), 8, "steps[2].kind", "unknown step kind"),
    # 6 negative duration
    (HOLD.replace("seconds = 10", "seconds = -5"), 5, "steps[1].seconds", "> 0"),
    # 7 zero duration
    (HOLD.replace("seconds = 20", "seconds = 0"), 11, "steps[2].seconds", "> 0"),
    # 8 missing direction on a force step: the step's header line
    (HOLD.replace('direction = "push"\n', ""), 7, "steps[2].direction", "missing"),
    # 9 bad direction value
    (HOLD.replace('"push"', '"sideways"'), 9, "steps[2].direction", "push, pull"),
    # 10 target above 100 % without allow_above_max
    (HOLD.replace("target_pct = 50", "target_pct = 120"), 10, "steps[2].target_pct", "allow"),
    # 11 target neither a number nor "max"
    (HOLD.replace("target_pct = 50", 'target_pct = "lots"'), 10, "steps[2].target_pct", "max"),
    # 12 unknown key in a step
    (HOLD.replace("seconds = 20", "seconds = 20\ncolour = 3"), 12, "steps[2].colour", "unknown"),
    # 13 unknown key at the top
    ("colour = 3\n" + HOLD, 1, "colour", "unknown key"),
    # 14 empty steps
    ('movement = "hip-ir"\nsteps = []\n', 2, "steps", "no steps"),
    # 15 no steps at all
    ('movement = "hip-ir"\n', 1, "steps", "missing"),
    # 16 missing movement
    ('title = "x"\n\n[[steps]]\nkind = "passive"\nseconds = 1\n', 1, "movement", "missing"),
    # 17 bad repeat: zero times
    (
        'movement = "m"\n[[steps]]\nkind = "repeat"\ntimes = 0\n[[steps.steps]]\n'
        'kind = "passive"\nseconds = 1\n',
        4,
        "steps[1].times",
        "between 1 and 100",
    ),
    # 18 bad repeat: no inner steps
    ('movement = "m"\n[[steps]]\nkind = "repeat"\ntimes = 2\n', 2, "steps[1].steps", "missing"),
    # 19 error inside a repeat block points at the inner line
    (
        'movement = "m"\n[[steps]]\nkind = "passive"\nseconds = 1\n[[steps]]\nkind = "repeat"\n'
        'times = 2\n[[steps.steps]]\nkind = "passive"\nseconds = 1\n[[steps.steps]]\n'
        'kind = "hold"\ndirection = "pull"\ntarget_pct = 30\nseconds = -1\n',
        15,
        "steps[2].steps[2].seconds",
        "> 0",
    ),
    # 20 ramp with both a duration and a rate
    (
        'movement = "m"\n[[steps]]\nkind = "ramp"\ndirection = "push"\nto_pct = 50\n'
        "seconds = 10\nrate_pct_per_s = 5\n",
        7,
        "steps[1].rate_pct_per_s",
        "not both",
    ),
    # 21 release with nothing before it to release from
    (
        'movement = "m"\n[[steps]]\nkind = "release"\ndirection = "push"\n',
        2,
        "steps[1].from_pct",
        "",
    ),
    # 22 instruction too long to read from 2 m
    (
        HOLD.replace("seconds = 10", "seconds = 10\ninstruction = '" + "x" * 70 + "'"),
        6,
        "steps[1].instruction",
        "too long",
    ),
    # 23 unknown key in [sensors]
    (
        'movement = "m"\n[sensors]\nlaser = true\n[[steps]]\nkind = "passive"\nseconds = 1\n',
        3,
        "sensors.laser",
        "unknown",
    ),
    # 24 staircase start above its ceiling
    (
        'movement = "m"\n[[steps]]\nkind = "staircase"\ndirection = "push"\nceiling_pct = 50\n'
        "start_pct = 60\n",
        6,
        "steps[1].start_pct",
        "above ceiling",
    ),
    # 25 ramp that goes nowhere
    (
        'movement = "m"\n[[steps]]\nkind = "ramp"\ndirection = "push"\nfrom_pct = 40\nto_pct = 40\n',
        6,
        "steps[1].to_pct",
        "use a hold",
    ),
    # 26 max_trial count out of range, and side not a known value
    (
        'movement = "m"\n[[steps]]\nkind = "max_trial"\ndirection = "push"\ntrials = 0\n',
        5,
        "steps[1].trials",
        "between",
    ),
    (
        'movement = "m"\nside = "middle"\n[[steps]]\nkind = "passive"\nseconds = 1\n',
        2,
        "side",
        "left, right, either",
    ),
    # 28 steps written as a plain table, not an array of tables
    ('movement = "m"\n[steps]\nkind = "passive"\n', 2, "steps", "array of tables"),
    # 29 repeat nested too deep
    (
        'movement = "m"\n'
        + "".join(
            f'[[{".".join(["steps"] * d)}]]\nkind = "repeat"\ntimes = 2\n' for d in (1, 2, 3, 4)
        )
        + '[[steps.steps.steps.steps.steps]]\nkind = "passive"\nseconds = 1\n',
        12,
        "steps[1].steps[1].steps[1].steps[1].kind",
        "nest",
    ),
    # 30 a range-of-motion step with an unknown direction set
    (
        'movement = "hip-rotation"\n[[steps]]\nkind = "rom"\ndirections = "up"\n',
        4,
        "steps[1].directions",
        "both, ir, er",
    ),
    # 31 a range-of-motion step does not take a force direction
    (
        'movement = "hip-rotation"\n[[steps]]\nkind = "rom"\ndirection = "push"\n',
        4,
        "steps[1].direction",
        "unknown key",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "words"), CASES)
def test_malformed_file_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, words: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DrillFileError) as info:
        load_drill(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: {field}: "), message
    assert words in message
    assert (info.value.line, info.value.field) == (line, field)


def test_target_above_max_loads_with_allow(tmp_path: Path) -> None:
    path = tmp_path / "strong.toml"
    text = "allow_above_max = true\n" + HOLD.replace("target_pct = 50", "target_pct = 120")
    path.write_text(text, encoding="utf-8")
    drill = load_drill(path)
    assert drill.allow_above_max
    assert drill.steps[1].target_pct == 120  # type: ignore[union-attr]


def test_name_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "other"\n' + HOLD, encoding="utf-8")
    with pytest.raises(DrillFileError, match=r"mine\.toml:1: name: 'other' does not match"):
        load_drill(path)


def test_missing_file_is_a_drill_file_error(tmp_path: Path) -> None:
    with pytest.raises(DrillFileError, match=r"nope\.toml: file: cannot read"):
        load_drill(tmp_path / "nope.toml")


def test_text_source_is_named_in_errors() -> None:
    with pytest.raises(DrillFileError) as info:
        load_drill_text(HOLD.replace("seconds = 20", "seconds = -1"), name="x", source="typed")
    assert str(info.value).startswith("typed:11: steps[2].seconds: must be > 0")


def test_syntax_error_at_end_of_document() -> None:
    with pytest.raises(DrillFileError) as info:
        load_drill_text('movement = "m"\ntitle = """never closed\n', name="x", source="f")
    assert str(info.value).startswith("f:") and ": toml: " in str(info.value)
