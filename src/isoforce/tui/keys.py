"""The TUI's keys, per screen, read from the screens' own bindings (for the docs).

The docs' key tables are generated from here when the site is built, so they name exactly the
keys that exist: each row is a binding's key, its footer label (or "named on screen" for a key
the footer hides) and the first line of the docstring of the action it runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from isoforce.tui.screens.calibration import CalibrationScreen
from isoforce.tui.screens.free import FreeScreen
from isoforce.tui.screens.live import HistoryScreen, ReferencesScreen
from isoforce.tui.screens.offer import ReferenceOfferScreen
from isoforce.tui.screens.player import PlayerScreen
from isoforce.tui.screens.replay import ReplayListScreen, ReplayScreen
from isoforce.tui.screens.setup import DeviceScreen, DrillPickerScreen, PairImuScreen
from isoforce.tui.screens.summary import SummaryScreen

#: The screens in the order a user meets them, with the name the docs give each.
SCREENS: tuple[tuple[str, type[Screen[None]]], ...] = (
    ("Device picker", DeviceScreen),
    ("Pair an IMU", PairImuScreen),
    ("Calibration", CalibrationScreen),
    ("Drill picker", DrillPickerScreen),
    ("No maximum yet (offered before a drill)", ReferenceOfferScreen),
    ("Drill player", PlayerScreen),
    ("Summary", SummaryScreen),
    ("Maxima", ReferencesScreen),
    ("History", HistoryScreen),
    ("Free mode", FreeScreen),
    ("Replay list", ReplayListScreen),
    ("Replay", ReplayScreen),
)

_KEY_NAMES = {"escape": "Esc", "enter": "Enter", "space": "Space"}
#: What the app-level actions do (Textual's own, bound by the screens).
_APP_ACTIONS = {"quit": "Stop streaming cleanly, then leave.", "pop_screen": "Back."}


def key_name(key: str) -> str:
    """``Esc`` for ``escape``, ``q`` for ``q``."""
    return _KEY_NAMES.get(key, key)


def _does(screen: type[Screen[None]], action: str) -> str:
    name = action.split("(")[0]
    if name.startswith("app."):
        return _APP_ACTIONS.get(name.removeprefix("app."), name)
    method: Callable[..., object] | None = getattr(screen, f"action_{name}", None)
    if method is None:
        method = getattr(App, f"action_{name}", None)
    doc = inspect.getdoc(method) if method is not None else None
    return (doc or name).splitlines()[0]


def screen_keys(screen: type[Screen[None]]) -> list[tuple[str, str, str]]:
    """(keys, footer label, what it does) per action of ``screen``, keys for one action joined."""
    rows: dict[str, tuple[list[str], str]] = {}
    for b in screen.BINDINGS:
        if not isinstance(b, Binding):
            continue
        keys, label = rows.setdefault(b.action, ([], ""))
        keys.extend(key_name(k.strip()) for k in b.key.split(","))
        if b.show and not label:
            rows[b.action] = (keys, b.description)
        elif not label:
            rows[b.action] = (keys, f"({b.description}: named on screen)")
    return [
        (" / ".join(f"`{k}`" for k in keys), label, _does(screen, action))
        for action, (keys, label) in rows.items()
    ]


def key_tables_markdown() -> str:
    """One Markdown table per screen, in the order a user meets them."""
    parts: list[str] = []
    for title, screen in SCREENS:
        parts += [f"### {title}", "", "| key | footer | does |", "|---|---|---|"]
        for keys, label, does in screen_keys(screen):
            cells = (keys, label, does)
            parts.append("| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


__all__ = ["SCREENS", "key_name", "key_tables_markdown", "screen_keys"]
