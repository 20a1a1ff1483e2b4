"""Finding a pain-free max with no maximum known: an open-ended staircase in newtons.

The tension drill's staircase climbs in % of a reference. On a first session with a real
sensor there is none: no pain-free max, no MVIC. Then the staircase runs on a scale of
:data:`NEWTON_SCALE_N` (100 % = 100 N, so effort reads in newtons), climbs
:data:`OPEN_STEP_N` at a time with no ceiling worth the name, and ends at pain or pinching, or
at a plateau the athlete cannot raise (:mod:`isoforce.drills.plateau`). The practice after it
runs at what was found, which may be well above 100 on that scale, so the drill may go above
"max" for this run.
"""

from __future__ import annotations

from dataclasses import replace

from isoforce.core.effort_key import Direction
from isoforce.drills.kinds.staircase import MAX_LEVELS, StaircaseStep
from isoforce.drills.model import Drill, RepeatStep, Step, iter_leaves

#: The scale when no maximum is known: 100 % = 100 N, so effort % reads in newtons.
NEWTON_SCALE_N = 100.0
#: One level of an open-ended staircase, in newtons.
OPEN_STEP_N = 20.0
#: The highest level an open-ended staircase could reach, in % of the newton scale (2000 N).
OPEN_CEILING_PCT = MAX_LEVELS * OPEN_STEP_N / NEWTON_SCALE_N * 100.0


def staircase_directions(drill: Drill) -> frozenset[Direction]:
    """The directions in which ``drill`` finds a pain-free max (its staircases')."""
    return frozenset(
        s.direction for s in iter_leaves(drill.steps, once=True) if isinstance(s, StaircaseStep)
    )


def opened_directions(drill: Drill) -> frozenset[Direction]:
    """The directions whose staircases :func:`open_ended` opened (climbing in newtons)."""
    return frozenset(
        s.direction
        for s in iter_leaves(drill.steps, once=True)
        if isinstance(s, StaircaseStep) and s.in_newtons
    )


def open_ended(drill: Drill, directions: frozenset[Direction]) -> Drill:
    """``drill`` with its staircases in ``directions`` climbing in newtons until they stop."""
    directions = directions & staircase_directions(drill)
    if not directions:
        return drill
    step_pct = OPEN_STEP_N / NEWTON_SCALE_N * 100.0

    def opened(steps: tuple[Step, ...]) -> tuple[Step, ...]:
        out: list[Step] = []
        for s in steps:
            if isinstance(s, RepeatStep):
                out.append(replace(s, steps=opened(s.steps)))
            elif isinstance(s, StaircaseStep) and s.direction in directions:
                out.append(
                    replace(
                        s,
                        step_pct=step_pct,
                        ceiling_pct=OPEN_CEILING_PCT,
                        start_pct=None,
                        in_newtons=True,
                    )
                )
            else:
                out.append(s)
        return tuple(out)

    return replace(drill, steps=opened(drill.steps), allow_above_max=True)
