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

    def text(self, direction: Direction | None) -> str:
        """The reason in words for the user, for effort in ``direction``."""
        return self.value.format(direction=direction.value if direction else "this direction")


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
        return "" if self.missing is None else self.missing.text(self.direction)


class EffortModel:
    """Computes effort % for a sensor with given capabilities against a reference.

    What each direction divides by (or why it is not measured) is worked out once here, so a
    block costs a division and a multiplication (and a select when going by sign).
    """

    __slots__ = ("_capabilities", "_reference", "_rules")

    def __init__(self, *, reference: EffortReference, capabilities: Capabilities) -> None:
        self._reference = reference
        self._capabilities = capabilities
        self._rules: dict[Direction | None, _Rule] = {
            d: _rule(reference, capabilities, d) for d in (None, *Direction)
        }

    @property
    def reference(self) -> EffortReference:
        """The maxima effort is relative to."""
        return self._reference

    @property
    def capabilities(self) -> Capabilities:
        """Which directions the sensor can measure."""
        return self._capabilities

    def compute(self, *, force_n: FloatArray, direction: Direction | None) -> EffortResult:
        """Effort % for ``force_n``; ``direction`` is the drill's, or ``None`` to go by sign.

        With a direction, the signed force is divided by that direction's max, so a pull reads
        negative and pushing during a pull step reads positive. Without a direction, positive
        force is push and negative is pull, each against its own max.
        """
        rule = self._rules[direction]
        if isinstance(rule, NotMeasured):
            return EffortResult(np.full(force_n.shape, np.nan), rule, direction)
        at_or_above_zero_n, below_zero_n = rule
        if at_or_above_zero_n == below_zero_n:
            return EffortResult(force_n / at_or_above_zero_n * 100.0, None, direction)
        max_n = np.where(force_n >= 0, at_or_above_zero_n, below_zero_n)
        return EffortResult(force_n / max_n * 100.0, None, direction)

    def divisors(self, direction: Direction | None) -> tuple[float, float] | NotMeasured:
        """The maxima (N) force at or above zero and below zero is divided by, or why none.

        ``effort % = force / max × 100`` with that max, as :meth:`compute` does.
        """
        return self._rules[direction]


#: The maximum to divide by for force at or above zero and below zero, or why there is none.
_Rule = tuple[float, float] | NotMeasured


def _rule(
    reference: EffortReference, capabilities: Capabilities, direction: Direction | None
) -> _Rule:
    if direction is not None:
        if not capabilities.measures(direction):
            return NotMeasured.SENSOR_CANNOT_SEE
        max_n = reference.max_n(direction)
        return NotMeasured.NO_REFERENCE if max_n is None else (float(max_n), float(max_n))
    push = reference.push_max_n if capabilities.push else None
    pull = reference.pull_max_n if capabilities.pull else None
    if push is not None:
        return (float(push), float(push if pull is None else pull))
    if pull is not None:
        return (float(pull), float(pull))
    if capabilities.push or capabilities.pull:
        return NotMeasured.NO_REFERENCE
    return NotMeasured.SENSOR_CANNOT_SEE
