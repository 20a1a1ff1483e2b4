"""A force–time curve on its real timestamps: the one implementation of the force-curve metrics.

Every metric here is defined in seconds and computed on the sample times, never on sample
counts, so uneven sampling (the Tindeq app's exports double about 7 % of their intervals) and
gaps (a lost link) give the same answer as even sampling. Between two samples the force is taken
as the straight line joining them; across a *gap* it is unknown and never interpolated.

Pure numpy, keyword-only, vectorised (no per-sample Python). Forces are named ``force_n`` but
any force-like unit works (kg, % of max); results are then in that unit (RFD in unit/s, impulse
in unit·s). ``docs/numbers.md`` gives every formula with its source.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: An interval longer than this many median intervals is a gap (the Tindeq's doubled
#: intervals, 2×, are not).
GAP_FACTOR = 2.5


@dataclass(frozen=True, slots=True, eq=False)
class Curve:
    """Samples of one force curve: strictly increasing ``t_s``, finite ``force_n``, gaps.

    ``gap_after[i]`` is True when the interval from sample ``i`` to ``i + 1`` is a gap: longer
    than :data:`GAP_FACTOR` median intervals, or overlapping a recorded link gap.
    """

    t_s: FloatArray
    force_n: FloatArray
    gap_after: BoolArray

    @classmethod
    def of(
        cls,
        *,
        t_s: FloatArray,
        force_n: FloatArray,
        gap_spans_s: Iterable[tuple[float, float]] = (),
        gap_factor: float = GAP_FACTOR,
    ) -> Curve:
        """A curve from samples; non-finite forces and repeated times are dropped.

        ``gap_spans_s`` are recorded gaps (start, end) in session seconds (e.g. the store's
        link gaps); an interval overlapping one is a gap whatever its length. A sample whose
        force is NaN (not measured) splits the curve with a gap as well.
        """
        t = np.asarray(t_s, dtype=np.float64)
        f = np.asarray(force_n, dtype=np.float64)
        if t.ndim != 1 or t.shape != f.shape:
            raise ValueError(f"t_s and force_n must be equal 1-D arrays, got {t.shape}, {f.shape}")
        good = np.isfinite(t) & np.isfinite(f)
        # a dropped (unmeasured) sample leaves a hole: the interval around it is a gap
        hole = np.zeros(t.shape[0], dtype=np.bool_)
        if not good.all():
            bad = ~good
            hole[1:] |= bad[:-1]
        t, f, hole = t[good], f[good], hole[good]
        if t.size > 1:
            keep = np.ones(t.size, dtype=np.bool_)
            keep[1:] = np.diff(t) > 0
            if not keep.all():
                t, f, hole = t[keep], f[keep], hole[keep]
        dt = np.diff(t)
        gap = hole[1:].copy() if t.size > 1 else np.zeros(0, dtype=np.bool_)
        if dt.size:
            gap |= dt > gap_factor * float(np.median(dt))
        for start, end in gap_spans_s:
            if dt.size and math.isfinite(start):
                stop = end if end is not None and math.isfinite(end) else math.inf
                gap |= (t[:-1] < stop) & (t[1:] > start)
        return cls(t, f, gap)

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def duration_s(self) -> float:
        """First to last sample (0 with fewer than two)."""
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0

    @property
    def gap_s(self) -> float:
        """Time inside gaps."""
        return float(np.sum(np.diff(self.t_s)[self.gap_after])) if len(self) > 1 else 0.0

    @property
    def rate_hz(self) -> float:
        """Samples per second of measured time: intervals ÷ time outside gaps (0 if none)."""
        measured = self.duration_s - self.gap_s
        n = len(self) - 1 - int(np.count_nonzero(self.gap_after))
        return n / measured if measured > 0 and n > 0 else 0.0

    def part(self, start_s: float, end_s: float) -> Curve:
        """The samples with ``start_s <= t <= end_s`` (views)."""
        i = int(np.searchsorted(self.t_s, start_s, side="left"))
        j = int(np.searchsorted(self.t_s, end_s, side="right"))
        gaps = self.gap_after[i : max(i, j - 1)]
        return Curve(self.t_s[i:j], self.force_n[i:j], gaps)

    def gaps_between(self, start_s: float, end_s: float) -> bool:
        """Whether a gap interval overlaps ``[start_s, end_s]``."""
        if not self.gap_after.any():
            return False
        t0, t1 = self.t_s[:-1][self.gap_after], self.t_s[1:][self.gap_after]
        return bool(np.any((t0 < end_s) & (t1 > start_s)))


# ---- level: peak, mean, force at a time ----


@dataclass(frozen=True, slots=True)
class Peak:
    """The largest sample and its time (first occurrence)."""

    value: float
    t_s: float
    index: int


def peak(curve: Curve) -> Peak | None:
    """Instantaneous peak: the largest sample (first occurrence); None without samples."""
    if not len(curve):
        return None
    i = int(np.argmax(curve.force_n))
    return Peak(float(curve.force_n[i]), float(curve.t_s[i]), i)


def sample_mean(curve: Curve) -> float | None:
    """Arithmetic mean of the samples (the Tindeq app's ``avg``); None without samples."""
    return float(np.mean(curve.force_n)) if len(curve) else None


def force_at(curve: Curve, t_s: FloatArray | float) -> FloatArray:
    """Force at times inside the curve, on the straight line between the samples either side."""
    return np.interp(np.asarray(t_s, dtype=np.float64), curve.t_s, curve.force_n)


# ---- integrals: impulse and best windows ----


def _cumulative(curve: Curve) -> FloatArray:
    """Trapezoid integral from the first sample to each sample; gap intervals add nothing."""
    f, t = curve.force_n, curve.t_s
    area = 0.5 * (f[1:] + f[:-1]) * np.diff(t)
    area[curve.gap_after] = 0.0
    out = np.empty(t.shape[0])
    out[0] = 0.0
    np.cumsum(area, out=out[1:])
    return out


def impulse(curve: Curve) -> float:
    """Force–time integral (N·s): trapezoid over the real intervals, gaps left out."""
    if len(curve) < 2:
        return 0.0
    return float(_cumulative(curve)[-1])


def _integral_to(
    curve: Curve, cum: FloatArray, x: FloatArray
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Exact integral of the piecewise-linear curve from its start to each time in ``x``.

    Returns it and the interval each ``x`` falls in (``t[k] <= x < t[k+1]``).
    """
    t, f = curve.t_s, curve.force_n
    k = np.clip(np.searchsorted(t, x, side="right") - 1, 0, t.shape[0] - 2)
    d = x - t[k]
    slope = (f[k + 1] - f[k]) / (t[k + 1] - t[k])
    return cum[k] + d * (f[k] + 0.5 * slope * d), k


@dataclass(frozen=True, slots=True)
class WindowMean:
    """The best mean over a window of ``end_s − start_s`` seconds."""

    value: float
    start_s: float
    end_s: float


def _gap_counts(curve: Curve) -> NDArray[np.int64]:
    """Gap intervals before each sample: intervals ``i … j−1`` hold ``out[j] − out[i]``."""
    out = np.zeros(len(curve), dtype=np.int64)
    np.cumsum(curve.gap_after, out=out[1:])
    return out


def _window_starts(t: FloatArray, w: float) -> FloatArray:
    """Every start at which a window of ``w`` seconds begins or ends on a sample, in order."""
    begin = t[t <= t[-1] - w]
    end = t[t >= t[0] + w] - w
    # two sorted runs: the stable sort (timsort) merges them in linear time
    return np.sort(np.concatenate((begin, end)), kind="stable")


def best_window_mean(curve: Curve, *, window_s: float) -> WindowMean | None:
    """Highest time-average of the force over any ``window_s`` seconds without a gap.

    The average is the integral of the piecewise-linear curve over ``[a, a + w]`` divided by
    ``w``, maximised exactly over every start ``a``: between two starts where the window begins
    or ends on a sample the integral is a parabola in ``a``, whose top (where
    ``F(a + w) = F(a)``) is a candidate too. None when the curve is shorter than the window or
    every window of that length crosses a gap.
    """
    if not (math.isfinite(window_s) and window_s > 0):
        raise ValueError(f"window_s must be a positive number of seconds, got {window_s!r}")
    t, f = curve.t_s, curve.force_n
    if len(curve) < 2 or curve.duration_s < window_s * (1 - 1e-9):
        return None
    w = min(window_s, curve.duration_s)
    breaks = _window_starts(t, w)
    # the derivative of the window's integral is F(a + w) − F(a), linear between breaks
    slope = np.interp(breaks + w, t, f) - np.interp(breaks, t, f)
    turn = (slope[:-1] > 0) & (slope[1:] < 0)
    frac = slope[:-1][turn] / (slope[:-1][turn] - slope[1:][turn])
    tops = breaks[:-1][turn] + frac * (breaks[1:][turn] - breaks[:-1][turn])
    starts = np.clip(np.concatenate((breaks, tops)), t[0], t[-1] - w)
    cum = _cumulative(curve)
    lo, ka = _integral_to(curve, cum, starts)
    hi, kb = _integral_to(curve, cum, starts + w)
    means = (hi - lo) / w
    if curve.gap_after.any():
        gaps = _gap_counts(curve)
        # intervals ka … kb are touched (kb left out when the window ends on its first sample)
        end_k = np.where(starts + w > t[kb], kb, kb - 1)
        means = np.where(gaps[end_k + 1] - gaps[ka] > 0, -np.inf, means)
    i = int(np.argmax(means))
    if not np.isfinite(means[i]):
        return None
    return WindowMean(float(means[i]), float(starts[i]), float(starts[i] + w))


# ---- onset and crossings ----


@dataclass(frozen=True, slots=True)
class Onset:
    """Where a contraction starts: the interpolated time the force rises through ``threshold``.

    ``baseline`` and ``baseline_sd`` describe the quiet window before it.
    """

    t_s: float
    threshold: float
    baseline: float
    baseline_sd: float


def first_rise(
    curve: Curve, *, level: float, start: int = 0, stop: int | None = None
) -> float | None:
    """Time the force first rises to ``level`` at or after sample ``start`` (interpolated).

    The crossing lies between the last sample below ``level`` and the first at or above it; a
    curve already at ``level`` at ``start`` gives that sample's time. None if it never gets there.
    """
    f, t = curve.force_n, curve.t_s
    seg = f[start:stop]
    hit = seg >= level
    if not hit.any():
        return None
    i = start + int(np.argmax(hit))
    if i == start:
        return float(t[i])
    below, above = float(f[i - 1]), float(f[i])
    return float(t[i - 1] + (level - below) / (above - below) * (t[i] - t[i - 1]))


def last_rise_before(curve: Curve, *, level: float, index: int) -> float | None:
    """Time the force last rose through ``level`` before sample ``index`` (interpolated).

    Searches back from ``index`` for the last sample below ``level``; None if every sample
    before it is at or above ``level``.
    """
    f = curve.force_n[: index + 1]
    below = np.flatnonzero(f < level)
    if below.size == 0:
        return None
    return first_rise(curve, level=level, start=int(below[-1]), stop=index + 1)


def onset(
    curve: Curve,
    *,
    baseline_s: float = 0.3,
    k_sd: float = 3.0,
    fraction: float = 0.025,
) -> Onset | None:
    """Contraction onset on a quiet baseline (``docs/numbers.md``, "Onset").

    Baseline = mean and SD of the samples in the first ``baseline_s`` seconds; threshold =
    baseline + the larger of ``k_sd``·SD ([M11]) and ``fraction`` of the rise from baseline to
    the peak after it ([M3]). The onset is the interpolated time the force first rises through
    the threshold after the baseline window. None without a baseline window, without a rise, or
    when the baseline is not quiet (its last sample is already above the threshold).
    """
    t, f = curve.t_s, curve.force_n
    if len(curve) < 3 or curve.duration_s <= baseline_s:
        return None
    n_base = int(np.searchsorted(t, t[0] + baseline_s, side="left"))
    if n_base < 2:
        return None
    head = f[:n_base]
    base = float(np.clip(np.mean(head), np.min(head), np.max(head)))
    sd = float(np.std(head))
    top = float(np.max(f[n_base:]))
    if not top > base:
        return None
    threshold = base + max(k_sd * sd, fraction * (top - base))
    if head[-1] > threshold:
        return None
    t_on = first_rise(curve, level=threshold, start=n_base - 1)
    if t_on is None:
        return None
    return Onset(t_on, threshold, base, sd)


# ---- rate of force development ----


@dataclass(frozen=True, slots=True)
class Slope:
    """A rate (force per second) between two times, and whether a gap lies between them."""

    value: float
    start_s: float
    end_s: float
    gap: bool


def rfd_window(curve: Curve, *, onset: Onset, window_s: float) -> Slope | None:
    """Time-interval RFD: ``(F(t_on + w) − F(t_on)) / w`` with ``F`` interpolated at real times.

    ``F(t_on)`` is the onset threshold (the force crosses it there). None when the window ends
    after the last sample.
    """
    end = onset.t_s + window_s
    if end > curve.t_s[-1] + 1e-12:
        return None
    value = (float(force_at(curve, end)) - onset.threshold) / window_s
    return Slope(value, onset.t_s, end, curve.gaps_between(onset.t_s, end))


def rfd_between_levels(curve: Curve, *, low: float, high: float, peak_index: int) -> Slope | None:
    """Mean RFD between the force's last rises through ``low`` and ``high`` before the peak.

    ``(high − low) / (t_high − t_low)``; each crossing is interpolated between the samples
    either side of it, on the rise that leads to the peak at ``peak_index``. None when the
    force never rises through both before the peak.
    """
    if not high > low:
        return None
    t_hi = last_rise_before(curve, level=high, index=peak_index)
    if t_hi is None:
        return None
    j = int(np.searchsorted(curve.t_s, t_hi, side="left"))
    t_lo = last_rise_before(curve, level=low, index=j)
    if t_lo is None or not t_hi > t_lo:
        return None
    return Slope((high - low) / (t_hi - t_lo), t_lo, t_hi, curve.gaps_between(t_lo, t_hi))


def peak_rfd(curve: Curve, *, window_s: float = 0.020) -> Slope | None:
    """Peak RFD: the largest ``(F(a + w) − F(a)) / w`` over every start ``a``, gaps excluded.

    ``F`` is interpolated at the real times, so the window is ``window_s`` seconds at any
    sampling; the rate is linear in ``a`` between starts where the window begins or ends on a
    sample, so those starts give the exact maximum. None when the curve is shorter than the
    window.
    """
    t = curve.t_s
    if len(curve) < 2 or curve.duration_s < window_s:
        return None
    starts = _window_starts(t, window_s)
    rates = (force_at(curve, starts + window_s) - force_at(curve, starts)) / window_s
    if curve.gap_after.any():
        gaps = _gap_counts(curve)
        first = np.searchsorted(t, starts, side="right") - 1
        last = np.searchsorted(t, starts + window_s, side="left")
        rates = np.where(gaps[last] - gaps[first] > 0, -np.inf, rates)
    i = int(np.argmax(rates))
    if not np.isfinite(rates[i]):
        return None
    return Slope(float(rates[i]), float(starts[i]), float(starts[i] + window_s), False)


# ---- the Tindeq app's definitions ----


def tindeq_rfd_20_80(curve: Curve, *, peak_index: int) -> Slope | None:
    """The Tindeq app's ``rfd2080``: 60 % of the peak over the time from 20 % to 80 % of it.

    Levels are fractions of the peak itself (no baseline), crossed on the rise to the peak and
    interpolated. Reproduces the app's exported value to 1e-9 on both real RFD tests studied.
    """
    top = float(curve.force_n[peak_index])
    if not top > 0:
        return None
    return rfd_between_levels(curve, low=0.2 * top, high=0.8 * top, peak_index=peak_index)


def tindeq_interval_rfd(
    curve: Curve, *, threshold: float, interval_s: float, peak_index: int
) -> Slope | None:
    """The Tindeq app's fixed-interval RFD (``rfdInterval``): ``(F(t_c + Δ) − threshold) / Δ``.

    ``t_c`` is the time the force rises through ``threshold`` (the app's ``IntervalThreshold``)
    on the rise to the peak, interpolated; ``Δ`` is the app's ``intervalTime``.
    """
    t_c = last_rise_before(curve, level=threshold, index=peak_index)
    if t_c is None:
        return None
    end = t_c + interval_s
    if end > curve.t_s[-1]:
        return None
    value = (float(force_at(curve, end)) - threshold) / interval_s
    return Slope(value, t_c, end, curve.gaps_between(t_c, end))
