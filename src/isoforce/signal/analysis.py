"""Every force-curve metric of one effort, each refused where the sensor's rate cannot carry it.

:func:`analyse` runs the metrics of :mod:`isoforce.signal.curve` on one effort and returns one
:class:`MetricValue` per entry of :data:`METRICS`, in that order. Each metric declares the
sample rate it needs (:attr:`MetricSpec.min_rate_hz`); below it the value is ``None`` and the
note says ``rate too low (needs ≥ N Hz, sensor gives M Hz)`` — never a number. A gap (lost
samples) inside the span a metric reads sets its ``gap`` flag.

:func:`find_efforts` splits a free recording into efforts with a hysteresis threshold.
Formulas, thresholds and sources: ``docs/numbers.md``. Pure numpy; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from isoforce.signal import curve as cv
from isoforce.signal.curve import Curve


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """What one metric is: its key, label, unit, the rate it needs and where it comes from."""

    key: str
    label: str
    unit: str
    min_rate_hz: float
    source: str


#: RFD windows from onset (seconds); each needs ≥ 10 samples inside it.
RFD_WINDOWS_S = (0.050, 0.100, 0.200)
_SAMPLES_PER_RFD_WINDOW = 10


def _rfd_spec(window_s: float) -> MetricSpec:
    ms = round(window_s * 1000)
    return MetricSpec(
        f"rfd_0_{ms}ms_n_per_s",
        f"RFD 0–{ms} ms",
        "N/s",
        _SAMPLES_PER_RFD_WINDOW / window_s,
        "Maffiuletti et al. 2016 [M4]; windows [M3][M12]",
    )


#: The metrics, in report order.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("duration_s", "duration", "s", 1.0, "time from the first to the last sample"),
    MetricSpec("peak_n", "peak", "N", 1.0, "largest sample; the Tindeq app's max"),
    MetricSpec("mean_n", "mean", "N", 1.0, "mean of the samples; the Tindeq app's avg"),
    MetricSpec("best_1s_n", "best 1 s mean", "N", 5.0, "ASEP MVIC procedure [M1]; section 2.1"),
    MetricSpec("best_0_5s_n", "best 0.5 s mean", "N", 10.0, "section 2.1"),
    MetricSpec("impulse_n_s", "impulse", "N·s", 1.0, "trapezoid over the real sample times"),
    MetricSpec("onset_s", "onset", "s", 20.0, "baseline + max(3 SD [M11], 2.5 % of rise [M3])"),
    MetricSpec("time_to_peak_s", "time to peak", "s", 20.0, "onset to peak"),
    *(_rfd_spec(w) for w in RFD_WINDOWS_S),
    MetricSpec("rfd_20_80_n_per_s", "RFD 20–80 %", "N/s", 50.0, "baseline-to-peak levels"),
    MetricSpec("peak_rfd_20ms_n_per_s", "peak RFD (20 ms)", "N/s", 500.0, "[M12]"),
    MetricSpec("tindeq_rfd_20_80_n_per_s", "Tindeq app RFD 20–80 %", "N/s", 50.0, "app's rfd2080"),
    MetricSpec(
        "tindeq_interval_rfd_n_per_s",
        "Tindeq app interval RFD",
        "N/s",
        50.0,
        "app's rfdInterval",
    ),
)
SPECS = {s.key: s for s in METRICS}


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One metric of one effort: its value, or ``None`` and a note saying why.

    ``gap`` is True when lost samples lie inside the span the metric read; ``note`` may also
    qualify a value (e.g. ``gap: 0.30 s not measured``). ``start_s``/``end_s`` are the span a
    window or a rate was measured over (session seconds), when it has one.
    """

    key: str
    label: str
    unit: str
    value: float | None
    note: str = ""
    gap: bool = False
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """Thresholds of the analysis (``docs/numbers.md`` says why each default).

    Onset: ``baseline_s`` of quiet force, ``k_sd`` SDs or ``onset_fraction`` of the rise,
    whichever is larger. Tindeq interval RFD: the app's ``IntervalThreshold`` in newtons
    (0.5 kg) and ``intervalTime`` (100 ms), as in the app's RFD test exports.
    """

    baseline_s: float = 0.3
    k_sd: float = 3.0
    onset_fraction: float = 0.025
    tindeq_threshold_n: float = 0.5 * 9.80665
    tindeq_interval_s: float = 0.100


def rate_text(rate_hz: float) -> str:
    """``82.1``, ``2``, ``1000``: a rate with at most one decimal."""
    return f"{rate_hz:.1f}".rstrip("0").rstrip(".")


def rate_too_low(spec: MetricSpec, rate_hz: float) -> str:
    """The note of a metric the sensor's rate cannot support."""
    return (
        f"rate too low (needs ≥ {rate_text(spec.min_rate_hz)} Hz, "
        f"sensor gives {rate_text(rate_hz)} Hz)"
    )


def analyse(
    curve: Curve, *, settings: AnalysisSettings | None = None, rate_hz: float | None = None
) -> tuple[MetricValue, ...]:
    """All :data:`METRICS` of one effort (force positive in the effort's direction).

    ``rate_hz`` is the sensor's rate to judge the metrics by (default: the effort's own
    :attr:`Curve.rate_hz`); pass the whole session's so every effort is judged alike.
    """
    s = settings or AnalysisSettings()
    rate = curve.rate_hz if rate_hz is None else rate_hz
    values: dict[str, _Entry] = {}
    any_gap = bool(curve.gap_after.any())
    gap_note = f"gap: {curve.gap_s:.2f} s not measured" if any_gap else ""

    def put(key: str, value: float | None, note: str = "", gap: bool = False) -> None:
        values[key] = _Entry(value, note, gap)

    top = cv.peak(curve)
    put("duration_s", curve.duration_s if len(curve) else None, gap_note, any_gap)
    if top is None:
        return _finish(values, rate, "no samples")
    values["peak_n"] = _Entry(top.value, gap_note, any_gap, top.t_s, top.t_s)
    put("mean_n", cv.sample_mean(curve), gap_note, any_gap)
    put("impulse_n_s", cv.impulse(curve), gap_note, any_gap)
    for key, window_s in (("best_1s_n", 1.0), ("best_0_5s_n", 0.5)):
        best = cv.best_window_mean(curve, window_s=window_s)
        if best is None:
            put(key, None, "no gap-free window" if any_gap else "shorter than the window")
        else:
            note = "windows across gaps not used" if any_gap else ""
            values[key] = _Entry(best.value, note, False, best.start_s, best.end_s)
    on = cv.onset(curve, baseline_s=s.baseline_s, k_sd=s.k_sd, fraction=s.onset_fraction)
    no_onset = "no onset (needs a quiet baseline, then a rise)"
    if on is None:
        for key in ("onset_s", "time_to_peak_s", *(_rfd_spec(w).key for w in RFD_WINDOWS_S)):
            put(key, None, no_onset)
        put("rfd_20_80_n_per_s", None, no_onset)
    else:
        put("onset_s", on.t_s)
        gap = curve.gaps_between(on.t_s, top.t_s)
        values["time_to_peak_s"] = _Entry(top.t_s - on.t_s, "", gap, on.t_s, top.t_s)
        for w in RFD_WINDOWS_S:
            slope = cv.rfd_window(curve, onset=on, window_s=w)
            values[_rfd_spec(w).key] = _slope(slope, "the effort ends inside the window")
        amp = top.value - on.baseline
        slope = cv.rfd_between_levels(
            curve,
            low=on.baseline + 0.2 * amp,
            high=on.baseline + 0.8 * amp,
            peak_index=top.index,
        )
        values["rfd_20_80_n_per_s"] = _slope(slope, "no rise through 20 % and 80 %")
    values["peak_rfd_20ms_n_per_s"] = _slope(cv.peak_rfd(curve), "shorter than 20 ms")
    values["tindeq_rfd_20_80_n_per_s"] = _slope(
        cv.tindeq_rfd_20_80(curve, peak_index=top.index), "no rise through 20 % and 80 % of peak"
    )
    values["tindeq_interval_rfd_n_per_s"] = _slope(
        cv.tindeq_interval_rfd(
            curve,
            threshold=s.tindeq_threshold_n,
            interval_s=s.tindeq_interval_s,
            peak_index=top.index,
        ),
        "no rise through the threshold with the interval after it",
    )
    return _finish(values, rate, "")


@dataclass(frozen=True, slots=True)
class _Entry:
    value: float | None
    note: str = ""
    gap: bool = False
    start_s: float | None = None
    end_s: float | None = None


def _slope(slope: cv.Slope | None, why: str) -> _Entry:
    """A slope's entry: its value and span (with a gap note), or None and ``why``."""
    if slope is None:
        return _Entry(None, why)
    note = "gap inside the window" if slope.gap else ""
    return _Entry(slope.value, note, slope.gap, slope.start_s, slope.end_s)


def _finish(values: dict[str, _Entry], rate_hz: float, missing: str) -> tuple[MetricValue, ...]:
    out = []
    for spec in METRICS:
        e = values.get(spec.key, _Entry(None, missing))
        if rate_hz < spec.min_rate_hz:
            e = _Entry(None, rate_too_low(spec, rate_hz))
        out.append(
            MetricValue(spec.key, spec.label, spec.unit, e.value, e.note, e.gap, e.start_s, e.end_s)
        )
    return tuple(out)


# ---- free recordings: efforts by a hysteresis threshold ----


@dataclass(frozen=True, slots=True)
class SplitSettings:
    """How a free recording is split into efforts (``docs/numbers.md``, "Efforts").

    An effort starts when the force rises above ``base + on_fraction·(top − base)`` and ends
    when it falls back below ``base + off_fraction·(top − base)`` (hysteresis, so noise around
    one level does not split an effort); ``base`` is the recording's 5th percentile and ``top``
    its peak (the percentile of at most 100 000 evenly spread samples). Efforts shorter than
    ``min_s`` are dropped; each is widened by ``pad_s`` either
    side (never into its neighbour), so onset finds a quiet baseline before the rise.
    """

    on_fraction: float = 0.10
    off_fraction: float = 0.05
    min_s: float = 0.2
    pad_s: float = 0.5


#: Samples the split's base level is taken from, at most (evenly spread over the recording).
_LEVEL_OF = 100_000


def find_efforts(curve: Curve, settings: SplitSettings | None = None) -> list[tuple[float, float]]:
    """The ``(start_s, end_s)`` of each effort in a free recording (force positive)."""
    s = settings or SplitSettings()
    f, t = curve.force_n, curve.t_s
    if len(curve) < 2:
        return []
    base = float(np.percentile(f[:: max(1, f.shape[0] // _LEVEL_OF)], 5))
    top = float(np.max(f))
    if not top > base:
        return []
    on = base + s.on_fraction * (top - base)
    off = base + s.off_fraction * (top - base)
    # the decided state changes only where the force rises above `on` or falls below `off`:
    # those few events, collapsed where they repeat, are the starts and ends (no per-sample pass
    # beyond two comparisons)
    above = (f > on).view(np.int8)
    below = (f < off).view(np.int8)
    rises = np.flatnonzero(np.diff(above) == 1) + 1
    falls = np.flatnonzero(np.diff(below) == 1) + 1
    where = np.concatenate(([0], rises, falls))
    state = np.concatenate(([1 if above[0] else -1], np.ones(rises.size), -np.ones(falls.size)))
    order = np.argsort(where, kind="stable")
    where, state = where[order], state[order]
    flips = np.concatenate(([True], state[1:] != state[:-1]))
    where, state = where[flips], state[flips]
    starts = list(where[state > 0])
    ends = list(where[state < 0][1:] if state[0] < 0 else where[state < 0])
    if len(ends) < len(starts):
        ends.append(f.shape[0] - 1)
    spans = [
        (float(t[a]), float(t[b]))
        for a, b in zip(starts, ends, strict=True)
        if t[b] - t[a] >= s.min_s
    ]
    return _padded(spans, s.pad_s, float(t[0]), float(t[-1]))


def _padded(
    spans: Sequence[tuple[float, float]], pad_s: float, first: float, last: float
) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for k, (a, b) in enumerate(spans):
        lo = max(first, a - pad_s, (spans[k - 1][1] + a) / 2 if k else first)
        hi = min(last, b + pad_s, (b + spans[k + 1][0]) / 2 if k + 1 < len(spans) else last)
        out.append((lo, hi))
    return out
