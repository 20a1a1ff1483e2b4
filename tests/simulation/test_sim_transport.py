"""The simulator as a transport: its frames do not depend on how the stream is cut."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.samples import FloatArray
from isoforce.devices.base import DeviceSpec
from isoforce.devices.registry import SIM_DUAL, SIM_IMU, SIM_LOAD
from isoforce.simulation.athlete import SMALL_CHUNK, AthleteSettings
from isoforce.simulation.limb import PHASE_LIFT, PHASE_ROTATE_IN
from isoforce.transports.sim import SimSettings, SimTransport

SECONDS = 12.0


def steps_target(t_s: FloatArray) -> FloatArray:
    """Plateaus of 80 % push, rest and 30 % pull, 1.5 s each: overshoots and fatigue."""
    return np.select([t_s % 4.5 < 1.5, t_s % 4.5 < 3.0], [80.0, 0.0], -30.0)


def lift_then_rotate(t_s: FloatArray) -> np.ndarray:
    """A lift-off for the first 4 s, then a rotation inwards (drill phase codes)."""
    return np.where(t_s < 4.0, PHASE_LIFT, PHASE_ROTATE_IN)


def transport(spec: DeviceSpec, rate_hz: float, seed: int, *, phases: bool) -> SimTransport:
    athlete = AthleteSettings(overshoot_probability=0.7, fatigue_per_s=0.02)
    sim = SimTransport(
        spec,
        settings=SimSettings(rate_hz=rate_hz, seed=seed, athlete=athlete),
        target=steps_target,
    )
    if phases:
        sim.follow_phases(lift_then_rotate)
    return sim


@settings(max_examples=12, deadline=None)
@given(
    chunk_sizes=st.lists(st.integers(min_value=1, max_value=2 * SMALL_CHUNK + 4), min_size=1),
    spec=st.sampled_from([SIM_LOAD, SIM_IMU, SIM_DUAL]),
    rate_hz=st.sampled_from([80.0, 400.0]),
    seed=st.integers(min_value=0, max_value=2**16),
    phases=st.booleans(),
)
def test_frames_cut_in_any_chunks_are_the_frames_of_one_render(
    chunk_sizes: list[int], spec: DeviceSpec, rate_hz: float, seed: int, phases: bool
) -> None:
    total = round(SECONDS * rate_hz)
    whole = transport(spec, rate_hz, seed, phases=phases).render(0, total)
    sim = transport(spec, rate_hz, seed, phases=phases)
    parts, start = [], 0
    for size in itertools.cycle(chunk_sizes):
        stop = min(start + size, total)
        parts.append(sim.render(start, stop))
        if stop == total:
            break
        start = stop
    assert b"".join(parts) == whole


def test_one_sample_at_a_time_gives_the_frames_of_one_render() -> None:
    total = round(SECONDS * 80.0)
    whole = transport(SIM_LOAD, 80.0, 3, phases=False).render(0, total)
    sim = transport(SIM_LOAD, 80.0, 3, phases=False)
    assert b"".join(sim.render(i, i + 1) for i in range(total)) == whole
