"""What every isoforce screen shares: readiness for frames and a typed app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from isoforce.drills.events import DrillEvent
from isoforce.live.frame import LinkEvent
from isoforce.tui.view import LiveView

if TYPE_CHECKING:
    from isoforce.tui.app import IsoforceApp


class IsoScreen(Screen[None]):
    """A screen the app draws each frame once it is shown (see :meth:`show`)."""

    ready = False
    #: Whether this is the drill picker (the screen the app goes back to between drills).
    is_picker = False

    def on_screen_resume(self) -> None:
        """Frames may draw from now on: the first one at once."""
        self.ready = True
        self.iso_app.request_frame()

    @property
    def iso_app(self) -> IsoforceApp:
        """The app, typed."""
        from isoforce.tui.app import IsoforceApp

        assert isinstance(self.app, IsoforceApp)
        return self.app

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Draw one frame (screens without live content ignore it)."""
        del view, events
