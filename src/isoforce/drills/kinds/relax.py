"""Relaxed steps: ``passive`` (stay in the stretch) and ``breaths`` (slow relaxed breaths).

Both target zero force: any force there is unwanted, and the leg should stay still.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from isoforce.drills._reader import Reader
from isoforce.drills.kinds.base import (
    COMMON_KEYS,
    KindTraits,
    LeafStep,
    LevelText,
    LoadContext,
    StepKind,
    pct_levels,
    read_instruction,
)
from isoforce.drills.segments import Phase, Segment, counted_cues

PASSIVE_INSTRUCTION = "Passive stretch — relax and breathe"
BREATHS_INSTRUCTION = "Breathe slowly — relax into the position"


@dataclass(frozen=True, slots=True, kw_only=True)
class PassiveStep(LeafStep):
    """Relax in the stretch; force should stay near 0 for ``seconds``."""

    kind: ClassVar[StepKind] = StepKind.PASSIVE
    traits: ClassVar[KindTraits] = KindTraits()
    keys: ClassVar[frozenset[str]] = COMMON_KEYS | {"seconds"}
    seconds: float
    instruction: str = PASSIVE_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.seconds

    def segments(self) -> tuple[Segment, ...]:
        """One relaxed segment with a closing countdown."""
        cues = counted_cues("relax", self.seconds)
        return (Segment(Phase.PASSIVE, self.seconds, cues=cues),)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``passive 120 s``."""
        return f"passive {self.seconds:g} s"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """``seconds`` (required) and ``instruction``."""
        return cls(
            seconds=r.seconds("seconds"), instruction=read_instruction(r, PASSIVE_INSTRUCTION)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BreathsStep(LeafStep):
    """``count`` slow relaxed breaths of ``seconds_per_breath`` each; force near 0."""

    kind: ClassVar[StepKind] = StepKind.BREATHS
    traits: ClassVar[KindTraits] = KindTraits()
    keys: ClassVar[frozenset[str]] = COMMON_KEYS | {"count", "seconds_per_breath"}
    count: int
    seconds_per_breath: float = 5.0
    instruction: str = BREATHS_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.count * self.seconds_per_breath

    def segments(self) -> tuple[Segment, ...]:
        """One segment (a rep) per breath: in, then out half way."""
        half = self.seconds_per_breath / 2.0
        return tuple(
            Segment(
                Phase.BREATH,
                self.seconds_per_breath,
                rep=i,
                rep_label=f"breath {i + 1}/{self.count}",
                ends_rep=True,
                cues=((0.0, f"breathe in {i + 1}"), (half, "breathe out")),
            )
            for i in range(self.count)
        )

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``breaths ×5``."""
        return f"breaths ×{self.count}"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """``count`` (required), ``seconds_per_breath`` and ``instruction``."""
        return cls(
            count=r.integer("count", None, low=1, high=30),
            seconds_per_breath=r.number("seconds_per_breath", 5.0, low=0.0, high=30.0),
            instruction=read_instruction(r, BREATHS_INSTRUCTION),
        )
