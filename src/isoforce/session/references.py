"""The maxima a new session should use: the latest stored ones for its movement key.

Pure: takes stored reference records, returns effort references per kind and the
lines telling the user where each came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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

    def lines(self) -> list[str]:
        """One line per maximum used: value, kind, direction, when and from which drill."""
        out = []
        for (kind, direction), rec in sorted(
            self.sources.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value)
        ):
            name = "pain-free max" if kind is ReferenceKind.PAIN_FREE else "MVIC"
            source = f", {rec.source_drill}" if rec.source_drill else ""
            out.append(
                f"using {direction.value} {name} {rec.value_n:.1f} N ({rec.measured_at[:10]}{source})"
            )
        return out


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


def option_overrides(refs: StoredReferences, *, given: dict[str, float | None]) -> dict[str, float]:
    """Session option values from stored maxima, except the fields the user ``given`` a value."""
    out: dict[str, float] = {}
    for name, (kind, direction) in OPTION_FIELDS.items():
        value = refs.get(kind, direction)
        if value is not None and given.get(name) is None:
            out[name] = value
    return out
