"""The isoforce Textual app and its factory.

``create_app(AppConfig(...))`` builds the app over any device the session factory knows
(the simulator by default), so tests and snapshots run the real app headless. The app owns one
frame timer: each frame it takes a snapshot from the controller, hands new events to the audio
player, and lets the active screen draw. Redraws never happen per sample.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.css.query import NoMatches

from isoforce.core.effort_key import Side
from isoforce.drills.choices import DrillChoices, apply_choices
from isoforce.drills.loader import find_drill
from isoforce.errors import IsoforceError
from isoforce.paths import drills_dir
from isoforce.tui.audio import AudioMode, CueMapper, CuePlayer
from isoforce.tui.controller import LiveController
from isoforce.tui.screens.player import PlayerScreen
from isoforce.tui.screens.setup import DeviceScreen, DrillPickerScreen
from isoforce.tui.screens.summary import SummaryScreen

if TYPE_CHECKING:
    from isoforce.live.options import SessionOptions


@dataclass(frozen=True, slots=True)
class AppConfig:
    """How the app starts: device options, first screen, drill, frame rate, audio."""

    options: SessionOptions = field(default_factory=lambda: _default_options())
    #: Start straight in the player with this drill (``None``: start at the device picker).
    drill: str | None = None
    fps: float = 30.0
    audio: AudioMode = AudioMode.BELL
    data_dir: str | None = None
    #: Stop streaming at this session time (tests and snapshots use it to freeze a moment).
    stop_at_s: float | None = None
    #: Body side the drills are for; maxima are stored and reused per side.
    side: Side | None = None
    #: Save drill sessions to the store.
    save: bool = True
    #: Movement, position and cycles chosen for every drill (``None`` keeps the drill's own).
    choices: DrillChoices = field(default_factory=DrillChoices)
    #: Whose sessions and maxima (None: the default athlete); side, movement and position not
    #: given here are the athlete's remembered ones.
    athlete: str | None = None


class IsoforceApp(App[None]):
    """The isoforce terminal UI."""

    CSS_PATH = "app.tcss"
    TITLE = "isoforce"

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        self.config = config
        self.controller = LiveController(
            config.options,
            data_dir=config.data_dir,
            save=config.save,
            side=config.side,
            choices=config.choices,
            athlete=config.athlete,
        )
        #: The athletes in the store (names, the default first), for the drill picker.
        self.athletes: list[str] = []
        self.load_athlete(config.athlete, keep_given=True)
        self.player = CuePlayer(config.audio, bell=self.bell)
        self.mapper = CueMapper()
        self.drills_dir: Path = drills_dir(config.data_dir)
        self.frame_times: list[float] = []
        #: Which calibration the picked device uses (the calibration screen shows it).
        self.calibration_note = ""
        self._summary_shown = False

    def on_mount(self) -> None:
        """Open the first screen and start the frame timer."""
        if self.config.drill is not None:
            self.start_drill(self.config.drill)
        else:
            self.push_screen(DeviceScreen())
        self.set_interval(1.0 / self.config.fps, self.frame)

    def frame(self) -> None:
        """One frame: snapshot, events to audio, draw the active screen."""
        if not self.screen_stack:  # starting up or shutting down: nothing to draw on
            return
        view = self.controller.snapshot()
        events = self.controller.drain()
        if events:
            self.player.play(self.mapper.cues(events))
        show = getattr(self.screen, "show", None)
        if show is not None and getattr(self.screen, "ready", False):
            try:
                show(view, events)
            except NoMatches:  # the screen is still being composed: draw next frame
                self.controller.pending.extendleft(reversed(events))
        self.frame_times.append(time.perf_counter())
        if len(self.frame_times) > 1000:
            del self.frame_times[:500]

    # ---- athletes ----

    def load_athlete(self, name: str | None, *, keep_given: bool = False) -> None:
        """Make ``name`` the athlete and take their remembered side, movement and position.

        ``keep_given``: values given on the command line win over remembered ones.
        """
        from isoforce.session.athletes import DEFAULT_ATHLETE, Athlete
        from isoforce.session.store import SessionStore

        controller = self.controller
        athlete = Athlete(name or DEFAULT_ATHLETE)
        try:
            with SessionStore.open(data_dir=self.config.data_dir) as store:
                self.athletes = [a.name for a in store.athletes()]
                athlete = store.athlete(athlete.name)
        except IsoforceError:
            self.athletes = self.athletes or [athlete.name]
        controller.athlete = None if athlete.name == DEFAULT_ATHLETE else athlete.name
        remembered = athlete.remembered
        given = self.config.choices if keep_given else DrillChoices()
        if not (keep_given and self.config.side is not None):
            controller.side = athlete.remembered_side()
        controller.choices = replace(
            controller.choices,
            movement=given.movement or remembered.get("movement") or None,
            position=given.position or remembered.get("position") or None,
        )

    @property
    def athlete_name(self) -> str:
        """The athlete whose data the app shows and saves."""
        return self.controller.athlete or "default"

    # ---- navigation used by screens ----

    def use_device(self, key: str, *, address: str | None = None) -> None:
        """Switch to a device (at a serial port or BLE address) and stream it in free mode."""
        options = replace(self.controller.options, device=key)
        if address is not None:
            from isoforce.devices.registry import DEVICES

            link = DEVICES[key].transport
            options = (
                replace(options, port=address)
                if link == "serial"
                else replace(options, address=address)
            )
        self.controller.options = options
        self.controller.replay_id = None
        self.calibration_note = self.controller.pick_calibration(key)
        self.restart_free(resting=True)

    def replay(self, session_id: int) -> None:
        """Play a stored session back through the live path (shown in free mode)."""
        self.controller.replay_id = session_id
        self.run_worker(self._restart(None), exclusive=True, group="session")

    def restart_free(self, *, resting: bool = False) -> None:
        """(Re)start streaming without a drill (a simulated person rests if ``resting``)."""
        profile = "rest" if resting else "demo"
        self.controller.options = replace(self.controller.options, sim_profile=profile)
        self.run_worker(self._restart(None), exclusive=True, group="session")

    def start_drill(self, name: str) -> None:
        """Load a drill and open the player on it."""
        try:
            drill = apply_choices(find_drill(name, self.drills_dir), self.controller.choices)
        except (IsoforceError, ValueError) as exc:
            self.notify(str(exc), severity="error")
            return
        self._summary_shown = False
        self.controller.replay_id = None
        self.push_screen(PlayerScreen())
        self.run_worker(self._restart(drill), exclusive=True, group="session")

    async def _restart(self, drill: object) -> None:
        from isoforce.drills.model import Drill

        await self.controller.stop()
        try:
            await self.controller.start(
                drill if isinstance(drill, Drill) else None, duration_s=self.config.stop_at_s
            )
        except IsoforceError as exc:
            self.controller.error = str(exc)
            self.notify(str(exc), severity="error", timeout=10)

    def show_summary(self) -> None:
        """Stop streaming, save, and show the drill's scores (once)."""
        if self._summary_shown:
            return
        self._summary_shown = True
        self.run_worker(self._summary(), group="stop")

    async def _summary(self) -> None:
        await self.controller.stop()
        result = self.controller.result
        if result is not None:
            lines = [*self.controller.reference_lines, *self.controller.saved_lines]
            imu = self.controller.imu_summary
            self.push_screen(
                SummaryScreen(
                    result, saved="\n".join(lines), imu=imu, analysis=self.controller.analysis
                )
            )

    def back_to_picker(self) -> None:
        """From a summary, pick another drill."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(DrillPickerScreen())

    async def action_quit(self) -> None:
        """Stop streaming cleanly, then leave."""
        await self.controller.stop()
        self.exit()


def _default_options() -> SessionOptions:
    from isoforce.live.options import SessionOptions

    return SessionOptions()


def create_app(config: AppConfig | None = None) -> IsoforceApp:
    """Build the app (tests and snapshots use this with a simulated or replayed device)."""
    return IsoforceApp(config or AppConfig())
