"""The isoforce Textual app and its factory.

``create_app(AppConfig(...))`` builds the app over any device the session factory knows
(the simulator by default), so tests and snapshots run the real app headless. A frame is drawn
when the session hands the controller new samples and the frame-rate cap (``fps``) allows, and
every 0.1 s while none arrive: each frame takes a snapshot from the controller, hands new events
to the audio player, and lets the active screen draw. Redraws never happen per sample.

Frames ride on the samples' own wake-ups of the event loop: samples that come too soon after a
frame wait for the next arrival past the cap, and a timer draws them only if none comes. A
sensor that notifies every sample (80 wake-ups a second) then adds no wake-ups of its own for
the screen: on a virtual machine a wake-up costs more than a frame's snapshot.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.css.query import NoMatches

from isoforce.core.effort_key import Side
from isoforce.drills.choices import DrillChoices, apply_choices
from isoforce.drills.events import DrillResult
from isoforce.drills.loader import find_drill
from isoforce.errors import IsoforceError
from isoforce.paths import drills_dir
from isoforce.session.references import ChosenReference, StoredReferences
from isoforce.tui.audio import AudioMode, CueMapper, CuePlayer
from isoforce.tui.controller import LiveController
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.screens.player import PlayerScreen

# The other screens are imported where they are first shown: the first frame (the player, or
# the device picker) waits on every module imported before it.
if TYPE_CHECKING:
    from isoforce.drills.model import Drill
    from isoforce.live.options import SessionOptions
    from isoforce.tui.summary_rows import StepTable

#: Without new samples the screen still redraws this often (countdowns, a lost sensor).
IDLE_FRAME_S = 0.1
#: Samples that came too soon for a frame are drawn by the next arrival past the frame-rate cap,
#: or by a timer this long after the cap if none comes (a fraction of a frame).
FRAME_GRACE = 0.5


@dataclass(frozen=True, slots=True)
class AppConfig:
    """How the app starts: device options, first screen, drill, frame rate, audio."""

    options: SessionOptions = field(default_factory=lambda: _default_options())
    #: Start straight in the player with this drill (``None``: start at the device picker).
    drill: str | None = None
    #: The most frames a second (frames follow the samples' arrival up to this rate).
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
    #: The device in ``options`` is the athlete's last one (the device picker says so).
    device_remembered: bool = False


class IsoforceApp(App[None]):
    """The isoforce terminal UI."""

    CSS_PATH = "app.tcss"
    TITLE = "isoforce"
    #: No command palette: its footer entry took the room of the screens' own keys at 80×24,
    #: and every action has a key named in the footer or asked for on screen.
    ENABLE_COMMAND_PALETTE = False

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
        self._last_frame_s = -math.inf
        #: The next frame on the event loop, and the perf-counter time it is due at.
        self._frame_handle: asyncio.Handle | None = None
        self._frame_at_s = math.inf
        #: Which calibration the picked device uses (the calibration screen shows it).
        self.calibration_note = ""
        self._summary_shown = False
        #: The drill last started (the summary's "other side" runs it again).
        self.last_drill: str | None = None
        #: A drill put off for a max test or tension drill (the summary's "go on" starts it).
        self.wanted_drill: str | None = None

    def on_mount(self) -> None:
        """Open the first screen and start the frame timer."""
        # the device from the command line (or the athlete's last one) takes its saved
        # calibration as a device picked on the device screen does
        self.calibration_note = self.controller.pick_calibration(self.controller.options.device)
        if self.config.drill is not None:
            self.start_drill(self.config.drill)
        else:
            from isoforce.tui.screens.setup import DeviceScreen

            self.push_screen(DeviceScreen())
        self.controller.on_data = self.request_frame
        self._frame_by(time.perf_counter() + IDLE_FRAME_S)

    def request_frame(self) -> None:
        """Draw at once if the frame-rate cap allows, else at the next chance.

        Called when new samples arrive and when a screen is shown. Too soon after a frame, the
        next call past the cap draws (samples keep coming) or, if none comes, a timer a little
        after the cap.
        """
        period_s = 1.0 / self.config.fps
        due_s = self._last_frame_s + period_s
        now_s = time.perf_counter()
        self._frame_by(now_s if now_s >= due_s else due_s + FRAME_GRACE * period_s)

    def _frame_by(self, at_s: float) -> None:
        """Have a frame drawn by perf-counter time ``at_s`` (a frame due sooner stands)."""
        if self._frame_handle is not None:
            if self._frame_at_s <= at_s:
                return
            self._frame_handle.cancel()
        # the loop's own handles: a Textual timer is a task and each call_later a message
        loop = asyncio.get_running_loop()
        wait_s = at_s - time.perf_counter()
        self._frame_handle = (
            loop.call_soon(self._loop_frame)
            if wait_s <= 0
            else loop.call_later(wait_s, self._loop_frame)
        )
        self._frame_at_s = at_s

    def _loop_frame(self) -> None:
        """A frame from the event loop's own handle (not a Textual timer task or message)."""
        self._frame_handle = None
        if not self.is_running:
            return
        try:
            self.frame()
        except Exception as error:  # handed to Textual, as its own timers do
            self._handle_exception(error)

    def on_unmount(self) -> None:
        """Drop a frame still waiting on the loop."""
        if self._frame_handle is not None:
            self._frame_handle.cancel()
            self._frame_handle = None

    def frame(self) -> None:
        """One frame: snapshot, events to audio, draw the active screen.

        Then the next frame is due in :data:`IDLE_FRAME_S` at the latest (countdowns, a lost
        sensor, a paused replay); new samples bring it sooner.
        """
        self._last_frame_s = time.perf_counter()
        if self._frame_handle is not None:
            self._frame_handle.cancel()
            self._frame_handle = None
        if self.is_running:
            self._frame_by(self._last_frame_s + IDLE_FRAME_S)
        if not self.screen_stack:  # starting up or shutting down: nothing to draw on
            return
        reading = self.controller.reading()
        events = self.controller.drain()
        # the count-in first: where the drill's own countdown says the same number, once
        cues = self.mapper.count_in(reading.count_in, reading.t_s) + self.mapper.cues(events)
        if cues:
            self.player.play(cues)
        screen = self.screen
        if isinstance(screen, IsoScreen) and screen.ready:
            try:
                screen.frame(reading, events, self.controller.snapshot)
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

    def use_device(
        self,
        key: str,
        *,
        address: str | None = None,
        imu: str | None = None,
        imu_address: str | None = None,
    ) -> None:
        """Switch to a device (at a serial port or BLE address) and stream it in free mode.

        ``imu`` pairs an IMU with it (at ``imu_address``: a port or a Bluetooth address).
        """
        from isoforce.devices.registry import DEVICES

        options = replace(self.controller.options, device=key, imu_device=imu)
        if address is not None:
            link = DEVICES[key].transport
            options = (
                replace(options, port=address)
                if link == "serial"
                else replace(options, address=address)
            )
        if imu is not None and imu_address is not None:
            options = (
                replace(options, imu_port=imu_address)
                if DEVICES[imu].transport == "serial"
                else replace(options, imu_address=imu_address)
            )
        self.controller.options = options
        self.controller.replay_id = None
        self.calibration_note = self.controller.pick_calibration(key)
        self.restart_free(resting=True)
        note = DEVICES[key].experimental_note() if key in DEVICES else None
        if note:
            self.notify(note, severity="warning", timeout=15)

    def replay(self, session_id: int) -> None:
        """Play a stored session back through the live path (shown in free mode)."""
        self.controller.replay_id = session_id
        self.run_worker(self._restart(None), exclusive=True, group="session")

    def restart_free(self, *, resting: bool = False) -> None:
        """(Re)start streaming without a drill (a simulated person rests if ``resting``)."""
        profile = "rest" if resting else "demo"
        self.controller.options = replace(self.controller.options, sim_profile=profile)
        self.run_worker(self._restart(None), exclusive=True, group="session")

    def start_drill(self, name: str, *, check: bool = True) -> None:
        """Load a drill and open the player on it, over the drill picker.

        With ``check`` a drill whose %-targets need a maximum nothing gives (no value typed in,
        none stored for this athlete, movement, side and position) is not run blind: the app
        offers the tension drill or the max test first (:class:`ReferenceOfferScreen`).
        """
        try:
            drill = apply_choices(find_drill(name, self.drills_dir), self.controller.choices)
        except (IsoforceError, ValueError) as exc:
            self.notify(str(exc), severity="error")
            return
        self._close_above_picker()
        missing, stored = self._references_for(drill) if check else ([], StoredReferences())
        if missing:
            self.wanted_drill = name
            from isoforce.tui.screens.offer import ReferenceOfferScreen

            self.push_screen(ReferenceOfferScreen(drill, missing, stored=stored))
            return
        if self.wanted_drill == name:
            self.wanted_drill = None
        self.last_drill = name
        self._summary_shown = False
        self.controller.replay_id = None
        self.push_screen(PlayerScreen())
        self.run_worker(self._restart(drill), exclusive=True, group="session")

    def missing_references(self, drill: Drill) -> list[ChosenReference]:
        """The maxima ``drill`` needs that nothing gives (see :func:`missing_references`).

        The simulator with no side runs on its simulated athlete's maxima (said on screen):
        nothing measured there would be kept, so there is nothing to offer.
        """
        return self._references_for(drill)[0]

    def _references_for(self, drill: Drill) -> tuple[list[ChosenReference], StoredReferences]:
        """:meth:`missing_references`, and the stored maxima it was worked out from."""
        from isoforce.devices.registry import DEVICES
        from isoforce.live.references import missing_references

        options = self.controller.options
        simulated = DEVICES[options.device].transport == "sim"
        if self.controller.side is None and simulated:
            return [], StoredReferences()
        stored = self._stored(drill)
        return missing_references(options, drill, stored=stored), stored

    def _stored(self, drill: Drill) -> StoredReferences:
        """The athlete's latest stored maxima for ``drill``'s movement key and the side."""
        from isoforce.recording import Recording

        controller = self.controller
        try:
            with Recording(
                data_dir=self.config.data_dir, save=True, athlete=controller.athlete
            ) as rec:
                return rec.stored_references(drill, side=controller.side)
        except IsoforceError:
            return StoredReferences()

    def other_side(self) -> None:
        """Run the last drill again on the other side (left and right swap)."""
        side = self.controller.side
        if side is None or self.last_drill is None:
            self.notify("no side chosen: pick one in the drill list (l / r)", severity="warning")
            return
        self.controller.side = Side.RIGHT if side is Side.LEFT else Side.LEFT
        self.start_drill(self.last_drill)

    def go_on(self) -> None:
        """Start the drill the user wanted before a max was measured for it."""
        if self.wanted_drill is not None:
            self.start_drill(self.wanted_drill)

    def _close_above_picker(self) -> None:
        """Close the screens above the drill picker (all but the base one without a picker).

        A drill started from the command line gets no picker underneath (its compose would
        delay the first frame); :meth:`to_picker` opens one when the user asks for it.
        """
        if self._has_picker():
            while not getattr(self.screen_stack[-1], "is_picker", False):
                self.pop_screen()
        else:
            while len(self.screen_stack) > 1:
                self.pop_screen()

    def to_picker(self) -> None:
        """Close every screen above the drill picker (opening one when there is none)."""
        had_picker = self._has_picker()
        self._close_above_picker()
        if not had_picker:
            from isoforce.tui.screens.setup import DrillPickerScreen

            self.push_screen(DrillPickerScreen())

    def _has_picker(self) -> bool:
        return any(getattr(s, "is_picker", False) for s in self.screen_stack)

    async def _restart(self, drill: object) -> None:
        from isoforce.drills.model import Drill

        async with self.controller.restart_lock:
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
        from isoforce.tui.screens.summary import SummaryScreen

        await self.controller.stop()
        result = self.controller.result
        if result is not None:
            lines = [*self.controller.reference_lines, *self.controller.saved_lines]
            refused = self.controller.snapshot().refused
            if refused:  # what the sensor's decoder refused, with the reasons
                lines.append(f"sensor: {refused}")
            imu = self.controller.imu_summary
            self.push_screen(
                SummaryScreen(
                    result,
                    saved="\n".join(lines),
                    imu=imu,
                    analysis=self.controller.analysis,
                    angles=self.controller.angle_bands,
                    chart=self.controller.session_chart(),
                    steps=self._step_table(result),
                )
            )

    def _step_table(self, result: DrillResult) -> StepTable | None:
        from isoforce.tui.summary_rows import step_table

        header = self.controller.header
        if header is None or header.drill is None:
            return None
        return step_table(
            result,
            header.plan,
            header.chosen,
            side=self.controller.side,
            movement=header.drill.movement,
            position=header.drill.position,
        )

    def back_to_picker(self) -> None:
        """From a summary, pick another drill."""
        self.to_picker()

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
