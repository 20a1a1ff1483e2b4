"""When the app draws: frames ride on the samples' arrival, never faster than the cap.

A sensor that notifies every sample (one sample a chunk at 80 Hz, as a Progressor clone does
over BLE) wakes the event loop 80 times a second. Frames are drawn in those wake-ups — the
first arrival past the frame-rate cap draws — and a timer draws only what no later arrival
does. These tests check what the scheduling promises (the cap, the last sample drawn), not how
fast it is: the benchmarks measure that.
"""

from __future__ import annotations

import functools
import time

import numpy as np
import pytest

import isoforce.live.build as build
from tests.tui.tui_helpers import make_app, settled, wait_for

pytestmark = pytest.mark.asyncio


@pytest.fixture
def one_sample_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator sends each sample on its own, as a BLE sensor notifying every sample."""
    monkeypatch.setattr(build, "SimSettings", functools.partial(build.SimSettings, chunk_s=1 / 80))


@pytest.mark.usefixtures("one_sample_a_chunk")
async def test_frames_follow_one_sample_chunks_no_faster_than_the_cap() -> None:
    app = make_app(speed=1.0, rate_hz=80.0, drill="tension-drill")
    starts: list[float] = []
    original = app.frame

    def frame() -> None:
        starts.append(time.perf_counter())
        original()

    app.frame = frame  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.controller.snapshot().t_s > 0.3)
        starts.clear()
        await wait_for(pilot, lambda: len(starts) >= 25)
    gaps_s = np.diff(starts)
    # never two frames closer than the cap (a loaded machine only draws later)
    assert gaps_s.min() >= 1 / app.config.fps


@pytest.mark.usefixtures("one_sample_a_chunk")
async def test_the_last_sample_of_a_stream_is_drawn_though_none_follows_it() -> None:
    app = make_app(speed=1.0, rate_hz=80.0, drill="tension-drill", stop_at_s=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        last_t_s = app.controller.snapshot().t_s
        assert last_t_s == pytest.approx(1.0, abs=0.02)
        assert app.screen.shown_t_s == last_t_s  # type: ignore[attr-defined]
