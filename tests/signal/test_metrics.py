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
    SteadinessResult,
    limb_symmetry,
    steadiness_cv,
    time_in_band,
    tracking_error,
)

F = NDArray[np.float64]
EMPTY: F = np.array([], dtype=np.float64)
finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def even(n: int, fs_hz: float) -> F:
    """``n`` sample times at ``fs_hz``."""
    return np.arange(n, dtype=np.float64) / fs_hz


def a(*values: float) -> F:
    return np.array(values, dtype=np.float64)


def ramp(*, slope: float, fs_hz: float, pre_s: float, ramp_s: float, post_s: float = 0.0) -> F:
    """Zero baseline, then F = slope·(t − pre_s) for ramp_s, then hold at the top."""
    n_pre, n_ramp, n_post = (round(d * fs_hz) for d in (pre_s, ramp_s, post_s))
    rise = slope * np.arange(n_ramp + 1) / fs_hz
    return np.concatenate([np.zeros(n_pre), rise, np.full(n_post, rise[-1])])


def test_rejects_2d_input() -> None:
    with pytest.raises(ValueError, match="1-D"):
        tracking_error(actual=np.zeros((3, 2)), target=np.zeros((3, 2)))


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
        time_in_band(actual=np.zeros(3), target=np.zeros(4), band=1.0, t_s=even(3, 10.0))


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
    res = time_in_band(actual=target + error, target=target, band=5.0, t_s=even(1000, fs))
    assert res.fraction == pytest.approx(0.25) and res.seconds == pytest.approx(2.5)


def test_time_in_band_edge_is_inside_and_nan_is_outside() -> None:
    target = np.zeros(10)
    actual = a(5, -5, 5.000001, 0, 0, np.nan, 0, 0, 0, 0)
    target[9] = np.nan
    res = time_in_band(actual=actual, target=target, band=5.0, t_s=even(10, 2.0))
    # 7 of 10 inside: ±5 exactly counts, NaN and 5.000001 not
    assert res.fraction == pytest.approx(0.7) and res.seconds == pytest.approx(3.5)


def test_time_in_band_empty_and_bad_band() -> None:
    res = time_in_band(actual=EMPTY, target=EMPTY, band=1.0, t_s=EMPTY)
    assert math.isnan(res.fraction)
    assert res.seconds == 0.0
    with pytest.raises(ValueError, match="band"):
        time_in_band(actual=np.zeros(3), target=np.zeros(3), band=-1.0, t_s=even(3, 10.0))
    with pytest.raises(ValueError, match="t_s"):
        time_in_band(actual=np.zeros(3), target=np.zeros(3), band=1.0, t_s=even(4, 10.0))


def test_time_in_band_is_measured_in_seconds_not_samples() -> None:
    """Issue 18: no metric counted in samples where it is defined in seconds. Half the samples
    on target but bunched into a quarter of the time: a quarter of the time in band."""
    t = np.concatenate([np.arange(100) * 0.005, 0.5 + np.arange(100) * 0.01])  # 200, then 100 Hz
    actual = np.where(np.arange(200) < 100, 0.0, 10.0)
    res = time_in_band(actual=actual, target=np.zeros(200), band=1.0, t_s=t)
    assert res.seconds == pytest.approx(0.5)
    out = 99 * 0.01 + 0.005  # the last sample stands for one usual interval
    assert res.fraction == pytest.approx(0.5 / (0.5 + out), rel=1e-9)
    # a lost stretch of the link is not time on target: it stands for one usual interval
    gap = np.concatenate([np.arange(50) * 0.01, 10.0 + np.arange(50) * 0.01])
    res = time_in_band(actual=np.zeros(100), target=np.zeros(100), band=1.0, t_s=gap)
    assert res.seconds == pytest.approx(1.0) and res.fraction == pytest.approx(1.0)


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
    res = time_in_band(actual=actual, target=target, band=band, t_s=even(n, fs))
    if n == 1:  # one sample spans no time
        assert math.isnan(res.fraction) and res.seconds == 0.0
        return
    assert 0.0 <= res.fraction <= 1.0
    assert res.seconds == pytest.approx(res.fraction * n / fs)
    wider = time_in_band(actual=actual, target=target, band=band * 2 + 1, t_s=even(n, fs))
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
        lambda: steadiness_cv(force_n=x, fs_hz=fs),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="fs_hz"):
            call()
