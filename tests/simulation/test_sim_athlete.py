"""The virtual athlete: determinism, chunk invariance and human-like behaviour."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from isoforce.errors import ConfigError
from isoforce.simulation import AthleteOutput, AthleteSettings, VirtualAthlete, demo_effort_profile
from isoforce.simulation.athlete import SMALL_CHUNK

DEFAULT = AthleteSettings()


def hold_target(*, fs_hz: float, level_pct: float, hold_s: float = 20.0) -> np.ndarray:
    """Rest 2 s, ramp at 5 %/s to ``level_pct``, hold ``hold_s``, rest 2 s."""
    ramp_s = abs(level_pct) / 5.0
    t = np.arange(round((4.0 + ramp_s + hold_s) * fs_hz)) / fs_hz
    up = np.clip((t - 2.0) / ramp_s, 0.0, 1.0) * level_pct
    return np.where(t < 2.0 + ramp_s + hold_s, up, 0.0)


def run(
    target: np.ndarray, *, fs_hz: float, seed: int = 1, **changes: Any
) -> tuple[VirtualAthlete, AthleteOutput]:
    athlete = VirtualAthlete(dataclasses.replace(DEFAULT, **changes), fs_hz=fs_hz, seed=seed)
    return athlete, athlete.step(target_pct=target)


def to_pct(force_n: np.ndarray, s: AthleteSettings = DEFAULT) -> np.ndarray:
    return np.where(force_n >= 0, force_n / s.push_max_n, force_n / s.pull_max_n) * 100.0


# --- determinism and chunk invariance ------------------------------------------------------

FS_CHUNK = 200.0
T_CHUNK = np.arange(round(80 * FS_CHUNK)) / FS_CHUNK
# The demo profile plus stretches at 100 % push and 90 % pull, so fatigue runs in both
# directions, overshoot events and the delay line all cross chunk boundaries.
TARGET_CHUNK = np.select(
    [(T_CHUNK > 36) & (T_CHUNK < 55), (T_CHUNK > 60) & (T_CHUNK < 72)],
    [100.0, -90.0],
    demo_effort_profile(t_s=T_CHUNK),
)


def test_same_seed_same_output_different_seed_different() -> None:
    _, a = run(TARGET_CHUNK, fs_hz=FS_CHUNK, seed=7)
    _, b = run(TARGET_CHUNK, fs_hz=FS_CHUNK, seed=7)
    _, c = run(TARGET_CHUNK, fs_hz=FS_CHUNK, seed=8)
    assert np.array_equal(a.force_n, b.force_n)
    assert np.array_equal(a.true_force_n, b.true_force_n)
    assert not np.allclose(a.force_n, c.force_n)


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=TARGET_CHUNK.size), max_size=40),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_chunked_steps_equal_one_step(cuts: list[int], seed: int) -> None:
    changes: dict[str, Any] = {"overshoot_probability": 0.7, "fatigue_per_s": 0.02}
    whole_athlete, whole = run(TARGET_CHUNK, fs_hz=FS_CHUNK, seed=seed, **changes)
    athlete = VirtualAthlete(dataclasses.replace(DEFAULT, **changes), fs_hz=FS_CHUNK, seed=seed)
    parts = [athlete.step(target_pct=p) for p in np.split(TARGET_CHUNK, sorted(cuts))]
    force = np.concatenate([p.force_n for p in parts])
    true_force = np.concatenate([p.true_force_n for p in parts])
    assert np.array_equal(force, whole.force_n)
    assert np.array_equal(true_force, whole.true_force_n)
    assert athlete.push_capacity == whole_athlete.push_capacity < 1.0
    assert athlete.pull_capacity == whole_athlete.pull_capacity < 1.0
    assert athlete.samples_done == whole_athlete.samples_done == TARGET_CHUNK.size


def _cut(size: int, chunk_sizes: list[int]) -> list[int]:
    """Cut points for chunks of ``chunk_sizes`` (cycled) over ``size`` samples."""
    cuts, at = [], 0
    for length in itertools.cycle(chunk_sizes):
        at += length
        if at >= size:
            return cuts
        cuts.append(at)
    raise AssertionError("unreachable")


@settings(max_examples=25, deadline=None)
@given(
    chunk_sizes=st.lists(st.integers(min_value=1, max_value=2 * SMALL_CHUNK + 4), min_size=1),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    fs_hz=st.sampled_from([FS_CHUNK, 20.0]),  # at 20 Hz the tremor is left out
)
def test_small_chunks_give_the_same_bits_as_one_step(
    chunk_sizes: list[int], seed: int, fs_hz: float
) -> None:
    """Short chunks (plain floats) mixed with long ones (arrays) give the one-step stream."""
    target = TARGET_CHUNK[:: round(FS_CHUNK / fs_hz)]
    changes: dict[str, Any] = {
        "overshoot_probability": 0.7,
        "fatigue_per_s": 0.02,
        "tracking_bias_pct": -7.0,
    }
    whole_athlete, whole = run(target, fs_hz=fs_hz, seed=seed, **changes)
    athlete = VirtualAthlete(dataclasses.replace(DEFAULT, **changes), fs_hz=fs_hz, seed=seed)
    parts = [athlete.step(target_pct=p) for p in np.split(target, _cut(target.size, chunk_sizes))]
    assert np.array_equal(np.concatenate([p.force_n for p in parts]), whole.force_n)
    assert np.array_equal(np.concatenate([p.true_force_n for p in parts]), whole.true_force_n)
    assert athlete.push_capacity == whole_athlete.push_capacity < 1.0
    assert athlete.pull_capacity == whole_athlete.pull_capacity < 1.0
    assert athlete.samples_done == whole_athlete.samples_done == target.size


def test_a_stream_one_sample_at_a_time_gives_the_same_bits() -> None:
    athlete = VirtualAthlete(DEFAULT, fs_hz=FS_CHUNK, seed=5)
    force = [athlete.step(target_pct=TARGET_CHUNK[i : i + 1]).force_n for i in range(4000)]
    _, whole = run(TARGET_CHUNK[:4000], fs_hz=FS_CHUNK, seed=5)
    assert np.array_equal(np.concatenate(force), whole.force_n)


def test_non_finite_targets_are_refused_in_short_and_long_chunks() -> None:
    athlete = VirtualAthlete(DEFAULT, fs_hz=100.0, seed=1)
    for bad in (np.array([1.0, np.nan]), np.r_[np.zeros(40), np.inf]):
        with pytest.raises(ValueError, match="finite"):
            athlete.step(target_pct=bad)


def test_empty_chunk_changes_nothing() -> None:
    athlete = VirtualAthlete(DEFAULT, fs_hz=100.0, seed=1)
    out = athlete.step(target_pct=np.array([], dtype=np.float64))
    assert out.force_n.shape == (0,)
    assert athlete.samples_done == 0


# --- human-like tracking ------------------------------------------------------------------


@pytest.mark.parametrize("fs_hz", [80.0, 1000.0])
@pytest.mark.parametrize("seed", range(5))
def test_hold_at_50_pct_stays_in_band(fs_hz: float, seed: int) -> None:
    target = hold_target(fs_hz=fs_hz, level_pct=50.0)
    _, out = run(target, fs_hz=fs_hz, seed=seed)
    hold_start_s = 2.0 + 10.0
    t = np.arange(target.size) / fs_hz
    middle = (t >= hold_start_s + 5.0) & (t < hold_start_s + 15.0)
    in_band = np.abs(to_pct(out.force_n[middle]) - 50.0) <= 5.0
    assert in_band.mean() >= 0.9
    # Human, not perfect: the force does fluctuate (steadiness CV of a few %, not zero).
    cv_pct = out.true_force_n[middle].std() / out.true_force_n[middle].mean() * 100
    assert 0.5 < cv_pct < 4.0


def test_lag_is_reaction_delay_plus_dynamics() -> None:
    fs_hz = 500.0
    t = np.arange(round(68 * fs_hz)) / fs_hz
    target = demo_effort_profile(t_s=t)
    lags = {}
    for delay_s in (0.15, 0.2, 0.3):
        _, out = run(target, fs_hz=fs_hz, reaction_delay_s=delay_s, overshoot_probability=0.0)
        x = target - target.mean()
        y = to_pct(out.force_n)
        y = y - y.mean()
        max_lag = round(1.0 * fs_hz)
        xcorr = [np.dot(x[: x.size - k], y[k:]) for k in range(max_lag)]
        lags[delay_s] = int(np.argmax(xcorr)) / fs_hz
        dynamics_lag_s = 2 * DEFAULT.damping * DEFAULT.response_time_s  # low-frequency group delay
        assert delay_s <= lags[delay_s] <= delay_s + dynamics_lag_s + 0.03
    assert lags[0.3] - lags[0.15] == pytest.approx(0.15, abs=2.5 / fs_hz)


def test_no_response_before_the_reaction_delay() -> None:
    fs_hz = 1000.0
    target = np.where(np.arange(3000) >= 1000, 50.0, 0.0)
    _, out = run(target, fs_hz=fs_hz, reaction_delay_s=0.25)
    before = out.true_force_n[1000:1250]
    after = out.true_force_n[1250 + 150 : 1250 + 400]
    assert np.abs(before).max() < 0.5  # only the tremor floor
    assert after.mean() > 0.3 * 125.0


def test_step_response_overshoots_slightly_and_settles() -> None:
    fs_hz = 1000.0
    target = np.where(np.arange(4000) >= 500, 40.0, 0.0)
    _, out = run(
        target, fs_hz=fs_hz, overshoot_probability=0.0, tremor_fraction=0.0, steadiness_cv_pct=0.0
    )
    pct = to_pct(out.true_force_n)
    assert 40.0 < pct.max() < 40.0 * 1.05  # ζ = 0.8: ~1.5 % overshoot
    assert pct[-500:].mean() == pytest.approx(40.0, abs=0.2)


def test_overshoot_on_reaching_a_plateau() -> None:
    fs_hz = 1000.0
    target = hold_target(fs_hz=fs_hz, level_pct=50.0, hold_s=8.0)
    quiet: dict[str, Any] = {"tremor_fraction": 0.0, "steadiness_cv_pct": 0.0, "noise_n": 0.0}
    _, always = run(target, fs_hz=fs_hz, overshoot_probability=1.0, **quiet)
    _, never = run(target, fs_hz=fs_hz, overshoot_probability=0.0, **quiet)
    peak_always = to_pct(always.true_force_n).max() - 50.0
    peak_never = to_pct(never.true_force_n).max() - 50.0
    # 4 % of 50 % (×0.5…1.5) on top of the tiny overshoot of the dynamics alone
    assert peak_never < 0.5
    assert 0.5 < peak_always - peak_never < 3.5
    t = np.arange(target.size) / fs_hz
    late = t > 12.0 + 4.0
    assert np.abs(to_pct(always.true_force_n[late & (t < 20)]) - 50.0).max() < 0.3


def test_tracking_bias_undershoots() -> None:
    fs_hz = 200.0
    target = hold_target(fs_hz=fs_hz, level_pct=50.0)
    _, out = run(target, fs_hz=fs_hz, tracking_bias_pct=-10.0)
    t = np.arange(target.size) / fs_hz
    assert to_pct(out.force_n[(t > 17) & (t < 27)]).mean() == pytest.approx(45.0, abs=0.5)


# --- tremor, noise, maxima, fatigue -------------------------------------------------------


def test_tremor_is_a_spectral_peak_between_8_and_12_hz() -> None:
    fs_hz = 1000.0
    target = hold_target(fs_hz=fs_hz, level_pct=50.0)
    _, out = run(target, fs_hz=fs_hz)
    t = np.arange(target.size) / fs_hz
    hold = out.force_n[(t >= 17.0) & (t < 27.0)]
    freqs, psd = signal.welch(signal.detrend(hold), fs=fs_hz, nperseg=2048)
    band = (freqs >= 3.0) & (freqs <= 100.0)
    peak_hz = freqs[band][np.argmax(psd[band])]
    assert 8.0 <= peak_hz <= 12.0
    tremor_power = psd[(freqs >= 8) & (freqs <= 12)].sum()
    assert tremor_power > 10 * psd[(freqs >= 20) & (freqs <= 40)].sum()


def test_noise_level_at_rest() -> None:
    fs_hz = 1000.0
    _, out = run(np.zeros(round(30 * fs_hz)), fs_hz=fs_hz)
    assert out.force_n.std() == pytest.approx(DEFAULT.noise_n, rel=0.15)
    assert abs(out.force_n.mean()) < 1.0
    assert np.abs(out.true_force_n).max() < 0.5


@pytest.mark.parametrize(("level_pct", "max_n"), [(100.0, 250.0), (-100.0, -170.0)])
def test_push_and_pull_have_separate_maxima(level_pct: float, max_n: float) -> None:
    fs_hz = 200.0
    target = hold_target(fs_hz=fs_hz, level_pct=level_pct, hold_s=3.0)
    _, out = run(target, fs_hz=fs_hz, fatigue_per_s=0.0)
    t = np.arange(target.size) / fs_hz
    assert out.force_n[(t > 23.0) & (t < 25.0)].mean() == pytest.approx(max_n, rel=0.02)


def test_fatigue_at_max_but_not_at_30_pct() -> None:
    fs_hz = 200.0
    at_max = hold_target(fs_hz=fs_hz, level_pct=100.0, hold_s=60.0)
    athlete, out = run(at_max, fs_hz=fs_hz)
    t = np.arange(at_max.size) / fs_hz
    early = out.force_n[(t > 23) & (t < 28)].mean()
    late = out.force_n[(t > 76) & (t < 81)].mean()
    expected_loss_n = DEFAULT.fatigue_per_s * 53.0 * DEFAULT.push_max_n
    assert early - late == pytest.approx(expected_loss_n, rel=0.25)
    assert athlete.pull_capacity == 1.0

    light = hold_target(fs_hz=fs_hz, level_pct=30.0, hold_s=60.0)
    athlete, out = run(light, fs_hz=fs_hz)
    t = np.arange(light.size) / fs_hz
    hold_n = 0.3 * DEFAULT.push_max_n  # the hold runs from 8 s to 68 s
    assert out.force_n[(t > 10) & (t < 15)].mean() == pytest.approx(hold_n, abs=1.0)
    assert out.force_n[(t > 62) & (t < 67)].mean() == pytest.approx(hold_n, abs=1.0)
    assert athlete.push_capacity == 1.0


def test_capacity_recovers_at_rest_and_has_a_floor() -> None:
    fs_hz = 50.0
    athlete = VirtualAthlete(
        dataclasses.replace(DEFAULT, fatigue_per_s=0.05, recovery_per_s=0.02),
        fs_hz=fs_hz,
        seed=1,
    )
    athlete.step(target_pct=np.full(round(30 * fs_hz), 100.0))
    assert athlete.push_capacity == pytest.approx(DEFAULT.capacity_floor_fraction)
    athlete.step(target_pct=np.zeros(round(10 * fs_hz)))
    assert athlete.push_capacity == pytest.approx(DEFAULT.capacity_floor_fraction + 0.2, abs=0.01)


def test_feels_pain() -> None:
    fs_hz = 100.0
    assert not VirtualAthlete(DEFAULT, fs_hz=fs_hz, seed=0).feels_pain(effort_pct=100.0)
    athlete = VirtualAthlete(
        dataclasses.replace(DEFAULT, pain_threshold_pct=70.0), fs_hz=fs_hz, seed=0
    )
    assert not athlete.feels_pain(effort_pct=69.9)
    assert athlete.feels_pain(effort_pct=70.0)
    assert not athlete.feels_pain(effort_pct=-80.0)


@pytest.mark.parametrize(
    "changes",
    [
        {"reaction_delay_s": 1.5},
        {"reaction_delay_s": -0.1},
        {"push_max_n": 0.0},
        {"overshoot_probability": 1.2},
        {"pain_threshold_pct": -5.0},
        {"noise_n": float("nan")},
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        dataclasses.replace(DEFAULT, **changes)


@pytest.mark.parametrize("fs_hz", [5.0, 2500.0])
def test_sample_rate_range(fs_hz: float) -> None:
    with pytest.raises(ConfigError):
        VirtualAthlete(DEFAULT, fs_hz=fs_hz, seed=0)


def test_sample_rate_extremes_work() -> None:
    for fs_hz in (10.0, 2000.0):
        target = hold_target(fs_hz=fs_hz, level_pct=50.0, hold_s=5.0)
        _, out = run(target, fs_hz=fs_hz)
        t = np.arange(target.size) / fs_hz
        assert to_pct(out.force_n[(t > 14) & (t < 16)]).mean() == pytest.approx(50.0, abs=2.0)


def test_five_minute_drill_at_1khz_in_100_ms_chunks_gives_every_sample() -> None:
    # how fast this runs is a benchmark (benchmarks/bench_drill.py), not an assert here
    fs_hz = 1000.0
    t = np.arange(round(300 * fs_hz)) / fs_hz
    target = demo_effort_profile(t_s=t)
    athlete = VirtualAthlete(DEFAULT, fs_hz=fs_hz, seed=0)
    # 100 ms chunks, as a paced transport would
    out = [athlete.step(target_pct=chunk) for chunk in np.array_split(target, 3000)]
    force_n = np.concatenate([o.force_n for o in out])
    assert force_n.shape == t.shape and np.isfinite(force_n).all()
