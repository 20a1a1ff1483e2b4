"""Per-session bookkeeping of the IMU: MMG calibration points and the estimate's error.

In dual mode (a load cell and an IMU at once) the load cell is the truth: every sample where
both the cell measures and the IMU estimates goes into :class:`DualModeAccumulator`, which
reports how far the estimate was from the cell over the session and how often the cell's
value fell inside the estimate's band. Both numbers are what a user needs before trusting an
IMU-only session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray
from isoforce.errors import CalibrationError


def calibration_rms_g(*, rms_g: FloatArray, usable: NDArray[np.bool_]) -> float:
    """The MMG level of one calibration effort: the median RMS over its usable samples.

    ``usable`` marks samples whose whole RMS window was still (see
    :class:`~isoforce.signal.imu.mmg.MmgBlock`: refusal ``NONE`` or ``NOT_CALIBRATED``).
    """
    values = np.asarray(rms_g, dtype=np.float64)[np.asarray(usable, dtype=bool)]
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise CalibrationError("no still samples in this calibration effort: hold still and retry")
    return float(np.median(values))


@dataclass(frozen=True, slots=True)
class DualModeReport:
    """How the IMU estimate compared with the load cell over a session (effort magnitudes, %).

    ``rmse_pct``, ``bias_pct`` (estimate − cell, mean) and ``mae_pct`` are over ``n`` samples
    where both had a value; ``in_band_fraction`` is the share of them where the cell's value
    lay inside the estimate's band.
    """

    n: int
    rmse_pct: float
    bias_pct: float
    mae_pct: float
    in_band_fraction: float

    def summary(self) -> str:
        """One line for a report."""
        if self.n == 0:
            return "IMU estimate vs load cell: no samples where both measured"
        return (
            f"IMU estimate vs load cell: RMS error {self.rmse_pct:.1f} % of max, "
            f"bias {self.bias_pct:+.1f} %, cell inside the band {100 * self.in_band_fraction:.0f} % "
            f"of the time ({self.n} samples)"
        )


class DualModeAccumulator:
    """Running error of the IMU estimate against the load cell (chunk by chunk)."""

    def __init__(self) -> None:
        self._n = 0
        self._sum = 0.0
        self._sum_sq = 0.0
        self._sum_abs = 0.0
        self._in_band = 0

    def update(
        self,
        *,
        estimate_pct: FloatArray,
        low_pct: FloatArray,
        high_pct: FloatArray,
        load_cell_pct: FloatArray,
    ) -> None:
        """Add one chunk; the cell's effort is compared as a magnitude (push or pull)."""
        cell = np.abs(np.asarray(load_cell_pct, dtype=np.float64))
        est = np.asarray(estimate_pct, dtype=np.float64)
        both = np.isfinite(cell) & np.isfinite(est)
        if not both.any():
            return
        err = est[both] - cell[both]
        inside = (cell[both] >= np.asarray(low_pct)[both]) & (
            cell[both] <= np.asarray(high_pct)[both]
        )
        self._n += int(err.size)
        self._sum += float(err.sum())
        self._sum_sq += float(np.dot(err, err))
        self._sum_abs += float(np.abs(err).sum())
        self._in_band += int(np.count_nonzero(inside))

    def report(self) -> DualModeReport:
        """The session's numbers so far (NaN errors with no samples)."""
        if self._n == 0:
            return DualModeReport(0, math.nan, math.nan, math.nan, math.nan)
        n = self._n
        return DualModeReport(
            n,
            math.sqrt(self._sum_sq / n),
            self._sum / n,
            self._sum_abs / n,
            self._in_band / n,
        )
