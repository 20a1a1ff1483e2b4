"""An EXPERIMENTAL device says so in the TUI's device picker (nothing is connected to)."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from isoforce.devices.registry import DEVICES
from isoforce.tui.screens.setup import DeviceScreen
from tests.tui.tui_helpers import make_app

pytestmark = pytest.mark.asyncio


async def test_the_picker_marks_an_experimental_device() -> None:
    app = make_app(drill=None, device="movesense", address="C0:FF:EE:00:08:01")
    async with app.run_test(size=(140, 30)):
        assert isinstance(app.screen, DeviceScreen)
        options = app.screen.query_one("#devices", OptionList)
        prompts = {
            options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        }
    assert "EXPERIMENTAL: " + DEVICES["movesense"].experimental in prompts["movesense"]
    assert not any("EXPERIMENTAL" in p for key, p in prompts.items() if key != "movesense")
