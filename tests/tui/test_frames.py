"""When the app draws: frames ride on the samples' arrival, never faster than the cap.

A sensor that notifies every sample (one sample a chunk at 80 Hz, as a Progressor clone does
over BLE) wakes the event loop 80 times a second. Frames are drawn in those wake-ups — the
first arrival past the frame-rate cap draws — and a timer draws only what no later arrival
does. These tests check what the scheduling promises (the cap, the last sample drawn), not how
fast it is: the benchmarks measure that.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import replace

import numpy as np
import pytest

import isoforce.live.build as build
from isoforce.tui.screens.player import PlayerScreen
from isoforce.tui.view import BandState, LiveView, Reading
from isoforce.tui.widgets.gauge import EffortGauge
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


async def test_a_frame_between_whole_views_moves_the_gauge_from_the_reading_alone() -> None:
    app = make_app(speed=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.controller.snapshot().step_number == 1)
        screen = app.screen
        assert isinstance(screen, PlayerScreen)
        view = app.controller.snapshot()
        built: list[LiveView] = []

        def whole_view() -> LiveView:
            built.append(view)
            return view

        # no await from here on: no frame of the app's own comes in between
        screen.pace.whole_at_s = -math.inf
        screen.frame(Reading(t_s=view.t_s, count_in=view.count_in), [], whole_view)
        assert len(built) == 1 and screen.shown_t_s == view.t_s  # a whole view was due
        reading = Reading(
            t_s=view.t_s + 0.04,
            effort_pct=57.0,
            target_pct=50.0,
            band_pct=5.0,
            state=BandState.OVER,
            count_in=view.count_in,
        )
        screen.frame(reading, [], whole_view)
        assert len(built) == 1  # the next frame: the gauge alone, from the reading
        gauge = screen.query_one(EffortGauge)
        assert (gauge.effort_pct, gauge.target_pct, gauge.state) == (57.0, 50.0, BandState.OVER)
        # no new sample since the last frame: the last numbers are drawn in full
        screen.frame(reading, [], whole_view)
        assert len(built) == 2
        # a new count-in number shows with its cue, in full
        later = replace(reading, t_s=reading.t_s + 0.04, count_in=view.count_in + 1)
        screen.frame(later, [], whole_view)
        assert len(built) == 3
        # back to no count-in: the gauge alone again, until a whole view is due
        again = replace(reading, t_s=later.t_s + 0.04)
        screen.frame(again, [], whole_view)
        assert len(built) == 3
        screen.pace.whole_at_s -= 1.0  # a few times a second, whatever comes
        screen.frame(replace(again, t_s=again.t_s + 0.04), [], whole_view)
        assert len(built) == 4
