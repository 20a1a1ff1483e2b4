"""Effort metrics: steadiness, target tracking and limb symmetry.

Every function is pure numpy, keyword-only and vectorised (no per-sample Python loops), so it
runs on an hour at 1 kHz. Inputs are 1-D float arrays sampled evenly at ``fs_hz``. Metrics
defined in seconds on a force–time curve (best 0.5/1 s means, impulse, onset, time to peak,
RFD) live in :mod:`isoforce.signal.curve`, on the real sample times, and so do the peak and the
mean (:func:`isoforce.signal.curve.peak`, :func:`isoforce.signal.curve.sample_mean`): each
metric has one implementation.

Units: arguments are named ``force_n`` but any force-like unit works (kgf, lbf, %MVC, ...); the
results are then in that unit (SD in unit).

Conventions:

- a metric the data cannot define (too short, no rise, zero mean, empty) is ``nan`` and an index
  that does not exist is ``None``; these are not errors;
- programmer errors raise ``ValueError``: ``fs_hz <= 0``, arrays that are not 1-D, mismatched
  lengths, fractions out of range;
- NaN samples inside a force array propagate into the metrics that read them. Only
  ``tracking_error`` and ``time_in_band`` give NaN a meaning (ignored / out of band).

Definitions follow ``domain-science.md`` sections 2.4-2.5 (CV on the detrended middle of a
hold, CE/AE/VE and time in band, LSI and BAI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Side
from isoforce.signal.curve import sample_durations_s

FloatArray = NDArray[np.float64]

_NAN = float("nan")


# ---- validation helpers ----


def _as_1d(values: FloatArray, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    return arr


def _check_fs(fs_hz: float) -> None:
    if not (math.isfinite(fs_hz) and fs_hz > 0):
        raise ValueError(f"fs_hz must be a positive finite number, got {fs_hz!r}")


def _pair(actual: FloatArray, target: FloatArray) -> tuple[FloatArray, FloatArray]:
    a = _as_1d(actual, "actual")
    t = _as_1d(target, "target")
    if a.shape != t.shape:
        raise ValueError(f"actual and target differ in length: {a.size} vs {t.size}")
    return a, t


# ---- steadiness ----


@dataclass(frozen=True, slots=True)
class SteadinessResult:
    """Coefficient of variation (%) of a detrended segment, its SD and its (raw) mean."""

    cv_pct: float
    sd: float
    mean: float


def steadiness_cv(
    *, force_n: FloatArray, fs_hz: float, middle_fraction: float = 0.5
) -> SteadinessResult:
    """Force steadiness of a hold as CV = SD / |mean| × 100 (section 2.4).

    Steps: take the centred ``round(middle_fraction · n)`` samples (0.5 of a 20-s hold is its
    middle 10 s); remove a least-squares straight line (fatigue drift); ``sd`` is the population
    SD of the residuals and ``mean`` the mean of the segment before detrending.

    All fields are ``nan`` when the segment has fewer than 3 samples; ``cv_pct`` alone is ``nan``
    when the mean is zero for practical purposes (below 1e-12 of the largest |sample|).
    """
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    if not 0.0 < middle_fraction <= 1.0:
        raise ValueError(f"middle_fraction must be in (0, 1], got {middle_fraction!r}")
    m = round(x.size * middle_fraction)
    if m < 3:
        return SteadinessResult(_NAN, _NAN, _NAN)
    start = (x.size - m) // 2
    y = x[start : start + m]
    mean = float(np.mean(y))
    t = np.arange(m, dtype=np.float64) - (m - 1) / 2.0  # centred, so the fit is decoupled
    yc = y - mean
    slope = float(np.dot(t, yc) / np.dot(t, t))
    sd = float(np.sqrt(np.mean((yc - slope * t) ** 2)))
    scale = float(np.max(np.abs(y)))
    cv = sd / abs(mean) * 100.0 if abs(mean) > 1e-12 * scale else _NAN
    return SteadinessResult(cv, sd, mean)


# ---- target tracking ----


@dataclass(frozen=True, slots=True)
class TrackingResult:
    """Error of a trace against its target, in the trace's unit (section 2.4)."""

    rmse: float
    constant_error: float
    absolute_error: float
    variable_error: float


@dataclass(frozen=True, slots=True)
class BandResult:
    """Share of samples within the band and the equivalent time in seconds."""

    fraction: float
    seconds: float


def tracking_error(*, actual: FloatArray, target: FloatArray) -> TrackingResult:
    """Compare ``actual`` with an equally long ``target`` through the error ``e = actual − target``.

    - ``constant_error`` CE = mean(e) (signed bias),
    - ``absolute_error`` AE = mean(|e|),
    - ``variable_error`` VE = √(mean((e − CE)²)), the population SD of the error around its own
      mean (the per-sample reading of VFE in [M17]; equals the SD of ``actual`` for a flat
      target),
    - ``rmse`` = √(mean(e²)); note rmse² = CE² + VE².

    Samples where either array is NaN (or infinite) are ignored. All fields are ``nan`` when no
    sample is left.
    """
    a, t = _pair(actual, target)
    e = (a - t)[np.isfinite(a) & np.isfinite(t)]
    if e.size == 0:
        return TrackingResult(_NAN, _NAN, _NAN, _NAN)
    ce = float(np.mean(e))
    return TrackingResult(
        rmse=float(np.sqrt(np.mean(e * e))),
        constant_error=ce,
        absolute_error=float(np.mean(np.abs(e))),
        variable_error=float(np.sqrt(np.mean((e - ce) ** 2))),
    )


def time_in_band(
    *, actual: FloatArray, target: FloatArray, band: float, t_s: FloatArray
) -> BandResult:
    """Time within ``|actual − target| <= band`` (band in the trace's unit, e.g. 5 for ±5 %MVC).

    Measured in seconds on the samples' real times ``t_s``, not in sample counts: each sample
    stands for the interval to the next one (:func:`isoforce.signal.curve.sample_durations_s`;
    a gap counts as one usual interval), so unevenly sampled traces are judged by time.
    ``seconds`` is the time in band and ``fraction`` its share of the trace's time; a sample
    where either array is NaN counts as out of band (a dropout is not on target). Empty input
    (or a single sample) gives ``fraction = nan`` and ``seconds = 0.0``.
    """
    a, t = _pair(actual, target)
    times = _as_1d(t_s, "t_s")
    if times.shape != a.shape:
        raise ValueError(f"t_s and actual differ in length: {times.size} vs {a.size}")
    if not (math.isfinite(band) and band >= 0):
        raise ValueError(f"band must be a finite number >= 0, got {band!r}")
    weights = sample_durations_s(times)
    total = float(np.sum(weights))
    if total <= 0:
        return BandResult(_NAN, 0.0)
    with np.errstate(invalid="ignore"):
        inside = float(np.sum(weights[np.abs(a - t) <= band]))
    return BandResult(inside / total, inside)


# ---- limb symmetry ----


@dataclass(frozen=True, slots=True)
class SymmetryResult:
    """Three asymmetry views of one left/right pair (section 2.5).

    ``lsi_pct`` = weaker / stronger × 100; ``diff_pct`` = (R − L) / max(R, L) × 100, positive
    when the right side is stronger; ``bilateral_asymmetry_index_pct`` = (R − L) / ((R + L) / 2)
    × 100; ``stronger`` is the stronger side, ``None`` when equal or undefined.
    """

    lsi_pct: float
    diff_pct: float
    bilateral_asymmetry_index_pct: float
    stronger: Side | None


def limb_symmetry(*, left: float, right: float) -> SymmetryResult:
    """Limb symmetry of two non-negative side values (any unit, the same for both).

    Reports both the LSI and the signed difference so the direction stays visible. Both sides
    zero, or a NaN side (e.g. a metric that was undefined), gives ``nan`` fields and ``None``.
    Raises ``ValueError`` for a negative side.
    """
    left, right = float(left), float(right)
    if left < 0 or right < 0:
        raise ValueError(f"side values must be >= 0, got left={left!r}, right={right!r}")
    stronger_value = max(left, right)
    if math.isnan(left) or math.isnan(right) or stronger_value == 0:
        return SymmetryResult(_NAN, _NAN, _NAN, None)
    side = Side.RIGHT if right > left else Side.LEFT if left > right else None
    return SymmetryResult(
        lsi_pct=min(left, right) / stronger_value * 100.0,
        diff_pct=(right - left) / stronger_value * 100.0,
        bilateral_asymmetry_index_pct=200.0 * (right - left) / (right + left),
        stronger=side,
    )
