"""Device time: wrapping and restarting counters, rate estimates, the multi-sensor time base."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.device_time import (
    CounterSpec,
    CounterUnwrapper,
    RateEstimator,
    RestartingCounter,
    estimate_rate_hz,
)
from isoforce.core.timebase import SessionTimebase

US = CounterSpec(bits=32, tick_s=1e-6)


def test_wrap_inside_and_between_chunks() -> None:
    c = RestartingCounter(US)
    near = 2**32 - 10_000
    a = c.stamp([near, (near + 12_500) % 2**32], t_host_s=0.0)
    b = c.stamp(
        np.array([(near + 25_000) % 2**32] * 1 + [(near + 37_500) % 2**32] * 9), t_host_s=0.025
    )
    assert np.allclose(a, [0.0, 0.0125]) and np.allclose(b[:2], [0.025, 0.0375])
    assert c.restarts == 0


def test_restart_continues_from_the_host_clock() -> None:
    c = RestartingCounter(US, tolerance_s=1.0)
    c.stamp([5_000_000], t_host_s=100.0)
    assert c.stamp([0, 12_500], t_host_s=103.0).tolist() == [3.0, 3.0125]
    assert c.restarts == 1
    # a counter that kept running through a 2 s silence is not a restart
    assert np.allclose(c.stamp([2_012_500], t_host_s=105.0), [5.0125])
    assert c.restarts == 1


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(st.integers(1, 50_000), min_size=1, max_size=60),
    start=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(1, 20), max_size=10),
)
def test_any_chunking_gives_the_same_times(steps: list[int], start: int, cuts: list[int]) -> None:
    ticks = (start + np.cumsum([0, *steps])) % 2**32
    host = np.cumsum([0, *steps]) * 1e-6  # the host sees the same pace
    whole = RestartingCounter(US).stamp(ticks, t_host_s=float(host[-1]))
    c = RestartingCounter(US)
    parts: list[float] = []
    at = 0
    for cut in [*cuts, len(ticks)]:
        piece = ticks[at : at + cut]
        if len(piece):
            parts += c.stamp(piece, t_host_s=float(host[at + len(piece) - 1])).tolist()
        at += cut
    assert np.allclose(parts, whole, atol=1e-9)
    assert c.restarts == 0


def test_timebase_maps_companions_onto_the_primary_timeline() -> None:
    tb = SessionTimebase()
    imu_t = np.array([0.0, 0.02, 0.04])
    # the IMU's own zero was at host 50.8 s; the force device's zero at host 50.0 s
    assert tb.to_session("imu", t_s=imu_t, t_host_s=50.8 + imu_t + 0.003) is None
    tb.observe_primary(t_s=np.array([0.0, 0.0125]), t_host_s=np.array([50.004, 50.0165]))
    mapped = tb.to_session("imu", t_s=imu_t, t_host_s=50.8 + imu_t + 0.003)
    assert mapped is not None and np.allclose(mapped, 0.799 + imu_t)
    # a faster delivery later refines the estimate (minimum latency)
    tb.observe_primary(t_s=np.array([0.025]), t_host_s=np.array([50.026]))
    assert np.allclose(
        tb.to_session("imu", t_s=imu_t, t_host_s=50.8 + imu_t + 0.003), 0.802 + imu_t
    )


# --- counters that only wrap, and rate estimates ---------------------------------------------


def test_uint32_microsecond_counter_wraps_after_71_6_minutes() -> None:
    spec = CounterSpec(bits=32, tick_s=1e-6)
    assert abs(spec.period_s / 60 - 71.58) < 0.01


def test_unwrap_across_a_wrap_is_monotonic_and_exact() -> None:
    start = 2**32 - 25_000  # 25 ms before the wrap
    true_us = start + np.arange(0, 100) * 12_500  # 80 Hz
    raw = true_us % 2**32
    u = CounterUnwrapper()
    t = u.unwrap(raw)
    np.testing.assert_allclose(t, np.arange(100) * 0.0125, atol=1e-12)
    assert u.wraps == 1


def test_unwrap_over_several_hours_counts_every_wrap() -> None:
    # one sample every 10 minutes for 5 hours: 4 wraps
    true_us = np.arange(0, 31) * 600_000_000
    u = CounterUnwrapper()
    t = np.concatenate([u.unwrap(true_us[i : i + 1] % 2**32) for i in range(31)])
    np.testing.assert_allclose(t, true_us * 1e-6)
    assert u.wraps == 4


@given(cuts=st.lists(st.integers(1, 50), min_size=1, max_size=20), start=st.integers(0, 2**32 - 1))
def test_unwrap_does_not_depend_on_chunking(cuts: list[int], start: int) -> None:
    n = sum(cuts)
    raw = (start + np.arange(n, dtype=np.int64) * 7_000_000) % 2**32
    whole = CounterUnwrapper().unwrap(raw)
    u = CounterUnwrapper()
    parts = []
    i = 0
    for c in cuts:
        parts.append(u.unwrap(raw[i : i + c]))
        i += c
    np.testing.assert_array_equal(np.concatenate(parts), whole)


@given(
    cuts=st.lists(st.integers(1, 12), min_size=1, max_size=20),
    start=st.integers(0, 2**32 - 1),
    steps=st.lists(st.integers(0, 2**32 - 1), min_size=240, max_size=240),
)
def test_unwrap_of_plain_ints_gives_the_bits_of_the_array_path(
    cuts: list[int], start: int, steps: list[int]
) -> None:
    raw = (start + np.cumsum(steps[: sum(cuts)], dtype=np.int64)) % 2**32
    arrays, ints = CounterUnwrapper(), CounterUnwrapper()
    i = 0
    for c in cuts:
        chunk = raw[i : i + c]
        i += c
        np.testing.assert_array_equal(ints.unwrap(chunk.tolist()), arrays.unwrap(chunk))
    assert ints.wraps == arrays.wraps


def test_rate_estimates_ignore_gaps() -> None:
    t = np.arange(0, 200) / 80.0
    t = np.delete(t, np.arange(50, 60))  # a 10-sample gap
    assert abs(estimate_rate_hz(t_s=t) - 80.0) < 1e-9
    est = RateEstimator(window=64)
    for i in range(0, len(t), 7):
        rate = est.update(t[i : i + 7])
    assert abs(rate - 80.0) < 1e-9
    assert np.isnan(estimate_rate_hz(t_s=np.array([1.0])))
