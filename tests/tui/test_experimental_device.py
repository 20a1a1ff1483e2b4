"""Picking an experimental device in the TUI says so (raw counts then go to the calibration screen)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.tui_helpers import make_app, wait_for

pytestmark = pytest.mark.asyncio


async def test_an_experimental_device_says_so_and_what_it_needs() -> None:
    app = make_app(drill=None)
    said: list[tuple[str, str]] = []
    notify = app.notify

    def keep(message: str, **kw: Any) -> None:
        said.append((kw.get("severity", "information"), message))
        notify(message, **kw)

    app.notify = keep  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        app.use_device("frez-dyno", address="C0:FF:EE:00:0D:01")
        await wait_for(pilot, lambda: len(said) >= 1, timeout_s=20)
    warning = said[0]
    assert warning[0] == "warning" and warning[1].startswith("frez-dyno is EXPERIMENTAL: ")
