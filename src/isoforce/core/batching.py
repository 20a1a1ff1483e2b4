"""Consecutive items regrouped into batches of at least a number of rows (bounded memory).

Used where stored chunks are read or written in batches: the store's force and IMU chunks
(``session.queries``) and the CSV export (``export.session_csv``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def regroup(
    items: Iterable[T],
    *,
    rows: int,
    size: Callable[[T], int],
    key: Callable[[T], Hashable] | None = None,
) -> Iterator[list[T]]:
    """Consecutive ``items`` in lists holding at least ``rows`` rows in all (``size(item)`` each).

    The last list may hold fewer; a change of ``key(item)`` ends a list early, so every list
    has one key. ``rows=0`` gives one item per list. Items are never reordered or dropped.
    """
    pending: list[T] = []
    total = 0
    last: Hashable = None
    for item in items:
        k = key(item) if key is not None else None
        if pending and k != last:
            yield pending
            pending, total = [], 0
        last = k
        pending.append(item)
        total += size(item)
        if total >= rows:
            yield pending
            pending, total = [], 0
    if pending:
        yield pending
