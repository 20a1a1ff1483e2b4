"""Onset detection on synthetic steps and ramps with known onsets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from isoforce.signal.detect import BaselineStats, baseline_stats, onset_fraction, onset_sd

F = NDArray[np.float64]
FS = 1000.0


def step(*, n: int = 2000, at: int = 700, base: float = 0.0, top: float = 100.0) -> F:
    x = np.full(n, base)
    x[at:] = top
    return x


def noisy_baseline_then_ramp() -> F:
    """Baseline alternating 9/11 (mean 10, population SD 1), ramp of 0.25 per sample from 600."""
    x = np.where(np.arange(1500) % 2 == 0, 9.0, 11.0)
    x[600:] = 10.0 + 0.25 * np.arange(900)
    return x


# ---- baseline ----


def test_baseline_stats_mean_and_population_sd() -> None:
    res = baseline_stats(force_n=noisy_baseline_then_ramp(), fs_hz=FS, window_s=0.5)
    assert res == BaselineStats(10.0, 1.0)
    mean, sd = res  # unpacks as a pair
    assert (mean, sd) == (10.0, 1.0)


def test_baseline_stats_too_short_is_nan() -> None:
    mean, sd = baseline_stats(force_n=np.zeros(499), fs_hz=FS, window_s=0.5)
    assert math.isnan(mean)
    assert math.isnan(sd)


# ---- baseline + k·SD ----


def test_onset_sd_on_step_is_step_index() -> None:
    assert onset_sd(force_n=step(at=700), fs_hz=FS) == 700
    assert onset_sd(force_n=step(at=500, base=20.0, top=21.0), fs_hz=FS) == 500


def test_onset_sd_threshold_on_noisy_baseline() -> None:
    # Threshold 10 + 3·1 = 13; the ramp 10 + 0.25·k first exceeds it at k = 13.
    x = noisy_baseline_then_ramp()
    assert onset_sd(force_n=x, fs_hz=FS) == 613
    # k = 1: threshold 11, exceeded at k = 5 (the baseline's 11s are not strictly above).
    assert onset_sd(force_n=x, fs_hz=FS, k=1.0) == 605


def test_onset_sd_min_duration_skips_a_short_spike() -> None:
    x = step(at=900)
    x[600:603] = 50.0  # 3-ms artefact after the baseline window
    assert onset_sd(force_n=x, fs_hz=FS) == 600
    assert onset_sd(force_n=x, fs_hz=FS, min_duration_s=0.003) == 600  # exactly 3 samples: kept
    assert onset_sd(force_n=x, fs_hz=FS, min_duration_s=0.004) == 900
    assert onset_sd(force_n=x, fs_hz=FS, min_duration_s=0.010) == 900


def test_onset_sd_run_cut_by_end_of_trace_does_not_count() -> None:
    x = step(n=1000, at=995)  # only 5 samples above
    assert onset_sd(force_n=x, fs_hz=FS, min_duration_s=0.005) == 995
    assert onset_sd(force_n=x, fs_hz=FS, min_duration_s=0.006) is None


@pytest.mark.parametrize("level", [0.1, 0.3, 2.456694307410653e-187, -7.7])
def test_constant_quantised_baseline_never_triggers_itself(level: float) -> None:
    # The float mean of many copies of 0.1 is not exactly 0.1; it must not fall below the
    # samples, or the first sample after the window would count as an onset.
    x = np.full(1000, level)
    x[800:] = level + 1.0
    assert onset_sd(force_n=x, fs_hz=FS, k=0.0) == 800
    assert onset_fraction(force_n=x, fs_hz=FS, fraction=0.0) == 800


def test_onset_sd_ignores_the_baseline_window_itself() -> None:
    x = step(at=100)  # already up inside the 0.5-s baseline: nothing rises after it
    assert onset_sd(force_n=x, fs_hz=FS) is None


def test_onset_sd_none_when_flat_or_too_short() -> None:
    assert onset_sd(force_n=np.full(2000, 5.0), fs_hz=FS) is None
    assert onset_sd(force_n=np.zeros(100), fs_hz=FS) is None
    assert onset_sd(force_n=np.array([], dtype=np.float64), fs_hz=FS) is None


def test_onset_sd_rejects_bad_parameters() -> None:
    x = step()
    with pytest.raises(ValueError, match="k must"):
        onset_sd(force_n=x, fs_hz=FS, k=-1.0)
    with pytest.raises(ValueError, match="min_duration_s"):
        onset_sd(force_n=x, fs_hz=FS, min_duration_s=-0.1)
    with pytest.raises(ValueError, match="baseline_s"):
        onset_sd(force_n=x, fs_hz=FS, baseline_s=0.0)


# ---- baseline + fraction of the rise ----


def test_onset_fraction_on_step_is_step_index() -> None:
    assert onset_fraction(force_n=step(at=700, base=20.0, top=420.0), fs_hz=FS) == 700


def test_onset_fraction_on_ramp() -> None:
    # Baseline 20, peak 420: threshold 20 + 0.025·400 = 30; the ramp 20 + 4·k passes it at k = 3.
    x = np.full(1200, 20.0)
    x[600:701] = 20.0 + 4.0 * np.arange(101)
    x[701:] = 420.0
    idx = onset_fraction(force_n=x, fs_hz=FS)
    assert idx == 603
    assert x[idx] > 30.0 >= x[idx - 1]  # the first sample above the threshold
    assert onset_fraction(force_n=x, fs_hz=FS, fraction=0.5) == 651  # > 220 first at k = 51


def test_onset_fraction_none_cases() -> None:
    assert onset_fraction(force_n=np.full(1000, 3.0), fs_hz=FS) is None
    assert onset_fraction(force_n=np.linspace(10.0, 0.0, 1000), fs_hz=FS) is None
    assert onset_fraction(force_n=np.zeros(500), fs_hz=FS) is None  # nothing after the baseline


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 2.0])
def test_onset_fraction_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        onset_fraction(force_n=step(), fs_hz=FS, fraction=fraction)


@pytest.mark.parametrize("fs", [0.0, -1.0, math.nan])
def test_bad_sample_rate_raises(fs: float) -> None:
    x = step()
    with pytest.raises(ValueError, match="fs_hz"):
        baseline_stats(force_n=x, fs_hz=fs, window_s=0.5)
    with pytest.raises(ValueError, match="fs_hz"):
        onset_sd(force_n=x, fs_hz=fs)
    with pytest.raises(ValueError, match="fs_hz"):
        onset_fraction(force_n=x, fs_hz=fs)


def test_rejects_2d_input() -> None:
    with pytest.raises(ValueError, match="1-D"):
        onset_sd(force_n=np.zeros((10, 2)), fs_hz=FS)


@settings(deadline=None, max_examples=100)
@given(
    fs=st.sampled_from([80.0, 200.0, 1000.0]),
    baseline_s=st.sampled_from([0.1, 0.5, 1.0]),
    extra=st.integers(0, 300),
    base=st.floats(-100.0, 100.0),
    rise=st.floats(0.5, 1000.0),
)
def test_both_rules_find_a_clean_step(
    fs: float, baseline_s: float, extra: int, base: float, rise: float
) -> None:
    n_base = round(baseline_s * fs)
    at = n_base + extra
    x = step(n=at + 50, at=at, base=base, top=base + rise)
    assert onset_sd(force_n=x, fs_hz=fs, baseline_s=baseline_s) == at
    assert onset_fraction(force_n=x, fs_hz=fs, baseline_s=baseline_s) == at
