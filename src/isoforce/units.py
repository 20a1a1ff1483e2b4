"""Force units and conversions.

The pipeline works in newtons; kilograms-force and pounds-force are display and import units.
Standard gravity is the exact value defined by the CGPM (9.80665 m/s²); the pound is exactly
0.45359237 kg (international yard and pound agreement, 1959).
"""

from __future__ import annotations

import enum
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

STANDARD_GRAVITY_M_S2 = 9.80665
POUND_KG = 0.45359237
N_PER_KGF = STANDARD_GRAVITY_M_S2
N_PER_LBF = POUND_KG * STANDARD_GRAVITY_M_S2

_ArrayOrFloat = TypeVar("_ArrayOrFloat", float, NDArray[np.float64])


class ForceUnit(enum.Enum):
    """A unit of force the user can read or enter values in."""

    N = "N"
    KGF = "kgf"
    LBF = "lbf"

    @property
    def newtons(self) -> float:
        """How many newtons one of this unit is."""
        return _N_PER_UNIT[self]

    @classmethod
    def parse(cls, text: str) -> ForceUnit:
        """Read a unit name as users type it (``N``, ``kg``, ``kgf``, ``lb``, ``lbf``, ``lbs``)."""
        key = text.strip().lower()
        aliases = {
            "n": cls.N,
            "kg": cls.KGF,
            "kgf": cls.KGF,
            "lb": cls.LBF,
            "lbs": cls.LBF,
            "lbf": cls.LBF,
        }
        try:
            return aliases[key]
        except KeyError:
            raise ValueError(f"unknown force unit {text!r} (use N, kgf or lbf)") from None


_N_PER_UNIT = {ForceUnit.N: 1.0, ForceUnit.KGF: N_PER_KGF, ForceUnit.LBF: N_PER_LBF}


def to_newtons(value: _ArrayOrFloat, unit: ForceUnit) -> _ArrayOrFloat:
    """Convert a force in ``unit`` to newtons."""
    return value * unit.newtons


def from_newtons(force_n: _ArrayOrFloat, unit: ForceUnit) -> _ArrayOrFloat:
    """Convert a force in newtons to ``unit``."""
    return force_n / unit.newtons
