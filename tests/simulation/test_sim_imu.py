"""The virtual IMU: geometry of gravity, gyro integration, MMG amplitude and band, chunking."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from isoforce.errors import ConfigError
from isoforce.simulation import ImuSettings, VirtualImu, cars_sequence, saturating_mmg_rms_g

DEFAULT = ImuSettings()


def make(fs_hz: float, seed: int = 1, **changes: Any) -> VirtualImu:
    return VirtualImu(dataclasses.replace(DEFAULT, **changes), fs_hz=fs_hz, seed=seed)


FS_CHUNK = 250.0
SCRIPT = cars_sequence(fs_hz=FS_CHUNK, duration_s=30.0, seed=4)


def test_same_seed_same_output_different_seed_different() -> None:
    runs = [
        make(FS_CHUNK, seed=s).step(angle_deg=SCRIPT.angle_deg, effort_pct=SCRIPT.effort_pct)
        for s in (5, 5, 6)
    ]
    assert np.array_equal(runs[0].acc_g, runs[1].acc_g)
    assert np.array_equal(runs[0].gyro_dps, runs[1].gyro_dps)
    assert not np.allclose(runs[0].acc_g, runs[2].acc_g)
    assert not np.allclose(runs[0].gyro_dps, runs[2].gyro_dps)


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=SCRIPT.angle_deg.size), max_size=40),
    placement=st.sampled_from(["thigh", "shank"]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_chunked_steps_equal_one_step(cuts: list[int], placement: str, seed: int) -> None:
    whole = make(FS_CHUNK, seed=seed, placement=placement).step(
        angle_deg=SCRIPT.angle_deg, effort_pct=SCRIPT.effort_pct
    )
    imu = make(FS_CHUNK, seed=seed, placement=placement)
    cuts = sorted(cuts)
    parts = [
        imu.step(angle_deg=a, effort_pct=e)
        for a, e in zip(
            np.split(SCRIPT.angle_deg, cuts), np.split(SCRIPT.effort_pct, cuts), strict=True
        )
    ]
    assert np.array_equal(np.concatenate([p.acc_g for p in parts]), whole.acc_g)
    assert np.array_equal(np.concatenate([p.gyro_dps for p in parts]), whole.gyro_dps)
    assert imu.samples_done == SCRIPT.angle_deg.size


@pytest.mark.parametrize("placement", ["thigh", "shank"])
@pytest.mark.parametrize("angle_deg", [-40.0, -10.0, 0.0, 25.0, 35.0, 90.0])
def test_static_angle_projects_gravity(placement: str, angle_deg: float) -> None:
    fs_hz = 200.0
    out = make(fs_hz, placement=placement).step(angle_deg=np.full(400, angle_deg), effort_pct=0.0)
    theta = np.radians(angle_deg)
    mean = out.acc_g.mean(axis=0)
    np.testing.assert_allclose(mean, [0.0, np.cos(theta), -np.sin(theta)], atol=1e-3)
    assert np.linalg.norm(mean) == pytest.approx(1.0, abs=1e-3)
    # Roll from the accelerometer reads the hip angle back (IR positive).
    assert np.degrees(np.arctan2(-mean[2], mean[1])) == pytest.approx(angle_deg, abs=0.1)


def test_vertical_femur_hides_rotation_from_the_accelerometer() -> None:
    fs_hz = 200.0
    for angle_deg in (-30.0, 0.0, 30.0):
        out = make(fs_hz, axis_elevation_deg=90.0).step(
            angle_deg=np.full(400, angle_deg), effort_pct=0.0
        )
        np.testing.assert_allclose(out.acc_g.mean(axis=0), [1.0, 0.0, 0.0], atol=1e-3)


@pytest.mark.parametrize("fs_hz", [100.0, 1000.0])
def test_gyro_integrates_to_the_angle_change(fs_hz: float) -> None:
    script = cars_sequence(fs_hz=fs_hz, duration_s=60.0, seed=2)
    out = make(fs_hz).step(angle_deg=script.angle_deg, effort_pct=script.effort_pct)
    bias = np.asarray(DEFAULT.gyro_bias_dps)
    integrated = np.cumsum(out.gyro_dps[:, 0] - bias[0]) / fs_hz
    assert np.abs(integrated - (script.angle_deg - script.angle_deg[0])).max() < 0.1
    # Uncorrected, the bias alone drifts 0.3 °/s × 60 s = 18°.
    raw = np.cumsum(out.gyro_dps[:, 0]) / fs_hz
    assert raw[-1] - (script.angle_deg[-1] - script.angle_deg[0]) == pytest.approx(18.0, abs=0.5)
    np.testing.assert_allclose(out.gyro_dps[:, 1:].mean(axis=0), bias[1:], atol=0.01)


@pytest.mark.parametrize("placement", ["thigh", "shank"])
def test_accelerometer_tilt_tracks_the_moving_angle(placement: str) -> None:
    fs_hz = 500.0
    script = cars_sequence(fs_hz=fs_hz, duration_s=40.0, seed=3)
    out = make(fs_hz, placement=placement).step(angle_deg=script.angle_deg, effort_pct=0.0)
    roll = np.degrees(np.arctan2(-out.acc_g[:, 2], out.acc_g[:, 1]))
    box = np.ones(50) / 50  # 0.1 s smoothing on both, so the lag is the same
    error = np.convolve(roll, box, "valid") - np.convolve(script.angle_deg, box, "valid")
    assert np.abs(error).max() < 1.0


def test_mmg_rms_rises_with_effort_and_saturates() -> None:
    effort = np.linspace(0.0, 120.0, 241)
    rms = saturating_mmg_rms_g(effort_pct=effort, settings=DEFAULT)
    assert np.all(np.diff(rms) >= 0.0)
    assert rms[0] == pytest.approx(DEFAULT.mmg_rest_g)
    assert saturating_mmg_rms_g(effort_pct=100.0, settings=DEFAULT) == pytest.approx(
        DEFAULT.mmg_max_g
    )
    slope_low = (
        saturating_mmg_rms_g(effort_pct=50.0, settings=DEFAULT)
        - saturating_mmg_rms_g(effort_pct=25.0, settings=DEFAULT)
    ) / 25.0
    slope_high = (
        saturating_mmg_rms_g(effort_pct=100.0, settings=DEFAULT)
        - saturating_mmg_rms_g(effort_pct=80.0, settings=DEFAULT)
    ) / 20.0
    assert slope_high < 0.15 * slope_low
    assert saturating_mmg_rms_g(effort_pct=-20.0, settings=DEFAULT) == pytest.approx(
        DEFAULT.mmg_rest_g
    )


def test_simulated_mmg_follows_effort_along_the_skin_normal() -> None:
    fs_hz = 1000.0
    measured = []
    for effort in (0.0, 25.0, 50.0, 75.0, 100.0):
        out = make(fs_hz, acc_noise_g=0.0).step(angle_deg=np.zeros(20_000), effort_pct=effort)
        vibration = out.acc_g[2000:] - out.acc_g[2000:].mean(axis=0)
        rms = np.sqrt(np.mean(vibration**2, axis=0))
        expected = saturating_mmg_rms_g(effort_pct=effort, settings=DEFAULT)
        assert rms[2] == pytest.approx(expected, rel=0.05)
        np.testing.assert_allclose(rms[:2], DEFAULT.mmg_cross_axis_fraction * expected, rtol=0.1)
        measured.append(rms[2])
    assert np.all(np.diff(measured) > 0)
    assert measured[4] - measured[3] < 0.3 * (measured[3] - measured[2])


@pytest.mark.parametrize(("fs_hz", "top_hz"), [(1000.0, 45.0), (100.0, 45.0), (50.0, 22.5)])
def test_mmg_is_band_limited(fs_hz: float, top_hz: float) -> None:
    imu = make(fs_hz, acc_noise_g=0.0)
    assert imu.mmg_band_hz == (8.0, top_hz)
    out = imu.step(angle_deg=np.zeros(round(60 * fs_hz)), effort_pct=100.0)
    z = out.acc_g[round(2 * fs_hz) :, 2]
    freqs, psd = signal.welch(z - z.mean(), fs=fs_hz, nperseg=round(2 * fs_hz))
    total = psd.sum()
    assert psd[(freqs >= 8.0) & (freqs <= top_hz)].sum() / total > 0.85
    assert psd[(freqs >= 8.0 / 1.5) & (freqs <= top_hz * 1.5)].sum() / total > 0.98


def test_noise_levels_at_rest() -> None:
    fs_hz = 1000.0
    out = make(fs_hz, mmg_rest_g=0.0).step(angle_deg=np.zeros(20_000), effort_pct=0.0)
    np.testing.assert_allclose(out.acc_g.std(axis=0), DEFAULT.acc_noise_g, rtol=0.05)
    np.testing.assert_allclose(out.gyro_dps.std(axis=0), DEFAULT.gyro_noise_dps, rtol=0.05)


def test_empty_chunk() -> None:
    imu = make(100.0)
    out = imu.step(angle_deg=np.array([], dtype=np.float64), effort_pct=0.0)
    assert out.acc_g.shape == (0, 3)
    assert out.gyro_dps.shape == (0, 3)


@pytest.mark.parametrize(
    "changes",
    [
        {"placement": "ankle"},
        {"mmg_band_hz": (45.0, 8.0)},
        {"mmg_max_g": 0.0005},
        {"acc_noise_g": -1.0},
        {"gyro_bias_dps": (0.1, 0.2)},
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        dataclasses.replace(DEFAULT, **changes)


@pytest.mark.parametrize("fs_hz", [10.0, 5000.0])
def test_sample_rate_range(fs_hz: float) -> None:
    with pytest.raises(ConfigError):
        make(fs_hz)
