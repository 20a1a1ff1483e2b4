"""The summary is not a dead end: other side, another drill, history; the device is remembered."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from isoforce.core.effort_key import Side
from isoforce.live import SessionOptions
from isoforce.session.store import SessionStore
from isoforce.tui.app import AppConfig, IsoforceApp, create_app
from isoforce.tui.audio import AudioMode
from isoforce.tui.screens.live import HistoryScreen
from isoforce.tui.screens.offer import ReferenceOfferScreen
from isoforce.tui.screens.setup import DeviceScreen, DrillPickerScreen
from isoforce.tui.screens.summary import SummaryScreen
from tests.tui.tui_helpers import make_app, wait_for

pytestmark = pytest.mark.asyncio


async def test_enter_in_the_summary_picks_another_drill_and_h_opens_the_history() -> None:
    app = make_app(drill="low-intensity")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
        summary = app.screen
        # every step ran to its end: no "ended" column, and the table fits 80 columns
        scores = summary.query_one("#scores", DataTable)
        assert [str(c.label) for c in scores.columns.values()][-1] == "RMSE"
        assert scores.max_scroll_x == 0
        assert summary.check_action("other_side", ()) is False  # no side chosen
        assert summary.check_action("go_on", ()) is False  # nothing put off
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is summary)
        await pilot.press("enter")  # not swallowed by the focused table
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        assert not any(isinstance(s, SummaryScreen) for s in app.screen_stack)


async def _other_side(pilot: Pilot[None], app: IsoforceApp) -> None:
    """Press o on the summary and wait for the other side's summary."""
    first = app.screen
    await pilot.press("o")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, SummaryScreen) and app.screen is not first,
        timeout_s=60,
    )
    await pilot.pause(0.2)


async def test_o_runs_the_same_drill_on_the_other_side() -> None:
    app = make_app(drill="low-intensity", push_max_n=200.0)  # given: nothing to offer
    app.controller.side = Side.LEFT
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
        first = app.screen
        assert "left side" in str(first.query_one(".title", Static).render())
        await _other_side(pilot, app)
        assert "right side" in str(app.screen.query_one(".title", Static).render())
    with SessionStore.open() as store:
        sides = {i.side for i in store.sessions()}
    assert sides == {Side.LEFT, Side.RIGHT}


async def test_a_missing_max_is_offered_not_run_blind_and_s_runs_the_simulated_one() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(80, 24)) as pilot:
        app.controller.side = Side.LEFT
        app.start_drill("pails-rails-hip")
        await wait_for(pilot, lambda: isinstance(app.screen, ReferenceOfferScreen))
        await pilot.pause(0.2)
        assert app.controller.drill is None  # nothing started
        assert app.wanted_drill == "pails-rails-hip"
        text = str(app.screen.query_one("#offer-text", Static).render())
        assert "no push pain-free max stored" in text
        await pilot.press("escape")  # back: the wish is dropped
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        assert app.wanted_drill is None
        app.start_drill("pails-rails-hip")
        await wait_for(pilot, lambda: isinstance(app.screen, ReferenceOfferScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: app.controller.header is not None)
        assert app.controller.drill is not None and app.controller.drill.name == "pails-rails-hip"


async def test_the_device_a_drill_ran_on_is_remembered_and_picked_first_next_time() -> None:
    app = make_app(drill="low-intensity", device="sim-push")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
    with SessionStore.open() as store:
        assert store.athlete("default").remembered["device"] == "sim-push"
    again = create_app(
        AppConfig(
            options=SessionOptions(device="sim-push"), audio=AudioMode.OFF, device_remembered=True
        )
    )
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, DeviceScreen))
        await pilot.pause(0.2)
        devices = again.screen.query_one(OptionList)
        assert devices.highlighted is not None
        option = devices.get_option_at_index(devices.highlighted)
        assert option.id == "sim-push" and "(last used)" in str(option.prompt)


async def test_free_mode_says_what_each_directions_effort_divides_by() -> None:
    from isoforce.tui.screens.free import FreeScreen

    app = make_app(drill=None, speed=20.0)
    async with app.run_test(size=(100, 30)) as pilot:
        app.controller.side = Side.LEFT
        app.push_screen(FreeScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, FreeScreen))
        await wait_for(pilot, lambda: bool(app.screen.query("#divides")))
        divides = app.screen.query_one("#divides", Static)
        await wait_for(pilot, lambda: "% of" in str(divides.render()))
        text = str(divides.render())
        assert "% of push pain-free max 250 N · left" in text
        assert "% of pull pain-free max" in text and "simulated athlete" in text


async def test_after_the_other_side_the_picker_names_the_side_the_next_drill_runs_on() -> None:
    """The picker stays under the drills it starts; back on top it shows the side now chosen."""
    app = make_app(drill=None, push_max_n=200.0)
    app.controller.side = Side.LEFT
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DrillPickerScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        await pilot.pause(0.1)
        picker = app.screen
        options = picker.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("low-intensity")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
        await _other_side(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is picker)
        await pilot.pause(0.1)
        assert app.controller.side is Side.RIGHT
        assert "side: right" in str(picker.query_one("#picker-title", Static).render())


async def test_the_summary_names_what_a_relaxed_steps_percent_divides_by() -> None:
    """A max test's passive steps read effort against the pain-free max of the direction the
    force goes (here the simulated athlete's): the lines under the table name it."""
    app = make_app(drill="max-test")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=120)
        await pilot.pause(0.2)
        divisors = str(app.screen.query_one("#divisors", Static).render())
        assert "% of push pain-free max 250 N" in divisors  # the passive steps'
        assert "N (no push MVIC yet)" in divisors  # the trials', measured in newtons
