"""The timed pieces a plan step is made of: phases, segments and their cues.

A segment's target moves linearly from ``start_pct`` to ``end_pct`` (nominal % of the step's
reference, before pain regression and clamping) over ``duration_s``. Step kinds build their
segments from these (:mod:`isoforce.drills.kinds`); the plan and the engine run them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

COUNTDOWN_MIN_S = 4.0
"""Segments at least this long that end a phase get "3", "2", "1" cues in their last seconds."""


class Phase(enum.IntEnum):
    """What the drill is doing at a sample; stored per sample as a small integer."""

    PENDING = 0
    PASSIVE = 1
    BREATH = 2
    RAMP = 3
    HOLD = 4
    RELEASE = 5
    STAIR = 6
    READY = 7
    EFFORT = 8
    REST = 9
    LIFT = 10
    LOWER = 11
    LIFT_HOLD = 12
    PAIN_REST = 13
    PAUSED = 14
    DONE = 15
    ROTATE_IN = 16
    ROTATE_OUT = 17
    RETURN = 18


Cue = tuple[float, str]
"""A cue: seconds after the segment starts, and its text."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One timed piece of a step with a linear nominal target.

    ``banded`` segments are tracked against the target and band; ``scored`` samples count in
    the step's metrics; ``rep`` numbers the rep the segment belongs to (``-1``: none) and
    ``ends_rep`` marks the segment that completes it.
    """

    phase: Phase
    duration_s: float
    start_pct: float = 0.0
    end_pct: float = 0.0
    banded: bool = True
    scored: bool = True
    rep: int = -1
    rep_label: str = ""
    ends_rep: bool = False
    cues: tuple[Cue, ...] = ()


def countdown(duration_s: float) -> tuple[Cue, ...]:
    """Countdown cues "3", "2", "1" in the last three seconds of a segment of 4 s or more."""
    if duration_s < COUNTDOWN_MIN_S:
        return ()
    return tuple((duration_s - k, str(k)) for k in (3, 2, 1))
