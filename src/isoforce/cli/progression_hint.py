"""The last progression suggestion, shown when a drill starts (never applied by itself).

For each direction in which the drill holds below max, the suggestion ``isoforce history``
would give for this movement, side and position; the drill still runs the targets in its file,
and the line says so.
"""

from __future__ import annotations

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.drills.kinds.hold import HoldStep
from isoforce.drills.model import Drill
from isoforce.drills.progression import MAX_HOLD_PCT
from isoforce.drills.progression_rule import find_rule
from isoforce.errors import IsoforceError
from isoforce.paths import data_dir
from isoforce.session.model import movement_key
from isoforce.session.progress_store import load_progress
from isoforce.session.store import SessionStore


def _trained_directions(drill: Drill) -> list[Direction]:
    found = {
        s.direction
        for s in drill.leaves()
        if isinstance(s, HoldStep)
        and s.target_pct < MAX_HOLD_PCT
        and s.reference is ReferenceKind.PAIN_FREE
    }
    return [d for d in Direction if d in found]


def suggestion_lines(
    store: SessionStore | None,
    drill: Drill,
    *,
    side: Side | None,
    data_dir_override: str | None = None,
    profile: str = "default",
) -> list[str]:
    """``last suggestion for …`` lines for the drill's trained directions (none without a side)."""
    directions = _trained_directions(drill)
    if store is None or side is None or not directions:
        return []
    try:
        rule = find_rule(None, data_dir(data_dir_override))
        progress = load_progress(store, rule=rule, profile=profile, movement=drill.movement)
    except IsoforceError as exc:
        return [f"progression: no suggestion ({exc})"]
    by_key = {k.key: k for k in progress.keys}
    lines = []
    for direction in directions:
        found = by_key.get(movement_key(drill.movement, side, direction, drill.position))
        if found is None:
            continue
        lines.append(
            f"last suggestion for {found.key.label()}: {found.suggestion.text} "
            "(not applied: this drill runs the targets in its file)"
        )
    return lines
