"""Host-time stamping for devices without a clock."""

import numpy as np
import pytest

from isoforce.core.host_time import MIN_STEP_S, HostTimeline


def test_spread_back_from_arrival_at_the_nominal_interval() -> None:
    tl = HostTimeline(nominal_rate_hz=100.0)
    t, host = tl.stamp(t_host_s=5.0, count=3)
    assert host.tolist() == pytest.approx([4.98, 4.99, 5.0])
    assert t.tolist() == pytest.approx([0.0, 0.01, 0.02])


def test_never_before_the_previous_sample_and_never_after_arrival() -> None:
    tl = HostTimeline(nominal_rate_hz=10.0)
    tl.stamp(t_host_s=1.0, count=1)
    _, host = tl.stamp(t_host_s=1.01, count=4)  # 4 samples in 10 ms at a nominal 100 ms
    assert host[-1] == pytest.approx(1.01)
    assert host[0] > 1.0 and np.all(np.diff(host) > 0)


def test_a_clock_that_did_not_move_still_gives_increasing_times() -> None:
    tl = HostTimeline(nominal_rate_hz=80.0)
    tl.stamp(t_host_s=2.0, count=1)
    _, host = tl.stamp(t_host_s=2.0, count=2)
    assert host.tolist() == pytest.approx([2.0 + MIN_STEP_S, 2.0 + 2 * MIN_STEP_S])


def test_empty_and_bad_rate() -> None:
    t, host = HostTimeline(nominal_rate_hz=1.0).stamp(t_host_s=1.0, count=0)
    assert t.size == host.size == 0
    with pytest.raises(ValueError):
        HostTimeline(nominal_rate_hz=0.0)
