"""What a drill file describes: a drill and its steps, as frozen dataclasses.

Targets are percentages of the step's reference maximum (``reference``: the pain-free max by
default, or the MVIC), always unsigned here; the step's ``direction`` gives the sign (push
positive, pull negative). The word ``"max"`` in a drill file is
:data:`~isoforce.drills.kinds.base.MAX_PCT` (100 % of the reference). Durations are seconds of
drill time (pauses do not count).

Each leaf step kind is one class in its own module of :mod:`isoforce.drills.kinds`, and is
imported from there; steps that load the block derive from
:class:`~isoforce.drills.kinds.base.ForceStep` and carry a direction and a reference. This module
adds what is not a kind of its own: ``repeat`` blocks and the drill.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from isoforce.core.effort_key import Capabilities, Direction, ReferenceKind, Side
from isoforce.drills.kinds.base import ForceStep, ImuNeed, LeafStep, StepKind

__all__ = [
    "Drill",
    "RepeatStep",
    "SensorNeeds",
    "SideSpec",
    "Step",
    "count_leaves",
    "iter_leaves",
]


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

    @classmethod
    def of_steps(cls, steps: tuple[Step, ...]) -> SensorNeeds:
        """What ``steps`` need: force in each direction they load, an IMU if a kind wants one."""
        leaves = list(iter_leaves(steps, once=True))
        directions = {s.direction for s in leaves if isinstance(s, ForceStep)}
        return cls(
            force_push=Direction.PUSH in directions,
            force_pull=Direction.PULL in directions,
            imu=any(s.traits.imu is not ImuNeed.NONE for s in leaves),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatStep:
    """Run ``steps`` ``times`` times; every pass is its own set and is scored on its own."""

    kind: ClassVar[StepKind] = StepKind.REPEAT
    times: int
    steps: tuple[Step, ...]

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.times * sum(step.duration_s for step in self.steps)

    @property
    def n_leaves(self) -> int:
        """How many leaf steps the block runs (counted, not unrolled)."""
        return self.times * count_leaves(self.steps)


Step = LeafStep | RepeatStep
"""Any step a drill file can hold."""


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
        """Nominal duration in seconds, without pauses or breaks (pain holds, cramp rests)."""
        return sum(step.duration_s for step in self.steps)

    @property
    def n_plan_steps(self) -> int:
        """How many steps the drill runs, repeat blocks unrolled (counted, not unrolled)."""
        return count_leaves(self.steps)

    @property
    def saves_side_records(self) -> bool:
        """Whether a step finds something kept per side (a maximum, an end range)."""
        return any(leaf.traits.saves_side_records for leaf in iter_leaves(self.steps, once=True))

    @property
    def requires_imu(self) -> bool:
        """Whether a step cannot run without an IMU (the IMU is its measurement)."""
        return any(
            leaf.traits.imu is ImuNeed.REQUIRED for leaf in iter_leaves(self.steps, once=True)
        )

    def leaves(self) -> Iterator[LeafStep]:
        """Every leaf step in running order, with repeat blocks unrolled."""
        return iter_leaves(self.steps)


def count_leaves(steps: tuple[Step, ...]) -> int:
    """How many leaf steps ``steps`` run, repeat blocks counted without unrolling them."""
    return sum(step.n_leaves if isinstance(step, RepeatStep) else 1 for step in steps)


def iter_leaves(steps: tuple[Step, ...], *, once: bool = False) -> Iterator[LeafStep]:
    """Leaf steps of ``steps`` in running order, with repeat blocks unrolled.

    ``once`` yields the steps of a repeat block once instead of ``times`` times.
    """
    for step in steps:
        if isinstance(step, RepeatStep):
            for _ in range(1 if once else step.times):
                yield from iter_leaves(step.steps, once=once)
        else:
            yield step
