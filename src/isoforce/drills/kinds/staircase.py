"""``staircase``: raise the target a step at a time until pain or the ceiling.

The engine asks :attr:`KindTraits.finds_pain_free_max`: marking pain ends the staircase and the
last comfortable level becomes the pain-free max (the ceiling when no pain is marked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from isoforce.drills._reader import Reader
from isoforce.drills.kinds.base import (
    FORCE_KEYS,
    MAX_PCT,
    ForceStep,
    KindTraits,
    LevelText,
    LoadContext,
    StepKind,
    pct_levels,
    read_force_fields,
)
from isoforce.drills.segments import Phase, Segment

STAIRCASE_INSTRUCTION = "Raise effort one step at a time — mark any pinch"
MAX_LEVELS = 100
"""Most levels a staircase may have."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StaircaseStep(ForceStep):
    """Raise the target by ``step_pct`` every ``step_s`` up to ``ceiling_pct`` or until pain.

    Marking pain ends the staircase; the last comfortable level becomes the pain-free max.
    """

    kind: ClassVar[StepKind] = StepKind.STAIRCASE
    traits: ClassVar[KindTraits] = KindTraits(tracked=True, finds_pain_free_max=True)
    keys: ClassVar[frozenset[str]] = (
        FORCE_KEYS | {"step_pct", "step_s", "ceiling_pct"} | {"start_pct"}
    )
    step_pct: float = 10.0
    step_s: float = 2.0
    ceiling_pct: float = MAX_PCT
    start_pct: float | None = None
    """First level; ``None`` = one ``step_pct``."""
    instruction: str = STAIRCASE_INSTRUCTION
    in_newtons: bool = False
    """Set (never by a drill file) when the staircase climbs on the 100 N scale with no known
    max (:mod:`isoforce.drills.open_scale`): its % are newtons and it ends at pain or a plateau."""

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

    @property
    def peak_pct(self) -> float:
        """The highest level."""
        return max(self.levels)

    @property
    def end_level_pct(self) -> float | None:
        """A staircase that runs through ends at its ceiling."""
        return self.ceiling_pct

    def segments(self) -> tuple[Segment, ...]:
        """One flat segment (a rep) per level, named in % (in N on the 100 N scale)."""
        unit, spoken = ("N", "newtons") if self.in_newtons else ("%", "%")
        return tuple(
            Segment(
                Phase.STAIR,
                self.step_s,
                level,
                level,
                rep=i,
                rep_label=f"level {level:g} {unit}",
                ends_rep=True,
                cues=((0.0, f"{level:g} {spoken}"),),
            )
            for i, level in enumerate(self.levels)
        )

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``staircase push +10 % to 100 %`` or ``staircase push +20 N until pain or a plateau``."""
        if self.in_newtons:
            return f"staircase {self.direction.value} +{self.step_pct:g} N until pain or a plateau"
        return f"staircase {self.direction.value} +{self.step_pct:g} % to {levels((self.ceiling_pct,))}"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Direction, step size and time, ceiling and first level; at most 100 levels."""
        f = read_force_fields(r, ctx)
        above = ctx.allow_above
        step_pct = r.number("step_pct", 10.0, low=0.0, high=50.0)
        step_s = r.seconds("step_s", 2.0)
        ceiling = r.pct("ceiling_pct", MAX_PCT, allow_above=above, positive=True)
        first = r.opt_pct("start_pct", allow_above=above, positive=True)
        if first is not None and first > ceiling:
            raise r.error("start_pct", f"{first:g} % is above ceiling_pct ({ceiling:g} %)")
        stairs = cls(
            **f.step_fields(r, STAIRCASE_INSTRUCTION),
            step_pct=step_pct, step_s=step_s, ceiling_pct=ceiling, start_pct=first,
        )  # fmt: skip
        n = len(stairs.levels)
        if n > MAX_LEVELS:
            raise r.error("step_pct", f"makes {n} levels (at most {MAX_LEVELS})")
        return stairs
