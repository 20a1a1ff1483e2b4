"""Where a running drill stands for a glance: the phase, its own countdown, the next effort.

Read from the segments ahead of the engine's cursor (:meth:`DrillEngine.phase_clock`), so the
count-in before an effort comes from the drill's timeline, not from the screen. A *phase* is a
run of segments of one step with the same phase and rep (a hold's unscored settle second and its
scored rest are one hold). An *effort* is a loaded segment of a force step (ramp, hold, stair,
max trial) or a lift; it *starts* where the segment before it was no effort, or an effort in the
other direction (push → pull). The 3-2-1 is the last :data:`COUNT_IN_S` seconds before a start.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from isoforce.core.effort_key import Direction
from isoforce.drills.plan import PlanStep
from isoforce.drills.segments import Phase, Segment

COUNT_IN_S = 3.0
"""The count-in ("3", "2", "1") runs over the last three seconds before an effort starts."""

LOADED_PHASES = frozenset({Phase.RAMP, Phase.HOLD, Phase.STAIR, Phase.EFFORT})
"""Phases of a force step that ask for force (a release lets it go)."""
LIFT_PHASES = frozenset({Phase.LIFT, Phase.LIFT_HOLD})
"""Phases of a lift-off that are an effort with no block."""

Ahead = Iterable[tuple[PlanStep | None, Segment, float]]
"""Segments from the running one on: (their step, or None for a break; segment; start time)."""


@dataclass(frozen=True, slots=True)
class PhaseClock:
    """The running phase and its countdown, and the count-in to the next effort.

    ``remaining_s`` counts to the end of the phase (not of the step); ``rep_label`` names the
    running segment's rep (``trial 2/3``, ``lift-off 1/3``; empty when none); ``count_in_s`` is
    the time until the next effort starts when that is at most :data:`COUNT_IN_S` away (NaN
    otherwise); ``next_effort`` names that effort (its rep label, else its phase) and
    ``next_direction`` its direction; both are given for the next effort within this step
    and the next one even when it is further away (a max test's rest names the coming trial).
    """

    phase: Phase
    remaining_s: float
    rep_label: str = ""
    banded: bool = True
    """The running segment is tracked against its target band (a max trial or a rest is not)."""
    count_in_s: float = math.nan
    next_effort: str = ""
    next_direction: Direction | None = None

    @property
    def count_in(self) -> int:
        """The count-in number to show now (3, 2, 1), or 0 when none runs."""
        if math.isnan(self.count_in_s):
            return 0
        return max(1, min(int(COUNT_IN_S), math.ceil(self.count_in_s - 1e-9)))


def is_effort(step: PlanStep | None, seg: Segment) -> bool:
    """Whether a segment asks for an effort (a loaded force phase, or a lift)."""
    if seg.phase in LIFT_PHASES:
        return True
    return step is not None and step.direction is not None and seg.phase in LOADED_PHASES


def _starts_effort(
    prev: tuple[PlanStep | None, Segment], step: PlanStep | None, seg: Segment
) -> bool:
    if not is_effort(step, seg):
        return False
    prev_step, prev_seg = prev
    if not is_effort(prev_step, prev_seg):
        return True
    before = prev_step.direction if prev_step is not None else None
    return (step.direction if step is not None else None) is not before


@dataclass(frozen=True, slots=True)
class PhaseWalk:
    """What :func:`walk` found ahead, before any time is read: :meth:`at` gives the clock.

    ``end_s`` is when the running phase ends; ``effort`` the next effort's segment, step and
    start, when one starts within this step or the next ones.
    """

    segment: Segment
    end_s: float
    effort: tuple[Segment, PlanStep | None, float] | None = None

    def at(self, now_s: float) -> PhaseClock:
        """The clock at ``now_s``."""
        seg0 = self.segment
        remaining_s = max(0.0, self.end_s - now_s)
        if self.effort is None:
            return PhaseClock(seg0.phase, remaining_s, seg0.rep_label, seg0.banded)
        seg, step, start_s = self.effort
        wait = start_s - now_s
        return PhaseClock(
            seg0.phase,
            remaining_s,
            seg0.rep_label,
            seg0.banded,
            count_in_s=max(0.0, wait) if wait <= COUNT_IN_S else math.nan,
            next_effort=seg.rep_label or seg.phase.name.lower().replace("_", " "),
            next_direction=step.direction if step is not None else None,
        )


def walk(ahead: Ahead) -> PhaseWalk | None:
    """Where the running phase ends and the next effort starts (None when nothing runs)."""
    segments = iter(ahead)
    first = next(segments, None)
    if first is None:
        return None
    step0, seg0, t0 = first
    end_s = t0 + seg0.duration_s
    in_phase = True
    prev: tuple[PlanStep | None, Segment] = (step0, seg0)
    prev_end_s = end_s
    steps_seen = 0
    for step, seg, start_s in segments:
        same = step is step0 and seg.phase is seg0.phase and seg.rep == seg0.rep
        in_phase = in_phase and step0 is not None and same
        if in_phase:
            end_s = start_s + seg.duration_s
        elif _starts_effort(prev, step, seg):
            # a segment a break interrupted carries on where the break ends; its own start
            # (shifted by the break) lies before that, by the time it had already run
            return PhaseWalk(seg0, end_s, (seg, step, max(start_s, prev_end_s)))
        if step is not prev[0]:
            steps_seen += 1
            if steps_seen > 2 and not in_phase:
                break
        prev = (step, seg)
        prev_end_s = start_s + seg.duration_s
    return PhaseWalk(seg0, end_s)


def phase_clock(ahead: Ahead, now_s: float) -> PhaseClock | None:
    """The clock at ``now_s`` from the segments ahead (None when nothing runs)."""
    found = walk(ahead)
    return found.at(now_s) if found is not None else None
