"""The force-curve metrics against curves with known answers, sampled evenly, unevenly, with gaps.

Three analytic shapes:

- a linear ramp to a plateau: RFD over every window and between any levels is the slope,
  the peak and the best windows the plateau, all exactly (the straight lines between samples
  are the curve itself away from the two corners);
- an exponential rise ``B + A·(1 − e^(−(t − t0)/τ))``: onset, RFD over 0–50/100/200 ms and
  20–80 % and the impulse have closed forms;
- a Gaussian bump ``B + A·e^(−((t − tc)/σ)²)``: its best window of ``w`` seconds is centred and
  averages ``B + A·σ·√π·erf(w / 2σ) / w``.

Every metric is held within 0.5 % (most far closer); the property tests draw the rate, the
jitter, the doubled intervals (as in the Tindeq's exports) and the gaps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from isoforce.signal import curve as cv
from isoforce.signal.curve import Curve

F = NDArray[np.float64]
REL = 0.005  # the 0.5 %


def times(*, fs_hz: float, duration_s: float, jitter: float, doubled: float, seed: int) -> F:
    """Sample times from 0 to ``duration_s``: intervals of 1/fs × U(1 − jitter, 1 + jitter),
    a share ``doubled`` of them twice as long (a sample the link dropped).

    With ``jitter`` ≤ 0.2 a doubled interval stays under the gap rule's 2.5 usual intervals.
    """
    rng = np.random.default_rng(seed)
    n = int(duration_s * fs_hz * 1.2) + 10
    dt = (1.0 / fs_hz) * rng.uniform(1 - jitter, 1 + jitter, n)
    dt[rng.random(n) < doubled] *= 2
    t = np.concatenate(([0.0], np.cumsum(dt)))
    return t[t <= duration_s]


def cut(t: F, start_s: float, length_s: float) -> F:
    """The times without those inside ``(start_s, start_s + length_s)``: a gap."""
    return t[(t <= start_s) | (t >= start_s + length_s)]


sampling = st.fixed_dictionaries(
    {
        "fs_hz": st.floats(500.0, 2000.0),
        "jitter": st.sampled_from([0.0, 0.2]),
        "doubled": st.sampled_from([0.0, 0.07]),
        "seed": st.integers(0, 2**32 - 1),
    }
)


def close(value: float | None, expected: float, rel: float = REL) -> bool:
    return value is not None and abs(value - expected) <= rel * abs(expected)


# ---- ramp to a plateau: exact ----


def ramp(t: F, *, base: float, slope: float, t0: float, rise_s: float) -> F:
    return base + slope * np.clip(t - t0, 0.0, rise_s)


@settings(max_examples=40, deadline=None)
@given(
    s=sampling,
    base=st.floats(-5.0, 20.0),
    slope=st.floats(50.0, 5000.0),
    rise_s=st.floats(0.4, 1.5),
)
def test_ramp_to_plateau_is_exact(
    s: dict[str, float], base: float, slope: float, rise_s: float
) -> None:
    t = times(duration_s=4.0, **s)
    c = Curve.of(t_s=t, force_n=ramp(t, base=base, slope=slope, t0=1.0, rise_s=rise_s))
    top = base + slope * rise_s
    p = cv.peak(c)
    assert p is not None and p.value == pytest.approx(top, rel=1e-12)
    on = cv.onset(c)
    assert on is not None
    # the threshold: 2.5 % of the rise (the baseline is flat, so its SD is 0)
    assert on.threshold == pytest.approx(base + 0.025 * slope * rise_s, rel=1e-9, abs=1e-9)
    assert on.t_s == pytest.approx(1.0 + 0.025 * rise_s, abs=1e-9)
    for w in (0.05, 0.1, 0.2):
        r = cv.rfd_window(c, onset=on, window_s=w)
        assert r is not None and r.value == pytest.approx(slope, rel=1e-9)
    r = cv.rfd_between_levels(
        c, low=base + 0.2 * (top - base), high=base + 0.8 * (top - base), peak_index=p.index
    )
    assert r is not None and r.value == pytest.approx(slope, rel=1e-9)
    pr = cv.peak_rfd(c)
    assert pr is not None and pr.value == pytest.approx(slope, rel=1e-9)
    # the Tindeq app's definitions: 20-80 % of the peak itself, and from a threshold crossing
    if 0.2 * top > base:  # both levels on the ramp
        app = cv.tindeq_rfd_20_80(c, peak_index=p.index)
        assert app is not None and app.value == pytest.approx(slope, rel=1e-9)
    level = base + 0.1 * (top - base)
    interval = cv.tindeq_interval_rfd(c, threshold=level, interval_s=0.1, peak_index=p.index)
    assert interval is not None and interval.value == pytest.approx(slope, rel=1e-9)
    # time to peak: the peak is the first sample on the plateau, so it is exact to one interval
    longest = float(np.max(np.diff(t)))
    assert p.t_s - on.t_s == pytest.approx(0.975 * rise_s, abs=longest)
    for w in (0.5, 1.0):
        best = cv.best_window_mean(c, window_s=w)
        assert best is not None and best.value == pytest.approx(top, rel=1e-12, abs=1e-9)
        assert best.end_s - best.start_s == pytest.approx(w)
    # impulse: the straight lines are exact but for the two corners (at most h²·slope/8 each)
    t_end = float(t[-1])
    exact = base * t_end + slope * rise_s**2 / 2 + slope * rise_s * (t_end - 1.0 - rise_s)
    assert cv.impulse(c) == pytest.approx(exact, abs=slope * 0.01**2)


# ---- exponential rise: onset, RFD windows, 20–80 %, impulse ----


def rise(t: F, *, base: float, amp: float, t0: float, tau: float) -> F:
    return base + amp * (1.0 - np.exp(-np.clip(t - t0, 0.0, None) / tau))


def rise_at(x: float, *, base: float, amp: float, t0: float, tau: float) -> float:
    return base + amp * (1.0 - math.exp(-max(x - t0, 0.0) / tau))


@settings(max_examples=40, deadline=None)
@given(
    s=sampling,
    base=st.floats(0.0, 10.0),
    amp=st.floats(20.0, 2000.0),
    tau=st.floats(0.15, 0.4),
    gap=st.booleans(),
)
def test_exponential_rise_metrics_are_within_half_a_percent(
    s: dict[str, float], base: float, amp: float, tau: float, gap: bool
) -> None:
    t0, end = 1.0, 4.0
    t = times(duration_s=end, **s)
    if gap:  # a link gap late on the plateau, away from every window but the impulse
        t = cut(t, 3.0, 0.2)
    c = Curve.of(t_s=t, force_n=rise(t, base=base, amp=amp, t0=t0, tau=tau))
    assert bool(c.gap_after.any()) is gap
    t_last = float(t[-1])
    top = rise_at(t_last, base=base, amp=amp, t0=t0, tau=tau)
    p = cv.peak(c)
    assert p is not None and close(p.value, top, 1e-9)

    on = cv.onset(c)
    assert on is not None
    threshold = base + 0.025 * (top - base)
    t_on = t0 - tau * math.log(1 - (threshold - base) / amp)
    assert on.threshold == pytest.approx(threshold, rel=1e-9)
    # onset: the straight line through the two samples around the crossing (curvature only)
    assert on.t_s == pytest.approx(t_on, abs=1e-4)
    for w in (0.05, 0.1, 0.2):
        expected = (rise_at(t_on + w, base=base, amp=amp, t0=t0, tau=tau) - threshold) / w
        r = cv.rfd_window(c, onset=on, window_s=w)
        assert r is not None and close(r.value, expected), (w, r, expected)
        assert not r.gap

    lo, hi = base + 0.2 * (top - base), base + 0.8 * (top - base)
    t_lo = t0 - tau * math.log(1 - (lo - base) / amp)
    t_hi = t0 - tau * math.log(1 - (hi - base) / amp)
    r = cv.rfd_between_levels(c, low=lo, high=hi, peak_index=p.index)
    assert r is not None and close(r.value, (hi - lo) / (t_hi - t_lo))

    # impulse over [0, t_last] less the gap's interval (never interpolated across)
    def integral(a: float, b: float) -> float:
        a, b = max(a, t0), max(b, t0)
        rest = amp * ((b - a) + tau * (math.exp(-(b - t0) / tau) - math.exp(-(a - t0) / tau)))
        return rest

    total = base * t_last + integral(0.0, t_last)
    if gap:
        i = int(np.flatnonzero(c.gap_after)[0])
        a, b = float(c.t_s[i]), float(c.t_s[i + 1])
        total -= base * (b - a) + integral(a, b)
    assert close(cv.impulse(c), total, 1e-4)


# ---- Gaussian bump: best windows in seconds ----


def bump(t: F, *, base: float, amp: float, tc: float, sigma: float) -> F:
    return base + amp * np.exp(-(((t - tc) / sigma) ** 2))


def bump_window(*, base: float, amp: float, sigma: float, w: float) -> float:
    return base + amp * sigma * math.sqrt(math.pi) * math.erf(w / (2 * sigma)) / w


# From 50 Hz: at 20 Hz a doubled, jittered interval is 0.12 s, and the straight line across it
# cuts the top of a 0.4 s-wide bump by up to ~1.5 % (sampling, not the window search; the
# brute-force test below holds the search on any sampling).
@settings(max_examples=40, deadline=None)
@given(
    fs_hz=st.floats(50.0, 1000.0),
    jitter=st.sampled_from([0.0, 0.2]),
    doubled=st.sampled_from([0.0, 0.07]),
    seed=st.integers(0, 2**32 - 1),
    sigma=st.floats(0.4, 1.5),
    base=st.floats(0.0, 10.0),
    amp=st.floats(10.0, 1000.0),
)
def test_best_windows_of_a_bump_are_analytic(
    fs_hz: float,
    jitter: float,
    doubled: float,
    seed: int,
    sigma: float,
    base: float,
    amp: float,
) -> None:
    t = times(fs_hz=fs_hz, duration_s=8.0, jitter=jitter, doubled=doubled, seed=seed)
    c = Curve.of(t_s=t, force_n=bump(t, base=base, amp=amp, tc=4.0, sigma=sigma))
    for w in (0.5, 1.0):
        best = cv.best_window_mean(c, window_s=w)
        expected = bump_window(base=base, amp=amp, sigma=sigma, w=w)
        assert best is not None and close(best.value, expected), (w, best, expected)
        # the window is w seconds of time, centred on the bump
        assert best.end_s - best.start_s == pytest.approx(w)
        assert (best.start_s + best.end_s) / 2 == pytest.approx(4.0, abs=2.0 / fs_hz)


@settings(max_examples=30, deadline=None)
@given(s=sampling, offset=st.floats(-0.3, 0.3))
def test_a_gap_splits_the_windows_around_it(s: dict[str, float], offset: float) -> None:
    """With 0.2 s lost next to the top, the best window is the best one beside the gap."""
    sigma, w = 0.8, 1.0
    t = cut(times(duration_s=8.0, **s), 4.0 + offset, 0.2)
    c = Curve.of(t_s=t, force_n=bump(t, base=0.0, amp=100.0, tc=4.0, sigma=sigma))
    i = int(np.flatnonzero(c.gap_after)[0])
    a, b = float(c.t_s[i]), float(c.t_s[i + 1])

    def mean(start: float) -> float:  # the bump's exact mean over [start, start + w]
        z0, z1 = (start - 4.0) / sigma, (start + w - 4.0) / sigma
        return 100.0 * sigma * math.sqrt(math.pi) / 2 * (math.erf(z1) - math.erf(z0)) / w

    expected = max(mean(a - w), mean(b))  # windows ending at the gap or starting after it
    best = cv.best_window_mean(c, window_s=w)
    assert best is not None and close(best.value, expected), (best, expected)
    assert best.end_s <= a + 1e-9 or best.start_s >= b - 1e-9


def test_rfd_window_over_a_gap_is_flagged() -> None:
    t = cut(np.arange(0, 3000) / 1000.0, 1.09, 0.02)  # onset at 1.025 s
    c = Curve.of(t_s=t, force_n=ramp(t, base=0.0, slope=1000.0, t0=1.0, rise_s=1.0))
    on = cv.onset(c)
    assert on is not None
    assert not cv.rfd_window(c, onset=on, window_s=0.05).gap  # type: ignore[union-attr]
    assert cv.rfd_window(c, onset=on, window_s=0.1).gap  # type: ignore[union-attr]


# ---- the curve itself ----


def test_gaps_come_from_long_intervals_recorded_spans_and_nan_samples() -> None:
    t = np.array([0.0, 0.01, 0.02, 0.04, 0.05, 0.2, 0.21, 0.22, 0.23])
    f = np.array([1.0, 2, 3, 4, 5, 6, np.nan, 8, 9])
    c = Curve.of(t_s=t, force_n=f, gap_spans_s=[(0.011, 0.012)])
    # 0.02 (doubled) is not a gap; 0.15 is; the NaN sample at 0.21 leaves a hole
    assert c.t_s.tolist() == [0.0, 0.01, 0.02, 0.04, 0.05, 0.2, 0.22, 0.23]
    assert c.gap_after.tolist() == [False, True, False, False, True, True, False]
    assert c.rate_hz == pytest.approx(4 / (0.23 - 0.01 - 0.15 - 0.02))


def test_tindeq_rfd_2080_uses_fractions_of_the_peak() -> None:
    t = np.arange(0, 2000) / 1000.0
    c = Curve.of(t_s=t, force_n=ramp(t, base=10.0, slope=100.0, t0=0.5, rise_s=1.0))
    p = cv.peak(c)
    assert p is not None and p.value == pytest.approx(110.0)
    # 22 N at t = 0.62 s, 88 N at 1.28 s: 66 N over 0.66 s = the slope
    r = cv.tindeq_rfd_20_80(c, peak_index=p.index)
    assert r is not None and r.value == pytest.approx(100.0) and r.start_s == pytest.approx(0.62)
    # interval RFD from the rise through 20 N (0.6 s): F(0.7 s) = 30 N → (30 − 20) / 0.1
    r = cv.tindeq_interval_rfd(c, threshold=20.0, interval_s=0.1, peak_index=p.index)
    assert r is not None and r.value == pytest.approx(100.0) and r.start_s == pytest.approx(0.6)


def test_no_onset_without_a_quiet_baseline_or_a_rise() -> None:
    t = np.arange(0, 1000) / 1000.0
    assert cv.onset(Curve.of(t_s=t, force_n=np.full(t.shape, 5.0))) is None
    # the effort started inside the baseline window: its last samples are above the threshold
    rising = Curve.of(t_s=t, force_n=np.where(t >= 0.29, 100.0, 0.0))
    assert cv.onset(rising) is None
    assert cv.best_window_mean(Curve.of(t_s=t[:400], force_n=t[:400]), window_s=0.5) is None
    with pytest.raises(ValueError, match="window_s"):
        cv.best_window_mean(rising, window_s=0.0)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 300),
    gaps=st.booleans(),
    share=st.floats(0.05, 0.6),
)
def test_windows_and_peak_rfd_match_a_brute_force_search(
    seed: int, n: int, gaps: bool, share: float
) -> None:
    """Random walks, random intervals, random gaps: no start does better than ours."""
    from isoforce.signal.curve import _Lines

    rng = np.random.default_rng(seed)
    dt = rng.uniform(0.5, 1.5, n) * 0.01
    if gaps:
        dt[rng.random(n) < 0.05] *= 10
    t = np.concatenate(([0.0], np.cumsum(dt)))[:n]
    c = Curve.of(t_s=t, force_n=rng.normal(0, 1, n).cumsum())
    w = share * c.duration_s
    # every start where a window begins or ends on a sample, and a fine grid between
    a = np.concatenate(
        (np.linspace(t[0], t[-1] - w, 5001), t[t <= t[-1] - w], t[t >= t[0] + w] - w)
    )
    a = np.clip(a, t[0], t[-1] - w)
    diff, area, crossed = _Lines.of(c).window(a, w)
    best_area = np.max(np.where(crossed, -np.inf, area))
    best = cv.best_window_mean(c, window_s=w)
    if not np.isfinite(best_area):
        assert best is None
        return
    assert best is not None
    scale = max(1.0, abs(best.value))
    assert best_area / w - 1e-9 * scale <= best.value <= best_area / w + 1e-4 * scale
    rate = cv.peak_rfd(c, window_s=w)
    assert rate is not None
    top_rate = float(np.max(np.where(crossed, -np.inf, diff))) / w
    assert rate.value == pytest.approx(top_rate, rel=1e-9, abs=1e-9)
