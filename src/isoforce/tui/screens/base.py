"""What every isoforce screen shares: readiness for frames and a typed app."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.screen import Screen

from isoforce.drills.events import DrillEvent
from isoforce.live.frame import LinkEvent
from isoforce.tui.view import LiveView, Reading
from isoforce.tui.widgets.gauge import EffortGauge

if TYPE_CHECKING:
    from isoforce.tui.app import IsoforceApp


#: Whole views a second of a screen that moves only its gauge in between: the gauge moves at the
#: full frame rate; text, digits and the curve redraw at most this often (digits that change
#: more often are harder, not easier, to read from the floor) and at once when an event arrives.
SLOW_HZ = 6.0


class ViewPace:
    """When a screen's next frame needs the whole view, and what the last one showed.

    A screen that moves only its gauge in between gets one at most ``whole_hz`` times a second
    (digits that change faster are harder, not easier, to read from the floor), and at once for
    a new count-in number (it shows with its cue, which plays in that frame) and for a second
    frame with no new sample (the stream stopped or stalled: the last numbers are drawn in full
    however the frames fell). Without ``whole_hz`` every frame is a whole view.
    """

    def __init__(self, whole_hz: float | None) -> None:
        #: At least this long between whole views (0: every frame is one).
        self.period_s = 1.0 / whole_hz if whole_hz else 0.0
        #: Host time (monotonic) of the last whole view drawn.
        self.whole_at_s = -math.inf
        #: The session time of the last whole view drawn; -1 before any.
        self.shown_t_s = -1.0
        self._count_in = 0
        self._frame_t_s = -1.0

    def wants_whole(self, reading: Reading) -> bool:
        """Whether this frame needs the whole view (else: it draws from ``reading``)."""
        stalled = reading.t_s == self._frame_t_s and reading.t_s != self.shown_t_s
        due = time.monotonic() - self.whole_at_s >= self.period_s
        return due or stalled or reading.count_in != self._count_in

    def moved(self, reading: Reading) -> None:
        """A frame drew ``reading`` alone."""
        self._frame_t_s = reading.t_s

    def whole(self, view: LiveView) -> None:
        """A frame drew the whole ``view``."""
        self._frame_t_s = self.shown_t_s = view.t_s
        self.whole_at_s = time.monotonic()
        self._count_in = view.count_in


class IsoScreen(Screen[None]):
    """A screen the app draws each frame once it is shown (see :meth:`frame`)."""

    ready = False
    #: Whether this is the drill picker (the screen the app goes back to between drills).
    is_picker = False
    #: Whole views a second for a screen that moves only its gauge in between
    #: (:meth:`show_moving`); None: every frame draws the whole view.
    whole_hz: ClassVar[float | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.pace = ViewPace(self.whole_hz)

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

    @property
    def shown_t_s(self) -> float:
        """The session time of the last whole view drawn (-1 before any)."""
        return self.pace.shown_t_s

    def frame(
        self,
        reading: Reading,
        events: list[DrillEvent | LinkEvent],
        whole_view: Callable[[], LiveView],
    ) -> None:
        """Draw one frame: the numbers that move alone when the pace allows, else the whole view.

        ``whole_view`` builds the snapshot, only when it is drawn: most frames of a paced
        screen need none. Events always get the whole view.
        """
        pace = self.pace
        if not events and not pace.wants_whole(reading):
            pace.moved(reading)
            self.show_moving(reading)
            return
        view = whole_view()
        pace.whole(view)
        self.show(view, events)

    def show_moving(self, reading: Reading) -> None:
        """Between whole views: move the gauge (a paced screen has one; nothing else moves)."""
        self.query_one(EffortGauge).follow(reading)

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Draw the whole view (screens without live content ignore it)."""
        del view, events
