"""A drill unrolled into the flat list of timed segments the engine runs.

Every leaf step (repeat blocks unrolled, so each pass is its own step) becomes a
:class:`PlanStep` with one or more :class:`Segment` s: a hold is one segment, a max test is
ready → trial → rest → trial …, a lift-off set is lift → lower → lift … → hold. A segment's
target moves linearly from ``start_pct`` to ``end_pct`` (nominal % of the step's reference,
before pain regression and clamping) over ``duration_s``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.model import (
    BreathsStep,
    Drill,
    ForceStep,
    HoldStep,
    LeafStep,
    LiftOffStep,
    MaxTrialStep,
    PassiveStep,
    RampStep,
    ReleaseStep,
    RepeatStep,
    RomStep,
    StaircaseStep,
    Step,
    peak_target_pct,
)

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


@dataclass(frozen=True, slots=True)
class PlanStep:
    """A leaf step as run: its place in the drill, resolved band, and segments."""

    index: int
    """Position in the flat plan; the per-sample ``step_index``."""
    step: LeafStep
    top_index: int
    """Index of the drill-file step it comes from (the repeat block for repeated steps)."""
    rep_path: tuple[int, ...]
    """0-based pass numbers of the enclosing repeat blocks, outermost first."""
    direction: Direction | None
    reference: ReferenceKind | None
    band_pct: float
    segments: tuple[Segment, ...]
    reps_ending: tuple[str, ...]
    """Repeat passes this step completes, e.g. ``("pass 2/3",)``."""
    label: str

    @property
    def kind(self) -> str:
        """The step kind as written in drill files (``hold``, ``ramp`` …)."""
        return self.step.kind

    @property
    def instruction(self) -> str:
        """The short instruction shown while the step runs."""
        return self.step.instruction

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return sum(seg.duration_s for seg in self.segments)

    @property
    def peak_pct(self) -> float:
        """Highest nominal target the step asks for."""
        return peak_target_pct(self.step)


def countdown(duration_s: float) -> tuple[Cue, ...]:
    """Countdown cues "3", "2", "1" in the last three seconds of a segment of 4 s or more."""
    if duration_s < COUNTDOWN_MIN_S:
        return ()
    return tuple((duration_s - k, str(k)) for k in (3, 2, 1))


def _max_trial_segments(step: MaxTrialStep) -> list[Segment]:
    segs: list[Segment] = []
    if step.ready_s > 0:
        cues = ((0.0, "get ready"), *countdown(step.ready_s))
        segs.append(Segment(Phase.READY, step.ready_s, banded=False, scored=False, cues=cues))
    for i in range(step.trials):
        label = f"trial {i + 1}/{step.trials}"
        segs.append(
            Segment(
                Phase.EFFORT,
                step.seconds,
                step.target_pct,
                step.target_pct,
                banded=False,
                rep=i,
                rep_label=label,
                ends_rep=True,
                cues=((0.0, "go — max effort"), *countdown(step.seconds)),
            )
        )
        if i < step.trials - 1 and step.rest_s > 0:
            cues = ((0.0, "rest"), *countdown(step.rest_s))
            segs.append(Segment(Phase.REST, step.rest_s, banded=False, scored=False, cues=cues))
    return segs


def _lift_off_segments(step: LiftOffStep) -> list[Segment]:
    """Every rep is lift → (hold, for the last) → lower: the set ends with the leg back down."""
    segs: list[Segment] = []
    for i in range(step.count):
        held = i == step.count - 1 and step.hold_last_s > 0
        label = f"lift-off {i + 1}/{step.count}"
        segs.append(
            Segment(
                Phase.LIFT,
                step.lift_s,
                banded=False,
                rep=i,
                rep_label=label,
                ends_rep=not held,
                cues=((0.0, f"lift {i + 1}"),),
            )
        )
        if held:
            cues = ((0.0, "hold — breathe"), *countdown(step.hold_last_s))
            segs.append(
                Segment(
                    Phase.LIFT_HOLD,
                    step.hold_last_s,
                    banded=False,
                    rep=i,
                    rep_label=label,
                    ends_rep=True,
                    cues=cues,
                )
            )
        segs.append(
            Segment(Phase.LOWER, step.lower_s, banded=False, scored=False, cues=((0.0, "lower"),))
        )
    return segs


_ROTATE = {
    "ir": (Phase.ROTATE_IN, "IR", "rotate inward — slowly to end range"),
    "er": (Phase.ROTATE_OUT, "ER", "rotate outward — slowly to end range"),
}


def _rom_segments(step: RomStep) -> list[Segment]:
    segs: list[Segment] = []
    for i in range(step.reps):
        for direction in step.directions:
            phase, short, cue = _ROTATE[direction]
            label = f"{short} {i + 1}/{step.reps}"
            segs.append(
                Segment(
                    phase,
                    step.rotate_s,
                    banded=False,
                    rep=len(segs) // 2,
                    rep_label=label,
                    ends_rep=True,
                    cues=((0.0, cue), (step.rotate_s / 2, "stay at end range")),
                )
            )
            segs.append(
                Segment(
                    Phase.RETURN,
                    step.return_s,
                    banded=False,
                    scored=False,
                    cues=((0.0, "back to the start"),),
                )
            )
    return segs


def segments_of(step: LeafStep) -> tuple[Segment, ...]:
    """The timed segments of one leaf step."""
    if isinstance(step, PassiveStep):
        cues = ((0.0, "relax"), *countdown(step.seconds))
        return (Segment(Phase.PASSIVE, step.seconds, cues=cues),)
    if isinstance(step, BreathsStep):
        half = step.seconds_per_breath / 2.0
        return tuple(
            Segment(
                Phase.BREATH,
                step.seconds_per_breath,
                rep=i,
                rep_label=f"breath {i + 1}/{step.count}",
                ends_rep=True,
                cues=((0.0, f"breathe in {i + 1}"), (half, "breathe out")),
            )
            for i in range(step.count)
        )
    if isinstance(step, RampStep):
        d = step.duration_s
        return (Segment(Phase.RAMP, d, step.from_pct, step.to_pct, cues=((0.0, "ramp"),)),)
    if isinstance(step, HoldStep):
        cues = ((0.0, "hold"), *countdown(step.seconds))
        return (Segment(Phase.HOLD, step.seconds, step.target_pct, step.target_pct, cues=cues),)
    if isinstance(step, ReleaseStep):
        cues = ((0.0, "release"), *countdown(step.duration_s))
        return (Segment(Phase.RELEASE, step.duration_s, step.from_pct, 0.0, cues=cues),)
    if isinstance(step, StaircaseStep):
        levels = step.levels
        return tuple(
            Segment(
                Phase.STAIR,
                step.step_s,
                level,
                level,
                rep=i,
                rep_label=f"level {level:g} %",
                ends_rep=True,
                cues=((0.0, f"{level:g} %"),),
            )
            for i, level in enumerate(levels)
        )
    if isinstance(step, MaxTrialStep):
        return tuple(_max_trial_segments(step))
    if isinstance(step, RomStep):
        return tuple(_rom_segments(step))
    return tuple(_lift_off_segments(step))


def describe(step: LeafStep) -> str:
    """A one-line label such as ``hold push 50 % 20 s``."""
    if isinstance(step, PassiveStep):
        return f"passive {step.seconds:g} s"
    if isinstance(step, BreathsStep):
        return f"breaths ×{step.count}"
    if isinstance(step, LiftOffStep):
        return f"lift-offs ×{step.count}"
    if isinstance(step, RomStep):
        return f"range of motion {'+'.join(step.directions).upper()} ×{step.reps}"
    d = step.direction.value
    if isinstance(step, RampStep):
        return f"ramp {d} {step.from_pct:g}→{step.to_pct:g} %"
    if isinstance(step, HoldStep):
        return f"hold {d} {step.target_pct:g} % {step.seconds:g} s"
    if isinstance(step, ReleaseStep):
        return f"release {d} {step.from_pct:g}→0 %"
    if isinstance(step, StaircaseStep):
        return f"staircase {d} +{step.step_pct:g} % to {step.ceiling_pct:g} %"
    return f"max trial {d} {step.trials}×{step.seconds:g} s"


@dataclass
class _Draft:
    step: LeafStep
    top_index: int
    rep_path: tuple[int, ...]
    reps_ending: list[str] = field(default_factory=list)


def _unroll(steps: tuple[Step, ...], top: int | None, path: tuple[int, ...]) -> list[_Draft]:
    out: list[_Draft] = []
    for i, step in enumerate(steps):
        top_index = i if top is None else top
        if isinstance(step, RepeatStep):
            for p in range(step.times):
                inner = _unroll(step.steps, top_index, (*path, p))
                if inner:
                    inner[-1].reps_ending.append(f"pass {p + 1}/{step.times}")
                out.extend(inner)
        else:
            out.append(_Draft(step, top_index, path))
    return out


def build_plan(
    drill: Drill, *, default_band_pct: float, passive_band_pct: float
) -> tuple[PlanStep, ...]:
    """Unroll ``drill`` into plan steps, resolving each step's band."""
    plan: list[PlanStep] = []
    for index, draft in enumerate(_unroll(drill.steps, None, ())):
        step = draft.step
        if isinstance(step, ForceStep):
            direction: Direction | None = step.direction
            reference: ReferenceKind | None = step.reference
            band = step.band_pct if step.band_pct is not None else default_band_pct
        else:
            direction, reference, band = None, None, passive_band_pct
        passes = " ".join(f"pass {p + 1}" for p in draft.rep_path)
        label = f"{describe(step)} ({passes})" if passes else describe(step)
        plan.append(
            PlanStep(
                index=index,
                step=step,
                top_index=draft.top_index,
                rep_path=draft.rep_path,
                direction=direction,
                reference=reference,
                band_pct=band,
                segments=segments_of(step),
                reps_ending=tuple(draft.reps_ending),
                label=label,
            )
        )
    return tuple(plan)
