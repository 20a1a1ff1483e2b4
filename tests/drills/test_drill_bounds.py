"""Drill files are bounded (size, NUL bytes, steps, total length); each limit is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from isoforce.drills import load_drill, load_drill_text
from isoforce.drills.loader import MAX_DRILL_S, MAX_FILE_BYTES, MAX_PLAN_STEPS
from isoforce.errors import DrillFileError

HEAD = 'movement = "hip-ir"\n'
HOLD = '\n[[steps]]\nkind = "hold"\ndirection = "push"\ntarget_pct = 50\nseconds = {s}\n'


def _error(text: str) -> DrillFileError:
    with pytest.raises(DrillFileError) as info:
        load_drill_text(text, name="x", source="x.toml")
    return info.value


def test_finding_drill_file_with_a_nul_byte_is_refused_at_its_line() -> None:
    err = _error(HEAD + "# a comment\x00 with a NUL\n" + HOLD.format(s=5))
    assert (err.line, err.field) == (2, "file")
    assert "NUL" in err.problem


def test_finding_drill_file_of_50_mb_is_refused_before_parsing(tmp_path: Path) -> None:
    text = HEAD + "# " + "x" * MAX_FILE_BYTES + "\n" + HOLD.format(s=5)
    assert "1,000,000 bytes" in _error(text).problem
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DrillFileError, match=r"big\.toml: file: too large \(at most 1,000,000"):
        load_drill(path)


def test_a_file_just_under_the_size_limit_loads(tmp_path: Path) -> None:
    body = HEAD + HOLD.format(s=5)
    path = tmp_path / "fat.toml"
    path.write_text(body + "#" * (MAX_FILE_BYTES - len(body) - 1) + "\n", encoding="utf-8")
    assert load_drill(path).n_plan_steps == 1


def test_finding_drill_file_with_10000_steps_is_refused() -> None:
    for n in (MAX_PLAN_STEPS + 1, 10_000):
        err = _error(HEAD + HOLD.format(s=1) * n)
        assert err.field == "steps" and f"at most {MAX_PLAN_STEPS}" in err.problem


def test_too_many_steps_after_unrolling_repeats_are_refused() -> None:
    text = (
        HEAD
        + '\n[[steps]]\nkind = "repeat"\ntimes = 100\n'
        + '\n[[steps.steps]]\nkind = "repeat"\ntimes = 6\n'
        + '\n[[steps.steps.steps]]\nkind = "passive"\nseconds = 1\n'
    )
    err = _error(text)
    assert (err.line, err.field) == (3, "steps")
    assert f"runs 600 steps with repeat blocks unrolled (at most {MAX_PLAN_STEPS})" in err.problem


def test_exactly_the_step_limit_loads() -> None:
    text = (
        HEAD
        + '\n[[steps]]\nkind = "repeat"\ntimes = 100\n'
        + '\n[[steps.steps]]\nkind = "passive"\nseconds = 1\n' * (MAX_PLAN_STEPS // 100)
    )
    assert load_drill_text(text, name="x").n_plan_steps == MAX_PLAN_STEPS


def test_a_drill_longer_than_the_limit_is_refused() -> None:
    # 10,000 steps of 2 s (333 minutes) in a compact file: refused by the step count first
    text = HEAD + '\n[[steps]]\nkind = "repeat"\ntimes = 100\n'
    text += '\n[[steps.steps]]\nkind = "repeat"\ntimes = 100\n' + HOLD.replace(
        "[[steps]]", "[[steps.steps.steps]]"
    ).format(s=2)
    assert "10000 steps" in _error(text).problem
    # 4 steps of 50 minutes: few steps, too long
    err = _error(HEAD + HOLD.format(s=3000) * 4)
    assert err.field == "steps"
    assert f"lasts 200 min (at most {MAX_DRILL_S / 3600:g} h)" in err.problem


def test_tomllib_errors_that_are_not_decode_errors_become_drill_file_errors() -> None:
    err = _error(HEAD + "x = " + "9" * 5000 + "\n")
    assert err.field == "toml" and "too long" in err.problem
    err = _error(HEAD + "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert err.field == "toml" and "nest" in err.problem


def test_an_integer_too_large_for_a_float_is_a_field_error() -> None:
    err = _error(HEAD + HOLD.format(s="1" + "0" * 400))
    assert err.field == "steps[1].seconds" and "too large" in err.problem
