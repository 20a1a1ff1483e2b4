"""Moving targets: ``ramp`` (from one level to another) and ``release`` (controlled to zero).

Both take ``seconds`` or a rate (``rate_pct_per_s``, ≈5 %/s by default); a release starts by
default from where the step before it ended, in the same direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from isoforce.drills._reader import Reader
from isoforce.drills.kinds.base import (
    DEFAULT_RAMP_RATE_PCT_PER_S,
    FORCE_KEYS,
    ForceStep,
    KindTraits,
    LevelText,
    LoadContext,
    StepKind,
    pct_levels,
    read_force_fields,
    read_rate,
)
from isoforce.drills.segments import Phase, Segment, counted_cues

RELEASE_INSTRUCTION = "Release slowly to zero"
_TIMING_KEYS = {"seconds", "rate_pct_per_s"}


@dataclass(frozen=True, slots=True, kw_only=True)
class RampStep(ForceStep):
    """Linear ramp ``from_pct`` → ``to_pct`` over ``seconds`` or at ``rate_pct_per_s``."""

    kind: ClassVar[StepKind] = StepKind.RAMP
    traits: ClassVar[KindTraits] = KindTraits(tracked=True)
    keys: ClassVar[frozenset[str]] = FORCE_KEYS | {"from_pct", "to_pct"} | _TIMING_KEYS
    duration_key: ClassVar[str | None] = "rate_pct_per_s"
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

    @property
    def peak_pct(self) -> float:
        """The higher end of the ramp."""
        return max(self.from_pct, self.to_pct)

    @property
    def end_level_pct(self) -> float | None:
        """A ramp ends at ``to_pct``."""
        return self.to_pct

    def segments(self) -> tuple[Segment, ...]:
        """One linear segment."""
        d = self.duration_s
        return (Segment(Phase.RAMP, d, self.from_pct, self.to_pct, cues=((0.0, "ramp"),)),)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``ramp push 0→50 %``."""
        return f"ramp {self.direction.value} {levels((self.from_pct, self.to_pct))}"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Direction, levels (different), and ``seconds`` or a rate."""
        f = read_force_fields(r, ctx)
        start = r.pct("from_pct", 0.0, allow_above=ctx.allow_above)
        end = r.pct("to_pct", None, allow_above=ctx.allow_above)
        if end == start:
            raise r.error("to_pct", f"equals from_pct ({start:g} %): use a hold")
        seconds, rate = r.opt_seconds("seconds"), read_rate(r)
        return cls(
            **f.step_fields(r), from_pct=start, to_pct=end, seconds=seconds, rate_pct_per_s=rate
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseStep(ForceStep):
    """Controlled ramp down from ``from_pct`` to 0 over ``seconds`` or at ``rate_pct_per_s``."""

    kind: ClassVar[StepKind] = StepKind.RELEASE
    traits: ClassVar[KindTraits] = KindTraits(tracked=True)
    keys: ClassVar[frozenset[str]] = FORCE_KEYS | {"from_pct"} | _TIMING_KEYS
    duration_key: ClassVar[str | None] = "rate_pct_per_s"
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

    @property
    def peak_pct(self) -> float:
        """The level released from."""
        return self.from_pct

    def segments(self) -> tuple[Segment, ...]:
        """One linear segment down to zero."""
        cues = counted_cues("release", self.duration_s)
        return (Segment(Phase.RELEASE, self.duration_s, self.from_pct, 0.0, cues=cues),)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``release push 50→0 %``."""
        return f"release {self.direction.value} {levels((self.from_pct, 0.0))}"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Direction and level default to the previous step's; ``seconds`` or a rate."""
        f = read_force_fields(r, ctx, follow_previous=True)
        level = ctx.prev_level_pct
        if not r.has("from_pct") and not level:
            raise r.error("from_pct", "missing: no load before this step to release from")
        start = r.pct("from_pct", level, allow_above=ctx.allow_above, positive=True)
        seconds, rate = r.opt_seconds("seconds"), read_rate(r)
        return cls(
            **f.step_fields(r, RELEASE_INSTRUCTION),
            from_pct=start, seconds=seconds, rate_pct_per_s=rate,
        )  # fmt: skip
