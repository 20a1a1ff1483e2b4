"""Peak hold: the largest force (either direction) since the last reset, and when it came."""

from __future__ import annotations

import math

import numpy as np

from isoforce.core.samples import FloatArray


class PeakHold:
    """Keeps the sample of largest |force| seen since :meth:`reset`, with its effort %."""

    def __init__(self) -> None:
        self.force_n = math.nan
        self.effort_pct = math.nan
        self.t_s = math.nan

    def reset(self) -> None:
        """Forget the peak (the next sample starts a new one)."""
        self.force_n = self.effort_pct = self.t_s = math.nan

    def update(self, t_s: FloatArray, force_n: FloatArray, effort_pct: FloatArray) -> None:
        """Take a block of samples (NaN force, a gap or no force channel, is skipped)."""
        i = _largest(force_n)
        if i is None:
            return
        magnitude = abs(float(force_n[i]))
        if math.isnan(self.force_n) or magnitude > abs(self.force_n):
            self.force_n = float(force_n[i])
            self.effort_pct = float(effort_pct[i])
            self.t_s = float(t_s[i])


#: Up to this many samples a plain loop beats numpy's per-call cost.
_FEW = 16


def _largest(force_n: FloatArray) -> int | None:
    """The first sample of largest |force| ignoring NaN; None unless some |force| is finite."""
    if force_n.shape[0] > _FEW:
        magnitudes = np.abs(force_n)
        if not np.isfinite(magnitudes).any():
            return None
        return int(np.nanargmax(magnitudes))
    best, best_magnitude, finite = None, -1.0, False
    for j, value in enumerate(force_n.tolist()):
        magnitude = abs(value)
        finite = finite or math.isfinite(magnitude)
        if magnitude > best_magnitude:  # False for NaN; the first of equals is kept
            best, best_magnitude = j, magnitude
    return best if finite else None


__all__ = ["PeakHold"]
