"""The movements and body positions isoforce knows by name.

A maximum is only comparable with another measured the same way: the same movement, side,
direction and position (hip rotation torque depends on hip flexion; see ``docs/numbers.md``).
Movements and positions are short slugs (``hip-ir``, ``supine-45``); the ones below have a
title and a note, and any other slug is accepted as the user's own, so the model stays open to
movements isoforce does not ship drills for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class Named:
    """A known movement or position: its slug, a title for screens, and what it means."""

    slug: str
    title: str
    note: str


MOVEMENTS: dict[str, Named] = {
    n.slug: n
    for n in (
        Named(
            "hip-ir",
            "hip internal rotation",
            "the femur turns inwards; PAILs push into the block, RAILs pull away",
        ),
        Named(
            "hip-er",
            "hip external rotation",
            "the femur turns outwards; PAILs push into the block, RAILs pull away",
        ),
    )
}

POSITIONS: dict[str, Named] = {
    n.slug: n
    for n in (
        Named("90-90", "90/90 seated", "seated on the floor, both hips and knees at 90°"),
        Named("supine-45", "supine, hips flexed 45°", "lying on the back, hips flexed about 45°"),
        Named("prone", "prone", "lying face down, hips extended, knee bent 90°"),
        Named("seated", "seated", "sitting on a bench, hip and knee at 90°"),
    )
}


def check_slug(value: str, what: str) -> str:
    """``value`` if it is a valid slug, else ``ValueError`` saying what a slug may hold."""
    if not _SLUG.match(value):
        raise ValueError(
            f"{what} {value!r}: use lower-case letters, digits, '-' or '_' (at most 40), "
            f"e.g. {', '.join(MOVEMENTS if what == 'movement' else POSITIONS)}"
        )
    return value


def movement_title(slug: str) -> str:
    """``hip internal rotation`` for ``hip-ir``; an unknown slug is its own title."""
    known = MOVEMENTS.get(slug)
    return known.title if known else slug


def position_title(slug: str) -> str:
    """``90/90 seated`` for ``90-90``; an unknown slug is its own title."""
    known = POSITIONS.get(slug)
    return known.title if known else slug


def describe(movement: str, position: str, side: str | None) -> str:
    """``hip external rotation (hip-er), left side, 90/90 seated (90-90)`` for screens and logs."""
    parts = [
        f"{movement_title(movement)} ({movement})" if movement in MOVEMENTS else movement,
        f"{side} side" if side else "no side chosen (maxima are not kept)",
        f"{position_title(position)} ({position})" if position in POSITIONS else position,
    ]
    return ", ".join(parts)
