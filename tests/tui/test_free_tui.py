"""Free mode in the TUI: the simulated athlete pushes on p, peak hold and reset, record on/off."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from textual.widgets import Static

from isoforce.live import SessionOptions
from isoforce.session.store import SessionStore
from isoforce.tui.app import AppConfig, create_app
from isoforce.tui.audio import AudioMode
from isoforce.tui.screens.free import FreeScreen
from tests.tui.tui_helpers import wait_for

pytestmark = pytest.mark.asyncio


async def test_free_mode_on_the_simulator_pushes_holds_the_peak_and_records(
    tmp_path: Path,
) -> None:
    app = create_app(
        AppConfig(options=SessionOptions(speed=4.0), audio=AudioMode.OFF, data_dir=str(tmp_path))
    )
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(FreeScreen())
        await wait_for(pilot, lambda: app.controller.samples_kept > 40)
        controller = app.controller
        await pilot.pause(0.3)
        resting = abs(controller.peak.force_n)
        assert resting < 20  # the simulated athlete rests in free mode until asked
        divides = str(app.screen.query_one("#divides", Static).render())
        assert divides.startswith("% of push pain-free max 250 N")  # said once, not "% of % of"
        await pilot.press("p")
        await wait_for(pilot, lambda: abs(controller.peak.force_n) > 100)
        await pilot.pause(0.3)  # a frame draws it
        peak = str(app.screen.query_one("#peak-caption").render())
        assert re.fullmatch(r"PEAK N · \d+ % · push", peak), peak
        await pilot.press("x")
        assert math.isnan(controller.peak.force_n) or abs(controller.peak.force_n) < 200
        await pilot.press("r")
        await wait_for(pilot, lambda: controller.record_free and controller.running)
        await wait_for(pilot, lambda: controller.samples_kept > 80)
        assert "● REC" in str(app.screen.query_one("#free-status", Static).render())
        await pilot.press("r")
        await wait_for(pilot, lambda: not controller.record_free and controller.running)
        await controller.stop()
    with SessionStore.open(data_dir=str(tmp_path)) as store:
        infos = store.sessions(limit=5)
    assert len(infos) == 1 and infos[0].samples > 0
