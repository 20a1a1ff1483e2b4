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
        magnitude = np.abs(force_n)
        if not np.isfinite(magnitude).any():
            return
        i = int(np.nanargmax(magnitude))
        if math.isnan(self.force_n) or magnitude[i] > abs(self.force_n):
            self.force_n = float(force_n[i])
            self.effort_pct = float(effort_pct[i])
            self.t_s = float(t_s[i])


__all__ = ["PeakHold"]
