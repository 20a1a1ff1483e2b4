"""Regrouping consecutive items into batches of at least a number of rows."""

from __future__ import annotations

from isoforce.core.batching import regroup


def test_batches_hold_at_least_rows_and_the_last_the_rest() -> None:
    sizes = [3, 4, 2, 5, 1]
    got = list(regroup(sizes, rows=6, size=lambda n: n))
    assert got == [[3, 4], [2, 5], [1]]


def test_a_change_of_key_ends_a_batch_early_and_nothing_is_reordered() -> None:
    items = [("a", 2), ("a", 2), ("b", 9), ("a", 1)]
    got = list(regroup(items, rows=10, size=lambda i: i[1], key=lambda i: i[0]))
    assert got == [[("a", 2), ("a", 2)], [("b", 9)], [("a", 1)]]


def test_zero_rows_gives_one_item_per_batch_and_nothing_gives_nothing() -> None:
    assert list(regroup([1, 2], rows=0, size=lambda n: n)) == [[1], [2]]
    assert list(regroup([], rows=5, size=lambda n: n)) == []
