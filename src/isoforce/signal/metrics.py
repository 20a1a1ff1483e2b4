"""Force-curve metrics: peaks, moving means, impulse, RFD, steadiness, tracking and symmetry.

Every function is pure numpy, keyword-only and vectorised (no per-sample Python loops), so it
runs on an hour at 1 kHz. Inputs are 1-D float arrays sampled evenly at ``fs_hz``.

Units: arguments are named ``force_n`` but any force-like unit works (kgf, lbf, %MVC, ...); the
results are then in that unit (RFD in unit/s, impulse in unit·s, SD in unit).

Conventions:

- a metric the data cannot define (too short, no rise, zero mean, empty) is ``nan`` and an index
  that does not exist is ``None``; these are not errors;
- programmer errors raise ``ValueError``: ``fs_hz <= 0``, non-positive windows, arrays that are
  not 1-D, mismatched lengths, an onset index outside the array, fractions out of range;
- NaN samples inside a force array propagate into the metrics that read them. Only
  ``tracking_error`` and ``time_in_band`` give NaN a meaning (ignored / out of band).

Definitions follow ``domain-science.md`` sections 2.1-2.5 (0-50/100/200-ms RFD windows, 20-ms
peak RFD, CV on the detrended middle of a hold, CE/AE/VE and time in band, LSI and BAI).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Side

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


def _window_samples(window_s: float, fs_hz: float, name: str) -> int:
    """Return the samples in a window: ``round(window_s * fs_hz)``, at least 1."""
    if not (math.isfinite(window_s) and window_s > 0):
        raise ValueError(f"{name} must be a positive finite number of seconds, got {window_s!r}")
    return max(1, round(window_s * fs_hz))


def _check_onset(onset_index: int, n: int) -> int:
    i = operator.index(onset_index)
    if not 0 <= i < n:
        raise ValueError(f"onset_index {onset_index} is outside the {n}-sample force array")
    return i


def _pair(actual: FloatArray, target: FloatArray) -> tuple[FloatArray, FloatArray]:
    a = _as_1d(actual, "actual")
    t = _as_1d(target, "target")
    if a.shape != t.shape:
        raise ValueError(f"actual and target differ in length: {a.size} vs {t.size}")
    return a, t


# ---- peaks and means ----


@dataclass(frozen=True, slots=True)
class PeakResult:
    """The largest sample and its index (first occurrence); ``nan``/``None`` for empty input."""

    value: float
    index: int | None


@dataclass(frozen=True, slots=True)
class WindowResult:
    """Best window mean; the window is ``force_n[start_index:end_index]`` (end exclusive)."""

    value: float
    start_index: int | None
    end_index: int | None


def peak(*, force_n: FloatArray) -> PeakResult:
    """Instantaneous peak (maximum) of ``force_n`` and its first index.

    Empty input gives ``PeakResult(nan, None)``. A NaN sample makes the result NaN.
    """
    x = _as_1d(force_n, "force_n")
    if x.size == 0:
        return PeakResult(_NAN, None)
    i = int(np.argmax(x))
    return PeakResult(float(x[i]), i)


def best_moving_mean(*, force_n: FloatArray, fs_hz: float, window_s: float) -> WindowResult:
    """Highest mean over any run of ``w = max(1, round(window_s * fs_hz))`` consecutive samples.

    Used with ``window_s=0.5`` and ``1.0`` for a spike-robust maximum (section 2.1). Returns
    ``nan``/``None`` when there are fewer than ``w`` samples or any sample is NaN. Ties (window
    sums equal to within 1e-12 of the running-sum scale, i.e. rounding noise) go to the earliest
    window.
    """
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    w = _window_samples(window_s, fs_hz, "window_s")
    if x.size < w:
        return WindowResult(_NAN, None, None)
    # Window sums from one cumulative sum. Subtracting the mean first keeps the running sum
    # small, so its rounding error (and the window sums') stays far below sensor resolution.
    csum = np.zeros(x.size + 1)
    np.cumsum(x - np.mean(x), out=csum[1:])
    sums = csum[w:] - csum[:-w]
    best = float(np.max(sums))
    if math.isnan(best):
        return WindowResult(_NAN, None, None)
    scale = max(float(np.max(csum)), -float(np.min(csum)))
    start = int(np.argmax(sums >= best - 1e-12 * scale))
    segment = x[start : start + w]
    # Recompute the winner exactly; clipping guards against the last-ulp rounding of a mean.
    value = float(np.clip(np.mean(segment), np.min(segment), np.max(segment)))
    return WindowResult(value, start, start + w)


def mean_force(*, force_n: FloatArray) -> float:
    """Arithmetic mean of ``force_n``; ``nan`` for empty input."""
    x = _as_1d(force_n, "force_n")
    return float(np.mean(x)) if x.size else _NAN


def impulse(*, force_n: FloatArray, fs_hz: float) -> float:
    """Force-time integral (N·s for newtons) by the trapezoidal rule over the whole array.

    Fewer than two samples span no time, so the impulse is ``0.0``.
    """
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    if x.size < 2:
        return 0.0
    return float((np.sum(x) - 0.5 * (x[0] + x[-1])) / fs_hz)


def time_to_peak(*, force_n: FloatArray, fs_hz: float, onset_index: int) -> float:
    """Seconds from ``onset_index`` to the peak at or after it (first occurrence of the max)."""
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    onset = _check_onset(onset_index, x.size)
    return float(np.argmax(x[onset:])) / fs_hz


# ---- rate of force development ----


def _interp_at(x: FloatArray, pos: float) -> float:
    """Linear interpolation of ``x`` at fractional sample position ``0 <= pos <= len(x) - 1``."""
    i = math.floor(pos)
    if i >= x.size - 1:
        return float(x[-1])
    frac = pos - i
    return float(x[i] + frac * (x[i + 1] - x[i]))


def rfd_windows(
    *,
    force_n: FloatArray,
    fs_hz: float,
    onset_index: int,
    windows_ms: Iterable[int] = (50, 100, 200),
) -> dict[int, float]:
    """Time-interval RFD: ``(F(onset + w) - F(onset)) / w`` in N/s for each window ``w`` in ms.

    ``F(onset + w)`` is linearly interpolated between samples at the exact time, so windows need
    not be whole samples (at 80 Hz, 50 ms is 4 samples; see section 2.2 for how little early RFD
    means at low rates). A window that ends after the last sample gives ``nan``.
    """
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    onset = _check_onset(onset_index, x.size)
    last = x.size - 1
    result: dict[int, float] = {}
    for w_ms in windows_ms:
        if not w_ms > 0:
            raise ValueError(f"windows_ms must be positive, got {w_ms!r}")
        w_s = w_ms / 1000.0
        pos = onset + w_s * fs_hz
        if pos > last + 1e-9:
            result[w_ms] = _NAN
        else:
            result[w_ms] = (_interp_at(x, min(pos, last)) - float(x[onset])) / w_s
    return result


def _first_crossing(segment: FloatArray, level: float) -> float:
    """Fractional index where ``segment`` first reaches ``level`` (which it must reach)."""
    i = int(np.argmax(segment >= level))
    if i == 0:
        return 0.0
    below, above = float(segment[i - 1]), float(segment[i])
    return (i - 1) + (level - below) / (above - below)


def rfd_between_fractions(
    *,
    force_n: FloatArray,
    fs_hz: float,
    onset_index: int,
    low: float = 0.2,
    high: float = 0.8,
) -> float:
    """Mean RFD (N/s) between the first crossings of two fractions of the rise after onset.

    The rise is measured from the baseline ``B = force_n[onset_index]`` to the peak ``P`` at or
    after onset; the levels are ``B + low·(P − B)`` and ``B + high·(P − B)``. Crossing times are
    interpolated linearly between the samples either side. The slope is level difference over
    time difference. Returns ``nan`` when there is no rise (``P <= B``).
    """
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    onset = _check_onset(onset_index, x.size)
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(f"need 0 <= low < high <= 1, got low={low!r}, high={high!r}")
    segment = x[onset : onset + int(np.argmax(x[onset:])) + 1]
    base, top = float(segment[0]), float(segment[-1])
    amplitude = top - base
    if not amplitude > 0:
        return _NAN
    level_lo = min(base + low * amplitude, top)
    level_hi = min(base + high * amplitude, top)
    dt_s = (_first_crossing(segment, level_hi) - _first_crossing(segment, level_lo)) / fs_hz
    if not dt_s > 0:
        return _NAN
    return (level_hi - level_lo) / dt_s


def peak_rfd(*, force_n: FloatArray, fs_hz: float, window_s: float = 0.020) -> float:
    """Peak RFD (N/s): largest ``(F[i + w] − F[i]) / (w / fs_hz)`` over all ``i``.

    ``w = max(1, round(window_s * fs_hz))``; the divisor is the real window time ``w / fs_hz``.
    The default 20 ms window was the most reliable in [M12]. ``nan`` with ``w`` or fewer samples.
    """
    x = _as_1d(force_n, "force_n")
    _check_fs(fs_hz)
    w = _window_samples(window_s, fs_hz, "window_s")
    if x.size <= w:
        return _NAN
    return float(np.max(x[w:] - x[:-w])) * fs_hz / w


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
    *, actual: FloatArray, target: FloatArray, band: float, fs_hz: float
) -> BandResult:
    """Time within ``|actual − target| <= band`` (band in the trace's unit, e.g. 5 for ±5 %MVC).

    ``fraction`` is over all samples, and a sample where either array is NaN counts as out of
    band (a dropout is not on target). ``seconds = count / fs_hz``. Empty input gives
    ``fraction = nan`` and ``seconds = 0.0``.
    """
    a, t = _pair(actual, target)
    _check_fs(fs_hz)
    if not (math.isfinite(band) and band >= 0):
        raise ValueError(f"band must be a finite number >= 0, got {band!r}")
    if a.size == 0:
        return BandResult(_NAN, 0.0)
    with np.errstate(invalid="ignore"):
        inside = int(np.count_nonzero(np.abs(a - t) <= band))
    return BandResult(inside / a.size, inside / fs_hz)


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
