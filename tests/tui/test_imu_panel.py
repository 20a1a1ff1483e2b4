"""The IMU panel widget draws an ImuView: motion state in words, the estimate only as a band."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace

from textual.app import App, ComposeResult

from isoforce.signal.imu import (
    ActivityLevel,
    DualModeReport,
    EffortEstimate,
    ImuView,
    Refusal,
)
from isoforce.tui.widgets.imu_panel import ImuPanel, imu_panel_text

REFUSED = EffortEstimate(math.nan, math.nan, math.nan, None, Refusal.MOVING, "hold still")
VIEW = ImuView(
    t_s=12.0,
    placement="shank",
    guidance="",
    angle_deg=23.4,
    angle_source="gravity: drift-free",
    zero_hint="",
    still=True,
    ir_max_deg=30.0,
    er_max_deg=12.0,
    lift_phase="hold",
    hold_s=2.5,
    lift_offs_done=2,
    effort=EffortEstimate(48.0, 33.0, 63.0, ActivityLevel.MODERATE, Refusal.NONE),
    dual=DualModeReport(400, 8.2, 2.0, 6.0, 0.9),
)


def test_text_shows_state_in_words_and_the_estimate_as_a_band() -> None:
    text = imu_panel_text(VIEW).plain
    assert "angle +23.4°" in text and "STILL" in text and "lift-off hold 2.5 s" in text
    assert "est. 33–63 %" in text and "IMU estimate, not measured" in text
    assert "48" not in text  # the middle of the band is never shown on its own
    assert "±8 % RMS" in text
    moving = imu_panel_text(replace(VIEW, still=False, effort=REFUSED, dual=None)).plain
    assert "MOVING" in moving and "hold still" in moving and "est." not in moving
    unzeroed = imu_panel_text(replace(VIEW, angle_deg=None, zero_hint="hold the leg still"))
    assert unzeroed.plain.startswith("hold the leg still")
    assert "waiting" in imu_panel_text(None).plain


def test_the_widget_mounts_and_redraws() -> None:
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ImuPanel(id="imu")

    async def go() -> str:
        app = Host()
        async with app.run_test() as pilot:
            panel = app.query_one(ImuPanel)
            panel.show(VIEW)
            await pilot.pause()
            return str(panel.render())

    assert "STILL" in asyncio.run(go())


def test_steps_that_move_the_leg_do_not_ask_for_stillness() -> None:
    moving = replace(VIEW, still=False, effort=REFUSED, dual=None)
    text = imu_panel_text(moving, still_asked=False, lift_offs_asked=False).plain
    assert "angle +23.4°" in text
    assert "MOVING" not in text and "STILL" not in text and "hold still" not in text
    assert "lift-off hold" not in text  # a rotation held at end range is no lift-off
