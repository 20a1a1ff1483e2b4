"""``hold``: hold a target within its band for a time (the PAILs/RAILs contraction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from isoforce.drills._reader import Reader
from isoforce.drills.kinds.base import (
    FORCE_KEYS,
    ForceStep,
    KindTraits,
    LevelText,
    LoadContext,
    StepKind,
    pct_levels,
    read_force_fields,
)
from isoforce.drills.segments import Phase, Segment, counted_cues


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldStep(ForceStep):
    """Hold ``target_pct`` within ± ``band_pct`` for ``seconds``."""

    kind: ClassVar[StepKind] = StepKind.HOLD
    traits: ClassVar[KindTraits] = KindTraits(tracked=True, steady=True)
    keys: ClassVar[frozenset[str]] = FORCE_KEYS | {"target_pct", "seconds"}
    target_pct: float
    seconds: float

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.seconds

    @property
    def peak_pct(self) -> float:
        """The held target."""
        return self.target_pct

    @property
    def end_level_pct(self) -> float | None:
        """A hold ends at its target."""
        return self.target_pct

    def segments(self) -> tuple[Segment, ...]:
        """One flat segment with a closing countdown."""
        cues = counted_cues("hold", self.seconds)
        return (Segment(Phase.HOLD, self.seconds, self.target_pct, self.target_pct, cues=cues),)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``hold push 50 % 20 s``."""
        return f"hold {self.direction.value} {levels((self.target_pct,))} {self.seconds:g} s"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Direction, ``target_pct`` and ``seconds`` (both required)."""
        f = read_force_fields(r, ctx)
        target = r.pct("target_pct", None, allow_above=ctx.allow_above)
        seconds = r.seconds("seconds")
        return cls(**f.step_fields(r), target_pct=target, seconds=seconds)
