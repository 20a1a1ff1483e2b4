"""The TUI player: consent above the max (key g), labels from the targets used, one skipped trial."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from isoforce.drills.events import EngineStatus, EventKind
from isoforce.paths import drills_dir
from isoforce.tui.app import IsoforceApp
from tests.tui.tui_helpers import make_app, wait_for

pytestmark = pytest.mark.asyncio

ABOVE = """
name = "above"
movement = "hip-ir"
position = "90-90"
allow_above_max = true

[[steps]]
kind = "hold"
direction = "push"
target_pct = 50
seconds = 30

[[steps]]
kind = "hold"
direction = "push"
target_pct = 110
seconds = 30
"""


def events(app: IsoforceApp, kind: EventKind) -> list[str]:
    session = app.controller.session
    assert session is not None and session.guide is not None
    return [e.text for e in session.guide.events if e.kind is kind]


def running(app: IsoforceApp) -> bool:
    state = app.controller.drill_state
    return state is not None and state.status is EngineStatus.RUNNING


async def test_the_player_asks_before_going_above_the_max_and_g_agrees() -> None:
    folder = drills_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "above.toml").write_text(ABOVE)
    app = make_app(drill="above", speed=1.0, push_max_n=150.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: running(app))
        link = app.screen.query_one("#link", Static)
        await wait_for(pilot, lambda: "above your max" in str(link.render()))
        prompt = str(link.render())
        assert "110 % of the pain-free max = 165 N" in prompt and "(key g)" in prompt
        assert "capped at 100 %" in prompt
        nxt = str(app.screen.query_one("#next", Static).render())
        assert "hold push 100 % 30 s (capped at the max: going above it not agreed)" in nxt
        assert events(app, EventKind.ABOVE_MAX_CONSENT)[0].startswith("not asked")
        await pilot.press("g")
        assert events(app, EventKind.ABOVE_MAX_CONSENT)[1].startswith("agreed (key)")
        await wait_for(pilot, lambda: "above your max" not in str(link.render()))
        await pilot.press("s")  # on to the step above the max
        await wait_for(pilot, lambda: app.controller.snapshot().target_pct > 105.0)
        assert app.controller.snapshot().target_pct == pytest.approx(110.0)
        assert "hold push 110 % 30 s" in app.controller.snapshot().step_label


async def test_s_in_the_max_test_skips_one_trial() -> None:
    app = make_app(drill="max-test", speed=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: running(app))
        await pilot.press("s")  # the settling-in rest
        await wait_for(pilot, lambda: app.controller.snapshot().step_number == 2)
        await pilot.press("s")  # in the get-ready: the first trial is skipped, no more
        assert events(app, EventKind.TRIAL_SKIPPED) == ["trial 1 of 3 skipped"]
        assert app.controller.snapshot().step_number == 2
        assert len(events(app, EventKind.SKIPPED)) == 1  # the rest before it, not the step
