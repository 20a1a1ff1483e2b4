"""The TUI's athletes: the picker's athlete key, remembered choices across launches."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from isoforce.core.effort_key import Side
from isoforce.session.athletes import Athlete
from isoforce.session.store import SessionStore
from isoforce.tui.screens.setup import DrillPickerScreen
from isoforce.tui.screens.summary import SummaryScreen
from tests.tui.tui_helpers import make_app, wait_for

pytestmark = pytest.mark.asyncio


def _title(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#picker-title", Static).render())


async def test_a_single_user_sees_no_athlete_but_the_side_is_remembered() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DrillPickerScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        await pilot.pause(0.1)
        assert "default" not in _title(app) and "athlete" not in _title(app)
        assert app.screen.check_action("athlete", ()) is False  # hidden from the footer
        assert app.controller.side is None
        await pilot.press("r")
        app.start_drill("low-intensity", check=False)  # no max offered: not what this tests
        await wait_for(  # the session started (the choices are remembered when it starts)
            pilot,
            lambda: app.controller.header is not None and app.controller.header.drill is not None,
        )
    again = make_app(drill=None)  # the next launch starts on the side used last
    async with again.run_test(size=(100, 30)) as pilot:
        assert again.controller.side is Side.RIGHT


async def test_the_athlete_key_switches_athlete_with_their_choices_and_keeps_data_apart() -> None:
    with SessionStore.open() as store:
        store.add_athlete(Athlete("anna", remembered={"side": "left", "movement": "hip-er"}))
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DrillPickerScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        await pilot.pause(0.1)
        assert "Pick a drill for default (a)" in _title(app)
        assert app.screen.check_action("athlete", ()) is True
        await pilot.press("a")
        assert app.athlete_name == "anna" and app.controller.athlete == "anna"
        assert app.controller.side is Side.LEFT
        assert app.controller.choices.movement == "hip-er"
        assert "Pick a drill for anna (a)" in _title(app)
        assert "hip external rotation" in _title(app)
        app.start_drill("low-intensity", check=False)  # no max offered: not what this tests
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
    with SessionStore.open() as store:
        assert [i.movement for i in store.sessions(profile="anna")] == ["hip-er"]
        assert store.sessions(profile="default") == []
