"""The maxima screen's table: one athlete's latest maxima, one row per movement key.

Pure: stored reference records (oldest first) in; one row per movement, side, position and
direction with the latest pain-free max and MVIC in newtons and the day each was measured out.
A maximum is only comparable with one measured the same way, so nothing is merged across keys.
"""

from __future__ import annotations

from collections.abc import Iterable

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.session.model import ReferenceRecord
from isoforce.tui.denominator import day_text, movement_short, position_short

MAXIMA_HEADERS = ("side", "movement", "position", "direction", "pain-free max", "MVIC")


def _cell(rec: ReferenceRecord | None) -> str:
    if rec is None:
        return "—"
    return f"{rec.value_n:.0f} N · {day_text(rec.measured_at)}"


def maxima_rows(
    records: Iterable[ReferenceRecord], *, side: Side | None = None
) -> list[tuple[str, ...]]:
    """Rows of :data:`MAXIMA_HEADERS`, the chosen ``side`` first, then by movement and position."""
    latest: dict[tuple[str, str, str, str], dict[ReferenceKind, ReferenceRecord]] = {}
    for rec in records:
        k = rec.key
        row = (k.side.value, k.movement, k.position, k.direction.value)
        latest.setdefault(row, {})[rec.kind] = rec

    def order(row: tuple[str, str, str, str]) -> tuple[bool, tuple[str, str, str, str]]:
        return (side is not None and row[0] != side.value, row)

    return [
        (
            s,
            movement_short(m),
            position_short(p),
            d,
            _cell(latest[(s, m, p, d)].get(ReferenceKind.PAIN_FREE)),
            _cell(latest[(s, m, p, d)].get(ReferenceKind.MVIC)),
        )
        for s, m, p, d in sorted(latest, key=order)
    ]


__all__ = ["MAXIMA_HEADERS", "maxima_rows"]
