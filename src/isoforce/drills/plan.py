"""A drill unrolled into the flat list of timed segments the engine runs.

Every leaf step (repeat blocks unrolled, so each pass is its own step) becomes a
:class:`PlanStep` with one or more :class:`Segment` s: a hold is one segment, a max test is
ready → trial → rest → trial …, a lift-off set is lift → lower → lift … → hold. A segment's
target moves linearly from ``start_pct`` to ``end_pct`` (nominal % of the step's reference,
before pain regression and clamping) over ``duration_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.kinds import UnknownStepKindError, leaf_type
from isoforce.drills.kinds.base import ForceStep, LeafStep, StepKind
from isoforce.drills.model import Drill, RepeatStep, Step
from isoforce.drills.segments import (
    COUNTDOWN_MIN_S,
    HOLD_SETTLE_S,
    JUMP_PCT,
    JUMP_SETTLE_S,
    Cue,
    Phase,
    Segment,
    countdown,
    settle_first,
)

__all__ = [
    "COUNTDOWN_MIN_S",
    "Cue",
    "Phase",
    "PlanStep",
    "Segment",
    "build_plan",
    "countdown",
    "with_passes",
]


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
    def kind(self) -> StepKind:
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
        return self.step.peak_pct


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
        elif isinstance(step, LeafStep):
            if leaf_type(step.kind) is not type(step):  # raises on an unknown kind
                raise UnknownStepKindError(f"{type(step).__name__} is not registered")
            out.append(_Draft(step, top_index, path))
        else:
            raise TypeError(f"not a drill step: {step!r}")
    return out


def _settled(
    step: LeafStep, direction: Direction | None, prev_level_pct: float
) -> tuple[tuple[Segment, ...], float]:
    """The step's segments with its settle window, and the signed level it ends at.

    Levels are signed nominal % (push +, pull −) so that a switch between directions is a jump.
    """
    segments = step.segments()
    sign = direction.sign if direction is not None else 0.0
    start = sign * segments[0].start_pct if segments else 0.0
    if abs(start - prev_level_pct) >= JUMP_PCT:
        settle_s = JUMP_SETTLE_S
    elif step.kind is StepKind.HOLD:
        settle_s = HOLD_SETTLE_S
    else:
        settle_s = 0.0
    end = sign * segments[-1].end_pct if segments else 0.0
    return settle_first(segments, settle_s), end


def with_passes(text: str, rep_path: tuple[int, ...]) -> str:
    """A step's label with the repeat passes it belongs to: ``hold push 50 % 20 s (pass 2)``."""
    passes = " ".join(f"pass {p + 1}" for p in rep_path)
    return f"{text} ({passes})" if passes else text


def build_plan(
    drill: Drill, *, default_band_pct: float, passive_band_pct: float
) -> tuple[PlanStep, ...]:
    """Unroll ``drill`` into plan steps, resolving each step's band and settle window.

    A hold's first second, and the first two seconds of any step whose target starts away from
    where the previous step ended (a switch between push and pull), settle unscored.
    """
    plan: list[PlanStep] = []
    level_pct = 0.0
    for index, draft in enumerate(_unroll(drill.steps, None, ())):
        step = draft.step
        if isinstance(step, ForceStep):
            direction: Direction | None = step.direction
            reference: ReferenceKind | None = step.reference
            band = step.band_pct if step.band_pct is not None else default_band_pct
        else:
            direction, reference, band = None, None, passive_band_pct
        segments, level_pct = _settled(step, direction, level_pct)
        label = with_passes(step.describe(), draft.rep_path)
        plan.append(
            PlanStep(
                index=index,
                step=step,
                top_index=draft.top_index,
                rep_path=draft.rep_path,
                direction=direction,
                reference=reference,
                band_pct=band,
                segments=segments,
                reps_ending=tuple(draft.reps_ending),
                label=label,
            )
        )
    return tuple(plan)
