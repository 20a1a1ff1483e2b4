"""SVG snapshots of the main screens at fixed sizes (deterministic: virtual time, fixed seed).

Regenerate after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.tui_helpers import make_app, wait_for


async def _settle(pilot: Pilot[None]) -> None:
    app: Any = pilot.app
    await wait_for(pilot, lambda: app.controller.session is not None and not app.controller.running)
    await pilot.pause(0.3)


@pytest.mark.parametrize(("size", "t_s"), [((80, 24), 140.0), ((120, 40), 165.0)])
def test_player_mid_hold(snap_compare: Any, size: tuple[int, int], t_s: float) -> None:
    assert snap_compare(make_app(stop_at_s=t_s), terminal_size=size, run_before=_settle)


def test_device_picker(snap_compare: Any) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await pilot.pause(0.2)

    assert snap_compare(make_app(drill=None), terminal_size=(80, 24), run_before=before)


def test_summary_after_low_intensity_drill(snap_compare: Any) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.summary import SummaryScreen

        app: Any = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.3)

    assert snap_compare(make_app(drill="low-intensity"), terminal_size=(100, 30), run_before=before)


SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES)
def test_calibration_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.calibration import CalibrationScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        await pilot.press("enter")  # the simulated load cell
        await wait_for(pilot, lambda: isinstance(app.screen, CalibrationScreen))
        await _settle(pilot)

    app = make_app(drill=None, stop_at_s=5.0)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_free_mode(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.free import FreeScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        app.push_screen(FreeScreen())
        await _settle(pilot)

    assert snap_compare(make_app(drill=None, stop_at_s=8.0), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_replay_list(snap_compare: Any, size: tuple[int, int]) -> None:
    from dataclasses import replace

    from isoforce.session.store import SessionStore
    from tests.session.session_helpers import channel, record

    with SessionStore.open() as store:
        for day in (1, 2, 3):
            base = record(channels=(channel(300, seed=day),))
            meta = replace(base.meta, started_at=f"2024-05-0{day}T10:00:00.000+02:00")
            store.save_record(replace(base, meta=meta))

    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.replay import ReplayListScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        app.push_screen(ReplayListScreen())
        await pilot.pause(0.3)

    assert snap_compare(make_app(drill=None), terminal_size=size, run_before=before)
