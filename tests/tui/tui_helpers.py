"""Shared helpers for the TUI tests (imported by name; not a conftest)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from isoforce.live import SessionOptions
from isoforce.tui.app import AppConfig, IsoforceApp, create_app
from isoforce.tui.audio import AudioMode
from isoforce.tui.widgets.chart import ChartView
from tests.paths import ISOFORCE

VIRTUAL = float("inf")


def make_app(
    *,
    drill: str | None = "pails-rails-hip",
    speed: float = VIRTUAL,
    stop_at_s: float | None = None,
    **options: object,
) -> IsoforceApp:
    """The real app over the simulator; audio off so tests make no noise."""
    opts = SessionOptions(speed=speed, **options)  # type: ignore[arg-type]
    return create_app(
        AppConfig(options=opts, drill=drill, audio=AudioMode.OFF, stop_at_s=stop_at_s)
    )


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], *, timeout_s: float = 90.0
) -> None:
    """Let the app run until ``condition()`` holds (fails after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


async def settled(pilot: Pilot[None], app: IsoforceApp) -> None:
    """Wait until the session has stopped and the player has drawn its last frame in full.

    Waits on what the screen drew, not for a fixed time: a loaded machine draws late.
    """
    await wait_for(
        pilot,
        lambda: app.controller.session is not None and not app.controller.running,
        timeout_s=120.0,  # a drill run in virtual time to minute 5 takes ~25 s unloaded
    )
    final_t_s = app.controller.snapshot().t_s
    await wait_for(pilot, lambda: getattr(app.screen, "shown_t_s", final_t_s) >= final_t_s)
    # the charts redraw a few times a second: the last one, if still to come
    await wait_for(pilot, lambda: not any(c.redraw_pending for c in app.screen.query(ChartView)))
    await pilot.pause(0.05)  # let the last draw reach the compositor


def store_a_drill(data_dir: Path | None = None) -> None:
    """Run the tension drill (left side, virtual time) with the installed ``isoforce``, so that
    the store holds one drill session to replay (in ``data_dir``; default: the environment's)."""
    env = {**os.environ, "ISOFORCE_DATA_DIR": str(data_dir)} if data_dir is not None else None
    made = subprocess.run(
        [
            ISOFORCE,
            "drill",
            "run",
            "tension-drill",
            "--speed",
            "max",
            "--side",
            "left",
            "--no-keys",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert made.returncode == 0, made.stderr
