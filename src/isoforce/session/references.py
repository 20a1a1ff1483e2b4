"""The maxima a new session uses, and where each came from.

Pure: takes stored reference records and what the user gave, returns the value per reference
kind and direction with its source, and one line per value telling the user (never silent
about what effort % divides by).
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.session.model import ReferenceRecord


@dataclass(frozen=True, slots=True)
class StoredReferences:
    """Latest stored maxima (newtons) per (kind, direction) for one movement, side, position."""

    values_n: dict[tuple[ReferenceKind, Direction], float] = field(default_factory=dict)
    sources: dict[tuple[ReferenceKind, Direction], ReferenceRecord] = field(default_factory=dict)

    def get(self, kind: ReferenceKind, direction: Direction) -> float | None:
        """The latest value, or None when nothing was stored."""
        return self.values_n.get((kind, direction))


def latest_references(
    records: Iterable[ReferenceRecord], *, movement: str, side: Side, position: str
) -> StoredReferences:
    """The newest stored value per (kind, direction) for exactly this movement key.

    ``records`` come oldest first (as the store returns them); later ones replace earlier ones.
    """
    values: dict[tuple[ReferenceKind, Direction], float] = {}
    sources: dict[tuple[ReferenceKind, Direction], ReferenceRecord] = {}
    for rec in records:
        key = rec.key
        if key.movement != movement or key.side is not side or key.position != position:
            continue
        values[(rec.kind, key.direction)] = rec.value_n
        sources[(rec.kind, key.direction)] = rec
    return StoredReferences(values_n=values, sources=sources)


#: Session option fields filled from stored maxima: (kind, direction) of each.
OPTION_FIELDS: dict[str, tuple[ReferenceKind, Direction]] = {
    "push_max_n": (ReferenceKind.PAIN_FREE, Direction.PUSH),
    "pull_max_n": (ReferenceKind.PAIN_FREE, Direction.PULL),
    "mvic_push_n": (ReferenceKind.MVIC, Direction.PUSH),
    "mvic_pull_n": (ReferenceKind.MVIC, Direction.PULL),
}


class ReferenceSource(enum.Enum):
    """Where a reference maximum came from."""

    FLAG = "flag"
    """Given on the command line (or typed in the TUI) for this session."""
    STORED = "stored"
    """The latest one measured for this movement, side and position."""
    SIMULATED = "simulated"
    """The simulated athlete's own maxima (no hardware, no stored value)."""
    PROVISIONAL = "provisional"
    """A 100 N scale while a drill measures a max nothing else gives: effort reads in N."""
    FROM_MVIC = "from_mvic"
    """A pain-free max being found in steps of the MVIC (given or stored) for the same key."""
    RECORDED = "recorded"
    """The maximum a stored session ran against, as it was recorded (a replay)."""
    NONE = "none"
    """Nothing known: effort against it is not measured."""


#: The flag that sets each option field, for the user's words.
FLAG_NAMES: dict[str, str] = {
    "push_max_n": "--push-max",
    "pull_max_n": "--pull-max",
    "mvic_push_n": "a given push MVIC",
    "mvic_pull_n": "a given pull MVIC",
}


@dataclass(frozen=True, slots=True)
class ChosenReference:
    """One maximum a session divides by: its value, where it came from, what it overrides."""

    kind: ReferenceKind
    direction: Direction
    value_n: float | None
    source: ReferenceSource
    #: The stored record used, or (with ``source = FLAG``) the one the flag overrides.
    record: ReferenceRecord | None = None
    flag: str = ""

    def line(self) -> str:
        """E.g. ``push pain-free max 150.0 N: stored 2026-12-01 (tension-drill)``."""
        name = "pain-free max" if self.kind is ReferenceKind.PAIN_FREE else "MVIC"
        what = f"{self.direction.value} {name}"
        rec = self.record
        when = (
            f"{rec.measured_at[:10]}{f' ({rec.source_drill})' if rec.source_drill else ''}"
            if rec
            else ""
        )
        if self.source is ReferenceSource.NONE or self.value_n is None:
            return f"{what}: none stored, effort against it is not measured (run a max test or the tension drill)"
        value = f"{what} {self.value_n:.1f} N"
        if self.source is ReferenceSource.STORED:
            return f"{value}: stored {when}"
        if self.source is ReferenceSource.FLAG:
            over = f", overriding the stored {rec.value_n:.1f} N of {when}" if rec else ""
            return f"{value}: from {self.flag}{over}"
        if self.source is ReferenceSource.SIMULATED:
            return f"{value}: the simulated athlete's (nothing stored for this movement and side)"
        if self.source is ReferenceSource.RECORDED:
            return f"{value}: the one the session ran against when it was recorded"
        if self.source is ReferenceSource.FROM_MVIC:
            origin = f"stored {when}" if self.flag == "" else f"from {self.flag}"
            return (
                f"{what}: found by this run, in steps of % of the {self.direction.value} MVIC "
                f"{self.value_n:.1f} N ({origin})"
            )
        return (
            f"{what}: none before this run, which measures it; effort reads in newtons "
            f"(a {self.value_n:.0f} N scale: 100 % = {self.value_n:.0f} N)"
        )

    def short(self) -> str:
        """A line that fits a narrow screen, e.g. ``push pain-free max 150 N (stored 2026-12-01)``."""
        name = "pain-free max" if self.kind is ReferenceKind.PAIN_FREE else "MVIC"
        what = f"{self.direction.value} {name}"
        if self.source is ReferenceSource.NONE or self.value_n is None:
            return f"{what}: none stored, not measured"
        rec = self.record
        source = {
            ReferenceSource.STORED: f"stored {rec.measured_at[:10] if rec else ''}",
            ReferenceSource.FLAG: f"{self.flag}"
            + (f", over stored {rec.value_n:.0f} N" if rec else ""),
            ReferenceSource.SIMULATED: "simulated athlete",
        }.get(self.source)
        if self.source is ReferenceSource.FROM_MVIC:
            return f"{self.direction.value} MVIC {self.value_n:.0f} N ({what} found by this run)"
        if source is None:  # provisional
            return f"{self.value_n:.0f} N scale, so % = N ({what} measured by this run)"
        return f"{what} {self.value_n:.0f} N ({source})"


_FIELD_OF: dict[tuple[ReferenceKind, Direction], str] = {v: k for k, v in OPTION_FIELDS.items()}
_KNOWN = (ReferenceSource.FLAG, ReferenceSource.STORED)


def measuring_references(
    chosen: Mapping[str, ChosenReference],
    *,
    finds_pain_free: frozenset[Direction],
    finds_mvic: frozenset[Direction],
    scale_n: float,
) -> tuple[dict[str, ChosenReference], frozenset[Direction]]:
    """What a drill that measures a maximum divides by while it measures it.

    A staircase finding the pain-free max never climbs in % of an old pain-free max (the found
    value could only ever be 100 % of it) or of the simulated athlete's (a real sensor has no
    such thing): it climbs in % of the MVIC for the same key when one is given or stored, else
    on a ``scale_n`` newton scale, open-ended. A max test measures against a given or stored
    MVIC, else on the newton scale. A value given on the command line is always kept. The
    simulator and a real sensor get the same rules.

    Returns the choice with those replaced, and the directions whose staircases run open-ended.
    """
    out = dict(chosen)
    open_dirs: set[Direction] = set()
    for d in finds_pain_free:
        field_pf = _FIELD_OF[(ReferenceKind.PAIN_FREE, d)]
        if out[field_pf].source is ReferenceSource.FLAG:
            continue
        mvic = out[_FIELD_OF[(ReferenceKind.MVIC, d)]]
        if mvic.source in _KNOWN:
            out[field_pf] = ChosenReference(
                ReferenceKind.PAIN_FREE, d, mvic.value_n, ReferenceSource.FROM_MVIC,
                mvic.record, mvic.flag,
            )  # fmt: skip
        else:
            out[field_pf] = ChosenReference(
                ReferenceKind.PAIN_FREE, d, scale_n, ReferenceSource.PROVISIONAL
            )
            open_dirs.add(d)
    for d in finds_mvic:
        field_mv = _FIELD_OF[(ReferenceKind.MVIC, d)]
        if out[field_mv].source not in _KNOWN:
            out[field_mv] = ChosenReference(
                ReferenceKind.MVIC, d, scale_n, ReferenceSource.PROVISIONAL
            )
    return out, frozenset(open_dirs)


def choose_references(
    *,
    given: Mapping[str, float | None],
    stored: StoredReferences,
    fallback: Mapping[str, float | None] | None = None,
    fallback_source: ReferenceSource = ReferenceSource.NONE,
) -> dict[str, ChosenReference]:
    """The value for each option field (:data:`OPTION_FIELDS`): given > stored > fallback.

    ``fallback`` holds what the device supplies when nothing else does (the simulated athlete's
    maxima, or a provisional MVIC scale) and ``fallback_source`` says which.
    """
    out: dict[str, ChosenReference] = {}
    for name, (kind, direction) in OPTION_FIELDS.items():
        record = stored.sources.get((kind, direction))
        flag_n = given.get(name)
        fall_n = (fallback or {}).get(name)
        if flag_n is not None:
            chosen = ChosenReference(
                kind, direction, flag_n, ReferenceSource.FLAG, record, FLAG_NAMES[name]
            )
        elif record is not None:
            chosen = ChosenReference(
                kind, direction, record.value_n, ReferenceSource.STORED, record
            )
        elif fall_n is not None:
            chosen = ChosenReference(kind, direction, fall_n, fallback_source)
        else:
            chosen = ChosenReference(kind, direction, None, ReferenceSource.NONE)
        out[name] = chosen
    return out


#: The session option naming the maxima a run measured with none known (``mvic:push`` …).
PROVISIONAL_OPTION = "provisional_references"


def provisional_names(chosen: Iterable[ChosenReference]) -> list[str]:
    """``kind:direction`` of each reference that was a stand-in scale (kept with a session)."""
    return sorted(
        f"{c.kind.value}:{c.direction.value}"
        for c in chosen
        if c.source is ReferenceSource.PROVISIONAL
    )


def provisional_keys(
    options: Mapping[str, Any], opened: Iterable[Direction]
) -> frozenset[tuple[ReferenceKind, Direction]]:
    """The stand-in scales a stored session ran with, so its replay reads in N as it did live.

    As the session stored them; for a session from before they were stored, the pain-free
    maxima its open-ended staircases measured (``opened``).
    """
    names = options.get(PROVISIONAL_OPTION)
    if not isinstance(names, list):
        return frozenset((ReferenceKind.PAIN_FREE, d) for d in opened)
    keys: set[tuple[ReferenceKind, Direction]] = set()
    for name in names:
        kind, _, direction = str(name).partition(":")
        with contextlib.suppress(ValueError):  # a name this version does not know
            keys.add((ReferenceKind(kind), Direction(direction)))
    return frozenset(keys)
