"""When a staircase has gone as high as the athlete can: the plateau rule.

The tension drill raises the target a level at a time until pain or pinching. Without a known
maximum (a first session on a real sensor) the levels are open-ended, so the staircase must
also stop where the athlete cannot raise the force any further. At the end of every level the
force held over its last second (or its last half, for levels under 2 s) is compared with the
level: a level is **missed** when that force falls short of it by more than the band (or a
quarter of a step, if larger) *and* is no more than a quarter of a step above the best force
held so far. After ``plateau_levels`` missed levels in a row the staircase ends, and the best
force held is the pain-free max (a lower bound: the athlete stopped, nothing hurt).

Effort that is not measured (NaN) never counts as a miss. A staircase whose first
``plateau_levels`` levels were all unmeasured (a direction the sensor cannot see) ends there
with no pain-free max: rising blind would only ever reach the ceiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: The part of a level whose mean counts as what was held there, at most.
HELD_WINDOW_S = 1.0


@dataclass(slots=True)
class PlateauWatch:
    """Per staircase: the best force held so far and how many levels in a row were missed."""

    step_pct: float
    band_pct: float
    levels_to_stop: int
    best_pct: float = 0.0
    misses: int = 0
    #: Levels judged so far (a level split by a settle window counts once), and how many
    #: parts of them had force measured.
    levels: int = 0
    measured_levels: int = 0
    last_level_pct: float | None = None

    def level_done(
        self, level_pct: float, t_s: NDArray[np.float64], effort_pct: NDArray[np.float64]
    ) -> bool:
        """Judge one finished level (effort signed to the step's direction); True = plateau."""
        held = held_pct(t_s, effort_pct)
        if level_pct != self.last_level_pct:
            self.levels += 1
            self.last_level_pct = level_pct
        if held is None:
            self.misses = 0
            return False
        self.measured_levels += 1
        slack = max(self.band_pct, 0.25 * self.step_pct)
        raised = held > self.best_pct + 0.25 * self.step_pct
        missed = held < level_pct - slack and not raised
        self.best_pct = max(self.best_pct, held)
        self.misses = self.misses + 1 if missed else 0
        return self.misses >= self.levels_to_stop

    @property
    def blind(self) -> bool:
        """Whether the first ``levels_to_stop`` levels were all unmeasured: nothing to find."""
        return self.measured_levels == 0 and self.levels >= self.levels_to_stop


def held_pct(t_s: NDArray[np.float64], effort_pct: NDArray[np.float64]) -> float | None:
    """Mean effort over the last :data:`HELD_WINDOW_S` (at most half) of a level, or None."""
    if t_s.size == 0:
        return None
    span_s = float(t_s[-1] - t_s[0])
    window_s = min(HELD_WINDOW_S, span_s / 2) if span_s > 0 else 0.0
    tail = effort_pct[t_s >= t_s[-1] - window_s]
    finite = tail[np.isfinite(tail)]
    if finite.size == 0 or finite.size < tail.size / 2:
        return None
    value = float(finite.mean())
    return value if math.isfinite(value) else None
