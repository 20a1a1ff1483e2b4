"""What every step kind declares: its name, its traits, and the shape of a leaf step.

A step kind is one class (a frozen dataclass deriving from :class:`LeafStep`) in its own module
under :mod:`isoforce.drills.kinds`. The class holds everything kind-specific: its TOML keys and
how they are read and checked (:meth:`LeafStep.load`), how it unrolls into timed segments
(:meth:`LeafStep.segments`), its one-line label (:meth:`LeafStep.describe`), and the
:class:`KindTraits` the engine, scoring, IMU scoring, reports and front ends ask about instead
of comparing kind names.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self, TypedDict

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills._reader import Reader
from isoforce.drills.segments import Segment

MAX_PCT = 100.0
"""The target ``"max"`` means 100 % of the step's reference maximum."""
DEFAULT_RAMP_RATE_PCT_PER_S = 5.0
"""Ramp speed used when a ramp or release gives neither ``seconds`` nor a rate (≈5 %/s)."""
MAX_INSTRUCTION_CHARS = 60
"""Instructions must stay short enough to read from 2 m."""

LevelText = Callable[[Sequence[float]], str]
"""Writes a step's nominal levels (% of its reference) as a label shows them: ``0→50 %``."""


def pct_levels(levels: Sequence[float]) -> str:
    """Nominal levels as written in the drill file, e.g. ``0→50 %``."""
    return "→".join(f"{level:g}" for level in levels) + " %"


PUSH_INSTRUCTION = "PAILs — drive the knee into the block"
PULL_INSTRUCTION = "RAILs — pull the knee away from the block"


class StepKind(enum.StrEnum):
    """The ``kind`` of a drill-file step; every leaf kind has one class in the registry."""

    PASSIVE = "passive"
    BREATHS = "breaths"
    RAMP = "ramp"
    HOLD = "hold"
    RELEASE = "release"
    STAIRCASE = "staircase"
    MAX_TRIAL = "max_trial"
    LIFT_OFF = "lift_off"
    ROM = "rom"
    REPEAT = "repeat"


class ImuNeed(enum.Enum):
    """What a step kind needs from an IMU."""

    NONE = "none"
    WANTED = "wanted"
    """Scored from the IMU when there is one (a drill with it asks for an IMU)."""
    REQUIRED = "required"
    """Cannot run without one: the IMU *is* the measurement."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KindTraits:
    """What other layers ask about a step kind (never its name)."""

    isometric: bool = True
    """The leg should stay still (or relaxed): movement is a compensation and is reported."""
    tracked: bool = False
    """Follows a banded target: pooled into the drill's tracking scores."""
    steady: bool = False
    """Scored for steadiness (CV of the middle) over the whole step."""
    finds_pain_free_max: bool = False
    """Its end (or a pain mark) sets the pain-free max of its direction."""
    measures_mvic: bool = False
    """Each rep is a maximal effort; the best is an MVIC candidate."""
    records_rom: bool = False
    """Measures active end range (range of motion) from the IMU."""
    counts_lift_offs: bool = False
    """Scored by the lift-offs the IMU detects."""
    imu: ImuNeed = ImuNeed.NONE

    @property
    def saves_side_records(self) -> bool:
        """Whether it finds something kept per side in the history (maxima, end ranges)."""
        return self.finds_pain_free_max or self.measures_mvic or self.records_rom


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadContext:
    """What a step's loader needs besides its own table."""

    allow_above: bool
    """The drill allows targets above 100 % of the reference."""
    reference: ReferenceKind
    """The drill's default reference."""
    prev_direction: Direction | None = None
    """Direction of the step just before (in the same list), if it loads the block."""
    prev_level_pct: float | None = None
    """Level the step just before ends at, if it ends loaded (what a release starts from)."""


class LeafStep(abc.ABC):
    """A step that runs on its own; subclasses are frozen dataclasses, one per kind."""

    __slots__ = ()

    kind: ClassVar[StepKind]
    traits: ClassVar[KindTraits]
    keys: ClassVar[frozenset[str]]
    """The TOML keys a step of this kind may have (``kind`` and ``instruction`` included)."""
    duration_key: ClassVar[str | None] = None
    """The key blamed when the step lasts too long (``None``: the step's table)."""
    instruction: str

    @property
    @abc.abstractmethod
    def duration_s(self) -> float:
        """Nominal duration in seconds."""

    @abc.abstractmethod
    def segments(self) -> tuple[Segment, ...]:
        """The timed segments the step runs as."""

    @abc.abstractmethod
    def describe(self, levels: LevelText = pct_levels) -> str:
        """A one-line label such as ``hold push 50 % 20 s``.

        ``levels`` writes the step's targets: the drill engine passes one that writes the
        targets it actually runs (after pain caps, on the newton scale, …).
        """

    @property
    def peak_pct(self) -> float:
        """Highest nominal target the step asks for (0 for steps that target no force)."""
        return 0.0

    @property
    def end_level_pct(self) -> float | None:
        """The level the step ends loaded at, for a following release (``None``: unloaded)."""
        return None

    @classmethod
    @abc.abstractmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Read and check one step table (its keys already checked against :attr:`keys`)."""


COMMON_KEYS = frozenset({"kind", "instruction"})
"""Keys every leaf step may have."""
FORCE_KEYS = COMMON_KEYS | {"direction", "reference", "band_pct"}
"""Keys every step that loads the block may have."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ForceStep(LeafStep):
    """Fields every step that loads the block shares."""

    direction: Direction
    reference: ReferenceKind = ReferenceKind.PAIN_FREE
    band_pct: float | None = None
    """Half-width of the target band in % of the reference; ``None`` = the engine default."""
    instruction: str = PUSH_INSTRUCTION


@dataclass(frozen=True, slots=True, kw_only=True)
class ForceFields:
    """The shared fields of a force step as read from its table."""

    direction: Direction
    reference: ReferenceKind
    band_pct: float | None

    @property
    def instruction(self) -> str:
        """The default instruction for the direction (PAILs or RAILs)."""
        return PUSH_INSTRUCTION if self.direction is Direction.PUSH else PULL_INSTRUCTION

    def step_fields(self, r: Reader, instruction: str | None = None) -> ForceStepFields:
        """These fields and the step's ``instruction``, as keyword arguments of its class.

        The instruction is read now (so after whatever the loader read before); it defaults
        to ``instruction``, or without one to the direction's (:attr:`instruction`).
        """
        default = self.instruction if instruction is None else instruction
        return ForceStepFields(
            direction=self.direction,
            reference=self.reference,
            band_pct=self.band_pct,
            instruction=read_instruction(r, default),
        )


class ForceStepFields(TypedDict):
    """The fields every :class:`ForceStep` has, as keyword arguments of a step class."""

    direction: Direction
    reference: ReferenceKind
    band_pct: float | None
    instruction: str


def read_instruction(r: Reader, default: str) -> str:
    """The step's ``instruction`` (short enough to read from 2 m), or ``default``."""
    return r.string("instruction", default, max_len=MAX_INSTRUCTION_CHARS)


def read_force_fields(
    r: Reader,
    ctx: LoadContext,
    *,
    follow_previous: bool = False,
    reference: ReferenceKind | None = None,
) -> ForceFields:
    """Direction, reference and band of a force step.

    ``follow_previous`` lets the direction default to the previous step's; ``reference``
    replaces the drill's default reference.
    """
    if follow_previous and ctx.prev_direction is not None:
        direction = r.choice("direction", Direction, ctx.prev_direction)
    else:
        direction = r.choice("direction", Direction)
    ref = r.choice("reference", ReferenceKind, ctx.reference if reference is None else reference)
    band = r.number("band_pct", 0.0, low=0.0, high=50.0) or None
    return ForceFields(direction=direction, reference=ref, band_pct=band)


def read_rate(r: Reader) -> float | None:
    """``rate_pct_per_s`` (%/s), refused together with ``seconds``; ``None`` when absent."""
    if r.has("seconds") and r.has("rate_pct_per_s"):
        raise r.error("rate_pct_per_s", "give either seconds or rate_pct_per_s, not both")
    return r.number("rate_pct_per_s", 0.0, low=0.0, high=50.0) or None
