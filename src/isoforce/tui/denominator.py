"""What an effort % divides by, in one line a screen can show next to the number.

Pure: a :class:`~isoforce.session.references.ChosenReference` and the movement key in, e.g.
``% of push pain-free max 150 N · left hip IR · 90/90 · from 2 Dec`` out. The player,
free mode and the summary all say it the same way (never a % without its denominator).
"""

from __future__ import annotations

from datetime import datetime

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.core.movements import POSITIONS
from isoforce.session.references import ChosenReference, ReferenceSource


def movement_short(slug: str) -> str:
    """``hip IR`` for ``hip-ir``: the joint, then the motion's initials in capitals."""
    joint, _, motion = slug.partition("-")
    if motion and len(motion) <= 3 and motion.isalpha():
        return f"{joint} {motion.upper()}"
    return slug


def position_short(slug: str) -> str:
    """``90/90`` for ``90-90``, ``supine`` for ``supine-45``; an unknown slug as is."""
    known = POSITIONS.get(slug)
    return known.title.split(",")[0].split()[0] if known else slug


def day_text(iso: str) -> str:
    """``2 Dec`` for an ISO date or time (the text itself when it is not one)."""
    try:
        when = datetime.fromisoformat(iso[:10])
    except ValueError:
        return iso[:10]
    return f"{when.day} {when:%b}"


def is_stand_in(c: ChosenReference | None) -> bool:
    """Whether ``c`` is the newton scale a step measures a max on (never shown as a %)."""
    return c is not None and c.source is ReferenceSource.PROVISIONAL


def source_text(c: ChosenReference) -> str:
    """Where the value came from, in a few words (``from 2 Dec``, ``typed in`` …)."""
    rec = c.record
    if c.source is ReferenceSource.STORED and rec is not None:
        return f"from {day_text(rec.measured_at)}"
    if c.source is ReferenceSource.FLAG:
        return f"given ({c.flag})" if c.flag else "given"
    if c.source is ReferenceSource.SIMULATED:
        return "simulated athlete"
    if c.source is ReferenceSource.FROM_MVIC:
        return "MVIC, while the pain-free max is found"
    if c.source is ReferenceSource.RECORDED:
        return "as recorded"
    if is_stand_in(c):
        return "none before this run, which measures it: in N"
    return "none stored: not measured"


def reference_name(c: ChosenReference) -> str:
    """``push pain-free max`` or ``pull MVIC``."""
    kind = "pain-free max" if c.kind is ReferenceKind.PAIN_FREE else "MVIC"
    return f"{c.direction.value} {kind}"


def denominator_text(
    c: ChosenReference, *, movement: str | None, side: Side | None, position: str | None
) -> str:
    """E.g. ``% of push pain-free max 150 N · left hip IR · 90/90 · from 2 Dec``.

    While a max is measured with none known: ``N (no push MVIC yet) · … · none known yet: …``.
    """
    value = "" if c.value_n is None else f" {c.value_n:.0f} N"
    name = reference_name(c)
    parts = [f"N (no {name} yet)" if is_stand_in(c) else f"% of {name}{value}"]  # never % of it
    what = movement_short(movement) if movement else "this movement"
    key = f"{side.value} {what}" if side is not None else f"{what} (no side)"
    parts.append(key)
    if position:
        parts.append(position_short(position))
    parts.append(source_text(c))
    return " · ".join(parts)


__all__ = [
    "day_text",
    "denominator_text",
    "is_stand_in",
    "movement_short",
    "position_short",
    "reference_name",
    "source_text",
]
