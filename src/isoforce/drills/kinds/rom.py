"""``rom``: range-of-motion assessment (CARs-style), measured by the IMU.

It cannot run without an IMU (:attr:`ImuNeed.REQUIRED`); the furthest rotation held each way
is its result (:func:`isoforce.drills.imu_scores.score_rom_step`), kept per side.
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
from isoforce.drills.segments import Phase, Segment

ROM_INSTRUCTION = "Slow rotations — to end range and back, no force"
ROM_DIRECTIONS = ("ir", "er")
"""Rotation directions a ROM step measures: internal (angle > 0) and external (angle < 0)."""
_CHOICES = {"both": ("ir", "er"), "ir": ("ir",), "er": ("er",)}
_ROTATE = {
    "ir": (Phase.ROTATE_IN, "IR", "rotate inward — slowly to end range"),
    "er": (Phase.ROTATE_OUT, "ER", "rotate outward — slowly to end range"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RomStep(LeafStep):
    """Range-of-motion assessment (CARs-style): slow rotations to each end range and back.

    Each rep rotates to the internal-rotation end range over ``rotate_s`` (reaching it and
    staying there), comes back to the start over ``return_s``, then does the same into
    external rotation; ``directions`` limits it to one side of the range. No load: the IMU
    measures the angles, and the furthest rotation each way is the step's result.
    """

    kind: ClassVar[StepKind] = StepKind.ROM
    traits: ClassVar[KindTraits] = KindTraits(
        isometric=False, records_rom=True, imu=ImuNeed.REQUIRED
    )
    keys: ClassVar[frozenset[str]] = COMMON_KEYS | {"reps", "rotate_s", "return_s", "directions"}
    reps: int = 2
    rotate_s: float = 8.0
    return_s: float = 5.0
    directions: tuple[str, ...] = ROM_DIRECTIONS
    instruction: str = ROM_INSTRUCTION

    @property
    def duration_s(self) -> float:
        """Nominal duration in seconds."""
        return self.reps * len(self.directions) * (self.rotate_s + self.return_s)

    def segments(self) -> tuple[Segment, ...]:
        """Per rep and direction: rotate (a rep, held at end range) → return."""
        segs: list[Segment] = []
        for i in range(self.reps):
            for direction in self.directions:
                phase, short, cue = _ROTATE[direction]
                segs.append(
                    Segment(
                        phase,
                        self.rotate_s,
                        banded=False,
                        rep=len(segs) // 2,
                        rep_label=f"{short} {i + 1}/{self.reps}",
                        ends_rep=True,
                        cues=((0.0, cue), (self.rotate_s / 2, "stay at end range")),
                    )
                )
                segs.append(
                    Segment(
                        Phase.RETURN,
                        self.return_s,
                        banded=False,
                        scored=False,
                        cues=((0.0, "back to the start"),),
                    )
                )
        return tuple(segs)

    def describe(self, levels: LevelText = pct_levels) -> str:
        """E.g. ``range of motion IR+ER ×2``."""
        return f"range of motion {'+'.join(self.directions).upper()} ×{self.reps}"

    @classmethod
    def load(cls, r: Reader, ctx: LoadContext) -> Self:
        """``directions`` (both, ir or er), reps and timings."""
        which = r.string("directions", "both")
        if which not in _CHOICES:
            raise r.error("directions", f"unknown value {which!r} (expected one of: both, ir, er)")
        return cls(
            reps=r.integer("reps", 2, low=1, high=10),
            rotate_s=r.seconds("rotate_s", 8.0),
            return_s=r.seconds("return_s", 5.0),
            directions=_CHOICES[which],
            instruction=read_instruction(r, ROM_INSTRUCTION),
        )
