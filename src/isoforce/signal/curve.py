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
from collections.abc import Iterable, Iterator
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


def sample_durations_s(t_s: FloatArray) -> FloatArray:
    """Seconds each sample stands for, on the real times: the interval to the next sample.

    The last sample, and a sample before a gap (an interval over :data:`GAP_FACTOR` usual
    intervals), stand for one usual interval; a repeated time stands for nothing. Evenly
    sampled at ``fs`` every sample stands for ``1 / fs``.
    """
    t = np.asarray(t_s, dtype=np.float64)
    if t.shape[0] < 2:
        return np.zeros(t.shape[0])
    dt = np.maximum(np.diff(t), 0.0)
    positive = dt[dt > 0]
    usual = usual_interval(positive) if positive.size else 0.0
    out = np.append(dt, usual)
    out[out > GAP_FACTOR * usual] = usual
    return out


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
        hole: BoolArray | None = None
        if not good.all():
            # a dropped (unmeasured) sample leaves a hole: the interval around it is a gap
            hole = np.zeros(t.shape[0], dtype=np.bool_)
            hole[1:] = ~good[:-1]
            t, f, hole = t[good], f[good], hole[good]
        dt = np.diff(t)
        if not (dt > 0).all():  # repeated or backward times: keep each new latest time
            keep = np.ones(t.shape[0], dtype=np.bool_)
            keep[1:] = t[1:] > np.maximum.accumulate(t)[:-1]
            t, f = t[keep], f[keep]
            hole = hole[keep] if hole is not None else None
            dt = np.diff(t)
        gap = dt > gap_factor * usual_interval(dt) if dt.size else np.zeros(0, dtype=np.bool_)
        if hole is not None and dt.size:
            gap |= hole[1:]
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


def _cumulative(curve: Curve, dt: FloatArray | None = None) -> FloatArray:
    """Trapezoid integral from the first sample to each sample; gap intervals add nothing."""
    f, t = curve.force_n, curve.t_s
    area = 0.5 * (f[1:] + f[:-1]) * (np.diff(t) if dt is None else dt)
    if curve.gap_after.any():
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

#: Window starts handled at once: small enough that every temporary stays in the CPU cache.
_CHUNK = 1 << 14


@dataclass(frozen=True, slots=True, eq=False)
class _Lines:
    """The straight-line curve: each interval's slope and the integral up to each sample.

    ``longest_dt`` is the longest interval that is not a gap: no gap-free window moves further
    than that between two starts where it begins or ends on a sample.
    """

    t: FloatArray
    f: FloatArray
    slope: FloatArray
    cum: FloatArray
    gaps: NDArray[np.int64]
    longest_dt: float

    @classmethod
    def of(cls, curve: Curve) -> _Lines:
        """The lines of ``curve``, computed once per curve (the windows and RFDs share them)."""
        kept = curve._derived.get("lines")
        if isinstance(kept, _Lines):
            return kept
        t, f = curve.t_s, curve.force_n
        gaps = np.zeros(t.shape[0], dtype=np.int64)
        np.cumsum(curve.gap_after, out=gaps[1:])
        dt = np.diff(t)
        lines = cls(
            t,
            f,
            np.diff(f) / dt,
            _cumulative(curve, dt),
            gaps,
            float(np.max(dt, where=~curve.gap_after, initial=0.0)),
        )
        curve._derived["lines"] = lines
        return lines

    def at(self, x: FloatArray, k: IntArray) -> tuple[FloatArray, FloatArray]:
        """Force and integral at times ``x`` lying in intervals ``k − 1`` (``t[k] >= x``).

        A gap interval adds nothing to the integral, also at its end sample.
        """
        i = np.clip(k - 1, 0, self.t.shape[0] - 2)
        d = x - self.t[i]
        s = self.slope[i]
        fi = self.f[i]
        part = d * (fi + 0.5 * s * d)
        if self.gaps[-1]:
            part = np.where(self.gaps[i + 1] > self.gaps[i], 0.0, part)
        return fi + s * d, self.cum[i] + part

    def first_at_or_after(self, x: FloatArray) -> IntArray:
        """For sorted ``x`` (one chunk, inside the curve): the first ``k`` with ``t[k] >= x``.

        A binary search inside the stretch of ``t`` the chunk spans only, which stays in the
        CPU cache (a search over the whole hour would miss it at every step).
        """
        t = self.t
        lo = int(np.searchsorted(t, x[0], side="left"))
        hi = int(np.searchsorted(t, x[-1], side="left")) + 1
        k: IntArray = np.searchsorted(t[lo:hi], x, side="left") + lo
        # a window end a rounding error past the last sample is at the last sample
        np.minimum(k, t.shape[0] - 1, out=k)
        return k

    def window(self, a: FloatArray, w: float) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        """At a few starts ``a``: ``F(a + w) − F(a)``, the integral over the window, a gap in it."""
        last = self.t.shape[0] - 1
        k0 = np.minimum(np.searchsorted(self.t, a, side="left"), last)
        k1 = np.minimum(np.searchsorted(self.t, a + w, side="left"), last)
        f0, c0 = self.at(a, k0)
        f1, c1 = self.at(a + w, k1)
        n = self.t.shape[0]
        first = np.where(self.t[np.minimum(k0, n - 1)] == a, k0, k0 - 1)
        return f1 - f0, c1 - c0, self.gaps[k1] - self.gaps[np.maximum(first, 0)] > 0


@dataclass(frozen=True, slots=True, eq=False)
class _Windows:
    """One chunk of windows: starts, ``F(a + w) − F(a)``, integrals, crossing a gap or not."""

    starts: FloatArray
    diff: FloatArray
    area: FloatArray
    crossed: NDArray[np.bool_] | None


def _families(lines: _Lines, w: float, *, areas: bool = True) -> Iterator[_Windows]:
    """Every window of ``w`` seconds that begins or ends on a sample, a chunk at a time.

    ``area`` (the window's integral) is empty unless ``areas``; ``crossed`` is None when the
    curve has no gap.
    """
    t, f, cum, gaps = lines.t, lines.f, lines.cum, lines.gaps
    n = t.shape[0]
    any_gap = bool(gaps[-1])
    na = int(np.searchsorted(t, t[-1] - w, side="right"))  # windows beginning on 0 … na−1
    for s0 in range(0, na, _CHUNK):
        s1 = min(na, s0 + _CHUNK)
        ta = t[s0:s1]
        ka = lines.first_at_or_after(ta + w)
        fa, ca = lines.at(ta + w, ka)
        yield _Windows(
            ta,
            fa - f[s0:s1],
            ca - cum[s0:s1] if areas else fa[:0],
            gaps[ka] - gaps[s0:s1] > 0 if any_gap else None,
        )
    j0 = int(np.searchsorted(t, t[0] + w, side="left"))  # windows ending on j0 … n−1
    for s0 in range(j0, n, _CHUNK):
        s1 = min(n, s0 + _CHUNK)
        sb = t[s0:s1] - w
        kb = lines.first_at_or_after(sb)
        fb, cb = lines.at(sb, kb)
        crossed = None
        if any_gap:
            first = np.where(t[np.minimum(kb, n - 1)] == sb, kb, kb - 1)
            crossed = gaps[s0:s1] - gaps[first] > 0
        yield _Windows(sb, f[s0:s1] - fb, cum[s0:s1] - cb if areas else fb[:0], crossed)


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
    h = lines.longest_dt
    top_a, top_area = math.nan, -math.inf
    maybe_a: list[FloatArray] = []
    maybe_d: list[FloatArray] = []
    maybe_area: list[FloatArray] = []
    for chunk in _families(lines, w):
        area = chunk.area if chunk.crossed is None else np.where(chunk.crossed, -np.inf, chunk.area)
        i = int(np.argmax(area))
        if area[i] > top_area:
            top_a, top_area = float(chunk.starts[i]), float(area[i])
        # pieces starting here might hold a higher parabola top (a superset: the best only grows)
        keep = (chunk.diff > 0) & (area + 0.5 * chunk.diff * h > top_area)
        if keep.any():
            maybe_a.append(chunk.starts[keep])
            maybe_d.append(chunk.diff[keep])
            maybe_area.append(area[keep])
    if not math.isfinite(top_area):
        return None
    if maybe_a:
        a0, d0, area0 = (np.concatenate(x) for x in (maybe_a, maybe_d, maybe_area))
        still = area0 + 0.5 * d0 * h > top_area
        a0, d0 = a0[still], d0[still]
        next_a = t[np.minimum(np.searchsorted(t, a0, side="right"), t.shape[0] - 1)]
        last = t.shape[0] - 1
        kb = np.searchsorted(t, a0 + w, side="right")
        # a start whose window ends on a sample may land a rounding error short of it: then
        # the next breakpoint is the sample after that one, not the start itself
        kb = np.where(t[np.minimum(kb, last)] - w <= a0, kb + 1, kb)
        next_b = t[np.minimum(kb, last)] - w
        a1 = np.minimum(np.minimum(next_a, next_b), t[-1] - w)
        d1, _, _ = lines.window(a1, w)
        turn = (d1 < 0) & (a1 > a0)
        if turn.any():
            tops = a0[turn] + d0[turn] / (d0[turn] - d1[turn]) * (a1[turn] - a0[turn])
            _, top_areas, top_crossed = lines.window(tops, w)
            top_areas = np.where(top_crossed, -np.inf, top_areas)
            k = int(np.argmax(top_areas))
            if top_areas[k] > top_area:
                top_a, top_area = float(tops[k]), float(top_areas[k])
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
    best, at = -math.inf, math.nan
    for chunk in _families(_Lines.of(curve), window_s, areas=False):
        diff = chunk.diff if chunk.crossed is None else np.where(chunk.crossed, -np.inf, chunk.diff)
        i = int(np.argmax(diff))
        if diff[i] > best:
            best, at = float(diff[i]), float(chunk.starts[i])
    if not math.isfinite(best):
        return None
    return Slope(best / window_s, at, at + window_s, False)


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
