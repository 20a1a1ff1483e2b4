"""Runs one live session for the TUI and turns its frames into :class:`LiveView` snapshots.

The session is built by the same live layer as the headless commands and runs as a task in
the app's event loop. The controller is one of its consumers: each frame's samples go into a
ring buffer, its drill and link events into a queue (handed to the UI and audio in order, none
dropped), its drill state is kept for the next snapshot. The UI reads snapshots at its own frame
rate. Keys (pain, pause, skip, tare) are commands to the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from isoforce.core.effort_key import Side
from isoforce.core.ringbuffer import RingBuffer
from isoforce.drills.choices import DrillChoices
from isoforce.drills.events import DrillEvent, DrillResult
from isoforce.drills.imu_scores import ImuDrillSummary, ImuStepScore
from isoforce.drills.model import Drill
from isoforce.errors import CalibrationError, IsoforceError
from isoforce.signal.calibration import UNCALIBRATED, Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.imu import ImuView
from isoforce.signal.peak_hold import PeakHold
from isoforce.tui.live_view import (
    COL,
    RING_COLUMNS,
    TrialCurves,
    effort_unit,
    live_reading,
    live_view,
    reference_label,
)
from isoforce.tui.view import LiveView, Reading

if TYPE_CHECKING:
    from isoforce.live import (
        Consumer,
        DrillCommand,
        DrillState,
        LinkEvent,
        LiveFrame,
        LiveSession,
        SessionHeader,
        SessionOptions,
        SessionOutcome,
    )
    from isoforce.recording import Recording
    from isoforce.session.athletes import TorqueBasis
    from isoforce.session.efforts import SessionAnalysis
    from isoforce.session.force_angle import AngleBand
    from isoforce.session.model import SessionMeta
    from isoforce.transports.replay import ReplayTransport
    from isoforce.tui.widgets.chart import ChartData

RING_SECONDS = 120.0
#: The whole session is kept for the summary's chart at this rate (every k-th sample).
TRACE_HZ = 25.0
TRACE_SECONDS = 2 * 3600.0
#: Columns of the session trace, in order.
TRACE_COLUMNS = ("t_s", "effort_pct", "target_pct", "step")
_LINK_TEXT = {"ok": "ok", "lost": "lost", "gone": "gone", "failed": "failed"}


class LiveController:
    """One session at a time: start it, read snapshots, send the user's keys to the session."""

    def __init__(
        self,
        options: SessionOptions,
        *,
        consumers: Sequence[Consumer] = (),
        data_dir: str | None = None,
        save: bool = True,
        side: Side | None = None,
        choices: DrillChoices | None = None,
        athlete: str | None = None,
    ) -> None:
        self.options = options
        #: Whose sessions and maxima these are (None: the default athlete).
        self.athlete = athlete
        self.extra_consumers = list(consumers)
        self.data_dir = data_dir
        self.save = save
        self.side = side
        #: Movement, position and cycles for the next drill (``None`` fields keep the drill's).
        self.choices = choices or DrillChoices()
        #: A stored session to play back instead of the device (set by the replay picker).
        self.replay_id: int | None = None
        #: Where the next replay starts (seconds into the recording; a seek back restarts there).
        self.replay_from_s = 0.0
        #: What the replayed session was (drill, side, movement …), for the replay's label.
        self.replay_meta: SessionMeta | None = None
        #: Free mode: save the next free session to the store (record on/off).
        self.record_free = False
        #: The largest force since the last reset (free mode's peak hold).
        self.peak = PeakHold()
        #: The device reports raw counts and has no calibration yet: readings are counts.
        self.uncalibrated = False
        self.saved_lines: list[str] = []
        #: The saved session's force-curve analysis and torque basis, for the summary (None
        #: until saved).
        self.analysis: tuple[SessionAnalysis, TorqueBasis | None] | None = None
        #: The saved session's peak force per IMU angle band (None without an IMU).
        self.angle_bands: tuple[AngleBand, ...] | None = None
        self.reference_lines: list[str] = []
        self.session: LiveSession | None = None
        self.header: SessionHeader | None = None
        self.outcome: SessionOutcome | None = None
        self.drill: Drill | None = None
        #: A simulated push asked for that waits for the stream to run (free mode).
        self._push_wanted = False
        #: Held while a stream is stopped and started again, so two switches (a key pressed
        #: while the stream is still starting) run one after the other, never interleaved.
        self.restart_lock = asyncio.Lock()
        #: True from the key that restarts the stream until the new one runs (free mode's
        #: recording switch): a simulated push asked for meanwhile goes to the new stream.
        self.restarting = False
        self.pending: deque[DrillEvent | LinkEvent] = deque()
        #: Called after each frame of the session is kept (the app draws on it: new samples
        #: reach the screen without waiting for a timer).
        self.on_data: Callable[[], None] | None = None
        self.link = "ok"
        self.error: str = ""
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._recording: Recording | None = None
        self._calibration: Calibration | None = options.calibration
        #: The device and calibration given on the command line (that device keeps it).
        self._given = (options.device, options.calibration)
        self._ring = RingBuffer(16, len(RING_COLUMNS))
        self._trace = RingBuffer(16, len(TRACE_COLUMNS))
        self._trace_skip = 0
        self._trials = TrialCurves()
        self._drill_state: DrillState | None = None
        self._effort_message = ""
        self._imu_view: ImuView | None = None
        self._imu_scores: dict[int, ImuStepScore] = {}
        self._refused: tuple[tuple[str, int], ...] = ()

    # ---- lifecycle ----

    @property
    def replaying(self) -> bool:
        """Whether the session plays a stored session back."""
        return self.replay_id is not None

    async def start(self, drill: Drill | None = None, *, duration_s: float | None = None) -> None:
        """Build and start a session (free mode when ``drill`` is None) in the running loop.

        The live layer (scipy, the simulator) is imported in a thread the first time, so the UI
        keeps drawing meanwhile.
        """
        build = await asyncio.to_thread(importlib.import_module, "isoforce.live.build")
        from isoforce.recording import Recording

        self.drill = drill
        self._push_wanted = self._push_wanted and drill is None
        self._stop = asyncio.Event()
        self.link = "ok"
        self.error = ""
        self.saved_lines = []
        self.analysis = None
        self.angle_bands = None
        self.reference_lines = []
        self.outcome = None
        self._drill_state = None
        self._imu_scores = {}
        options = self._calibrated_options(drill)
        keep = (drill is not None or self.record_free) and self.save and not self.replaying
        recording = Recording(data_dir=self.data_dir, save=keep, athlete=self.athlete)
        recording.__enter__()
        try:
            if self.replaying:
                session = self._replay_session(build, drill)
            else:
                stored = (
                    recording.stored_references(drill, side=self.side)
                    if drill is not None
                    else None
                )
                session = build.open_session(options, drill=drill, stored=stored)
                self.reference_lines = list(session.header.reference_lines)
            for consumer in self.extra_consumers:
                session.add(consumer)
            session.add(_Feed(self))
            recording.attach(
                session,
                options,
                side=self.side,
                extra_options={"tui_mode": "free"} if drill is None else None,
            )
            if drill is not None:
                recording.remember(  # "": each drill's own movement or position
                    side=None if self.side is None else self.side.value,
                    movement=self.choices.movement or "",
                    position=self.choices.position or "",
                    device=options.device,
                    port=options.port or "",
                    address=options.address or "",
                )
        except BaseException:
            recording.close()
            raise
        self._recording = recording
        self.session = session
        self.header = session.header
        self.peak.reset()
        fs = session.header.rate_hz
        self._ring = RingBuffer(max(16, int(RING_SECONDS * fs)), len(RING_COLUMNS))
        self._trace = RingBuffer(int(TRACE_SECONDS * min(fs, TRACE_HZ)), len(TRACE_COLUMNS))
        self._trace_skip = 0
        self._trials = TrialCurves()
        self._task = asyncio.ensure_future(self._run(duration_s))

    def _replay_session(self, build: object, drill: Drill | None) -> LiveSession:
        from isoforce.recording import stored_drill
        from isoforce.session.store import SessionStore

        assert self.replay_id is not None
        with SessionStore.open(data_dir=self.data_dir) as store:
            record = store.load(self.replay_id)
        self.replay_meta = record.meta
        if drill is None:
            drill = stored_drill(record, self.data_dir)
            self.drill = drill
        session: LiveSession = build.open_replay(  # type: ignore[attr-defined]
            record, speed=self.options.speed, drill=drill
        )
        from isoforce.transports.replay import ReplayTransport

        if self.replay_from_s > 0 and isinstance(session.transport, ReplayTransport):
            session.transport.seek(self.replay_from_s)
        return session

    def _calibrated_options(self, drill: Drill | None) -> SessionOptions:
        """The options with the calibration in use; a raw-count device without one reads counts.

        Counts stream (so the calibration screen can measure them) but no drill runs on them.
        """
        from isoforce.devices.registry import DEVICES

        spec = DEVICES.get(self.options.device)
        raw_counts = (
            spec is not None and spec.force_channel is not None and spec.n_per_count is None
        )
        self.uncalibrated = raw_counts and self._calibration is None and not self.replaying
        if self.uncalibrated:
            if drill is not None:
                raise CalibrationError(
                    f"{spec.title if spec else 'this sensor'} reads raw counts: calibrate it first "
                    "(esc back to the calibration screen: empty, known weight, save)"
                )
            return replace(self.options, calibration=UNCALIBRATED)
        return replace(self.options, calibration=self._calibration)

    async def _run(self, duration_s: float | None) -> None:
        assert self.session is not None and self._recording is not None
        recording = self._recording
        try:
            await self.session.run(duration_s=duration_s, stop=self._stop)
        except IsoforceError as exc:
            self.error = str(exc)
            self.link = "failed"
            raise
        finally:
            recording.close(error=self.error)
            self._recording = None
        try:
            self.saved_lines = recording.saved_lines(drill=self.drill, side=self.side, long=False)
            self.analysis = recording.analysis()
            self.angle_bands = recording.angle_bands()
        except IsoforceError as exc:
            self.saved_lines = [f"not saved: {exc}"]

    async def stop(self) -> None:
        """Stop streaming (what was recorded stays recorded)."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, IsoforceError):
                await self._task

    @property
    def running(self) -> bool:
        """Whether samples are still being streamed."""
        return self._task is not None and not self._task.done()

    @property
    def finished(self) -> bool:
        """Whether the drill has ended (finished or aborted)."""
        state = self._drill_state
        return state is not None and state.ended

    @property
    def drill_state(self) -> DrillState | None:
        """The drill as the last frame left it (None without a drill)."""
        return self._drill_state

    @property
    def latest_t_host_s(self) -> float:
        """Host arrival time of the newest sample on screen (NaN before any)."""
        if not len(self._ring):
            return math.nan
        return float(self._ring.latest(1)[0, COL["t_host_s"]])

    @property
    def samples_kept(self) -> int:
        """How many samples the display buffer holds."""
        return len(self._ring)

    @property
    def result(self) -> DrillResult | None:
        """The drill's result once the session has ended."""
        return self.outcome.drill_result if self.outcome is not None else None

    @property
    def imu_summary(self) -> ImuDrillSummary | None:
        """The IMU's findings over the drill once the session has ended."""
        return self.outcome.imu_summary if self.outcome is not None else None

    # ---- frames (the session calls these through _Feed) ----

    def take(self, frame: LiveFrame) -> None:
        """Keep one frame: samples into the ring, events queued, drill state kept."""
        n = len(frame)
        if n:
            cols = frame.columns
            self.peak.update(
                *(np.asarray(cols[k], dtype=np.float64) for k in ("t_s", "force_n", "effort_pct"))
            )
            rows = np.empty((n, len(RING_COLUMNS)))
            for i, name in enumerate(RING_COLUMNS):
                rows[:, i] = (
                    frame.display_force_n if name == "display_force_n" else frame.columns[name]
                )
            self._ring.extend(rows)
            self._effort_message = frame.effort_message
            if self._push_wanted and not self.restarting:
                self._push_now()
            if frame.drill is not None:
                self._keep_trace(frame)
        if frame.drill is not None:
            self._drill_state = frame.drill
            self._trials.follow(frame.drill, self._ring, self.header.rate_hz if self.header else 1)
        if frame.imu_view is not None:
            self._imu_view = frame.imu_view
        self._refused = frame.refused
        self._imu_scores.update({s.step_index: s for s in frame.imu_step_scores})
        for event in frame.link_events:
            if event.source.value == "device":  # a paired IMU's loss is a notice only
                self.link = _LINK_TEXT[event.change.state.value]
        self.pending.extend(frame.events)
        self.pending.extend(frame.link_events)
        if self.on_data is not None:
            self.on_data()

    def _keep_trace(self, frame: LiveFrame) -> None:
        """Every k-th sample of the drill (≤ :data:`TRACE_HZ`) for the summary's chart."""
        fs = self.header.rate_hz if self.header is not None else TRACE_HZ
        k = max(1, round(fs / TRACE_HZ))
        n = len(frame)
        pick = np.arange(self._trace_skip, n, k)
        self._trace_skip = (self._trace_skip - n) % k
        if pick.size:
            self._trace.extend(
                np.column_stack([frame.columns[name][pick] for name in TRACE_COLUMNS])
            )

    def session_chart(self) -> ChartData | None:
        """The drill's effort, targets and bands over the whole session (None: no drill)."""
        header = self.header
        if header is None or not len(self._trace):
            return None
        from isoforce.tui.charts import session_chart

        rows = self._trace.latest(len(self._trace))
        steps = rows[:, 3]
        bands = np.array([s.band_pct or np.nan for s in header.plan] + [np.nan])
        index = np.where(np.isfinite(steps) & (steps >= 0), steps, -1).astype(np.int64)
        used = {
            (s.reference, s.direction): header.divides_by(s.reference, s.direction)
            for s in header.plan
            if s.reference is not None and s.direction is not None
        }
        one = next(iter(used.values())) if len(used) == 1 else None
        return session_chart(
            rows[:, 0],
            rows[:, 1],
            rows[:, 2],
            bands[index],
            reference_n=one.value_n if one is not None else None,
            reference_label=reference_label(one),
        )

    def drain(self) -> list[DrillEvent | LinkEvent]:
        """Every event since the last call, in order."""
        out = list(self.pending)
        self.pending.clear()
        return out

    # ---- user actions ----

    def imu_step_text(self, step_index: int) -> str | None:
        """What the IMU saw in a finished step (moving time, end range, lift-offs), if any."""
        score = self._imu_scores.get(step_index)
        header = self.header
        if score is None or header is None or not header.plan:
            return None
        from isoforce.drills.report import imu_step_text

        return imu_step_text(score, kind=header.plan[step_index].kind)

    def step_in_newtons(self, step_index: int) -> bool:
        """Whether a step's effort reads in N (it ran with no max known: the 100 N scale)."""
        header = self.header
        if header is None or not 0 <= step_index < len(header.plan):
            return False
        return effort_unit(header, header.plan[step_index]) == "N"

    def command(self, command: DrillCommand) -> None:
        """A drill key (pain, pause/resume, skip, abort) for the running session."""
        if self.session is not None:
            self.session.command(command)

    def recent_raw(self, window_s: float) -> np.ndarray:
        """The last ``window_s`` of raw readings (for a calibration)."""
        fs = self.header.rate_hz if self.header is not None else 1.0
        return self._ring.latest(max(5, int(window_s * fs)))[:, COL["raw"]]

    def tare(self) -> str:
        """Zero the load cell on the last second of raw samples; returns a message for the user."""
        if self.session is None:
            return "no device"
        if self.replaying:
            return "a replay plays recorded forces: nothing to tare"
        try:
            self._calibration = self.session.tare()
        except CalibrationError as exc:
            return str(exc)
        return "tared: the sensor now reads 0 N"

    def set_calibration(self, calibration: Calibration) -> None:
        """Use a new calibration now and for later sessions."""
        self._calibration = calibration
        self.uncalibrated = False
        if self.session is not None:
            self.session.set_calibration(calibration)

    @property
    def calibration(self) -> Calibration | None:
        """The calibration chosen in the app (None: the device's own)."""
        return self._calibration

    @property
    def active_calibration(self) -> Calibration | None:
        """The calibration the running session uses (None without a session or calibration)."""
        if self.session is None or self.uncalibrated:
            return None
        return self.session.calibration

    def pick_calibration(self, device: str) -> str:
        """Take ``device``'s calibration: the one given for it, else the saved one, else none.

        Returns what was taken, for the user ("" for the device's own).
        """
        from isoforce.recording.calibration_file import calibration_path, saved_calibration

        given_device, given = self._given
        if device == given_device and given is not None:
            self._calibration = given
            return "using the calibration given with --calibration"
        self._calibration = None
        try:
            saved = saved_calibration(self.data_dir, device)
        except IsoforceError as exc:
            return f"✗ {exc}: calibrate again"
        if saved is None:
            return ""
        self._calibration = saved
        return f"using the calibration saved in {calibration_path(self.data_dir, device)}"

    # ---- replay and free mode ----

    @property
    def replay_transport(self) -> ReplayTransport | None:
        """The running replay (None when not replaying)."""
        from isoforce.transports.replay import ReplayTransport

        transport = self.session.transport if self.session is not None else None
        return transport if isinstance(transport, ReplayTransport) else None

    def simulated_push(self) -> str:
        """Make the simulated athlete push (now, or as soon as the stream runs); why not, if not.

        A push asked for while the stream (re)starts, e.g. just after recording was switched on
        or off, is kept and happens on the first frame of the new stream.
        """
        from isoforce.devices.registry import DEVICES

        if self.drill is not None:
            return "the drill leads the simulated athlete: no push on demand here"
        if self.replaying or DEVICES[self.options.device].transport != "sim":
            return "only the simulated sensor can be asked to push: push the real one"
        self._push_wanted = True
        if not self.restarting and self._push_now():
            return "the simulated athlete pushes for 5 s"
        return "the simulated athlete pushes for 5 s as soon as the stream runs"

    def _push_now(self) -> bool:
        """Start the asked-for push on the running simulator (False: not running yet)."""
        from isoforce.simulation.profiles import push_pulse_profile
        from isoforce.transports.sim import SimTransport

        transport = self.session.transport if self.session is not None else None
        if not isinstance(transport, SimTransport) or not self.running or not len(self._ring):
            return False
        start_s = self.snapshot_time_s()

        def target(t_s: np.ndarray) -> np.ndarray:
            return push_pulse_profile(t_s=t_s, start_s=start_s)

        transport.set_target(target)
        self._push_wanted = False
        return True

    def snapshot_time_s(self) -> float:
        """Session time of the newest sample on screen (0 before any)."""
        if not len(self._ring):
            return 0.0
        return float(self._ring.latest(1)[0, COL["t_s"]])

    def set_lever_arm(self, lever_arm_m: float) -> None:
        """Record the lever arm (for torque) with the calibration."""
        base = self._calibration or (
            self.session.calibration if self.session is not None else Calibration()
        )
        self.set_calibration(replace(base, lever_arm_m=lever_arm_m))

    def references(self) -> dict[str, EffortReference]:
        """The maxima sessions use, by kind (newtons)."""
        if self.header is None:
            return {}
        return {kind.value.replace("_", "-"): ref for kind, ref in self.header.references.items()}

    def set_pain_free(self, *, push_max_n: float | None, pull_max_n: float | None) -> None:
        """Change the pain-free maxima for the next session (values must be positive)."""
        for name, value in (("push", push_max_n), ("pull", pull_max_n)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} max must be a positive number of newtons")
        self.options = replace(
            self.options,
            push_max_n=push_max_n if push_max_n is not None else self.options.push_max_n,
            pull_max_n=pull_max_n if pull_max_n is not None else self.options.pull_max_n,
        )

    # ---- snapshot ----

    def snapshot(self) -> LiveView:
        """The state to draw now."""
        side, movement, position = self._movement_key()
        return live_view(
            header=self.header,
            ring=self._ring,
            state=self._drill_state,
            running=self.running,
            error=self.error,
            link=self.link,
            imu=self._imu_view,
            refused=self._refused,
            effort_message=self._effort_message,
            trials=self._trials,
            side=side,
            movement=movement,
            position=position,
        )

    def reading(self) -> Reading:
        """The numbers that move every frame (what :meth:`snapshot` holds of them), cheaply."""
        return live_reading(
            header=self.header,
            ring=self._ring,
            state=self._drill_state,
            failed=bool(self.error) and not self.running,
        )

    def _movement_key(self) -> tuple[Side | None, str | None, str | None]:
        """Side, movement and position the numbers belong to: a replay's own, as recorded."""
        meta = self.replay_meta if self.replaying else None
        if meta is not None:
            return meta.side, meta.movement, meta.position
        return self.side, self.choices.movement, self.choices.position


class _Feed:
    """The controller's door into a session: it only hands frames and the outcome over."""

    def __init__(self, controller: LiveController) -> None:
        self.controller = controller

    def on_start(self, header: SessionHeader) -> None:
        """Keep the header."""
        self.controller.header = header

    def on_frame(self, frame: LiveFrame) -> None:
        """Hand the frame to the controller."""
        self.controller.take(frame)

    def on_end(self, outcome: SessionOutcome) -> None:
        """Keep the outcome."""
        self.controller.outcome = outcome


__all__ = ["COL", "RING_COLUMNS", "LiveController"]
