"""Replay of stored sessions through the live path: a filtered list, then the replay itself.

The list holds every stored session with samples, filtered by athlete (a), drill (d) and date
(y). The replay plays in the drill player under a REPLAY line with the session's drill, side,
movement and position; the speed (1/2/4/0 for max), pause (space) and seek (←/→ 10 s) are the
replay transport's own (:class:`~isoforce.transports.replay.ReplayTransport`); a seek back
starts the replay again at that point. There is nothing to tare in a recording: t is refused with a notice.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from isoforce.core.movements import movement_title, position_title
from isoforce.drills.events import DrillEvent, EventKind
from isoforce.errors import IsoforceError
from isoforce.live.frame import LinkEvent
from isoforce.session.model import SessionInfo
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.screens.player import PlayerScreen, set_text
from isoforce.tui.view import LiveView

if TYPE_CHECKING:
    from isoforce.session.model import SessionMeta
    from isoforce.tui.app import IsoforceApp

_LIST = "replay-list"
#: Seconds one ←/→ moves the replay.
SEEK_S = 10.0
#: The speeds the keys choose.
SPEEDS = {"1": 1.0, "2": 2.0, "4": 4.0, "0": math.inf}
#: The date filter's choices: (label, days back; None: any date).
DATES: tuple[tuple[str, int | None], ...] = (
    ("any date", None),
    ("today", 0),
    ("last 7 days", 7),
    ("last 30 days", 30),
)
ALL = "all"


def replay_options(app: IsoforceApp) -> list[Option]:
    """The device picker's way into the replay list (none without stored sessions)."""
    from isoforce.session.store import SessionStore

    try:
        with SessionStore.open(data_dir=app.config.data_dir) as store:
            count = sum(1 for i in store.sessions() if i.samples)
    except IsoforceError:
        return []
    if not count:
        return []
    return [
        Option(f"Replay a stored session…  ({count} stored: by athlete, drill, date)", id=_LIST)
    ]


def refresh_replay_option(app: IsoforceApp, options: OptionList) -> None:
    """Count the stored sessions again in ``options``' replay entry (added with the first)."""
    with contextlib.suppress(OptionDoesNotExist):
        options.remove_option(_LIST)
    for option in replay_options(app):
        options.add_option(option)


def start_replay(app: IsoforceApp, ident: str) -> bool:
    """Open the replay list when ``ident`` is its option; False for any other option."""
    if ident != _LIST:
        return False
    app.push_screen(ReplayListScreen())
    return True


@dataclass(frozen=True, slots=True)
class ReplayFilter:
    """Which stored sessions the list shows: one drill (or all) and a date range."""

    drill: str = ALL
    days: int | None = None

    def keep(self, info: SessionInfo, *, now: datetime) -> bool:
        """Whether ``info`` passes (sessions without samples never do)."""
        if not info.samples:
            return False
        if self.drill != ALL and _drill_name(info) != self.drill:
            return False
        if self.days is None:
            return True
        started = datetime.fromisoformat(info.started_at)
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        start_of_today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return started >= start_of_today - timedelta(days=self.days)


def _drill_name(info: SessionInfo) -> str:
    """The drill a session ran, or what it was instead (free recording, import)."""
    return info.drill or ("import" if info.kind.value == "import" else "free/record")


def _cycle(current: str, ring: list[str]) -> str:
    at = ring.index(current) if current in ring else -1
    return ring[(at + 1) % len(ring)]


class ReplayListScreen(IsoScreen):
    """Every stored session with samples, filtered by athlete, drill and date."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "athlete", "athlete"),
        Binding("d", "drill", "drill"),
        Binding("y", "date", "date"),
        Binding("escape", "app.pop_screen", "back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.athlete = ""
        self.filter = ReplayFilter()
        self._infos: list[SessionInfo] = []

    def compose(self) -> ComposeResult:
        """Filters line and the sessions."""
        self.athlete = self.iso_app.athlete_name
        yield Static("", classes="title", id="replay-title")
        yield OptionList(id="replays")
        yield Static("", id="replay-status", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the list."""
        self._reload()

    def _reload(self) -> None:
        from isoforce.session.store import SessionStore

        try:
            with SessionStore.open(data_dir=self.iso_app.config.data_dir) as store:
                self._infos = store.sessions(profile=self.athlete)
            note = ""
        except IsoforceError as exc:
            self._infos, note = [], f"cannot read the store: {exc}"
        now = datetime.now(UTC)
        shown = [i for i in self._infos if self.filter.keep(i, now=now)]
        days = dict((d, label) for label, d in DATES)[self.filter.days]
        self.query_one("#replay-title", Static).update(
            f"Replay a stored session  ·  athlete: {self.athlete} (a)  ·  drill: "
            f"{self.filter.drill} (d)  ·  {days} (y)"
        )
        options = self.query_one("#replays", OptionList)
        options.clear_options()
        options.add_options(
            Option(
                f"{i.started_at[:16].replace('T', ' ')}  #{i.id}  {i.title}  ({i.duration_s:.0f} s)",
                id=f"replay-{i.id}",
            )
            for i in shown
        )
        if shown:
            options.highlighted = 0
        options.focus()
        self.query_one("#replay-status", Static).update(
            note
            or f"{len(shown)} of {sum(1 for i in self._infos if i.samples)} sessions shown; "
            "⏎ replays one"
        )

    def action_athlete(self) -> None:
        """Next athlete's sessions."""
        self.athlete = _cycle(self.athlete, self.iso_app.athletes or ["default"])
        self.filter = replace(self.filter, drill=ALL)
        self._reload()

    def action_drill(self) -> None:
        """Next drill (all, then each drill these sessions ran)."""
        names = sorted({_drill_name(i) for i in self._infos if i.samples})
        self.filter = replace(self.filter, drill=_cycle(self.filter.drill, [ALL, *names]))
        self._reload()

    def action_date(self) -> None:
        """Next date range."""
        ring = [d for _, d in DATES]
        at = ring.index(self.filter.days)
        self.filter = replace(self.filter, days=ring[(at + 1) % len(ring)])
        self._reload()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Replay the chosen session."""
        assert event.option.id is not None
        self.iso_app.controller.replay_from_s = 0.0
        self.iso_app.controller.replay_meta = None
        self.iso_app.replay(int(event.option.id.removeprefix("replay-")))
        self.app.push_screen(ReplayScreen())


def replay_label(meta: SessionMeta | None, session_id: int | None) -> str:
    """``REPLAY of session 12 · tension-drill · left · hip IR · 90/90 · recorded …``."""
    if meta is None:
        return f"REPLAY of session {session_id}"
    drill = meta.drill
    what = (drill.title or drill.name) if drill is not None else "free recording (no drill)"
    parts = [
        f"REPLAY of session {session_id}",
        what,
        f"{meta.side.value} side" if meta.side is not None else "no side",
        movement_title(meta.movement) if meta.movement else "",
        position_title(meta.position) if meta.position else "",
        f"athlete {meta.profile.name}" if meta.profile.name != "default" else "",
        f"recorded {meta.started_at[:16].replace('T', ' ')}",
    ]
    return "  ·  ".join(p for p in parts if p)


def _finishes(event: DrillEvent | LinkEvent) -> bool:
    return isinstance(event, DrillEvent) and event.kind is EventKind.DRILL_FINISHED


def _clock(t_s: float) -> str:
    t = max(0, int(t_s))
    return f"{t // 60}:{t % 60:02d}"


class ReplayScreen(PlayerScreen, inherit_bindings=False):
    """A stored session playing back in the player, labelled REPLAY: speed, pause, seek; no tare.

    The same screen as a live drill (phase in words, big digits, what % divides by, gauge,
    chart, scores as the steps end) under two lines of its own: what is replayed, and where the
    replay is. The live drill's keys (pain, skip, checks, quit & save) do not apply to a
    recording, so the replay has its own.
    """

    DEFAULT_CSS = """
    ReplayScreen #replay-label { background: $warning-darken-2; text-style: bold; }
    ReplayScreen #replay-state { height: 1; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "pause"),
        Binding("left", "seek(-1)", "−10 s"),
        Binding("right", "seek(1)", "+10 s"),
        Binding("1", "speed('1')", "1×"),
        Binding("2", "speed('2')", "2×"),
        Binding("4", "speed('4')", "4×"),
        Binding("0", "speed('0')", "max"),
        Binding("t", "tare", "tare", show=False),
        Binding("a", "audio", "audio", show=False),
        Binding("escape", "back", "back"),
    ]

    _at_start = True  # no step has begun: a free recording says so

    def compose(self) -> ComposeResult:
        """What is replayed and where the replay is, above the player."""
        controller = self.iso_app.controller
        yield Static(
            replay_label(controller.replay_meta, controller.replay_id),
            classes="title",
            id="replay-label",
        )
        yield Static("", id="replay-state")
        yield from super().compose()

    def on_mount(self) -> None:
        """Frames may draw at once (the replay is already starting)."""
        self.ready = True

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """The replayed frame in the player, and where the replay is."""
        # the end of the replayed drill is the end of the replay, not a new summary
        super().show(view, [e for e in events if not _finishes(e)])
        controller = self.iso_app.controller
        set_text(
            self.query_one("#replay-label", Static),
            replay_label(controller.replay_meta, controller.replay_id),
        )
        self._at_start = view.step_number == 0
        self._show_state()

    def _show_state(self) -> None:
        """Where the replay is: playing at what speed, paused or ended, and the clock.

        Called with every whole frame (a few a second) and at once after a key, since a paused
        replay sends no frames.
        """
        controller = self.iso_app.controller
        transport = controller.replay_transport
        if transport is None:
            state = "starting the replay…"
        else:
            speed = controller.options.speed
            shown = "max" if math.isinf(speed) else f"{speed:g}×"
            play = "⏸ PAUSED" if transport.playback.paused else f"▶ {shown}"
            if not controller.running:
                play = "■ END"
            state = (
                f"{play}  {_clock(transport.position_s)} / {_clock(transport.duration_s)}  "
                "(space pause · ←/→ 10 s · 1 2 4 0 speed)"
            )
        meta = controller.replay_meta
        if self._at_start and meta is not None and meta.drill is None:
            state += "  ·  no drill: a free recording"
        set_text(self.query_one("#replay-state", Static), state)

    def action_pause(self) -> None:
        """Pause or go on."""
        transport = self.iso_app.controller.replay_transport
        if transport is None:
            return
        if transport.playback.paused:
            transport.resume()
        else:
            transport.pause()
        self._show_state()

    def action_speed(self, key: str) -> None:
        """Play at 1×, 2×, 4× or as fast as possible."""
        controller = self.iso_app.controller
        speed = SPEEDS[key]
        controller.options = replace(controller.options, speed=speed)
        transport = controller.replay_transport
        if transport is not None:
            transport.set_speed(speed)
        self._show_state()

    def action_seek(self, sign: int) -> None:
        """10 s forward or back (back starts the replay again there)."""
        controller = self.iso_app.controller
        transport = controller.replay_transport
        if transport is None or controller.replay_id is None:
            return
        target = transport.position_s + sign * SEEK_S
        if controller.running and transport.seek(target):
            self._show_state()
            return
        controller.replay_from_s = max(0.0, min(target, transport.duration_s))
        self.iso_app.replay(controller.replay_id)

    def action_tare(self) -> None:
        """Refused: a replay plays recorded forces."""
        self.notify(self.iso_app.controller.tare(), severity="warning")

    def action_back(self) -> None:
        """Stop the replay and go back to the list."""
        self.app.run_worker(self.iso_app.controller.stop(), group="stop")
        self.app.pop_screen()


__all__ = [
    "ReplayFilter",
    "ReplayListScreen",
    "ReplayScreen",
    "replay_label",
    "replay_options",
    "start_replay",
]
