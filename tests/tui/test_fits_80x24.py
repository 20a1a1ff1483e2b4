"""Every screen's footer keys fit an 80×24 terminal, and the docs' key tables are the bindings."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from isoforce.core.effort_key import Side
from isoforce.drills.loader import find_drill
from isoforce.live import SessionOptions
from isoforce.live.references import missing_references
from isoforce.paths import drills_dir
from isoforce.session.references import StoredReferences
from isoforce.tui import screens
from isoforce.tui.keys import SCREENS, key_name, key_tables_markdown
from isoforce.tui.screens.free import FreeScreen
from isoforce.tui.screens.live import HistoryScreen, ReferencesScreen
from isoforce.tui.screens.offer import ReferenceOfferScreen
from isoforce.tui.screens.player import PlayerScreen
from isoforce.tui.screens.setup import CalibrationScreen, DeviceScreen, DrillPickerScreen
from isoforce.tui.screens.summary import SummaryScreen
from tests.tui.tui_helpers import make_app, wait_for

WIDTH, HEIGHT = 80, 24


def _offer() -> ReferenceOfferScreen:
    drill = find_drill("pails-rails-hip", drills_dir(None))
    missing = missing_references(SessionOptions(), drill, stored=StoredReferences())
    return ReferenceOfferScreen(drill, missing)


async def _footer_fits(pilot: Any, screen: Screen[None]) -> None:
    app = pilot.app
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen)
    await _keys_fit(pilot, screen)


async def _keys_fit(pilot: Any, screen: Screen[None]) -> None:
    await wait_for(
        pilot,
        lambda: bool(screen.query(FooterKey)) and all(k.region for k in screen.query(FooterKey)),
    )
    for key in screen.query(FooterKey):
        region = key.region
        assert region.width > 0 and region.right <= WIDTH, (
            f"{type(screen).__name__}: footer key {key.key!r} at {region} is cut at {WIDTH} columns"
        )
        assert region.bottom <= HEIGHT


@pytest.mark.asyncio
async def test_every_screens_footer_fits_80x24() -> None:
    app = make_app(drill="low-intensity")
    app.controller.side = Side.LEFT
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        # low-intensity on the left side with nothing stored: the offer comes first
        await wait_for(pilot, lambda: isinstance(app.screen, ReferenceOfferScreen))
        await _keys_fit(pilot, app.screen)
        app.controller.side = None  # then l / r are offered too
        await _footer_fits(pilot, _offer())
        app.pop_screen()
        app.controller.side = Side.LEFT
        await pilot.press("s")  # the simulated athlete's maxima: the drill runs to its summary
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await _keys_fit(pilot, app.screen)
        for screen in (
            DeviceScreen(),
            CalibrationScreen(),
            DrillPickerScreen(),
            ReferencesScreen(),
            HistoryScreen(),
            FreeScreen(),
            PlayerScreen(),
        ):
            await _footer_fits(pilot, screen)
            app.pop_screen()


def _screen_classes() -> set[type[Screen[None]]]:
    import importlib
    import inspect
    import pkgutil

    found: set[type[Screen[None]]] = set()
    for info in pkgutil.iter_modules(screens.__path__):
        module = importlib.import_module(f"{screens.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, Screen)
                and cls.__module__ == module.__name__
                and "BINDINGS" in vars(cls)
            ):
                found.add(cls)
    return found


def test_the_docs_key_tables_name_every_binding_of_every_screen() -> None:
    listed = {cls for _, cls in SCREENS}
    assert _screen_classes() <= listed, "a screen with keys is missing from the docs' tables"
    text = key_tables_markdown()
    for title, cls in SCREENS:
        section = text.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]
        for b in cls.BINDINGS:
            assert isinstance(b, Binding)
            assert f"`{key_name(b.key)}`" in section, (title, b.key)
