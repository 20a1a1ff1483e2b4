"""Restarting device counters (Progressor timestamps) and the multi-sensor time base."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.clock import CounterSpec
from isoforce.core.device_time import RestartingCounter
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
