"""The drill player read from two metres: phases in words, their countdowns, big scaled digits.

Each test runs the real app over the simulated athlete in virtual time, stopped at a chosen
moment of the drill, and reads what the screen shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from isoforce.tui.app import IsoforceApp
from isoforce.tui.audio import AudioMode, CueKind, CuePlayer
from isoforce.tui.view import MEASURING
from isoforce.tui.widgets.big_digits import BigDigits, rows_for
from isoforce.tui.widgets.curve import CurvePlot
from isoforce.tui.widgets.gauge import EffortGauge
from tests.tui.tui_helpers import make_app, settled, wait_for

pytestmark = pytest.mark.asyncio


async def _stopped(pilot: Pilot[None], app: IsoforceApp) -> None:
    await settled(pilot, app)


def _text(app: IsoforceApp, ident: str) -> str:
    return str(app.screen.query_one(ident, Static).render())


def _big(app: IsoforceApp, ident: str) -> BigDigits:
    return app.screen.query_one(ident, BigDigits)


@pytest.mark.parametrize(
    ("t_s", "phase", "info", "caption", "big"),
    [
        (12.5, "GET READY", "next: PUSH · trial 1 of 3", "PUSH IN", "3"),
        (17.5, "PUSH", "trial 1 of 3", "PHASE TIME LEFT", "0:03"),
        (50.5, "REST", "next: PUSH · trial 2 of 3", "PHASE TIME LEFT", "0:30"),
        (79.2, "REST", "next: PUSH · trial 2 of 3", "PUSH IN", "1"),
    ],
)
async def test_the_max_test_names_each_phase_with_its_own_countdown_and_the_trial(
    t_s: float, phase: str, info: str, caption: str, big: str
) -> None:
    app = make_app(drill="max-test", stop_at_s=t_s)
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#phase") == phase
        assert info in _text(app, "#phase-info")
        assert str(app.screen.query_one("#countdown-caption").render()) == caption
        assert _big(app, "#countdown").text == big
        # the step's own time left is still said, in words
        assert "left" in _text(app, "#phase-info")
        # a trial's get-ready is a phase of the max test itself, not of the step after it
        assert "step 2/4: max trial push" in _text(app, "#banner")


async def test_the_pails_hold_says_hold_push_and_the_switch_to_pull_is_counted_in() -> None:
    app = make_app(stop_at_s=148.5)
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#phase") == "HOLD · PUSH"
        assert str(app.screen.query_one("#countdown-caption").render()) == "PULL IN"
        assert _big(app, "#countdown").text == "2"
        assert _text(app, "#target") == "target 50 % ± 5"
        assert "% of push pain-free max" in _text(app, "#divides")
        gauge = app.screen.query_one(EffortGauge)
        *bars, scale = gauge.lines()
        assert any("● IN BAND" in row for row in bars)
        # the whole scale fits the row, its unit before the 0
        assert scale.split() == ["%", "0", "20", "40", "60", "80", "100", "120"]
        assert len(scale) == gauge.size.width


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_effort_digits_grow_with_the_terminal_and_stay_the_biggest(
    size: tuple[int, int],
) -> None:
    app = make_app(stop_at_s=140.0)
    async with app.run_test(size=size) as pilot:
        await _stopped(pilot, app)
        effort, countdown = _big(app, "#effort"), _big(app, "#countdown")
        assert effort.text == "50%"
        rows = rows_for(effort.scale)
        assert effort.scale > countdown.scale >= 1
        assert rows > 3  # taller than anything else drawn in text (Textual's Digits: 3 rows)
        if size == (200, 60):
            assert rows >= 60 / 4


async def test_a_rotation_shows_the_angle_big_and_effort_small_without_hold_still() -> None:
    app = make_app(drill="hip-rom", device="sim-imu", stop_at_s=9.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#phase") == "ROTATE IN"
        assert "IR 1 of 3" in _text(app, "#phase-info")
        assert str(app.screen.query_one("#effort-caption").render()).startswith("ANGLE")
        assert _big(app, "#effort").text.endswith("°")
        assert _text(app, "#target") == "no force asked"  # a rotation measures no force
        assert not app.screen.query_one("#gauge-box").display
        imu = _text(app, "#imu")
        assert "MOVING" not in imu and "STILL" not in imu and "hold still" not in imu


async def test_the_zero_step_before_rotations_asks_for_stillness() -> None:
    app = make_app(drill="hip-rom", device="sim-imu", stop_at_s=3.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#phase") == "RELAX"
        assert str(app.screen.query_one("#effort-caption").render()) == "EFFORT"
        assert "STILL" in _text(app, "#imu")


async def test_the_audio_mode_is_on_screen_and_a_missing_speech_engine_is_said_once() -> None:
    # paced at 10x, not as fast as the machine goes: frames come at most 30 times a second of
    # wall time, so unpaced a whole 3 s count-in could fall between two frames
    app = make_app(drill="max-test", stop_at_s=30.0, speed=10.0)
    app.player = CuePlayer(AudioMode.SPEECH, bell=app.bell, speaker=None, player=None)
    said: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        said.append(message)
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#audio") == "audio: beeps (bell) · no speech engine"
        assert sum("espeak-ng" in s for s in said) == 1
        await pilot.press("a")
        assert _text(app, "#audio") == "audio: off · no speech engine"  # at once, no frame needed
        assert sum("espeak-ng" in s for s in said) == 1
        # the first trial was counted in (3, 2, 1 before "go"), each number once (in virtual
        # time a frame may skip a count-in number: the drill's own countdown says it then)
        assert any(c.kind is CueKind.COUNT_IN for c in app.player.played)
        played = [c.words for c in app.player.played]
        go = played.index("go — max effort")
        # the last words before "go" count down to it (a loaded machine may skip a frame)
        assert played[go - 1] == "1" and "2" in played[go - 3 : go]


@pytest.mark.parametrize(
    ("t_s", "phase", "info", "caption", "big"),
    [
        (283.5, "BREATHE", "breath 5 of 5", "LIFT IN", "2"),
        (286.5, "LIFT", "lift-off 1 of 3", "PHASE TIME LEFT", "0:02"),
        (289.5, "LOWER", "next: LIFT · lift-off 2 of 3", "LIFT IN", "2"),
    ],
)
@pytest.mark.timeout(360)  # minute 5 of a drill with a 400 Hz IMU, in virtual time
async def test_lift_offs_are_counted_in_and_show_the_angle(
    t_s: float, phase: str, info: str, caption: str, big: str
) -> None:
    app = make_app(drill="pails-rails-hip", device="sim-dual", stop_at_s=t_s)
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#phase") == phase
        assert info in _text(app, "#phase-info")
        assert str(app.screen.query_one("#countdown-caption").render()) == caption
        assert _big(app, "#countdown").text == big
        lifting = phase in ("LIFT", "LOWER")
        caption = str(app.screen.query_one("#effort-caption").render())
        assert caption.startswith("ANGLE" if lifting else "EFFORT")
        assert ("STILL" in _text(app, "#imu") or "MOVING" in _text(app, "#imu")) != lifting


async def test_a_first_max_test_shows_newtons_not_a_percent_of_a_stand_in() -> None:
    # nothing stored: no MVIC to divide by while the max test measures it, so the big number
    # is the force in newtons and says why; never "250 %" of a 100 N stand-in
    app = make_app(drill="max-test", stop_at_s=17.5)
    async with app.run_test(size=(100, 30)) as pilot:
        await _stopped(pilot, app)
        assert _text(app, "#phase") == "PUSH"
        caption = str(app.screen.query_one("#effort-caption").render())
        assert caption == "FORCE N — no max yet, being measured"
        effort = _big(app, "#effort").text
        assert effort.endswith("N") and 200 <= int(effort[:-1]) <= 270, effort  # 250 N athlete
        assert _text(app, "#divides").startswith("N (no push MVIC yet)")
        assert _text(app, "#target") == "target: all you have (no max known yet)"
        # no gauge of % of the stand-in; the chart is in newtons and says why
        assert not app.screen.query_one("#gauge-box").display
        chart = app.screen.query_one(CurvePlot).data
        assert chart.right is None and chart.left.label == "N"
        assert chart.note == MEASURING


async def test_a_line_that_grows_and_shrinks_with_its_text_is_laid_out_again_each_time() -> None:
    """What % divides by is two lines in a passive step (both maxima) and one in a push step:
    the row must shrink back, or a blank row stays (the chart one row shorter) — and a row
    that stayed one line high would hide the second maximum."""
    from textual.app import App, ComposeResult

    from isoforce.tui.screens.player import set_text

    class OneLine(App[None]):
        CSS = "#divides { height: auto; max-height: 2; }"

        def compose(self) -> ComposeResult:
            yield Static("", id="divides")

    app = OneLine()
    async with app.run_test(size=(80, 10)) as pilot:
        divides = app.query_one("#divides", Static)
        for text, rows in [
            ("% of push pain-free max 250 N", 1),
            ("% of push pain-free max 250 N\n% of pull pain-free max 170 N", 2),
            ("% of push pain-free max 250 N", 1),
        ]:
            set_text(divides, text)
            await pilot.pause()
            assert divides.size.height == rows, text


async def test_the_get_ready_after_a_skip_names_the_step_it_leads_into() -> None:
    app = make_app(speed=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.controller.snapshot().step_number == 1)
        await pilot.press("s")  # the passive stretch: the push ramp comes after a get-ready
        await wait_for(pilot, lambda: "GET READY" in _text(app, "#phase"), timeout_s=10)
        banner = _text(app, "#banner")
        assert banner.startswith("Get ready — PAILs — ramp into the block to 50 %")
        assert "step 2/" in banner and "ramp push 0→50 %" in banner
        assert "stretch" not in banner
        # "next" is the step after it
        assert _text(app, "#next") == "Next: PAILs — drive the knee into the block"
        # the ramp has not started: no time is said left in a step, and the chart is the ramp's,
        # empty, in % of the push max (not the stretch's newtons, with no push or pull in it)
        info = _text(app, "#phase-info")
        assert "next: PUSH" in info and "left" not in info
        curve = app.screen.query_one(CurvePlot).curve
        assert curve.t_s.size == 0 and curve.target_t_s.size == 0
        assert curve.sign == 1.0 and "push" in curve.reference_label
        assert curve.t_end_s - curve.t_start_s == pytest.approx(curve.t_end_s - curve.t_origin_s)
        # pain in the get-ready: the hold still belongs to the ramp, not to the skipped stretch
        await pilot.press("p")
        await wait_for(pilot, lambda: "EASED OFF" in _text(app, "#phase"), timeout_s=10)
        banner = _text(app, "#banner")
        assert banner.startswith("Pain: rest, nothing to push or pull")  # nothing was loaded
        assert "step 2/" in banner and "stretch" not in banner
        assert "push" in app.screen.query_one(CurvePlot).curve.reference_label
        # better: the get-ready again; a cramp in it rests before that same step
        await pilot.press("y")
        await wait_for(pilot, lambda: "GET READY" in _text(app, "#phase"), timeout_s=10)
        await pilot.press("c")
        await wait_for(pilot, lambda: _text(app, "#banner").startswith("Cramp"), timeout_s=10)
        banner = _text(app, "#banner")
        assert banner.startswith("Cramp: release and rest — then get ready") and "step 2/" in banner
