import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from isoforce.core.clock import CounterSpec, CounterUnwrapper, RateEstimator, estimate_rate_hz


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


def test_rate_estimates_ignore_gaps() -> None:
    t = np.arange(0, 200) / 80.0
    t = np.delete(t, np.arange(50, 60))  # a 10-sample gap
    assert abs(estimate_rate_hz(t_s=t) - 80.0) < 1e-9
    est = RateEstimator(window=64)
    for i in range(0, len(t), 7):
        rate = est.update(t[i : i + 7])
    assert abs(rate - 80.0) < 1e-9
    assert np.isnan(estimate_rate_hz(t_s=np.array([1.0])))
