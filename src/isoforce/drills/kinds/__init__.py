"""The step-kind registry: one class per leaf kind, each in its own module here.

Adding a kind: write its module (a frozen dataclass deriving from
:class:`~isoforce.drills.kinds.base.LeafStep` or
:class:`~isoforce.drills.kinds.base.ForceStep`, declaring its keys, loader, segments, label and
:class:`~isoforce.drills.kinds.base.KindTraits`), add its name to
:class:`~isoforce.drills.kinds.base.StepKind` and its class to :data:`LEAF_TYPES`. Everything
else (loader, plan, engine, scoring, reports, front ends) asks this registry or the step.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from isoforce.drills.kinds.base import KindTraits, LeafStep, StepKind
from isoforce.drills.kinds.hold import HoldStep
from isoforce.drills.kinds.lift_off import LiftOffStep
from isoforce.drills.kinds.max_trial import MaxTrialStep
from isoforce.drills.kinds.ramp import RampStep, ReleaseStep
from isoforce.drills.kinds.relax import BreathsStep, PassiveStep
from isoforce.drills.kinds.rom import RomStep
from isoforce.drills.kinds.staircase import StaircaseStep

LEAF_TYPES: tuple[type[LeafStep], ...] = (
    PassiveStep,
    BreathsStep,
    RampStep,
    HoldStep,
    ReleaseStep,
    StaircaseStep,
    MaxTrialStep,
    LiftOffStep,
    RomStep,
)
"""Every leaf step class, in the order the kinds are listed to users."""

LEAF_BY_KIND: Mapping[StepKind, type[LeafStep]] = MappingProxyType(
    {cls.kind: cls for cls in LEAF_TYPES}
)
"""The class of each leaf kind (every kind but ``repeat``)."""


class UnknownStepKindError(LookupError):
    """A kind no step class is registered for (a programming error, not a user's)."""


def leaf_type(kind: StepKind | str) -> type[LeafStep]:
    """The step class of a leaf kind; :class:`UnknownStepKindError` for anything else."""
    try:
        return LEAF_BY_KIND[StepKind(kind)]
    except (KeyError, ValueError):
        raise UnknownStepKindError(f"no leaf step kind {kind!r}") from None


def traits_of(kind: StepKind | str) -> KindTraits:
    """The traits of a leaf kind (see :class:`KindTraits`)."""
    return leaf_type(kind).traits


__all__ = [
    "LEAF_BY_KIND",
    "LEAF_TYPES",
    "BreathsStep",
    "HoldStep",
    "KindTraits",
    "LeafStep",
    "LiftOffStep",
    "MaxTrialStep",
    "PassiveStep",
    "RampStep",
    "ReleaseStep",
    "RomStep",
    "StaircaseStep",
    "StepKind",
    "UnknownStepKindError",
    "leaf_type",
    "traits_of",
]
