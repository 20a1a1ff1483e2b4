"""Effort %: force in the drill's direction relative to the user's own maximum for that movement.

``effort % = force / reference max × 100``, signed: push positive, pull negative, each direction
with its own maximum. Where the sensor cannot see the effort (a compression-only cell during
RAILs) or no maximum is known, effort is *not measured* (NaN with a reason), never a false 0 %.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from isoforce.core.effort_key import Capabilities, Direction
from isoforce.core.samples import FloatArray


class NotMeasured(enum.Enum):
    """Why an effort value is missing."""

    SENSOR_CANNOT_SEE = "not force-measured: this sensor cannot measure {direction}"
    NO_REFERENCE = "no {direction} max set for this movement: run a max test or the tension drill"


@dataclass(frozen=True, slots=True)
class EffortReference:
    """The maxima effort is relative to, for one movement/side/position, in newtons."""

    push_max_n: float | None = None
    pull_max_n: float | None = None

    def __post_init__(self) -> None:
        for name, value in (("push", self.push_max_n), ("pull", self.pull_max_n)):
            if value is not None and not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} max must be a positive force, got {value}")

    def max_n(self, direction: Direction) -> float | None:
        """The maximum for one direction (``None`` if unknown)."""
        return self.push_max_n if direction is Direction.PUSH else self.pull_max_n


@dataclass(frozen=True, slots=True)
class EffortResult:
    """Signed effort % per sample (NaN where not measured) and why, if it is not measured."""

    effort_pct: FloatArray
    missing: NotMeasured | None = None
    direction: Direction | None = None

    @property
    def measured(self) -> bool:
        """Whether any sample carries a measured effort."""
        return self.missing is None

    def message(self) -> str:
        """A user-facing reason, empty when measured."""
        if self.missing is None:
            return ""
        return self.missing.value.format(
            direction=self.direction.value if self.direction else "this direction"
        )


class EffortModel:
    """Computes effort % for a sensor with given capabilities against a reference."""

    def __init__(self, *, reference: EffortReference, capabilities: Capabilities) -> None:
        self.reference = reference
        self.capabilities = capabilities

    def compute(self, *, force_n: FloatArray, direction: Direction | None) -> EffortResult:
        """Effort % for ``force_n``; ``direction`` is the drill's, or ``None`` to go by sign.

        With a direction, the signed force is divided by that direction's max, so a pull reads
        negative and pushing during a pull step reads positive. Without a direction, positive
        force is push and negative is pull, each against its own max.
        """
        if direction is not None:
            return self._directed(force_n, direction)
        out = np.full(force_n.shape, np.nan)
        push_max, pull_max = self.reference.push_max_n, self.reference.pull_max_n
        push_ok = self.capabilities.push and push_max is not None
        pull_ok = self.capabilities.pull and pull_max is not None
        if not push_ok and not pull_ok:
            missing = (
                NotMeasured.NO_REFERENCE
                if self.capabilities.push or self.capabilities.pull
                else NotMeasured.SENSOR_CANNOT_SEE
            )
            return EffortResult(out, missing, None)
        if push_ok and pull_ok:
            assert push_max is not None and pull_max is not None
            out = np.where(force_n >= 0, force_n / push_max, force_n / pull_max) * 100.0
        elif push_ok:
            assert push_max is not None
            out = force_n / push_max * 100.0
        else:
            assert pull_max is not None
            out = force_n / pull_max * 100.0
        return EffortResult(out, None, None)

    def _directed(self, force_n: FloatArray, direction: Direction) -> EffortResult:
        if not self.capabilities.measures(direction):
            return EffortResult(
                np.full(force_n.shape, np.nan), NotMeasured.SENSOR_CANNOT_SEE, direction
            )
        max_n = self.reference.max_n(direction)
        if max_n is None:
            return EffortResult(np.full(force_n.shape, np.nan), NotMeasured.NO_REFERENCE, direction)
        return EffortResult(force_n / max_n * 100.0, None, direction)
