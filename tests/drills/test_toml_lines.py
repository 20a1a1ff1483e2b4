"""The light TOML scan that puts line numbers on semantic errors."""

from __future__ import annotations

from isoforce.drills._toml_lines import LineIndex, syntax_error_location

TEXT = '''movement = "m"
description = """
kind = "not a key"
"""
[sensors]
imu = true

[[steps]]
kind = "passive"

[[steps]]
kind = "repeat"
[[steps.steps]]
kind = "hold"
[[steps.steps]]
seconds = 3
[[steps]]
"quoted key" = 1
inline = [{ a = 1 }, { b = 2 }]
'''


def test_tables_keys_and_array_elements_get_their_lines() -> None:
    idx = LineIndex(TEXT)
    assert idx.line_of(("movement",)) == 1
    assert idx.line_of(("description",)) == 2
    assert idx.line_of(("kind",)) is None  # inside the multi-line string, not a key
    assert idx.line_of(("sensors", "imu")) == 6
    assert idx.line_of(("steps", 0)) == 8
    assert idx.line_of(("steps", 0, "kind")) == 9
    assert idx.line_of(("steps", 1, "steps", 0, "kind")) == 14
    assert idx.line_of(("steps", 1, "steps", 1, "seconds")) == 16
    assert idx.line_of(("steps", 1, "steps", 1, "missing")) == 15  # falls back to the header
    assert idx.line_of(("steps", 2, "quoted key")) == 18
    assert idx.line_of(("steps", 2, "inline", 1, "b")) == 19  # nearest indexed ancestor
    assert idx.line_of(("nowhere",)) is None


def test_syntax_messages_are_split_into_line_and_problem() -> None:
    assert syntax_error_location("Invalid value (at line 3, column 9)", 10) == (
        3,
        "Invalid value (column 9)",
    )
    assert syntax_error_location("Unclosed string (at end of document)", 7) == (
        7,
        "Unclosed string (at end of file)",
    )
    assert syntax_error_location("odd", 2) == (None, "odd")
