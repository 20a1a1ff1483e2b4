"""``lift_off``: lift the leg to end range without the block, lower it; hold the last one.

No load: the IMU's detected lift-offs score it (:mod:`isoforce.drills.lift_off_imu`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from isoforce.drills._reader import Reader
from isoforce.drills.kinds.base import (
    COMMON_KEYS,
    ImuNeed,
    KindTraits,
    LeafStep,
    LevelText,
    LoadContext,
    StepKind,
    pct_levels,
    read_instruction,
)
from isoforce.drills.segments import Phase, Segment, counted_cues

LIFT_OFF_INSTRUCTION = "Lift-offs — lift to end range, no momentum"


@dataclass(frozen=True, slots=True, kw_only=True)
class LiftOffStep(LeafStep):
    """``count`` lift-offs to end range without the block; the last is held ``hold_last_s``.

    Every lift-off is lowered over ``lower_s``, the last one too, so the set (and a drill
    that ends with it) finishes with the leg back down and every lift-off complete.
    """

    kind: ClassVar[StepKind] = StepKind.LIFT_OFF
    traits: ClassVar[KindTraits] = KindTraits(
        isometric=False, counts_lift_offs=True, imu=ImuNeed.WANTED
    )
    keys: ClassVar[frozenset[str]] = COMMON_KEYS | {"count", "hold_last_s", "lift_s", "lower_s"}
    count: int = 3
    hold_last_s: float = 5.0
    lift_s: float = 3.0
    lower_s: float = 3.0
    instruction: str = LIFT_OFF_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.count * (self.lift_s + self.lower_s) + self.hold_last_s

    def segments(self) -> tuple[Segment, ...]:
        """Every rep is lift → (hold, for the last) → lower: the set ends with the leg down."""
        segs: list[Segment] = []
        for i in range(self.count):
            held = i == self.count - 1 and self.hold_last_s > 0
            label = f"lift-off {i + 1}/{self.count}"
            segs.append(
                Segment(
                    Phase.LIFT,
                    self.lift_s,
                    banded=False,
                    rep=i,
                    rep_label=label,
                    ends_rep=not held,
                    cues=((0.0, f"lift {i + 1}"),),
                )
            )
            if held:
                cues = counted_cues("hold — breathe", self.hold_last_s)
                segs.append(
                    Segment(
                        Phase.LIFT_HOLD,
                        self.hold_last_s,
                        banded=False,
                        rep=i,
                        rep_label=label,
                        ends_rep=True,
                        cues=cues,
                    )
                )
            lower = Segment(
                Phase.LOWER, self.lower_s, banded=False, scored=False, cues=((0.0, "lower"),)
            )
            segs.append(lower)
        return tuple(segs)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``lift-offs ×3``."""
        return f"lift-offs ×{self.count}"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """Count, lift, lower and last-hold times."""
        return cls(
            count=r.integer("count", 3, low=1, high=20),
            hold_last_s=r.seconds("hold_last_s", 5.0, allow_zero=True),
            lift_s=r.seconds("lift_s", 3.0),
            lower_s=r.seconds("lower_s", 3.0),
            instruction=read_instruction(r, LIFT_OFF_INSTRUCTION),
        )
