"""Runs one live session for the TUI and turns its state into :class:`LiveView` snapshots.

The session is built by the same factory as the headless commands and runs as a task in the
app's event loop. Samples go to the ring buffer; the UI reads snapshots at its own frame rate.
Drill and link events are queued in order and handed to the UI and audio; none are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from isoforce.core.effort_key import Side
from isoforce.drills.events import DrillEvent, EngineStatus, EventKind
from isoforce.drills.model import Drill
from isoforce.drills.segments import Phase
from isoforce.errors import CalibrationError, IsoforceError
from isoforce.runner import LinkEvent, RunResult, Sink
from isoforce.signal.calibration import Calibration, tare_offset
from isoforce.signal.effort import EffortReference
from isoforce.signal.pipeline import COL
from isoforce.tui.view import Curve, LiveView, band_state

if TYPE_CHECKING:
    from isoforce.runner.factory import Session, SessionOptions
    from isoforce.session.recorder import SessionRecorder
    from isoforce.session.store import SessionStore

TARE_WINDOW_S = 1.0
FREE_WINDOW_S = 20.0
DISPLAY_SMOOTH_S = 0.2


class LiveController:
    """One session at a time: start it, read snapshots, send the user's keys to the drill."""

    def __init__(
        self,
        options: SessionOptions,
        *,
        sinks_factory: Callable[[], Sequence[Sink]] | None = None,
        data_dir: str | None = None,
        save: bool = True,
        side: Side | None = None,
    ) -> None:
        self.options = options
        self.data_dir = data_dir
        self.save = save
        self.side = side
        self.saved_lines: list[str] = []
        self.reference_lines: list[str] = []
        self._store: SessionStore | None = None
        self._recorder: SessionRecorder | None = None
        self.sinks_factory = sinks_factory
        self.session: Session | None = None
        self.drill: Drill | None = None
        self.pending: deque[DrillEvent | LinkEvent] = deque()
        self.link = "ok"
        self.error: str = ""
        self.result: RunResult | None = None
        self._task: asyncio.Task[RunResult] | None = None
        self._stop = asyncio.Event()
        self._step_start_t: dict[int, float] = {}
        self._calibration: Calibration | None = options.calibration

    # ---- lifecycle ----

    async def start(self, drill: Drill | None = None, *, duration_s: float | None = None) -> None:
        """Build and start a session (free mode when ``drill`` is None) in the running loop.

        The session machinery (scipy, the simulator) is imported in a thread the first time,
        so the UI keeps drawing meanwhile.
        """
        factory = await asyncio.to_thread(importlib.import_module, "isoforce.runner.factory")
        self.drill = drill
        self._stop = asyncio.Event()
        self._step_start_t = {}
        self.link = "ok"
        self.error = ""
        options = replace(self.options, calibration=self._calibration)
        self.saved_lines = []
        self.reference_lines = []
        keep = drill is not None and self.save
        if keep and drill is not None and self.side is not None:
            options = replace(options, **self._stored_maxima(drill))
        sinks = list(self.sinks_factory()) if self.sinks_factory else []
        self.session = factory.build_session(
            options, drill=drill, sinks=sinks, on_events=self._on_events, on_link=self._on_link
        )
        if keep:
            from isoforce.session.recorder import SessionRecorder
            from isoforce.session.store import SessionStore

            self._store = SessionStore.open(data_dir=self.data_dir)
            self._recorder = SessionRecorder.attach(
                self._store, self.session, options, drill=drill, side=self.side
            )
        self._task = asyncio.ensure_future(self._run(duration_s))

    def _stored_maxima(self, drill: Drill) -> dict[str, Any]:
        from isoforce.session.references import latest_references, option_overrides
        from isoforce.session.store import SessionStore

        assert self.side is not None
        with SessionStore.open(data_dir=self.data_dir) as store:
            records = store.reference_history(movement=drill.movement)
        refs = latest_references(
            records, movement=drill.movement, side=self.side, position=drill.position
        )
        self.reference_lines = refs.lines()
        given = {"push_max_n": self.options.push_max_n, "pull_max_n": self.options.pull_max_n}
        return option_overrides(refs, given=given)

    async def _run(self, duration_s: float | None) -> RunResult:
        assert self.session is not None
        try:
            self.result = await self.session.runner.run(duration_s=duration_s, stop=self._stop)
        except IsoforceError as exc:
            self.error = str(exc)
            self.link = "failed"
            self._close_recording(error=str(exc))
            raise
        self._close_recording()
        return self.result

    def _close_recording(self, *, error: str = "") -> None:
        """Save the end of the run (scores, maxima) and close the store."""
        recorder, store = self._recorder, self._store
        self._recorder = self._store = None
        if recorder is None or store is None:
            return
        from isoforce.session.results import saved_record_lines

        try:
            if error or self.result is None or self.session is None:
                recorder.abandon(error or "stopped")
                return
            engine = self.session.engine
            stopped = (
                None
                if engine is None or engine.status is EngineStatus.FINISHED
                else "stopped by the user"
            )
            maxima = recorder.finish_run(self.result, guide=self.session.guide, stopped_by=stopped)
            self.saved_lines = [
                f"saved as session {recorder.session_id} ('isoforce export {recorder.session_id}')",
                *saved_record_lines(maxima, recorder.rom_saved),
            ]
            if self.side is None and self.drill is not None and self.drill.saves_side_records:
                self.saved_lines.append(
                    "pick a side (l / r in the drill list) to keep maxima and end ranges "
                    "in the history"
                )
        except IsoforceError as exc:
            self.saved_lines = [f"not saved: {exc}"]
        finally:
            store.close()

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
        engine = self.session.engine if self.session else None
        return engine is not None and engine.status in (EngineStatus.FINISHED, EngineStatus.ABORTED)

    # ---- events ----

    def _on_events(self, events: tuple[DrillEvent, ...]) -> None:
        for e in events:
            if e.kind is EventKind.STEP_STARTED:
                self._step_start_t[e.step_index] = e.t_s
        self.pending.extend(events)

    def _on_link(self, event: LinkEvent) -> None:
        self.link = {"lost": "lost", "restored": "ok", "gave_up": "gone"}.get(
            event.kind, event.kind
        )
        self.pending.append(event)

    def drain(self) -> list[DrillEvent | LinkEvent]:
        """Every event since the last call, in order."""
        out = list(self.pending)
        self.pending.clear()
        return out

    # ---- user actions ----

    def _now(self) -> tuple[float, float]:
        ring = self.session.pipeline.ring if self.session else None
        if ring is None or len(ring) == 0:
            return 0.0, float("nan")
        last = ring.latest(1)[0]
        return float(last[COL["t_s"]]), float(last[COL["effort_pct"]])

    def imu_step_text(self, step_index: int) -> str | None:
        """What the IMU saw in a finished step (moving time, end range, lift-offs), if any."""
        guide = self.session.guide if self.session else None
        scorer = guide.imu_scorer if guide is not None else None
        score = scorer.scores.get(step_index) if scorer is not None else None
        if score is None or guide is None:
            return None
        from isoforce.drills.report import imu_step_text

        return imu_step_text(score, kind=guide.engine.plan[step_index].kind)

    def mark_pain(self) -> None:
        """Pain/pinch key: the engine drops the target to 0 at once and records it."""
        if self.session and self.session.guide:
            t, effort = self._now()
            self.session.guide.publish(
                self.session.guide.engine.mark_pain(t, None if math.isnan(effort) else effort)
            )

    def toggle_pause(self) -> None:
        """Pause or resume the drill."""
        if self.session and self.session.guide:
            guide = self.session.guide
            t, _ = self._now()
            if guide.engine.status is EngineStatus.PAUSED:
                guide.resume(t)
            else:
                guide.pause(t)

    def skip(self) -> None:
        """Skip to the next step."""
        if self.session and self.session.guide:
            t, _ = self._now()
            self.session.guide.publish(self.session.guide.engine.skip(t))

    def abort(self) -> None:
        """End the drill early, keeping partial results."""
        if self.session and self.session.guide:
            t, _ = self._now()
            self.session.guide.publish(self.session.guide.engine.abort(t))

    def tare(self) -> str:
        """Zero the load cell on the last second of raw samples; returns a message for the user."""
        if self.session is None:
            return "no device"
        pipe = self.session.pipeline
        n = max(5, int(TARE_WINDOW_S * pipe.settings.fs_hz))
        raw = pipe.ring.latest(n)[:, COL["raw"]]
        try:
            offset = tare_offset(raw=raw, calibration=pipe.calibration)
        except CalibrationError as exc:
            return str(exc)
        self._calibration = pipe.calibration.with_tare(offset)
        pipe.set_calibration(self._calibration)
        return "tared: the sensor now reads 0 N"

    def set_calibration(self, calibration: Calibration) -> None:
        """Use a new calibration now and for later sessions."""
        self._calibration = calibration
        if self.session is not None:
            self.session.pipeline.set_calibration(calibration)

    def set_lever_arm(self, lever_arm_m: float) -> None:
        """Record the lever arm (for torque) with the calibration."""
        base = self._calibration or (
            self.session.pipeline.calibration if self.session else Calibration()
        )
        self.set_calibration(replace(base, lever_arm_m=lever_arm_m))

    def references(self) -> dict[str, EffortReference]:
        """The maxima sessions use, by kind (newtons)."""
        if self.session is not None:
            return {
                kind.value.replace("_", "-"): ref for kind, ref in self.session.references.items()
            }
        return {}

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
        session = self.session
        if session is None or (self.error and not self.running):
            return LiveView(
                instruction=f"✗ {self.error}" if self.error else "No device", status="error"
            )
        pipe = session.pipeline
        fs = pipe.settings.fs_hz
        ring = pipe.ring
        if len(ring) == 0:
            return LiveView(instruction="Waiting for samples…", link=self.link)
        recent = ring.latest(max(1, int(DISPLAY_SMOOTH_S * pipe.settings.fs_hz)))
        last = recent[-1]
        t = float(last[COL["t_s"]])
        # for the eyes only: the mean of the last 0.2 s, so the big digits do not flicker
        effort = float(np.mean(recent[:, COL["effort_pct"]]))
        disp_force = float(last[COL["display_force_n"]])
        engine = session.engine
        imu_view = session.imu.view() if session.imu is not None else None
        base = LiveView(
            imu=imu_view,
            t_s=t,
            force_n=disp_force,
            effort_pct=effort,
            link=self.link,
            rate_hz=fs,
            status=engine.status.value if engine else ("running" if self.running else "stopped"),
        )
        if engine is None:
            window = ring.latest(int(FREE_WINDOW_S * fs))
            efforts = window[:, COL["effort_pct"]]
            finite = efforts[np.isfinite(efforts)]
            curve = Curve(
                t_s=window[:, COL["t_s"]],
                effort_pct=efforts,
                t_start_s=max(0.0, t - FREE_WINDOW_S),
                t_end_s=max(FREE_WINDOW_S, t),
            )
            return replace(
                base,
                instruction="Free mode — push or pull; t to tare",
                peak_pct=float(np.max(np.abs(finite))) if finite.size else float("nan"),
                mean_pct=float(np.mean(np.abs(finite))) if finite.size else float("nan"),
                curve=curve,
            )
        step = engine.current_step
        target = engine.target_at(t)
        band = step.band_pct if step is not None and step.band_pct else float("nan")
        phase = engine.current_phase
        if step is not None:
            start = self._step_start_t.get(step.index, t)
            end = max(start + step.duration_s, t)
            n = int(max(1.0, t - start) * fs) + 1
            window = ring.latest(n)
            keep = window[:, COL["t_s"]] >= start
            target_t = np.linspace(start, end, 200)
            curve = Curve(
                t_s=window[keep, COL["t_s"]],
                effort_pct=window[keep, COL["effort_pct"]],
                target_t_s=target_t,
                target_pct=engine.targets_at(target_t)
                if engine.status is EngineStatus.RUNNING
                else np.zeros(200),
                band_pct=band,
                t_start_s=start,
                t_end_s=end,
            )
        else:
            curve = Curve(t_start_s=t, t_end_s=t + 10)
        nxt = engine.next_step
        measured = ""
        if step is not None and step.direction is not None and math.isnan(effort):
            measured = session.pipeline.effort_message
        return replace(
            base,
            target_pct=target,
            band_pct=band,
            state=band_state(effort_pct=effort, target_pct=target, band_pct=band),
            direction=(
                step.direction.value if step is not None and step.direction is not None else ""
            ),
            phase=phase,
            instruction=_instruction(engine.status, step.instruction if step else "", phase),
            step_label=step.label if step else "",
            step_number=(step.index + 1) if step else 0,
            steps_total=len(engine.plan),
            remaining_s=engine.step_remaining_s(t),
            next_label=f"{nxt.label} — {nxt.instruction}" if nxt is not None else "",
            not_measured=measured,
            curve=curve,
        )


def _instruction(status: EngineStatus, text: str, phase: Phase) -> str:
    if status is EngineStatus.PAUSED:
        return "Paused — press space to carry on"
    if status is EngineStatus.FINISHED:
        return "Drill finished — well done"
    if status is EngineStatus.ABORTED:
        return "Drill stopped"
    if status is EngineStatus.PENDING:
        return "Get ready…"
    if phase is Phase.PAIN_REST:
        return "Pain marked — relax completely"
    return text
