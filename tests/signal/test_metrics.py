"""Metrics checked against analytic answers on synthetic force curves."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

from isoforce.core.effort_key import Side
from isoforce.signal.metrics import (
    BandResult,
    PeakResult,
    SteadinessResult,
    WindowResult,
    best_moving_mean,
    impulse,
    limb_symmetry,
    mean_force,
    peak,
    peak_rfd,
    rfd_between_fractions,
    rfd_windows,
    steadiness_cv,
    time_in_band,
    time_to_peak,
    tracking_error,
)

F = NDArray[np.float64]
EMPTY: F = np.array([], dtype=np.float64)
finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def a(*values: float) -> F:
    return np.array(values, dtype=np.float64)


def ramp(*, slope: float, fs_hz: float, pre_s: float, ramp_s: float, post_s: float = 0.0) -> F:
    """Zero baseline, then F = slope·(t − pre_s) for ramp_s, then hold at the top."""
    n_pre, n_ramp, n_post = (round(d * fs_hz) for d in (pre_s, ramp_s, post_s))
    rise = slope * np.arange(n_ramp + 1) / fs_hz
    return np.concatenate([np.zeros(n_pre), rise, np.full(n_post, rise[-1])])


# ---- peak, mean, impulse, time to peak ----


def test_peak_value_and_first_index() -> None:
    assert peak(force_n=a(0, 1, 3, 2, 3)) == PeakResult(3.0, 2)


def test_peak_empty_is_nan_none() -> None:
    res = peak(force_n=EMPTY)
    assert math.isnan(res.value)
    assert res.index is None


def test_rejects_2d_input() -> None:
    with pytest.raises(ValueError, match="1-D"):
        peak(force_n=np.zeros((3, 2)))


def test_mean_force() -> None:
    assert mean_force(force_n=a(1, 2, 3, 6)) == 3.0
    assert math.isnan(mean_force(force_n=EMPTY))


def test_impulse_of_linear_ramp_is_exact() -> None:
    slope, fs = 500.0, 1000.0
    x = ramp(slope=slope, fs_hz=fs, pre_s=0.0, ramp_s=0.4)  # 0..0.4 s inclusive
    assert impulse(force_n=x, fs_hz=fs) == pytest.approx(slope * 0.4**2 / 2, rel=1e-12)


def test_impulse_of_constant_and_short_inputs() -> None:
    assert impulse(force_n=np.full(81, 50.0), fs_hz=80.0) == pytest.approx(50.0)
    assert impulse(force_n=a(7.0), fs_hz=80.0) == 0.0
    assert impulse(force_n=EMPTY, fs_hz=80.0) == 0.0


def test_time_to_peak_of_ramp_is_ramp_duration() -> None:
    x = ramp(slope=1000.0, fs_hz=1000.0, pre_s=0.3, ramp_s=0.25)
    x = np.concatenate([x, np.linspace(x[-1], 0.0, 200)[1:]])  # decay after the peak
    assert time_to_peak(force_n=x, fs_hz=1000.0, onset_index=300) == pytest.approx(0.25)


def test_time_to_peak_ignores_peak_before_onset() -> None:
    x = a(9, 0, 1, 4, 2)
    assert time_to_peak(force_n=x, fs_hz=10.0, onset_index=1) == pytest.approx(0.2)


@pytest.mark.parametrize("onset", [-1, 5])
def test_onset_index_out_of_range(onset: int) -> None:
    with pytest.raises(ValueError, match="onset_index"):
        time_to_peak(force_n=np.zeros(5), fs_hz=10.0, onset_index=onset)


# ---- best moving mean ----


def test_best_one_second_mean_is_robust_to_a_spike() -> None:
    fs = 1000.0
    x = np.concatenate([np.zeros(1000), np.full(3000, 100.0), np.zeros(1000)])
    x[2000:2010] = 300.0  # 10-ms spike on the plateau
    assert peak(force_n=x).value == 300.0
    one = best_moving_mean(force_n=x, fs_hz=fs, window_s=1.0)
    # The best 1-s window holds the whole spike: 100 + 10·200/1000.
    assert one.value == pytest.approx(102.0)
    assert (one.start_index, one.end_index) == (1010, 2010)
    half = best_moving_mean(force_n=x, fs_hz=fs, window_s=0.5)
    assert half.value == pytest.approx(104.0)
    assert half.end_index is not None
    assert half.start_index is not None
    assert half.end_index - half.start_index == 500


def test_best_moving_mean_window_rounding_and_lengths() -> None:
    x = np.arange(80, dtype=np.float64)
    # 0.5 s at 80 Hz is 40 samples: the best is the last 40 (mean of 40..79).
    assert best_moving_mean(force_n=x, fs_hz=80.0, window_s=0.5).value == pytest.approx(59.5)
    # Exactly one window's worth of data: the mean of everything.
    assert best_moving_mean(force_n=x, fs_hz=80.0, window_s=1.0) == WindowResult(39.5, 0, 80)
    # A window shorter than one sample becomes one sample: the peak.
    assert best_moving_mean(force_n=x, fs_hz=80.0, window_s=1e-6).value == 79.0


def test_nan_sample_propagates() -> None:
    x = np.arange(10.0)
    x[4] = np.nan
    assert math.isnan(peak(force_n=x).value)
    assert math.isnan(best_moving_mean(force_n=x, fs_hz=10.0, window_s=0.3).value)
    assert math.isnan(mean_force(force_n=x))


def test_best_moving_mean_too_short_is_nan() -> None:
    res = best_moving_mean(force_n=np.ones(79), fs_hz=80.0, window_s=1.0)
    assert math.isnan(res.value)
    assert res.start_index is None
    assert res.end_index is None
    assert math.isnan(best_moving_mean(force_n=EMPTY, fs_hz=80.0, window_s=0.5).value)


def test_best_moving_mean_large_offset_long_signal_is_exact() -> None:
    rng = np.random.default_rng(1)
    x = 1e4 + rng.standard_normal(200_000)
    assert best_moving_mean(force_n=x, fs_hz=1000.0, window_s=0.001).value == x.max()


@pytest.mark.parametrize("window_s", [0.0, -1.0, math.nan])
def test_best_moving_mean_rejects_bad_window(window_s: float) -> None:
    with pytest.raises(ValueError, match="window_s"):
        best_moving_mean(force_n=np.ones(10), fs_hz=10.0, window_s=window_s)


@settings(deadline=None, max_examples=200)
@given(x=arrays(np.float64, st.integers(1, 60), elements=finite), w=st.integers(1, 60))
def test_best_moving_mean_matches_brute_force(x: F, w: int) -> None:
    res = best_moving_mean(force_n=x, fs_hz=100.0, window_s=w / 100.0)
    if x.size < w:
        assert math.isnan(res.value)
        return
    means = np.lib.stride_tricks.sliding_window_view(x, w).mean(axis=1)
    assert x.min() <= res.value <= x.max()
    assert res.value == pytest.approx(means.max(), rel=1e-9, abs=1e-6)


# ---- rate of force development ----


@pytest.mark.parametrize("fs", [1000.0, 90.0, 2222.0])
def test_rfd_windows_on_ramp_equal_slope(fs: float) -> None:
    slope = 2000.0
    x = ramp(slope=slope, fs_hz=fs, pre_s=0.2, ramp_s=0.5)
    onset = round(0.2 * fs)
    res = rfd_windows(force_n=x, fs_hz=fs, onset_index=onset)
    assert list(res) == [50, 100, 200]
    for value in res.values():
        assert value == pytest.approx(slope, rel=1e-9)


def test_rfd_windows_interpolate_between_samples() -> None:
    # F = t² sampled at 90 Hz: 50 ms is 4.5 samples, so F(0.05) is read halfway between
    # samples 4 and 5 by linear interpolation, not from the continuous curve.
    fs = 90.0
    t = np.arange(40) / fs
    x = t**2
    expected = ((4 / fs) ** 2 + (5 / fs) ** 2) / 2 / 0.05
    res = rfd_windows(force_n=x, fs_hz=fs, onset_index=0, windows_ms=(50,))
    assert res[50] == pytest.approx(expected, rel=1e-12)


def test_rfd_windows_past_the_end_are_nan() -> None:
    x = ramp(slope=100.0, fs_hz=1000.0, pre_s=0.0, ramp_s=0.15)  # 151 samples, last at 150 ms
    res = rfd_windows(force_n=x, fs_hz=1000.0, onset_index=0, windows_ms=(10, 150, 151, 200))
    assert res[10] == pytest.approx(100.0)
    assert res[150] == pytest.approx(100.0)  # ends exactly on the last sample
    assert math.isnan(res[151])
    assert math.isnan(res[200])


def test_rfd_windows_reject_bad_window() -> None:
    with pytest.raises(ValueError, match="windows_ms"):
        rfd_windows(force_n=np.zeros(10), fs_hz=10.0, onset_index=0, windows_ms=(0,))


def test_rfd_between_fractions_on_ramp_from_nonzero_baseline() -> None:
    x = 20.0 + ramp(slope=3000.0, fs_hz=1000.0, pre_s=0.1, ramp_s=0.3, post_s=0.5)
    rfd = rfd_between_fractions(force_n=x, fs_hz=1000.0, onset_index=100)
    assert rfd == pytest.approx(3000.0, rel=1e-9)
    full = rfd_between_fractions(force_n=x, fs_hz=1000.0, onset_index=100, low=0.0, high=1.0)
    assert full == pytest.approx(3000.0, rel=1e-9)


def test_rfd_between_fractions_on_exponential_rise() -> None:
    # F = P(1 − e^(−t/τ)) reaches level L at t = −τ·ln(1 − L/P).
    fs, p, tau, dur = 20_000.0, 500.0, 0.1, 0.6
    t = np.arange(round(dur * fs) + 1) / fs
    x = p * (1 - np.exp(-t / tau))
    top = x[-1]
    lo, hi = 0.2 * top, 0.8 * top
    t_lo, t_hi = (-tau * math.log(1 - level / p) for level in (lo, hi))
    expected = (hi - lo) / (t_hi - t_lo)
    got = rfd_between_fractions(force_n=x, fs_hz=fs, onset_index=0)
    assert got == pytest.approx(expected, rel=1e-6)


def test_rfd_between_fractions_no_rise_is_nan() -> None:
    assert math.isnan(rfd_between_fractions(force_n=np.full(50, 5.0), fs_hz=100.0, onset_index=3))
    falling = np.linspace(10, 0, 50)
    assert math.isnan(rfd_between_fractions(force_n=falling, fs_hz=100.0, onset_index=0))


@pytest.mark.parametrize(("low", "high"), [(0.8, 0.2), (0.5, 0.5), (-0.1, 0.5), (0.2, 1.1)])
def test_rfd_between_fractions_rejects_bad_fractions(low: float, high: float) -> None:
    with pytest.raises(ValueError, match="low"):
        rfd_between_fractions(
            force_n=np.arange(10.0), fs_hz=10.0, onset_index=0, low=low, high=high
        )


@pytest.mark.parametrize("fs", [1000.0, 80.0])
def test_peak_rfd_of_ramp_is_slope(fs: float) -> None:
    # At 80 Hz, 20 ms rounds to 2 samples (25 ms): the divisor is the real window time.
    x = ramp(slope=1500.0, fs_hz=fs, pre_s=0.5, ramp_s=1.0, post_s=0.5)
    assert peak_rfd(force_n=x, fs_hz=fs) == pytest.approx(1500.0, rel=1e-9)


def test_peak_rfd_picks_the_steepest_segment() -> None:
    fs = 1000.0
    slow = 1000.0 * np.arange(300) / fs  # 1000 N/s for 0.3 s
    fast = slow[-1] + 5000.0 * np.arange(1, 101) / fs  # then 5000 N/s for 0.1 s
    x = np.concatenate([slow, fast, np.full(300, fast[-1])])
    assert peak_rfd(force_n=x, fs_hz=fs) == pytest.approx(5000.0, rel=1e-9)


def test_peak_rfd_of_a_step() -> None:
    x = np.concatenate([np.zeros(100), np.full(100, 100.0)])
    assert peak_rfd(force_n=x, fs_hz=1000.0, window_s=0.020) == pytest.approx(100.0 / 0.020)


def test_peak_rfd_too_short_is_nan() -> None:
    assert math.isnan(peak_rfd(force_n=np.arange(20.0), fs_hz=1000.0))  # needs 21 samples
    assert peak_rfd(force_n=np.arange(21.0), fs_hz=1000.0) == pytest.approx(1000.0)


# ---- steadiness ----


def centred_cosine_hold(*, n: int, fs: float, mean: float, amp: float, freq: float) -> F:
    """M + A·cos(2πf(t − t_mid)): even about the record's middle, so a straight-line fit over any
    centred segment of whole periods removes nothing and the population SD is A/√2 exactly."""
    t = (np.arange(n, dtype=np.float64) - (n - 1) / 2) / fs
    out: F = mean + amp * np.cos(2 * np.pi * freq * t)
    return out


def test_steadiness_cv_of_sine_is_a_over_root2_m() -> None:
    fs, m, amp = 100.0, 100.0, 5.0
    x = centred_cosine_hold(n=2000, fs=fs, mean=m, amp=amp, freq=5.0)  # 20 s hold
    res = steadiness_cv(force_n=x, fs_hz=fs)  # middle 10 s = 50 whole periods
    assert res.mean == pytest.approx(m, rel=1e-12)
    assert res.sd == pytest.approx(amp / math.sqrt(2), rel=1e-9)
    assert res.cv_pct == pytest.approx(amp / (math.sqrt(2) * m) * 100, rel=1e-9)


def test_steadiness_cv_removes_linear_drift() -> None:
    fs = 100.0
    x = centred_cosine_hold(n=2000, fs=fs, mean=100.0, amp=5.0, freq=5.0)
    t = (np.arange(2000) - 999.5) / fs
    plain = steadiness_cv(force_n=x, fs_hz=fs)
    drifting = steadiness_cv(force_n=x - 2.0 * t, fs_hz=fs)  # fatigue: −2 N/s, same mean
    assert drifting.sd == pytest.approx(plain.sd, rel=1e-9)
    assert drifting.cv_pct == pytest.approx(plain.cv_pct, rel=1e-9)
    # Without detrending the drift would add (2·10 s)/√12 in quadrature to the SD.
    assert np.std(x[500:1500] - 2.0 * t[500:1500]) > 1.5 * plain.sd


def test_steadiness_cv_uses_only_the_middle() -> None:
    x = np.full(400, 50.0)
    x[:100] = np.linspace(0, 50, 100)  # ramp up
    x[300:] = np.linspace(50, 0, 100)  # ramp down
    res = steadiness_cv(force_n=x, fs_hz=10.0, middle_fraction=0.5)
    assert res == SteadinessResult(0.0, 0.0, 50.0)
    assert steadiness_cv(force_n=x, fs_hz=10.0, middle_fraction=1.0).sd > 1.0


def test_steadiness_cv_of_pure_ramp_is_zero() -> None:
    x = 10.0 + 3.0 * np.arange(500, dtype=np.float64)
    assert steadiness_cv(force_n=x, fs_hz=50.0).cv_pct == pytest.approx(0.0, abs=1e-9)


def test_steadiness_cv_too_short_and_zero_mean() -> None:
    res = steadiness_cv(force_n=a(1, 2, 3, 4, 5), fs_hz=10.0)  # round(2.5) = 2 samples
    assert all(math.isnan(v) for v in (res.cv_pct, res.sd, res.mean))
    assert math.isnan(steadiness_cv(force_n=EMPTY, fs_hz=10.0).cv_pct)
    assert steadiness_cv(force_n=a(1, 2, 3), fs_hz=10.0, middle_fraction=1.0).sd == 0.0
    zero_mean = steadiness_cv(force_n=a(-1, 1, -1, 1, -1, 1), fs_hz=10.0, middle_fraction=1.0)
    assert math.isnan(zero_mean.cv_pct)
    assert zero_mean.sd > 0
    assert math.isnan(steadiness_cv(force_n=np.zeros(10), fs_hz=10.0).cv_pct)


@pytest.mark.parametrize("frac", [0.0, -0.5, 1.5])
def test_steadiness_cv_rejects_bad_fraction(frac: float) -> None:
    with pytest.raises(ValueError, match="middle_fraction"):
        steadiness_cv(force_n=np.ones(10), fs_hz=10.0, middle_fraction=frac)


# ---- tracking error and time in band ----


def profile(n: int = 1000) -> F:
    """A PAILs-like target in %MVC: ramp 0 → 60 then hold."""
    return np.minimum(np.linspace(0.0, 120.0, n), 60.0)


def test_tracking_constant_offset() -> None:
    target = profile()
    res = tracking_error(actual=target + 4.0, target=target)
    assert res.constant_error == pytest.approx(4.0)
    assert res.absolute_error == pytest.approx(4.0)
    assert res.rmse == pytest.approx(4.0)
    assert res.variable_error == pytest.approx(0.0, abs=1e-9)
    below = tracking_error(actual=target - 4.0, target=target)
    assert below.constant_error == pytest.approx(-4.0)
    assert below.rmse == pytest.approx(4.0)


def test_tracking_square_error_pattern() -> None:
    target = profile()
    square = np.where(np.arange(1000) % 20 < 10, 3.0, -3.0)  # ±3 in equal halves
    res = tracking_error(actual=target + 1.0 + square, target=target)  # errors +4 / −2
    assert res.constant_error == pytest.approx(1.0)
    assert res.variable_error == pytest.approx(3.0)
    assert res.absolute_error == pytest.approx(3.0)
    assert res.rmse == pytest.approx(math.sqrt(10.0))


def test_tracking_ignores_nan_samples() -> None:
    target = profile()
    actual = target + 2.0
    actual[::7] = np.nan
    target_gappy = target.copy()
    target_gappy[3::11] = np.nan
    res = tracking_error(actual=actual, target=target_gappy)
    assert (res.rmse, res.constant_error, res.absolute_error) == pytest.approx((2.0, 2.0, 2.0))
    assert res.variable_error == pytest.approx(0.0, abs=1e-9)
    nothing = tracking_error(actual=np.full(3, np.nan), target=np.zeros(3))
    assert all(math.isnan(v) for v in (nothing.rmse, nothing.constant_error))
    assert math.isnan(tracking_error(actual=EMPTY, target=EMPTY).variable_error)


def test_tracking_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="length"):
        tracking_error(actual=np.zeros(3), target=np.zeros(4))
    with pytest.raises(ValueError, match="length"):
        time_in_band(actual=np.zeros(3), target=np.zeros(4), band=1.0, fs_hz=10.0)


@settings(deadline=None, max_examples=200)
@given(data=st.data(), n=st.integers(1, 50))
def test_tracking_error_properties(data: st.DataObject, n: int) -> None:
    actual = data.draw(arrays(np.float64, n, elements=finite))
    target = data.draw(arrays(np.float64, n, elements=finite))
    res = tracking_error(actual=actual, target=target)
    tol = 1e-9 * (1.0 + np.max(np.abs(actual - target)))
    assert res.rmse >= abs(res.constant_error) - tol
    assert abs(res.constant_error) - tol <= res.absolute_error <= res.rmse + tol
    assert res.variable_error >= 0
    assert res.rmse**2 == pytest.approx(
        res.constant_error**2 + res.variable_error**2, rel=1e-9, abs=tol * tol + 1e-12
    )


def test_time_in_band_known_fraction() -> None:
    fs = 100.0
    target = 30.0 + 10.0 * np.sin(np.arange(1000) / 50.0)
    error = np.where(np.arange(1000) < 250, 2.0, 7.0)
    error[::2] *= -1  # sign does not matter
    res = time_in_band(actual=target + error, target=target, band=5.0, fs_hz=fs)
    assert res == BandResult(0.25, 2.5)


def test_time_in_band_edge_is_inside_and_nan_is_outside() -> None:
    target = np.zeros(10)
    actual = a(5, -5, 5.000001, 0, 0, np.nan, 0, 0, 0, 0)
    target[9] = np.nan
    res = time_in_band(actual=actual, target=target, band=5.0, fs_hz=2.0)
    assert res == BandResult(0.7, 3.5)  # 7 of 10 inside: ±5 exactly counts, NaN and 5.000001 not


def test_time_in_band_empty_and_bad_band() -> None:
    res = time_in_band(actual=EMPTY, target=EMPTY, band=1.0, fs_hz=10.0)
    assert math.isnan(res.fraction)
    assert res.seconds == 0.0
    with pytest.raises(ValueError, match="band"):
        time_in_band(actual=np.zeros(3), target=np.zeros(3), band=-1.0, fs_hz=10.0)


@settings(deadline=None, max_examples=200)
@given(
    data=st.data(),
    n=st.integers(1, 50),
    band=st.floats(0, 1e4),
    fs=st.floats(1.0, 2000.0),
)
def test_time_in_band_properties(data: st.DataObject, n: int, band: float, fs: float) -> None:
    actual = data.draw(arrays(np.float64, n, elements=finite | st.just(math.nan)))
    target = data.draw(arrays(np.float64, n, elements=finite))
    res = time_in_band(actual=actual, target=target, band=band, fs_hz=fs)
    assert 0.0 <= res.fraction <= 1.0
    assert res.seconds == pytest.approx(res.fraction * n / fs)
    wider = time_in_band(actual=actual, target=target, band=band * 2 + 1, fs_hz=fs)
    assert wider.fraction >= res.fraction


# ---- limb symmetry ----


def test_limb_symmetry_left_stronger() -> None:
    res = limb_symmetry(left=100.0, right=80.0)
    assert res.lsi_pct == pytest.approx(80.0)
    assert res.diff_pct == pytest.approx(-20.0)
    assert res.bilateral_asymmetry_index_pct == pytest.approx(-20.0 / 90.0 * 100)
    assert res.stronger is Side.LEFT


def test_limb_symmetry_right_stronger_and_equal() -> None:
    res = limb_symmetry(left=80.0, right=100.0)
    assert res.lsi_pct == pytest.approx(80.0)
    assert res.diff_pct == pytest.approx(20.0)
    assert res.stronger is Side.RIGHT
    assert res.bilateral_asymmetry_index_pct == pytest.approx(22.222222222)
    same = limb_symmetry(left=42.0, right=42.0)
    assert (same.lsi_pct, same.diff_pct, same.bilateral_asymmetry_index_pct) == (100.0, 0.0, 0.0)
    assert same.stronger is None


def test_limb_symmetry_one_side_zero() -> None:
    res = limb_symmetry(left=0.0, right=50.0)
    assert (res.lsi_pct, res.diff_pct, res.bilateral_asymmetry_index_pct) == (0.0, 100.0, 200.0)


@pytest.mark.parametrize(("left", "right"), [(0.0, 0.0), (math.nan, 10.0), (10.0, math.nan)])
def test_limb_symmetry_undefined_is_nan(left: float, right: float) -> None:
    res = limb_symmetry(left=left, right=right)
    assert math.isnan(res.lsi_pct)
    assert math.isnan(res.diff_pct)
    assert math.isnan(res.bilateral_asymmetry_index_pct)
    assert res.stronger is None


def test_limb_symmetry_rejects_negative() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        limb_symmetry(left=-1.0, right=10.0)


@given(
    left=st.floats(0, 1e6, allow_nan=False),
    right=st.floats(0, 1e6, allow_nan=False),
)
def test_limb_symmetry_properties(left: float, right: float) -> None:
    res = limb_symmetry(left=left, right=right)
    if left == right == 0:
        assert math.isnan(res.lsi_pct)
        return
    assert 0.0 <= res.lsi_pct <= 100.0
    assert abs(res.diff_pct) == pytest.approx(100.0 - res.lsi_pct, abs=1e-9)
    swapped = limb_symmetry(left=right, right=left)
    assert swapped.lsi_pct == res.lsi_pct
    assert swapped.diff_pct == -res.diff_pct
    assert (res.diff_pct > 0) == (res.stronger is Side.RIGHT)


# ---- programmer errors shared by all sampled metrics ----


@pytest.mark.parametrize("fs", [0.0, -80.0, math.nan, math.inf])
def test_bad_sample_rate_raises(fs: float) -> None:
    x = np.arange(100.0)
    calls: list[Callable[[], object]] = [
        lambda: best_moving_mean(force_n=x, fs_hz=fs, window_s=0.5),
        lambda: impulse(force_n=x, fs_hz=fs),
        lambda: time_to_peak(force_n=x, fs_hz=fs, onset_index=0),
        lambda: rfd_windows(force_n=x, fs_hz=fs, onset_index=0),
        lambda: rfd_between_fractions(force_n=x, fs_hz=fs, onset_index=0),
        lambda: peak_rfd(force_n=x, fs_hz=fs),
        lambda: steadiness_cv(force_n=x, fs_hz=fs),
        lambda: time_in_band(actual=x, target=x, band=1.0, fs_hz=fs),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="fs_hz"):
            call()
