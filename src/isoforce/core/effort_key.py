"""What an effort percentage is relative to: movement, side, direction, position, and sensor abilities."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Direction(enum.Enum):
    """Direction of effort. Push (PAILs, into the block) reads positive; pull (RAILs) negative."""

    PUSH = "push"
    PULL = "pull"

    @property
    def sign(self) -> float:
        """+1 for push, -1 for pull: the sign a signed load cell reads in this direction."""
        return 1.0 if self is Direction.PUSH else -1.0


class Side(enum.Enum):
    """Body side."""

    LEFT = "left"
    RIGHT = "right"


class ReferenceKind(enum.Enum):
    """Which maximum a percentage refers to."""

    PAIN_FREE = "pain_free"
    MVIC = "mvic"


@dataclass(frozen=True, slots=True)
class MovementKey:
    """A movement as measured: e.g. ``hip-ir``, left, push, ``90-90``. Maxima are kept per key."""

    movement: str
    side: Side
    direction: Direction
    position: str = "default"

    def label(self) -> str:
        """A short human label like ``hip-ir left push @ 90-90``."""
        return f"{self.movement} {self.side.value} {self.direction.value} @ {self.position}"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a sensor can see. A compression-only cell cannot measure pull (RAILs, lift-offs)."""

    push: bool
    pull: bool
    imu: bool = False

    def measures(self, direction: Direction) -> bool:
        """Whether force in ``direction`` is measured by this sensor."""
        return self.push if direction is Direction.PUSH else self.pull

    def describe(self) -> str:
        """A short list like ``push, pull`` or ``IMU``."""
        parts = [
            name for name, ok in (("push", self.push), ("pull", self.pull), ("IMU", self.imu)) if ok
        ]
        return ", ".join(parts) if parts else "nothing"
