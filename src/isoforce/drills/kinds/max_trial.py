"""``max_trial``: maximal efforts (an MVIC test), each rep scored by its best means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from isoforce.core.effort_key import ReferenceKind
from isoforce.drills._reader import Reader
from isoforce.drills.kinds.base import (
    COMMON_KEYS,
    MAX_PCT,
    ForceStep,
    KindTraits,
    LevelText,
    LoadContext,
    StepKind,
    pct_levels,
    read_force_fields,
)
from isoforce.drills.segments import GET_READY, Phase, Segment, counted_cues

MAX_TRIAL_INSTRUCTION = "Maximal effort — as hard as you can"


@dataclass(frozen=True, slots=True, kw_only=True)
class MaxTrialStep(ForceStep):
    """``trials`` maximal efforts of ``seconds`` each, ``rest_s`` apart, after ``ready_s``."""

    kind: ClassVar[StepKind] = StepKind.MAX_TRIAL
    traits: ClassVar[KindTraits] = KindTraits(measures_mvic=True)
    keys: ClassVar[frozenset[str]] = COMMON_KEYS | {"direction", "reference", "target_pct"} | {
        "seconds", "rest_s", "trials", "ready_s"
    }  # fmt: skip
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

    @property
    def peak_pct(self) -> float:
        """The effort's target (100 %)."""
        return self.target_pct

    def segments(self) -> tuple[Segment, ...]:
        """Ready → trial → rest → trial … (no rest after the last trial)."""
        segs: list[Segment] = []
        if self.ready_s > 0:
            cues = counted_cues(GET_READY, self.ready_s)
            segs.append(Segment(Phase.READY, self.ready_s, banded=False, scored=False, cues=cues))
        for i in range(self.trials):
            segs.append(
                Segment(
                    Phase.EFFORT,
                    self.seconds,
                    self.target_pct,
                    self.target_pct,
                    banded=False,
                    rep=i,
                    rep_label=f"trial {i + 1}/{self.trials}",
                    ends_rep=True,
                    cues=counted_cues("go — max effort", self.seconds),
                )
            )
            if i < self.trials - 1 and self.rest_s > 0:
                cues = counted_cues("rest", self.rest_s)
                segs.append(Segment(Phase.REST, self.rest_s, banded=False, scored=False, cues=cues))
        return tuple(segs)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``max trial push 3×5 s``."""
        return f"max trial {self.direction.value} {self.trials}×{self.seconds:g} s"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Direction (reference: the MVIC unless named), trials, their length and rests."""
        f = read_force_fields(r, ctx, reference=ReferenceKind.MVIC)
        return cls(
            **f.step_fields(r, MAX_TRIAL_INSTRUCTION),
            target_pct=r.pct("target_pct", MAX_PCT, allow_above=ctx.allow_above, positive=True),
            seconds=r.seconds("seconds", 5.0), rest_s=r.seconds("rest_s", 60.0, allow_zero=True),
            trials=r.integer("trials", 3, low=1, high=10),
            ready_s=r.seconds("ready_s", 5.0, allow_zero=True),
        )  # fmt: skip
