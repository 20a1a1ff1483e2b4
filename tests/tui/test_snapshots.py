"""SVG snapshots of the main screens at fixed sizes (deterministic: virtual time, fixed seed).

Regenerate after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.tui_helpers import make_app, settled, wait_for


@pytest.fixture(autouse=True)
def _speech_engine_present(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screenshots show a machine with a speech engine and a tone player.

    Without one the audio line adds "no speech engine", so the pictures would follow what the
    test machine happens to have installed (espeak-ng, aplay); the lookup is pinned instead.
    """
    import isoforce.tui.audio as audio

    monkeypatch.setattr(audio, "shutil", SimpleNamespace(which=lambda name: f"/usr/bin/{name}"))


async def _settle(pilot: Pilot[None]) -> None:
    app: Any = pilot.app
    await settled(pilot, app)
    await pilot.pause(0.25)


#: Every main screen at the three sizes the issue names (ids like ``120x40`` name the files
#: the docs' screenshots are built from).
SIZES = [(80, 24), (120, 40), (200, 60)]


def _ids(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def sizes() -> Any:
    """The parametrisation every snapshot uses."""
    return pytest.mark.parametrize("size", SIZES, ids=_ids)


@sizes()
def test_player_mid_hold(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(stop_at_s=140.0), terminal_size=size, run_before=_settle)


@sizes()
def test_player_max_test_count_in(snap_compare: Any, size: tuple[int, int]) -> None:
    """The max test's rest before trial 2 with the 3-2-1 running (trial 2 starts at 80 s)."""
    app = make_app(drill="max-test", stop_at_s=78.5)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@sizes()
def test_player_range_of_motion(snap_compare: Any, size: tuple[int, int]) -> None:
    """A rotation of the range-of-motion drill: the angle is the big number."""
    app = make_app(drill="hip-rom", device="sim-imu", stop_at_s=9.0)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@sizes()
def test_device_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await pilot.pause(0.2)

    assert snap_compare(make_app(drill=None), terminal_size=size, run_before=before)


def _store_maxima() -> None:
    """A few stored maxima with fixed dates (the maxima screen's rows)."""
    from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
    from isoforce.session.model import ReferenceRecord
    from isoforce.session.store import SessionStore

    def rec(side: Side, d: Direction, kind: ReferenceKind, n: float, day: str) -> ReferenceRecord:
        key = MovementKey("hip-ir", side, d, "90-90")
        return ReferenceRecord(key, kind, n, f"2026-12-0{day}T10:00:00+00:00", "max-test")

    with SessionStore.open() as store:
        store.add_maxima(
            [
                rec(Side.LEFT, Direction.PUSH, ReferenceKind.MVIC, 251.7, "1"),
                rec(Side.LEFT, Direction.PULL, ReferenceKind.MVIC, 172.2, "1"),
                rec(Side.LEFT, Direction.PUSH, ReferenceKind.PAIN_FREE, 150.0, "2"),
                rec(Side.RIGHT, Direction.PUSH, ReferenceKind.MVIC, 240.0, "3"),
            ]
        )


@sizes()
def test_summary_with_the_ways_on(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.summary import SummaryScreen

        app: Any = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.3)

    app = make_app(drill="low-intensity")
    assert snap_compare(app, terminal_size=size, run_before=before)


@sizes()
def test_chart_player_second_trial(snap_compare: Any, size: tuple[int, int]) -> None:
    """The live chart at three sizes: axes in N and %, band, target, this and the last trial."""
    assert snap_compare(make_app(stop_at_s=250.0), terminal_size=size, run_before=_settle)


@sizes()
def test_chart_summary_session_curve(snap_compare: Any, size: tuple[int, int]) -> None:
    """The summary's session curve with every step's target and band."""

    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.summary import SummaryScreen

        app: Any = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.3)

    assert snap_compare(make_app(drill="low-intensity"), terminal_size=size, run_before=before)


@sizes()
def test_drill_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.core.effort_key import Side
        from isoforce.tui.screens.setup import DrillPickerScreen

        app: Any = pilot.app
        app.controller.side = Side.LEFT
        app.push_screen(DrillPickerScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
        await pilot.pause(0.3)

    assert snap_compare(make_app(drill=None), terminal_size=size, run_before=before)


@sizes()
def test_maxima_per_side_movement_position_direction(
    snap_compare: Any, size: tuple[int, int]
) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.core.effort_key import Side
        from isoforce.tui.screens.live import ReferencesScreen

        app: Any = pilot.app
        app.controller.side = Side.LEFT
        app.push_screen(ReferencesScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ReferencesScreen))
        await pilot.pause(0.3)

    _store_maxima()
    assert snap_compare(make_app(drill=None), terminal_size=size, run_before=before)


@sizes()
def test_calibration_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.calibration import CalibrationScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        await pilot.press("enter")  # the simulated load cell
        await pilot.pause(0.3)
        await pilot.press("enter")  # no IMU paired
        await wait_for(pilot, lambda: isinstance(app.screen, CalibrationScreen))
        await _settle(pilot)

    app = make_app(drill=None, stop_at_s=5.0)
    assert snap_compare(app, terminal_size=size, run_before=before)


@sizes()
def test_free_mode(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.free import FreeScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        app.push_screen(FreeScreen())
        await _settle(pilot)

    assert snap_compare(make_app(drill=None, stop_at_s=8.0), terminal_size=size, run_before=before)


@sizes()
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


@sizes()
def test_history_per_side(snap_compare: Any, size: tuple[int, int]) -> None:
    """Maxima over time per side, as charts and as text."""

    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.live import HistoryScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause(0.3)

    _store_maxima()
    assert snap_compare(make_app(drill=None), terminal_size=size, run_before=before)


@sizes()
def test_replay_in_the_player(snap_compare: Any, size: tuple[int, int]) -> None:
    """A stored drill replayed to its end: the player under the REPLAY line."""
    from dataclasses import replace

    from isoforce.session.store import SessionStore
    from tests.session.session_helpers import run_drill

    with SessionStore.open() as store:  # stored again with a fixed date for the label
        run_id = run_drill(store, "low-intensity").session_id
        made = store.load(run_id)
        store.delete_session(run_id)
        meta = replace(made.meta, started_at="2026-12-01T10:00:00.000+00:00")
        replay_id = store.save_record(replace(made, meta=meta))

    async def before(pilot: Pilot[None]) -> None:
        from isoforce.tui.screens.replay import ReplayScreen

        app: Any = pilot.app
        await pilot.pause(0.2)
        app.controller.replay_from_s = 0.0
        app.replay(replay_id)
        app.push_screen(ReplayScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        await _settle(pilot)

    assert snap_compare(make_app(drill=None), terminal_size=size, run_before=before)
