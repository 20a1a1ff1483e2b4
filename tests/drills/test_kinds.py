"""The step-kind registry: one class per kind, and other layers ask it instead of names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

import pytest

from isoforce.drills import load_builtin
from isoforce.drills._reader import Reader
from isoforce.drills.kinds import (
    LEAF_BY_KIND,
    LEAF_TYPES,
    PassiveStep,
    StepKind,
    UnknownStepKindError,
    leaf_type,
    traits_of,
)
from isoforce.drills.kinds.base import ImuNeed, KindTraits, LeafStep, LoadContext
from isoforce.drills.model import Drill
from isoforce.drills.plan import build_plan
from isoforce.drills.segments import Segment


def test_every_kind_but_repeat_has_exactly_one_class() -> None:
    assert set(LEAF_BY_KIND) == set(StepKind) - {StepKind.REPEAT}
    assert len(LEAF_TYPES) == len(LEAF_BY_KIND)
    for kind, cls in LEAF_BY_KIND.items():
        assert cls.kind is kind and leaf_type(str(kind)) is cls
        assert {"kind", "instruction"} <= cls.keys
        assert cls.duration_key is None or cls.duration_key in cls.keys


def test_an_unknown_kind_is_a_lookup_error_not_a_fallthrough() -> None:
    for kind in ("yoga", "repeat", ""):
        with pytest.raises(UnknownStepKindError, match="no leaf step kind"):
            traits_of(kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Stranger(LeafStep):
    """A leaf step class nobody registered, borrowing a registered kind."""

    kind: ClassVar[StepKind] = StepKind.PASSIVE
    traits: ClassVar[KindTraits] = KindTraits()
    keys: ClassVar[frozenset[str]] = frozenset({"kind", "instruction"})
    instruction: str = "?"

    @property
    def duration_s(self) -> float:
        return 1.0

    def segments(self) -> tuple[Segment, ...]:
        return ()

    def describe(self) -> str:
        return "stranger"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        return cls()


def test_the_plan_refuses_steps_the_registry_does_not_know() -> None:
    drill = Drill(name="x", movement="hip-ir", steps=(PassiveStep(seconds=1), _Stranger()))
    with pytest.raises(UnknownStepKindError, match="_Stranger is not registered"):
        build_plan(drill, default_band_pct=5.0, passive_band_pct=5.0)
    bogus = Drill(name="x", movement="hip-ir", steps=("hold",))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a drill step"):
        build_plan(bogus, default_band_pct=5.0, passive_band_pct=5.0)


def test_registry_questions_about_the_builtin_drills() -> None:
    side_records = {
        name: load_builtin(name).saves_side_records
        for name in ("hip-rom", "max-test", "tension-drill", "low-intensity", "pails-rails-hip")
    }
    assert side_records == {
        "hip-rom": True,  # end ranges
        "max-test": True,  # MVIC
        "tension-drill": True,  # pain-free max from the staircase
        "low-intensity": False,
        "pails-rails-hip": False,
    }
    assert load_builtin("hip-rom").requires_imu
    assert not load_builtin("pails-rails-hip").requires_imu  # lift-offs want an IMU, not need it
    assert load_builtin("pails-rails-hip").sensors.imu


def test_traits_say_what_the_old_kind_lists_said() -> None:
    kinds = list(LEAF_BY_KIND)
    isometric = {k for k in kinds if traits_of(k).isometric}
    assert isometric == set(kinds) - {StepKind.LIFT_OFF, StepKind.ROM}
    tracked = {k for k in kinds if traits_of(k).tracked}
    assert tracked == {StepKind.RAMP, StepKind.HOLD, StepKind.RELEASE, StepKind.STAIRCASE}
    side = {k for k in kinds if traits_of(k).saves_side_records}
    assert side == {StepKind.STAIRCASE, StepKind.MAX_TRIAL, StepKind.ROM}
    assert {k for k in kinds if traits_of(k).imu is ImuNeed.REQUIRED} == {StepKind.ROM}
