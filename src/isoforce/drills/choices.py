"""What a user chooses when starting a drill: movement, position, and how many cycles.

A drill file names the movement and position it was written for; the same steps serve another
(PAILs/RAILs for hip external rotation are the internal-rotation steps with other maxima), so
both can be chosen at start. ``cycles`` sets how many times the drill's repeated block runs
(end-range expansion: one cycle per side to begin with, building to 3–4).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from isoforce.core.movements import check_slug
from isoforce.drills.model import Drill, RepeatStep

#: The most cycles a start may ask for; a drill file may set more itself.
MAX_CYCLES = 20


@dataclass(frozen=True, slots=True)
class DrillChoices:
    """Choices made at start; ``None`` keeps what the drill file says."""

    movement: str | None = None
    position: str | None = None
    cycles: int | None = None


def cycles_of(drill: Drill) -> int | None:
    """How many times the drill's (first) top-level repeated block runs, if it has one."""
    return next((s.times for s in drill.steps if isinstance(s, RepeatStep)), None)


def apply_choices(drill: Drill, choices: DrillChoices) -> Drill:
    """``drill`` with the chosen movement, position and cycles.

    Raises ``ValueError`` (with the user's words) for a bad slug, a cycle count outside
    1–:data:`MAX_CYCLES`, or cycles for a drill without a repeated block.
    """
    out = drill
    if choices.movement is not None:
        out = replace(out, movement=check_slug(choices.movement, "movement"))
    if choices.position is not None:
        out = replace(out, position=check_slug(choices.position, "position"))
    if choices.cycles is not None:
        if not 1 <= choices.cycles <= MAX_CYCLES:
            raise ValueError(f"cycles {choices.cycles}: give 1–{MAX_CYCLES}")
        if not any(isinstance(s, RepeatStep) for s in drill.steps):
            raise ValueError(f"drill {drill.name!r} has no repeated block to run in cycles")
        steps = tuple(
            replace(s, times=choices.cycles) if isinstance(s, RepeatStep) else s
            for s in drill.steps
        )
        out = replace(out, steps=steps)
    return out
