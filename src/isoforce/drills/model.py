"""What a drill file describes: a drill and its steps, as frozen dataclasses.

Targets are percentages of the step's reference maximum (``reference``: the pain-free max by
default, or the MVIC), always unsigned here; the step's ``direction`` gives the sign (push
positive, pull negative). The word ``"max"`` in a drill file is :data:`MAX_PCT` (100 % of the
reference). Durations are seconds of drill time (pauses do not count).

Steps that load the block (ramp, hold, release, staircase, max_trial) carry a direction and a
reference. Passive, breaths and lift-off steps target zero force: relax, or no external load.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from isoforce.core.effort_key import Capabilities, Direction, ReferenceKind, Side

MAX_PCT = 100.0
"""The target ``"max"`` means 100 % of the step's reference maximum."""

DEFAULT_RAMP_RATE_PCT_PER_S = 5.0
"""Ramp speed used when a ramp or release gives neither ``seconds`` nor a rate (≈5 %/s)."""

PUSH_INSTRUCTION = "PAILs — drive the knee into the block"
PULL_INSTRUCTION = "RAILs — pull the knee away from the block"
PASSIVE_INSTRUCTION = "Passive stretch — relax and breathe"
BREATHS_INSTRUCTION = "Breathe slowly — relax into the position"
RELEASE_INSTRUCTION = "Release slowly to zero"
STAIRCASE_INSTRUCTION = "Raise effort one step at a time — mark any pinch"
MAX_TRIAL_INSTRUCTION = "Maximal effort — as hard as you can"
LIFT_OFF_INSTRUCTION = "Lift-offs — lift to end range, no momentum"
ROM_INSTRUCTION = "Slow rotations — to end range and back, no force"


class SideSpec(enum.Enum):
    """The side a drill is for; ``either`` lets the user choose when starting it."""

    LEFT = "left"
    RIGHT = "right"
    EITHER = "either"

    def as_side(self) -> Side | None:
        """The concrete :class:`Side`, or ``None`` for ``either``."""
        return None if self is SideSpec.EITHER else Side(self.value)


@dataclass(frozen=True, slots=True)
class SensorNeeds:
    """What the drill needs measured: push force, pull force, an IMU."""

    force_push: bool = True
    force_pull: bool = False
    imu: bool = False

    def missing(self, caps: Capabilities) -> tuple[str, ...]:
        """Names of the needs ``caps`` cannot meet (``force_push``, ``force_pull``, ``imu``)."""
        wanted = (
            ("force_push", self.force_push, caps.push),
            ("force_pull", self.force_pull, caps.pull),
            ("imu", self.imu, caps.imu),
        )
        return tuple(name for name, need, has in wanted if need and not has)


@dataclass(frozen=True, slots=True, kw_only=True)
class PassiveStep:
    """Relax in the stretch; force should stay near 0 for ``seconds``."""

    kind: ClassVar[str] = "passive"
    seconds: float
    instruction: str = PASSIVE_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class BreathsStep:
    """``count`` slow relaxed breaths of ``seconds_per_breath`` each; force near 0."""

    kind: ClassVar[str] = "breaths"
    count: int
    seconds_per_breath: float = 5.0
    instruction: str = BREATHS_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.count * self.seconds_per_breath


@dataclass(frozen=True, slots=True, kw_only=True)
class ForceStep:
    """Fields every step that loads the block shares."""

    kind: ClassVar[str] = "force"
    direction: Direction
    reference: ReferenceKind = ReferenceKind.PAIN_FREE
    band_pct: float | None = None
    """Half-width of the target band in % of the reference; ``None`` = the engine default."""
    instruction: str = PUSH_INSTRUCTION


@dataclass(frozen=True, slots=True, kw_only=True)
class RampStep(ForceStep):
    """Linear ramp ``from_pct`` → ``to_pct`` over ``seconds`` or at ``rate_pct_per_s``."""

    kind: ClassVar[str] = "ramp"
    from_pct: float = 0.0
    to_pct: float
    seconds: float | None = None
    rate_pct_per_s: float | None = None

    @property
    def duration_s(self) -> float:
        """``seconds`` if given, else the span divided by the rate (default 5 %/s)."""
        if self.seconds is not None:
            return self.seconds
        rate = self.rate_pct_per_s or DEFAULT_RAMP_RATE_PCT_PER_S
        return abs(self.to_pct - self.from_pct) / rate


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldStep(ForceStep):
    """Hold ``target_pct`` within ± ``band_pct`` for ``seconds``."""

    kind: ClassVar[str] = "hold"
    target_pct: float
    seconds: float

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseStep(ForceStep):
    """Controlled ramp down from ``from_pct`` to 0 over ``seconds`` or at ``rate_pct_per_s``."""

    kind: ClassVar[str] = "release"
    from_pct: float
    seconds: float | None = None
    rate_pct_per_s: float | None = None
    instruction: str = RELEASE_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """``seconds`` if given, else ``from_pct`` divided by the rate (default 5 %/s)."""
        if self.seconds is not None:
            return self.seconds
        return self.from_pct / (self.rate_pct_per_s or DEFAULT_RAMP_RATE_PCT_PER_S)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaircaseStep(ForceStep):
    """Raise the target by ``step_pct`` every ``step_s`` up to ``ceiling_pct`` or until pain.

    Marking pain ends the staircase; the last comfortable level becomes the pain-free max.
    """

    kind: ClassVar[str] = "staircase"
    step_pct: float = 10.0
    step_s: float = 2.0
    ceiling_pct: float = MAX_PCT
    start_pct: float | None = None
    """First level; ``None`` = one ``step_pct``."""
    instruction: str = STAIRCASE_INSTRUCTION

    @property
    def levels(self) -> tuple[float, ...]:
        """The target levels in order, ending exactly at ``ceiling_pct``."""
        first = self.step_pct if self.start_pct is None else self.start_pct
        out: list[float] = []
        k = 0
        while first + k * self.step_pct < self.ceiling_pct - 1e-9 and self.step_pct > 0:
            out.append(first + k * self.step_pct)
            k += 1
        out.append(self.ceiling_pct)
        return tuple(out)

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds when no pain is marked."""
        return len(self.levels) * self.step_s


@dataclass(frozen=True, slots=True, kw_only=True)
class MaxTrialStep(ForceStep):
    """``trials`` maximal efforts of ``seconds`` each, ``rest_s`` apart, after ``ready_s``."""

    kind: ClassVar[str] = "max_trial"
    reference: ReferenceKind = ReferenceKind.MVIC
    seconds: float = 5.0
    rest_s: float = 60.0
    trials: int = 3
    ready_s: float = 5.0
    target_pct: float = MAX_PCT
    instruction: str = MAX_TRIAL_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.ready_s + self.trials * self.seconds + (self.trials - 1) * self.rest_s


@dataclass(frozen=True, slots=True, kw_only=True)
class LiftOffStep:
    """``count`` lift-offs to end range without the block; the last is held ``hold_last_s``.

    Every lift-off is lowered over ``lower_s``, the last one too, so the set (and a drill
    that ends with it) finishes with the leg back down and every lift-off complete.
    """

    kind: ClassVar[str] = "lift_off"
    count: int = 3
    hold_last_s: float = 5.0
    lift_s: float = 3.0
    lower_s: float = 3.0
    instruction: str = LIFT_OFF_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.count * (self.lift_s + self.lower_s) + self.hold_last_s


@dataclass(frozen=True, slots=True, kw_only=True)
class RomStep:
    """Range-of-motion assessment (CARs-style): slow rotations to each end range and back.

    Each rep rotates to the internal-rotation end range over ``rotate_s`` (reaching it and
    staying there), comes back to the start over ``return_s``, then does the same into
    external rotation; ``directions`` limits it to one side of the range. No load: the IMU
    measures the angles, and the furthest rotation each way is the step's result.
    """

    kind: ClassVar[str] = "rom"
    reps: int = 2
    rotate_s: float = 8.0
    return_s: float = 5.0
    directions: tuple[str, ...] = ("ir", "er")
    instruction: str = ROM_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.reps * len(self.directions) * (self.rotate_s + self.return_s)


ROM_DIRECTIONS = ("ir", "er")
"""Rotation directions a ROM step measures: internal (angle > 0) and external (angle < 0)."""

LeafStep = (
    PassiveStep
    | BreathsStep
    | RampStep
    | HoldStep
    | ReleaseStep
    | StaircaseStep
    | MaxTrialStep
    | LiftOffStep
    | RomStep
)
"""A step that runs on its own (everything but ``repeat``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatStep:
    """Run ``steps`` ``times`` times; every pass is its own set and is scored on its own."""

    kind: ClassVar[str] = "repeat"
    times: int
    steps: tuple[Step, ...]

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.times * sum(step.duration_s for step in self.steps)


Step = LeafStep | RepeatStep
"""Any step a drill file can hold."""

FORCE_STEP_TYPES = (RampStep, HoldStep, ReleaseStep, StaircaseStep, MaxTrialStep)
"""Step classes that load the block and so carry a direction."""


def peak_target_pct(step: LeafStep) -> float:
    """Highest nominal target a leaf step asks for (0 for steps that target no force)."""
    if isinstance(step, RampStep):
        return max(step.from_pct, step.to_pct)
    if isinstance(step, HoldStep | MaxTrialStep):
        return step.target_pct
    if isinstance(step, ReleaseStep):
        return step.from_pct
    if isinstance(step, StaircaseStep):
        return max(step.levels)
    return 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Drill:
    """A drill: what it trains, what it needs, and its steps in order."""

    name: str
    movement: str
    steps: tuple[Step, ...]
    title: str = ""
    description: str = ""
    side: SideSpec = SideSpec.EITHER
    position: str = "default"
    sensors: SensorNeeds = SensorNeeds()
    reference: ReferenceKind = ReferenceKind.PAIN_FREE
    """Reference for steps that do not name one (max trials default to the MVIC)."""
    allow_above_max: bool = False
    source: str = ""
    """Where the drill was loaded from (a path or ``builtin:NAME``), for messages."""

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds, without pauses or pain rests."""
        return sum(step.duration_s for step in self.steps)

    def leaves(self) -> Iterator[LeafStep]:
        """Every leaf step in running order, with repeat blocks unrolled."""
        return iter_leaves(self.steps)


def iter_leaves(steps: tuple[Step, ...]) -> Iterator[LeafStep]:
    """Leaf steps of ``steps`` in running order, with repeat blocks unrolled."""
    for step in steps:
        if isinstance(step, RepeatStep):
            for _ in range(step.times):
                yield from iter_leaves(step.steps)
        else:
            yield step
