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
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: An interval longer than this many median intervals is a gap (the Tindeq's doubled
#: intervals, 2×, are not).
GAP_FACTOR = 2.5


#: Intervals the usual interval is taken from, at most (evenly spread over the recording).
_USUAL_OF = 100_000


def usual_interval(dt: FloatArray) -> float:
    """The median interval (of at most 100 000 evenly spread ones, so an hour costs nothing)."""
    return float(np.median(dt[:: max(1, dt.shape[0] // _USUAL_OF)]))


@dataclass(frozen=True, slots=True, eq=False)
class Curve:
    """Samples of one force curve: strictly increasing ``t_s``, finite ``force_n``, gaps.

    ``gap_after[i]`` is True when the interval from sample ``i`` to ``i + 1`` is a gap: longer
    than :data:`GAP_FACTOR` median intervals, or overlapping a recorded link gap.
    """

    t_s: FloatArray
    force_n: FloatArray
    gap_after: BoolArray
    _derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

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
            rising = np.diff(t) > 0
            if not rising.all():
                keep = np.concatenate(([True], rising))
                t, f, hole = t[keep], f[keep], hole[keep]
        dt = np.diff(t)
        gap = hole[1:].copy() if t.size > 1 else np.zeros(0, dtype=np.bool_)
        if dt.size:
            gap |= dt > gap_factor * usual_interval(dt)
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


@dataclass(frozen=True, slots=True)
class WindowMean:
    """The best mean over a window of ``end_s − start_s`` seconds."""

    value: float
    start_s: float
    end_s: float


IntArray = NDArray[np.intp]

#: Steps of the vectorised walk that finds window ends before falling back to a binary search.
_WALK_STEPS = 16


def _first_at_or_after(t: FloatArray, x: FloatArray, first_guess: int) -> IntArray:
    """For sorted ``x``: the first index ``k`` with ``t[k] >= x`` (``len(t)`` if none).

    Guesses ``first_guess + i`` for ``x[i]`` (the window's usual length in samples on), checks
    every guess at once on slices of ``t`` and walks the wrong ones one sample at a time, all
    together; on near-even sampling that settles in a step or two, far cheaper than a binary
    search per element. What is still unsettled after a few steps (around a gap) is searched.
    """
    n, m = t.shape[0], x.shape[0]
    k = np.arange(first_guess, first_guess + m, dtype=np.intp)
    np.clip(k, 0, n, out=k)
    padded = np.concatenate(([-np.inf], t, [np.inf]))  # padded[k] = t[k - 1], padded[k + 1] = t[k]
    todo: IntArray | None = None
    for _ in range(_WALK_STEPS):
        kk = k if todo is None else k[todo]
        xx = x if todo is None else x[todo]
        right = padded[kk + 1] < xx
        left = padded[kk] >= xx
        moving = right | left
        if not moving.any():
            return k
        todo = np.flatnonzero(moving) if todo is None else todo[moving]
        k[todo] += right[moving].astype(np.intp) - left[moving].astype(np.intp)
    if todo is not None:
        k[todo] = np.searchsorted(t, x[todo], side="left")
    return k


@dataclass(frozen=True, slots=True, eq=False)
class _Lines:
    """The straight-line curve: each interval's slope and the integral up to each sample."""

    t: FloatArray
    f: FloatArray
    slope: FloatArray
    cum: FloatArray
    gaps: NDArray[np.int64]

    @classmethod
    def of(cls, curve: Curve) -> _Lines:
        """The lines of ``curve``, computed once per curve (the windows and RFDs share them)."""
        kept = curve._derived.get("lines")
        if isinstance(kept, _Lines):
            return kept
        t, f = curve.t_s, curve.force_n
        gaps = np.zeros(t.shape[0], dtype=np.int64)
        np.cumsum(curve.gap_after, out=gaps[1:])
        lines = cls(t, f, np.diff(f) / np.diff(t), _cumulative(curve), gaps)
        curve._derived["lines"] = lines
        return lines

    def at(self, x: FloatArray, k: IntArray) -> tuple[FloatArray, FloatArray]:
        """Force and integral at times ``x`` lying in intervals ``k − 1`` (``t[k] >= x``)."""
        i = np.clip(k - 1, 0, self.t.shape[0] - 2)
        d = x - self.t[i]
        s = self.slope[i]
        return self.f[i] + s * d, self.cum[i] + d * (self.f[i] + 0.5 * s * d)

    def index(self, x: FloatArray) -> IntArray:
        """The first sample at or after each ``x`` (binary search: for a few times)."""
        return np.searchsorted(self.t, x, side="left")


def _offset(t: FloatArray, w: float) -> int:
    """Samples in ``w`` seconds at the usual interval: the walk's first guess."""
    dt = usual_interval(np.diff(t))
    return round(w / dt) if dt > 0 else 0


def _families(
    lines: _Lines, w: float, *, areas: bool = True
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Every window start where the window begins or ends on a sample.

    Returns the starts, the force difference ``F(a + w) − F(a)`` there (the derivative of the
    window's integral), the integral over each window (empty unless ``areas``), and whether the
    window crosses a gap.
    """
    t, f = lines.t, lines.f
    m = _offset(t, w)
    na = int(np.searchsorted(t, t[-1] - w, side="right"))  # windows beginning on samples 0…na-1
    ta = t[:na]
    ka = _first_at_or_after(t, ta + w, m)
    fa, ca = lines.at(ta + w, ka)
    j0 = int(np.searchsorted(t, t[0] + w, side="left"))  # windows ending on samples j0…n-1
    starts_b = t[j0:] - w
    kb = _first_at_or_after(t, starts_b, j0 - m)
    fb, cb = lines.at(starts_b, kb)
    starts = np.concatenate((ta, starts_b))
    diff = np.concatenate((fa - f[:na], f[j0:] - fb))
    area = np.concatenate((ca - lines.cum[:na], lines.cum[j0:] - cb)) if areas else diff[:0]
    if lines.gaps[-1] == 0:
        return starts, diff, area, np.zeros(starts.shape[0], dtype=np.bool_)
    n = t.shape[0]
    first_b = np.where(t[np.minimum(kb, n - 1)] == starts_b, kb, kb - 1)
    crossed = np.concatenate(
        (lines.gaps[ka] - lines.gaps[:na] > 0, lines.gaps[j0:] - lines.gaps[first_b] > 0)
    )
    return starts, diff, area, crossed


def _window_at(
    lines: _Lines, a: FloatArray, w: float
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """``F(a + w) − F(a)``, the integral over ``[a, a + w]`` and gap crossing, by binary search."""
    k0, k1 = lines.index(a), lines.index(a + w)
    f0, c0 = lines.at(a, k0)
    f1, c1 = lines.at(a + w, k1)
    n = lines.t.shape[0]
    first = np.where(lines.t[np.minimum(k0, n - 1)] == a, k0, k0 - 1)
    return f1 - f0, c1 - c0, lines.gaps[k1] - lines.gaps[np.maximum(first, 0)] > 0


def best_window_mean(curve: Curve, *, window_s: float) -> WindowMean | None:
    """Highest time-average of the force over any ``window_s`` seconds without a gap.

    The average is the integral of the piecewise-linear curve over ``[a, a + w]`` divided by
    ``w``, maximised exactly over every start ``a``. Between two starts where the window begins
    or ends on a sample the integral is a parabola in ``a`` whose top is where
    ``F(a + w) = F(a)``; only a piece whose left end is within ``D·h/2`` of the best value
    (``D`` the derivative there, ``h`` the longest interval) can top it, and those few pieces
    are solved. None when the curve is shorter than the window or every window of that length
    crosses a gap.
    """
    if not (math.isfinite(window_s) and window_s > 0):
        raise ValueError(f"window_s must be a positive number of seconds, got {window_s!r}")
    t = curve.t_s
    if len(curve) < 2 or curve.duration_s < window_s * (1 - 1e-9):
        return None
    w = min(window_s, curve.duration_s)
    lines = _Lines.of(curve)
    starts, diff, area, crossed = _families(lines, w)
    area = np.where(crossed, -np.inf, area)
    best = int(np.argmax(area))
    if not np.isfinite(area[best]):
        return None
    top_a, top_area = float(starts[best]), float(area[best])
    # pieces that might hold a higher parabola top
    h = float(np.max(np.diff(t)))
    maybe = np.flatnonzero(~crossed & (diff > 0) & (area + 0.5 * diff * h > top_area))
    if maybe.size:
        a0 = starts[maybe]
        next_a = t[np.minimum(np.searchsorted(t, a0, side="right"), t.shape[0] - 1)]
        next_b = t[np.minimum(np.searchsorted(t, a0 + w, side="right"), t.shape[0] - 1)] - w
        a1 = np.minimum(np.minimum(next_a, next_b), t[-1] - w)
        d1, _, _ = _window_at(lines, a1, w)
        d0 = diff[maybe]
        turn = (d1 < 0) & (a1 > a0)
        if turn.any():
            top = a0[turn] + d0[turn] / (d0[turn] - d1[turn]) * (a1[turn] - a0[turn])
            _, top_areas, top_crossed = _window_at(lines, top, w)
            top_areas = np.where(top_crossed, -np.inf, top_areas)
            k = int(np.argmax(top_areas))
            if top_areas[k] > top_area:
                top_a, top_area = float(top[k]), float(top_areas[k])
    return WindowMean(top_area / w, top_a, top_a + w)


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
    if len(curve) < 2 or curve.duration_s < window_s:
        return None
    starts, diff, _, crossed = _families(_Lines.of(curve), window_s, areas=False)
    rates = np.where(crossed, -np.inf, diff / window_s)
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
