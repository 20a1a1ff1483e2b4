"""Shared helpers for the TUI tests (imported by name; not a conftest)."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from isoforce.live import SessionOptions
from isoforce.tui.app import AppConfig, IsoforceApp, create_app
from isoforce.tui.audio import AudioMode

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
    pilot: Pilot[None], condition: Callable[[], bool], *, timeout_s: float = 30.0
) -> None:
    """Let the app run until ``condition()`` holds (fails after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)
