"""Pilot tests of the TUI flows, on the real app over the simulated sensor."""

from __future__ import annotations

import math

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from isoforce.core.effort_key import Side
from isoforce.drills.events import EngineStatus, EventKind
from isoforce.drills.segments import Phase
from isoforce.live import DrillState
from isoforce.tui.app import IsoforceApp
from isoforce.tui.screens.calibration import CalibrationScreen
from isoforce.tui.screens.replay import ReplayListScreen, ReplayScreen
from isoforce.tui.screens.setup import DeviceScreen, DrillPickerScreen, HistoryScreen, PairImuScreen
from isoforce.tui.screens.summary import SummaryScreen
from tests.paths import ISOFORCE
from tests.tui.tui_helpers import make_app, wait_for

pytestmark = pytest.mark.asyncio


async def test_pick_device_calibrate_run_drill_summary() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, DeviceScreen)
        await pilot.press("enter")  # the simulated load cell is first
        await wait_for(pilot, lambda: isinstance(app.screen, PairImuScreen))
        await pilot.press("enter")  # no IMU
        await wait_for(pilot, lambda: isinstance(app.screen, CalibrationScreen))
        assert app.controller.options.imu_device is None
        await wait_for(
            pilot,
            lambda: app.controller.samples_kept > 200,
        )
        await pilot.press("t")
        status = app.screen.query_one("#calib-status", Static)
        assert "tared" in str(status.render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("low-intensity")
        await pilot.press("enter")
        # in virtual time the drill may end before the player is seen: the summary is what counts
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
        result = app.screen.result
        assert result.status is EngineStatus.FINISHED
        assert result.drill_name == "low-intensity"
        assert len(result.step_scores) > 0
        table_rows = app.screen.query_one("#scores").row_count
        assert table_rows == len(result.step_scores)
        assert "saved as session 1" in str(app.screen.query_one("#findings", Static).render())


async def test_pair_an_imu_and_see_force_at_angle_in_the_summary() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("enter")  # the simulated load cell
        await wait_for(pilot, lambda: isinstance(app.screen, PairImuScreen))
        imus = app.screen.query_one(OptionList)
        ids = [imus.get_option_at_index(i).id for i in range(imus.option_count)]
        assert ids[0] == "none" and "key-sim-imu" in ids
        imus.highlighted = ids.index("key-sim-imu")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CalibrationScreen))
        assert app.controller.options.imu_device == "sim-imu"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("low-intensity")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
        assert app.screen.angles
        assert app.screen.query_one("#angles").row_count == len(app.screen.angles)


async def test_side_choice_and_history_screen() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DrillPickerScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        await pilot.pause(0.1)
        await pilot.press("l")
        assert app.controller.side is Side.LEFT
        assert "side: left" in str(app.screen.query_one("#picker-title", Static).render())
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause(0.1)
        assert "Nothing stored yet" in str(app.screen.query_one("#history", Static).render())


async def test_movement_and_position_chosen_in_the_picker_key_the_drill() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DrillPickerScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        await pilot.pause(0.1)
        title = app.screen.query_one("#picker-title", Static)
        assert "movement: each drill's own" in str(title.render())
        await pilot.press("v", "v", "o", "o")
        assert (app.controller.choices.movement, app.controller.choices.position) == (
            "hip-er",
            "supine-45",
        )
        text = str(title.render())
        assert "movement: hip external rotation" in text
        assert "position: supine, hips flexed 45°" in text
        app.start_drill("low-intensity")
        await wait_for(pilot, lambda: app.controller.drill is not None)
        assert app.controller.drill is not None
        assert (app.controller.drill.movement, app.controller.drill.position) == (
            "hip-er",
            "supine-45",
        )


def drill(app: IsoforceApp) -> DrillState:
    """The drill's state as the app last saw it."""
    state = app.controller.drill_state
    assert state is not None
    return state


async def running_drill(pilot: Pilot[None], app: IsoforceApp) -> None:
    """Wait until the app's drill runs."""
    await wait_for(
        pilot,
        lambda: (
            app.controller.drill_state is not None
            and app.controller.drill_state.status is EngineStatus.RUNNING
        ),
    )


async def test_pain_keys_mid_hold_drop_ask_better_and_cramp_rests() -> None:
    app = make_app(speed=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await running_drill(pilot, app)
        await pilot.press("s")  # skip the 2-minute passive stretch
        await pilot.press("s")  # skip the ramp: now the 50 % PAILs hold
        await wait_for(
            pilot, lambda: drill(app).step is not None and drill(app).step.kind == "hold"
        )
        await wait_for(pilot, lambda: app.controller.snapshot().effort_pct > 20, timeout_s=20)
        await pilot.press("p")
        assert app.controller.session is not None and app.controller.session.guide is not None
        guide = app.controller.session.guide
        pains = [e for e in guide.events if e.kind is EventKind.PAIN_MARKED]
        assert len(pains) == 1
        assert pains[0].value is not None and pains[0].value > 20
        painful = min(50.0, pains[0].value)
        # at once: the target is at most 90 % of the painful level, and "better?" is asked
        view = app.controller.snapshot()
        assert 0 < view.target_pct <= 0.9 * painful + 1e-9
        assert view.phase is Phase.PAIN_HOLD
        banner = app.screen.query_one("#banner", Static)
        await wait_for(pilot, lambda: "better?" in str(banner.render()))
        first = view.target_pct
        await pilot.press("n")  # not better: lower again
        lower = app.controller.snapshot().target_pct
        assert lower <= 0.9 * first + 1e-9 and app.controller.snapshot().phase is Phase.PAIN_HOLD
        await pilot.press("y")  # better: the hold carries on at the lowered level
        view = app.controller.snapshot()
        assert view.phase is Phase.HOLD and view.target_pct == lower
        answers = [e.text for e in guide.events if e.kind is EventKind.PAIN_ANSWER]
        assert answers == ["not better", "better"]
        await pilot.press("c")  # a cramp: release and rest
        view = app.controller.snapshot()
        assert view.phase is Phase.CRAMP_REST and view.target_pct == 0.0
        await pilot.press("2")  # the check "cramping", one key
        checks = [e.text for e in guide.events if e.kind is EventKind.CHECK]
        assert checks == ["cramping"]
        keys = {b.key for b in app.screen.BINDINGS if isinstance(b, Binding)}
        assert {"p", "y", "n", "c", "1", "2", "3"} <= keys
        await pilot.press("s")  # skip the rest of the hold: it is scored and the checks asked
        score = app.screen.query_one("#last-score", Static)
        await wait_for(pilot, lambda: "Felt any?" in str(score.render()))


async def test_device_lost_mid_hold_pauses_and_says_so() -> None:
    app = make_app(drops=((135.0, math.inf),))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.controller.link == "lost", timeout_s=60)
        link = app.screen.query_one("#link", Static)
        banner = app.screen.query_one("#banner", Static)
        # what the screen draws, waited for: a loaded machine draws late
        await wait_for(
            pilot, lambda: "SENSOR LOST" in str(link.render()) and "Paused" in str(banner.render())
        )
        assert drill(app).status is EngineStatus.PAUSED
        assert link.display
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert app.screen.result.status is EngineStatus.ABORTED
        outcome = app.controller.outcome
        assert outcome is not None
        assert len(outcome.gaps) == 1 and outcome.gaps[0].end_t_s is None


async def test_pause_and_skip_keys() -> None:
    app = make_app(speed=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await running_drill(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: drill(app).status is EngineStatus.PAUSED)
        await pilot.press("space")
        await wait_for(pilot, lambda: drill(app).status is EngineStatus.RUNNING)
        await pilot.press("s")
        await wait_for(pilot, lambda: drill(app).step is not None and drill(app).step.index == 1)


async def test_small_terminal_still_shows_the_essentials() -> None:
    app = make_app(stop_at_s=140.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: not app.controller.running and app.controller.session is not None
        )
        await pilot.pause(0.2)
        screen = app.screen
        for ident in ("#banner", "#effort", "#target", "#countdown", "#gauge"):
            widget = screen.query_one(ident)
            assert widget.region.height > 0, ident
            assert widget.region.bottom <= 24


async def test_scan_in_the_device_picker_reports_what_it_found() -> None:
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        await pilot.press("s")
        status = app.screen.query_one("#scan-status", Static)
        await wait_for(pilot, lambda: "found" in str(status.render()), timeout_s=60)
        # no real sensors here: the picker says so (and names an unavailable Bluetooth adapter)
        assert "no supported sensors found" in str(status.render())


async def test_a_stored_session_replays_from_the_device_picker() -> None:
    import subprocess

    made = subprocess.run(
        [ISOFORCE, "record", "--duration", "3", "--speed", "max"], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "replay-list" in ids
        options.highlighted = ids.index("replay-list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayListScreen))
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        await wait_for(
            pilot,
            lambda: app.controller.samples_kept > 100,
        )
        assert app.controller.replaying


async def test_the_device_picker_offers_replay_once_a_session_is_stored_without_a_relaunch() -> (
    None
):
    import subprocess

    app = make_app(drill=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        picker = app.screen
        assert isinstance(picker, DeviceScreen)

        def ids() -> list[str | None]:
            options = picker.query_one(OptionList)
            return [options.get_option_at_index(i).id for i in range(options.option_count)]

        assert "replay-list" not in ids()  # nothing stored yet
        app.push_screen(HistoryScreen())  # away, as to a drill
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        made = subprocess.run(
            [ISOFORCE, "record", "--duration", "3", "--speed", "max"],
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        await pilot.press("escape")  # back to the picker
        await wait_for(pilot, lambda: app.screen is picker)
        await pilot.pause(0.1)
        assert ids().count("replay-list") == 1


async def test_a_range_of_motion_drill_on_the_imu_ends_with_its_end_ranges() -> None:
    app = make_app(drill="hip-rom", device="sim-imu")
    app.controller.side = Side.RIGHT  # as if picked with r in the drill list
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.2)
        findings = str(app.screen.query_one("#findings", Static).render())
        assert "active end range: internal rotation 36.0°, external rotation 42.0°" in findings
        assert "leg still in all 1 isometric/relaxed steps" in findings
        assert "end range for hip-rotation right @ 90-90, internal rotation" in findings


async def test_the_player_shows_the_imu_and_each_steps_imu_score_in_dual_mode() -> None:
    app = make_app(drill="pails-rails-hip", device="sim-dual", speed=20.0)
    async with app.run_test(size=(110, 40)) as pilot:
        panel = app.screen.query_one("#imu", Static)
        await wait_for(pilot, lambda: panel.display and "STILL" in str(panel.render()))
        assert "angle" in str(panel.render())  # the zero pose is set, the leg rests
        last = app.screen.query_one("#last-score", Static)
        await wait_for(pilot, lambda: "Step 1" in str(last.render()), timeout_s=60)
        assert "IMU: leg still throughout" in str(last.render())


async def test_finding_the_player_says_what_effort_divides_by_and_where_it_came_from() -> None:
    app = make_app(drill="pails-rails-hip", device="sim", speed=20.0, push_max_n=200.0)
    async with app.run_test(size=(110, 40)) as pilot:
        divides = app.screen.query_one("#divides", Static)
        await wait_for(
            pilot,
            lambda: "PUSH" in str(app.screen.query_one("#phase").render()),
            timeout_s=60,
        )
        await wait_for(pilot, lambda: "pain-free max" in str(divides.render()))
        text = str(divides.render())
        assert text == (
            "% of push pain-free max 200 N · hip IR (no side) · 90/90 · given (--push-max)"
        )
