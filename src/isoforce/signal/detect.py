"""Contraction onset detection on a recorded force trace (pure numpy, no I/O).

Two published rules (domain-science section 2.2): baseline mean + k·SD [M11] and baseline plus a
fraction (2.5 %) of the baseline-to-peak amplitude [M3]. Both take the baseline from the first
``baseline_s`` seconds, which must be quiet, and return the index of the first sample *after*
that window whose force is strictly above the threshold, or ``None`` if there is none.

Arguments are named ``force_n`` but any force-like unit works. Programmer errors (``fs_hz <= 0``,
non-positive windows, arrays that are not 1-D, out-of-range parameters) raise ``ValueError``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class BaselineStats(NamedTuple):
    """Mean and population SD of the baseline window (unpacks as ``mean, sd``)."""

    mean: float
    sd: float


def _as_1d(values: FloatArray) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"force_n must be a 1-D array, got shape {arr.shape}")
    return arr


def _check_fs(fs_hz: float) -> None:
    if not (math.isfinite(fs_hz) and fs_hz > 0):
        raise ValueError(f"fs_hz must be a positive finite number, got {fs_hz!r}")


def _samples(duration_s: float, fs_hz: float, name: str) -> int:
    if not (math.isfinite(duration_s) and duration_s > 0):
        raise ValueError(f"{name} must be a positive finite number of seconds, got {duration_s!r}")
    return max(1, round(duration_s * fs_hz))


def _first_above(x: FloatArray, start: int, threshold: float) -> int | None:
    above = x[start:] > threshold
    if not above.any():
        return None
    return start + int(np.argmax(above))


def baseline_stats(*, force_n: FloatArray, fs_hz: float, window_s: float) -> BaselineStats:
    """Mean and population SD (ddof=0) of the first ``max(1, round(window_s · fs_hz))`` samples.

    Returns ``(nan, nan)`` when the trace is shorter than the window.
    """
    x = _as_1d(force_n)
    _check_fs(fs_hz)
    n = _samples(window_s, fs_hz, "window_s")
    if x.size < n:
        return BaselineStats(float("nan"), float("nan"))
    head = x[:n]
    # Clipping keeps a constant (e.g. quantised) baseline's mean exactly on its value, so
    # rounding cannot put a baseline sample strictly above a k = 0 or fraction = 0 threshold.
    mean = float(np.clip(np.mean(head), np.min(head), np.max(head)))
    return BaselineStats(mean, float(np.std(head)))


def onset_sd(
    *,
    force_n: FloatArray,
    fs_hz: float,
    baseline_s: float = 0.5,
    k: float = 3.0,
    min_duration_s: float = 0.0,
) -> int | None:
    """Onset by the baseline mean + ``k``·SD rule.

    Returns the first index after the baseline window where force exceeds the threshold.
    With ``min_duration_s > 0`` the force must also stay above it for
    ``m = max(1, round(min_duration_s · fs_hz))`` consecutive samples (that index included);
    a run cut short by the end of the trace does not count. ``None`` if no sample qualifies or
    the trace is shorter than the baseline window.
    """
    x = _as_1d(force_n)
    _check_fs(fs_hz)
    if not (math.isfinite(k) and k >= 0):
        raise ValueError(f"k must be a finite number >= 0, got {k!r}")
    if not (math.isfinite(min_duration_s) and min_duration_s >= 0):
        raise ValueError(f"min_duration_s must be >= 0 seconds, got {min_duration_s!r}")
    n_base = _samples(baseline_s, fs_hz, "baseline_s")
    mean, sd = baseline_stats(force_n=x, fs_hz=fs_hz, window_s=baseline_s)
    if math.isnan(mean):
        return None
    threshold = mean + k * sd
    m = max(1, round(min_duration_s * fs_hz))
    if m == 1:
        return _first_above(x, n_base, threshold)
    above = (x[n_base:] > threshold).astype(np.int64)
    if above.size < m:
        return None
    runs = np.zeros(above.size + 1, dtype=np.int64)
    np.cumsum(above, out=runs[1:])
    full = (runs[m:] - runs[:-m]) == m  # full[i]: samples i .. i+m-1 are all above
    i = int(np.argmax(full))
    return n_base + i if full[i] else None


def onset_fraction(
    *,
    force_n: FloatArray,
    fs_hz: float,
    baseline_s: float = 0.5,
    fraction: float = 0.025,
) -> int | None:
    """Onset where force exceeds baseline + ``fraction``·(peak − baseline) (2.5 % rule, [M3]).

    Baseline is the mean of the first ``baseline_s``; peak is the maximum after the baseline
    window. Returns the first index after the baseline window strictly above the threshold, or
    ``None`` when nothing rises above the baseline or the trace is too short.
    """
    x = _as_1d(force_n)
    _check_fs(fs_hz)
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1), got {fraction!r}")
    n_base = _samples(baseline_s, fs_hz, "baseline_s")
    if x.size <= n_base:
        return None
    base = baseline_stats(force_n=x, fs_hz=fs_hz, window_s=baseline_s).mean
    top = float(np.max(x[n_base:]))
    if not top > base:
        return None
    return _first_above(x, n_base, base + fraction * (top - base))
