"""The check every IMU settings dataclass shares: all its numbers finite and positive."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any


def require_finite_fields(settings: Any, *, what: str, zero_ok: bool = False) -> None:
    """``ValueError`` unless every field of the dataclass ``settings`` is finite and > 0.

    With ``zero_ok`` a field may also be 0. ``what`` names the settings in the message.
    """
    values = [float(getattr(settings, f.name)) for f in fields(settings)]
    if not all(math.isfinite(v) and (v > 0.0 or (zero_ok and v == 0.0)) for v in values):
        raise ValueError(f"{what} must be finite and {'>=' if zero_ok else '>'} 0")
