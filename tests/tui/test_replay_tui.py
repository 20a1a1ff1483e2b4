"""Replay in the TUI: the filtered list, the REPLAY label with the drill, speed, seek, no tare."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from isoforce.session.model import SessionInfo, SessionKind, SessionStatus
from isoforce.tui.screens.replay import ReplayFilter, ReplayListScreen, ReplayScreen
from tests.tui.tui_helpers import make_app, store_a_drill, wait_for

pytestmark = pytest.mark.asyncio


def _info(sid: int, drill: str | None, started_at: str) -> SessionInfo:
    return SessionInfo(
        id=sid,
        uuid=str(sid),
        kind=SessionKind.DRILL if drill else SessionKind.RECORD,
        status=SessionStatus.COMPLETE,
        started_at=started_at,
        device="sim",
        drill=drill,
        movement=None,
        side=None,
        position=None,
        samples=100,
        duration_s=10.0,
        stopped_by="end",
    )


def _text(app: object, ident: str) -> str:
    return str(app.screen.query_one(ident, Static).render())  # type: ignore[attr-defined]


async def test_the_filter_keeps_one_drill_and_a_date_range() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    infos = [
        _info(1, "tension-drill", "2026-12-05T08:00:00+00:00"),
        _info(2, None, "2026-12-01T08:00:00+00:00"),
        _info(3, "tension-drill", "2026-10-01T08:00:00+00:00"),
    ]
    keep = ReplayFilter(drill="tension-drill")
    assert [i.id for i in infos if keep.keep(i, now=now)] == [1, 3]
    week = ReplayFilter(days=7)
    assert [i.id for i in infos if week.keep(i, now=now)] == [1, 2]
    today = ReplayFilter(drill="free/record", days=0)
    assert [i.id for i in infos if today.keep(i, now=now)] == []


async def test_a_drill_replays_labelled_with_speed_seek_and_no_tare(tmp_path: Path) -> None:
    store_a_drill()
    app = make_app(drill=None, speed=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("replay-list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayListScreen))
        await pilot.press("d")  # all → the one drill stored
        title = str(app.screen.query_one("#replay-title", Static).render())
        assert "drill: tension-drill" in title
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        await wait_for(pilot, lambda: app.controller.replay_transport is not None)
        await wait_for(pilot, lambda: "left side" in _text(app, "#replay-label"))
        label = _text(app, "#replay-label")
        assert "REPLAY of session 1" in label and "left side" in label
        assert "Free mode" not in label
        await pilot.press("4")
        transport = app.controller.replay_transport
        assert transport is not None and transport.playback.speed == 4.0
        await pilot.press("right")
        await wait_for(pilot, lambda: transport.position_s >= 10.0)
        await pilot.press("space")
        assert transport.playback.paused
        await pilot.pause(0.1)
        state = str(app.screen.query_one("#replay-state", Static).render())
        assert "PAUSED" in state
        at = transport.position_s
        await pilot.press("left")  # back: a new replay seeks to 10 s before
        await wait_for(
            pilot,
            lambda: (
                app.controller.replay_transport not in (None, transport)
                and app.controller.samples_kept > 0
            ),
        )
        again = app.controller.replay_transport
        assert app.controller.replay_from_s == pytest.approx(at - 10.0, abs=0.1)
        assert again is not None and again.position_s >= at - 10.0
        assert again.playback.speed == 4.0  # the speed stays
        await pilot.press("t")
        assert app.controller.replaying  # the tare was refused: nothing changed
        await app.controller.stop()
