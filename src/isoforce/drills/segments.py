"""The timed pieces a plan step is made of: phases, segments and their cues.

A segment's target moves linearly from ``start_pct`` to ``end_pct`` (nominal % of the step's
reference, before pain regression and clamping) over ``duration_s``. Step kinds build their
segments from these (:mod:`isoforce.drills.kinds`); the plan and the engine run them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

COUNTDOWN_MIN_S = 4.0
"""Segments at least this long that end a phase get "3", "2", "1" cues in their last seconds."""
HOLD_SETTLE_S = 1.0
"""The first second of a hold settles and is not scored: the ~1 s transition at the start of an
isometric contraction (ASEP's MVIC procedure; docs/numbers.md, "the settle window")."""
JUMP_SETTLE_S = 2.0
"""Where a step's target starts away from where the last one ended (push ↔ pull, or a ramp that
starts higher), its first 2 s settle and are not scored: the athlete cannot jump with it."""
JUMP_PCT = 10.0
"""A change of the signed target by at least this much at a step boundary is a jump."""


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
    """Target 0 after pain: what isoforce did before the pain hold (older recordings only)."""
    PAUSED = 14
    DONE = 15
    ROTATE_IN = 16
    ROTATE_OUT = 17
    RETURN = 18
    PAIN_HOLD = 19
    """After the pain key: the target holds below the painful level while "better?" is asked."""
    CRAMP_REST = 20
    """After the cramp key: target 0, rest, then the step carries on where it stopped."""


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


#: The cue a get-ready segment opens with (a max test's, or the break after a skip).
GET_READY = "get ready"


def counted_cues(text: str, duration_s: float) -> tuple[Cue, ...]:
    """``text`` as a segment of ``duration_s`` starts, then its closing :func:`countdown`."""
    return ((0.0, text), *countdown(duration_s))


def settle_first(segments: tuple[Segment, ...], settle_s: float) -> tuple[Segment, ...]:
    """Split a settle window of ``settle_s`` off the first segment: same target, not scored.

    Only a first segment that is tracked against a target (banded) and scored settles, and never
    for more than half of it; a max trial's effort or a lift-off is never cut. The target runs on
    unchanged across the split (the band state carries over), and cues keep their times.
    """
    if not segments or settle_s <= 0:
        return segments
    first, rest = segments[0], segments[1:]
    settle_s = min(settle_s, first.duration_s / 2)
    if not (first.scored and first.banded) or settle_s <= 0:
        return segments
    frac = settle_s / first.duration_s
    mid_pct = first.start_pct + (first.end_pct - first.start_pct) * frac
    settle = replace(
        first,
        duration_s=settle_s,
        end_pct=mid_pct,
        scored=False,
        ends_rep=False,
        cues=tuple(c for c in first.cues if c[0] < settle_s),
    )
    scored = replace(
        first,
        duration_s=first.duration_s - settle_s,
        start_pct=mid_pct,
        cues=tuple((c[0] - settle_s, c[1]) for c in first.cues if c[0] >= settle_s),
    )
    return (settle, scored, *rest)
