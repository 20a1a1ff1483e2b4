"""Sensor honesty (no number the rate cannot carry), gap flags, and splitting free recordings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.signal.analysis import (
    METRICS,
    SPECS,
    MetricValue,
    SplitSettings,
    analyse,
    find_efforts,
)
from isoforce.signal.curve import Curve

RFD_WINDOWS = ("rfd_0_50ms_n_per_s", "rfd_0_100ms_n_per_s", "rfd_0_200ms_n_per_s")


def effort_curve(fs_hz: float, *, seconds: float = 6.0) -> Curve:
    """Rest 1 s, a 0.3 s rise to 200 N, a hold, release at 4 s."""
    t = np.arange(0.0, seconds, 1.0 / fs_hz)
    f = np.clip((t - 1.0) / 0.3, 0.0, 1.0) * 200.0 * (t < 4.0)
    return Curve.of(t_s=t, force_n=f)


def by_key(values: tuple[MetricValue, ...]) -> dict[str, MetricValue]:
    return {m.key: m for m in values}


@pytest.mark.parametrize(("fs_hz", "shown"), [(2.0, "2"), (10.0, "10")])
def test_slow_devices_get_rate_too_low_for_the_rfd_windows(fs_hz: float, shown: str) -> None:
    """The WH-C06 scale (~2 Hz) and a 10 Hz device: RFD windows refused, never a number."""
    values = by_key(analyse(effort_curve(fs_hz)))
    needs = {"rfd_0_50ms_n_per_s": "200", "rfd_0_100ms_n_per_s": "100", "rfd_0_200ms_n_per_s": "50"}
    for key, hz in needs.items():
        m = values[key]
        assert m.value is None
        assert m.note == f"rate too low (needs ≥ {hz} Hz, sensor gives {shown} Hz)"
    for key in ("rfd_20_80_n_per_s", "peak_rfd_20ms_n_per_s", "tindeq_rfd_20_80_n_per_s"):
        assert values[key].value is None and values[key].note.startswith("rate too low")
    # the peak and mean survive under-sampling
    assert values["peak_n"].value == pytest.approx(200.0)
    assert values["mean_n"].value is not None
    # a 2 Hz scale cannot carry a 0.5 s or a 1 s window either; 10 Hz can
    assert (values["best_1s_n"].value is None) is (fs_hz < 5)
    assert (values["best_0_5s_n"].value is None) is (fs_hz < 10)


def test_a_fast_sensor_gets_every_metric() -> None:
    values = by_key(analyse(effort_curve(1000.0)))
    assert [m.key for m in values.values()] == [s.key for s in METRICS]
    missing = {k: m.note for k, m in values.items() if m.value is None}
    assert missing == {}
    for key in (*RFD_WINDOWS, "rfd_20_80_n_per_s", "peak_rfd_20ms_n_per_s"):
        assert values[key].value == pytest.approx(200.0 / 0.3, rel=1e-6), key
    assert values["onset_s"].value == pytest.approx(1.0 + 0.025 * 0.3, abs=1e-9)
    assert values["time_to_peak_s"].value == pytest.approx(0.3 - 0.025 * 0.3, abs=1e-3)


@settings(max_examples=30, deadline=None)
@given(fs_hz=st.floats(1.0, 2000.0))
def test_every_metric_is_refused_exactly_below_its_rate(fs_hz: float) -> None:
    values = analyse(effort_curve(fs_hz), rate_hz=fs_hz)
    for m in values:
        if fs_hz < SPECS[m.key].min_rate_hz:
            assert m.value is None and m.note.startswith("rate too low"), m
        else:
            assert not m.note.startswith("rate too low"), m


def test_a_gap_is_flagged_on_what_reads_it() -> None:
    t = np.arange(0.0, 6.0, 0.001)
    t = t[(t < 2.5) | (t > 2.7)]  # 0.2 s lost during the hold
    f = np.clip((t - 1.0) / 0.3, 0.0, 1.0) * 200.0 * (t < 4.0)
    values = by_key(analyse(Curve.of(t_s=t, force_n=f)))
    assert values["impulse_n_s"].gap and "0.20 s not measured" in values["impulse_n_s"].note
    assert values["best_1s_n"].note == "windows across gaps not used"
    assert values["best_1s_n"].value == pytest.approx(200.0)
    assert not values["rfd_0_200ms_n_per_s"].gap


def test_find_efforts_with_hysteresis() -> None:
    fs = 100.0
    t = np.arange(0.0, 30.0, 1.0 / fs)
    f = np.zeros_like(t)
    for start in (2.0, 12.0, 22.0):
        f += 100.0 * ((t >= start) & (t < start + 4.0))
    # tremor, and dips to 8 N: between the off (5.3 N) and on (10.6 N) levels, so no split
    dips = (f > 0) & (np.sin(2 * np.pi * 1.5 * t) > 0.99)
    f = np.where(dips, 8.0, f + np.where(f > 0, 6.0 * np.sin(2 * np.pi * 7 * t), 0.0))
    assert dips.sum() > 10
    spans = find_efforts(Curve.of(t_s=t, force_n=f), SplitSettings(pad_s=0.5))
    assert len(spans) == 3
    for (a, b), start in zip(spans, (2.0, 12.0, 22.0), strict=True):
        assert a == pytest.approx(start - 0.5, abs=0.02) and b == pytest.approx(
            start + 4.5, abs=0.02
        )


def test_find_efforts_drops_spikes_and_keeps_neighbours_apart() -> None:
    t = np.arange(0.0, 10.0, 0.01)
    f = 100.0 * (((t >= 1) & (t < 3)) | ((t >= 3.3) & (t < 5))) + 300.0 * (np.abs(t - 8) < 0.05)
    spans = find_efforts(Curve.of(t_s=t, force_n=f), SplitSettings(on_fraction=0.1, pad_s=0.5))
    assert len(spans) == 2  # the 0.1 s spike is shorter than 0.2 s
    (_, end1), (start2, _) = spans
    assert end1 <= start2  # padding never overlaps the next effort
    assert find_efforts(Curve.of(t_s=t, force_n=np.zeros_like(t))) == []
