"""Ground-truth motion scripts and the demo effort profile."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.simulation import (
    DEMO_PERIOD_S,
    cars_sequence,
    demo_effort_profile,
    lift_off_sequence,
)


@pytest.mark.parametrize("fs_hz", [50.0, 1000.0])
def test_cars_reaches_both_end_ranges_smoothly(fs_hz: float) -> None:
    script = cars_sequence(fs_hz=fs_hz, duration_s=60.0, ir_end_deg=35.0, er_end_deg=-40.0)
    assert script.angle_deg.shape == script.still.shape == script.effort_pct.shape
    assert script.angle_deg.size == round(60.0 * fs_hz)
    assert script.t_s[-1] == pytest.approx(60.0 - 1 / fs_hz)
    assert script.angle_deg.max() == pytest.approx(35.0)
    assert script.angle_deg.min() == pytest.approx(-40.0)
    speed = np.abs(np.diff(script.angle_deg)) * fs_hz
    assert speed.max() < 30.0  # slow, controlled
    assert script.lift_off_hold == ()


def test_cars_still_labels_are_the_constant_stretches() -> None:
    fs_hz = 200.0
    script = cars_sequence(fs_hz=fs_hz, duration_s=60.0, seed=9)
    both_still = script.still[1:] & script.still[:-1]
    assert np.all(np.diff(script.angle_deg)[both_still] == 0.0)
    assert np.all(np.abs(np.diff(script.angle_deg))[~script.still[1:]] > 0.0)
    # Pauses are ~2 s long: every still run (except a cut-off end) lasts 1.5–2.5 s.
    edges = np.flatnonzero(np.diff(script.still.astype(int)))
    starts = np.concatenate(([0], edges + 1))
    lengths_s = np.diff(np.concatenate((starts, [script.still.size]))) / fs_hz
    still_runs = lengths_s[script.still[starts]][:-1]
    assert still_runs.size >= 5
    assert np.all((still_runs >= 1.5 - 1e-9) & (still_runs <= 2.5 + 1e-9))
    assert 0.2 < script.still.mean() < 0.5


def test_cars_is_deterministic_per_seed() -> None:
    a = cars_sequence(fs_hz=100.0, seed=1)
    b = cars_sequence(fs_hz=100.0, seed=1)
    c = cars_sequence(fs_hz=100.0, seed=2)
    assert np.array_equal(a.angle_deg, b.angle_deg)
    assert not np.array_equal(a.angle_deg, c.angle_deg)


@pytest.mark.parametrize("end_range_deg", [30.0, -35.0])
def test_lift_off_holds(end_range_deg: float) -> None:
    fs_hz = 100.0
    script = lift_off_sequence(fs_hz=fs_hz, count=3, hold_last_s=5.0, end_range_deg=end_range_deg)
    assert len(script.lift_off_hold) == 3
    last_start, last_end = script.lift_off_hold[-1]
    assert last_end - last_start == pytest.approx(5.0)
    t = script.t_s
    for start_s, end_s in script.lift_off_hold:
        inside = (t >= start_s) & (t < end_s)
        assert np.all(script.angle_deg[inside] == pytest.approx(end_range_deg))
        assert script.still[inside].all()
        assert script.effort_pct[inside].min() > 0
    rest = t < 2.0
    assert script.still[rest].all()
    assert np.all(np.abs(script.angle_deg[rest]) < abs(end_range_deg))
    assert script.effort_pct[rest].max() == 0.0
    assert np.abs(script.angle_deg).max() == pytest.approx(abs(end_range_deg))


def test_demo_profile_shape() -> None:
    t = np.arange(0.0, DEMO_PERIOD_S, 0.001)
    target = demo_effort_profile(t_s=t)
    at = {1.0: 0.0, 7.0: 25.0, 15.0: 50.0, 21.0: 25.0, 23.0: 0.0, 28.0: -40.0, 33.0: 0.0}
    for when, expected in at.items():
        assert float(demo_effort_profile(t_s=when)) == pytest.approx(expected)
    ramp = (t > 2.0) & (t < 12.0)
    assert np.diff(target[ramp]) / 0.001 == pytest.approx(5.0)
    assert target.max() == 50.0
    assert target.min() == -40.0
    exact = np.arange(0.0, DEMO_PERIOD_S, 0.25)  # binary fractions: exactly periodic
    assert np.array_equal(
        demo_effort_profile(t_s=exact + 3 * DEMO_PERIOD_S), demo_effort_profile(t_s=exact)
    )


def test_the_asked_push_ramps_holds_and_releases() -> None:
    from isoforce.simulation.profiles import PUSH_PULSE_PCT, push_pulse_profile

    t = np.array([9.0, 10.0, 10.5, 11.0, 13.0, 14.5, 15.0, 20.0])
    got = push_pulse_profile(t_s=t, start_s=10.0)
    expected = [0, 0, PUSH_PULSE_PCT / 2, PUSH_PULSE_PCT, PUSH_PULSE_PCT, PUSH_PULSE_PCT / 2, 0, 0]
    np.testing.assert_allclose(got, expected)
