"""Replay of stored sessions through the live path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets.option_list import Option

from isoforce.errors import IsoforceError

if TYPE_CHECKING:
    from isoforce.tui.app import IsoforceApp

_PREFIX = "replay-"


def replay_options(app: IsoforceApp) -> list[Option]:
    """The most recent stored sessions, replayable through the live path."""
    from isoforce.session.store import SessionStore

    try:
        with SessionStore.open(data_dir=app.config.data_dir) as store:
            infos = store.sessions(limit=3, profile=app.athlete_name)
    except IsoforceError:
        return []
    return [
        Option(
            f"Replay session {i.id}: {i.title}  ({i.duration_s:.0f} s, {i.started_at[:16].replace('T', ' ')})",
            id=f"{_PREFIX}{i.id}",
        )
        for i in infos
        if i.samples
    ]


def start_replay(app: IsoforceApp, ident: str) -> bool:
    """Start replaying the session an option ``ident`` names; False if it names none."""
    if not ident.startswith(_PREFIX):
        return False
    from isoforce.tui.screens.free import FreeScreen

    app.replay(int(ident.removeprefix(_PREFIX)))
    app.push_screen(FreeScreen())
    return True


__all__ = ["replay_options", "start_replay"]
