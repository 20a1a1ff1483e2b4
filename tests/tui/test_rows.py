"""Which rows a line-API widget repaints when it is drawn again."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip

from isoforce.tui.widgets.rows import changed_rows


def _rows(*texts: str) -> list[Strip]:
    return [Strip([Segment(t)]) for t in texts]


def test_only_the_rows_that_differ_are_named_in_runs() -> None:
    before = _rows("a", "b", "c", "d", "e")
    assert changed_rows(before, _rows("a", "b", "c", "d", "e")) == []
    assert changed_rows(before, _rows("a", "B", "C", "d", "E")) == [(1, 3), (4, 5)]
    assert changed_rows(before, _rows("x", "b", "c", "d", "e")) == [(0, 1)]


def test_rows_added_or_dropped_count_as_changed() -> None:
    assert changed_rows(_rows("a", "b"), _rows("a", "b", "c", "d")) == [(2, 4)]
    assert changed_rows(_rows("a", "b", "c"), _rows("a")) == [(1, 3)]
    assert changed_rows([], []) == []
