"""The recorder: a runner sink that saves a live session into the store as it happens.

Samples (force, and IMU for devices with one), drill events, step scores and link changes are
committed together at least every
``commit_interval_s`` of host time (0.2 s by default; the promise is ≤ 0.5 s) and whenever the
device link changes, so a crash or SIGKILL loses at most that much. A normal end
(:meth:`SessionRecorder.finish_run`) saves scores and maxima and marks the session
``complete``; any other end leaves it ``recording`` until the store is next opened, which marks
it ``interrupted``.

Typical use (the CLI and the TUI do the same)::

    store = SessionStore.open(data_dir=...)
    session = build_session(options, drill=drill)
    recorder = SessionRecorder.attach(store, session, options, drill=drill, side=side)
    result = await session.runner.run(stop=stop)
    saved = recorder.finish_run(result, guide=session.guide)
"""

from __future__ import annotations

import math
import time
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from isoforce import __version__
from isoforce.core.effort_key import Side
from isoforce.core.samples import SampleBlock
from isoforce.drills.events import DrillEvent, EventKind
from isoforce.drills.imu_scores import ImuStepScore
from isoforce.drills.model import Drill
from isoforce.errors import StorageError
from isoforce.export.context import SampleLabels
from isoforce.runner import LinkEvent, RunResult
from isoforce.runner.drill import DrillGuide
from isoforce.runner.factory import Session, SessionOptions
from isoforce.session import results
from isoforce.session.model import (
    DEFAULT_CHANNEL,
    DeviceInfo,
    DrillInfo,
    EventRecord,
    GapRecord,
    ImuSamples,
    Labels,
    ReferenceRecord,
    RomRecord,
    SessionKind,
    SessionMeta,
    SessionStatus,
)
from isoforce.session.store import SessionStore, now_iso
from isoforce.signal.imu import ImuProcessor, has_imu, imu_arrays
from isoforce.signal.pipeline import ProcessedBlock

DEFAULT_COMMIT_INTERVAL_S = 0.2


def drill_source_text(drill: Drill) -> str | None:
    """The drill file's text, kept with the session so a replay runs the same drill."""
    try:
        path = Path(drill.source)
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, ValueError):
        return None


def session_meta(
    session: Session,
    options: SessionOptions,
    *,
    drill: Drill | None = None,
    side: Side | None = None,
    extra_options: dict[str, Any] | None = None,
) -> SessionMeta:
    """The metadata of a session about to run: device, calibration, references, drill."""
    spec = session.spec
    opts = asdict(options)
    opts["speed"] = "max" if math.isinf(options.speed) else options.speed
    opts["isoforce_version"] = __version__
    opts.update(extra_options or {})
    refs = {
        kind.value: {"push_max_n": ref.push_max_n, "pull_max_n": ref.pull_max_n}
        for kind, ref in session.references.items()
    }
    return SessionMeta(
        uuid=uuidlib.uuid4().hex,
        kind=SessionKind.DRILL if drill is not None else SessionKind.RECORD,
        status=SessionStatus.RECORDING,
        started_at=now_iso(),
        device=DeviceInfo(spec.key, spec.title, spec.capabilities.describe()),
        rate_hz=session.pipeline.settings.fs_hz,
        options=opts,
        calibration=session.pipeline.calibration.to_dict(),
        drill=None
        if drill is None
        else DrillInfo(drill.name, drill.title, drill.source, drill_source_text(drill)),
        movement=drill.movement if drill is not None else None,
        side=side if side is not None else (drill.side.as_side() if drill is not None else None),
        position=drill.position if drill is not None else None,
        references=refs,
    )


class SessionRecorder:
    """Saves processed blocks, events and results of one running session into a store."""

    def __init__(
        self,
        store: SessionStore,
        session_id: int,
        meta: SessionMeta,
        *,
        channel: str = DEFAULT_CHANNEL,
        commit_interval_s: float = DEFAULT_COMMIT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < commit_interval_s <= 0.5:
            raise ValueError(f"commit interval must be in (0, 0.5] s, got {commit_interval_s}")
        self.store = store
        self.session_id = session_id
        self.meta = meta
        self.channel = channel
        self.commit_interval_s = commit_interval_s
        self._clock = clock
        self._pending: list[tuple[ProcessedBlock, SampleLabels | None]] = []
        self._pending_imu: list[ImuSamples] = []
        self._imu_scores: Mapping[int, ImuStepScore] = {}
        self.rom_saved: tuple[RomRecord, ...] = ()
        """End ranges :meth:`finish_run` added to the history (range-of-motion drills)."""
        self._pending_since: float | None = None
        self._queued: list[EventRecord] = []
        self._drill_events: Callable[[], Sequence[DrillEvent]] | None = None
        self._events_done = 0
        self._labels = Labels()
        self._t_first: float | None = None
        self.samples = 0
        self.imu_samples = 0
        self.last_t_s = 0.0
        self.commits = 0
        self.done = False

    @classmethod
    def start(cls, store: SessionStore, meta: SessionMeta, **kwargs: Any) -> SessionRecorder:
        """Create the session (status ``recording``) and a recorder for it."""
        return cls(store, store.begin_session(meta), meta, **kwargs)

    @classmethod
    def attach(
        cls,
        store: SessionStore,
        session: Session,
        options: SessionOptions,
        *,
        drill: Drill | None = None,
        side: Side | None = None,
        extra_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SessionRecorder:
        """Start recording a built session: become one of its sinks and watch its events.

        With an IMU (``session.imu``), a runner tap also saves each block's IMU samples and
        what the IMU chain derived from them (:meth:`write_imu`).
        """
        meta = session_meta(session, options, drill=drill, side=side, extra_options=extra_options)
        recorder = cls.start(store, meta, **kwargs)
        runner = session.runner
        runner.sinks.append(recorder)
        if session.imu is not None:
            runner.taps.append(imu_tap(recorder, session.imu))
        previous = runner.on_link

        def on_link(event: LinkEvent) -> None:
            recorder.on_link(event)
            if previous is not None:
                previous(event)

        runner.on_link = on_link
        if session.guide is not None:
            recorder.watch(session.guide)
        return recorder

    def watch(self, guide: DrillGuide) -> None:
        """Save the guide's drill events (read from ``guide.events`` at every commit).

        Step scores are saved as they come, with the IMU's part when the guide scores the IMU.
        """
        self._drill_events = lambda: guide.events
        scorer = guide.imu_scorer
        self._imu_scores = scorer.scores if scorer is not None else {}

    # -- the Sink protocol ----------------------------------------------------------------

    def write(self, block: ProcessedBlock, labels: SampleLabels | None = None) -> None:
        """Queue one block; commit when the oldest queued sample is ``commit_interval_s`` old."""
        if len(block) == 0:
            return
        self._pending.append((block, labels))
        self._commit_if_due()

    def write_imu(self, samples: ImuSamples) -> None:
        """Queue IMU samples; they are committed in the same transactions as the force samples.

        While force blocks are queued the next :meth:`write` decides when to commit (so a block's
        IMU and force samples land in one commit: the runner's taps run before its sinks);
        without force samples the IMU samples are committed on the same cadence by themselves.
        """
        if len(samples) == 0:
            return
        self._pending_imu.append(samples)
        if not self._pending:
            self._commit_if_due()

    def _commit_if_due(self) -> None:
        now = self._clock()
        if self._pending_since is None:
            self._pending_since = now
        elif now - self._pending_since >= self.commit_interval_s:
            self.flush()

    def close(self) -> None:
        """Commit what is queued (the runner calls this at the end of every run)."""
        if not self.done:
            self.flush()

    # -- events ---------------------------------------------------------------------------

    def on_link(self, event: LinkEvent) -> None:
        """Save a link change (lost, restored, gave up) and commit at once."""
        self._queued.append(
            EventRecord(t_s=event.t_s, kind=f"link_{event.kind}", text=event.detail)
        )
        self.flush()

    def note(self, t_s: float, text: str) -> None:
        """Add a user note at session time ``t_s`` (saved with the next commit)."""
        self._queued.append(EventRecord(t_s=t_s, kind="note", text=text))

    # -- committing -----------------------------------------------------------------------

    def flush(self) -> None:
        """Commit queued samples (force and IMU), events and step scores in one transaction."""
        new_events: Sequence[DrillEvent] = ()
        if self._drill_events is not None:
            everything = self._drill_events()
            new_events = everything[self._events_done :]
        if not self._pending and not self._pending_imu and not self._queued and not new_events:
            return
        columns, lost, labels = self._columns()
        imu = ImuSamples.concat(self._pending_imu) if self._pending_imu else None
        with self.store.transaction("saving the recording"):
            if columns is not None:
                self.store.append_samples(self.session_id, self.channel, columns, lost)
            if imu is not None:
                self.store.append_imu(self.session_id, imu)
            if labels is not None and labels != self._labels:
                self.store.set_labels(self.session_id, labels)
            events = [results.event_record(e) for e in new_events] + self._queued
            self.store.add_events(self.session_id, events)
            scored = [e.score for e in new_events if e.kind is EventKind.STEP_SCORED and e.score]
            self.store.add_steps(
                self.session_id,
                [results.step_record(s, self._imu_scores.get(s.step_index)) for s in scored if s],
            )
            self.store.set_progress(
                self.session_id, samples=self.samples + len(lost), duration_s=self._duration()
            )
        self.samples += len(lost)
        self.imu_samples += len(imu) if imu is not None else 0
        self._events_done += len(new_events)
        if labels is not None:
            self._labels = labels
        self._pending.clear()
        self._pending_imu.clear()
        self._pending_since = None
        self._queued.clear()
        self.commits += 1

    def _duration(self) -> float:
        if self._t_first is None:
            return 0.0
        return self.last_t_s - self._t_first

    def _columns(self) -> tuple[dict[str, np.ndarray] | None, np.ndarray, Labels | None]:
        blocks = self._pending
        if not blocks:
            return None, np.empty(0, dtype=np.int64), None
        sizes = [len(b) for b, _ in blocks]
        n = sum(sizes)
        lost = np.zeros(n, dtype=np.int64)
        starts = np.cumsum([0, *sizes[:-1]])
        lost[starts] = [b.lost_before for b, _ in blocks]
        labels = [lab if lab is not None else SampleLabels.none(len(b)) for b, lab in blocks]
        named = [lab for lab in labels if lab.step_names or lab.phase_names]
        cols: dict[str, np.ndarray] = {
            "t_s": np.concatenate([b.t_s for b, _ in blocks]),
            "t_host_s": np.concatenate([b.t_host_s for b, _ in blocks]),
            "raw": np.concatenate([b.raw for b, _ in blocks]),
            "force_n": np.concatenate([b.force_n for b, _ in blocks]),
            "effort_pct": np.concatenate([b.effort_pct for b, _ in blocks]),
            "target_pct": np.concatenate([b.target_pct for b, _ in blocks]),
            "step": np.concatenate([lab.step_index for lab in labels]),
            "phase": np.concatenate([lab.phase_code for lab in labels]),
            "rep": np.concatenate([lab.rep for lab in labels]),
        }
        if self._t_first is None:
            self._t_first = float(cols["t_s"][0])
        self.last_t_s = float(cols["t_s"][-1])
        last = named[-1] if named else None
        return cols, lost, None if last is None else Labels(last.step_names, last.phase_names)

    # -- the end --------------------------------------------------------------------------

    def finish_run(
        self, result: RunResult, *, guide: DrillGuide | None = None, stopped_by: str | None = None
    ) -> tuple[ReferenceRecord, ...]:
        """Save the end of a normal run: gaps, scores, maxima; mark it ``complete``.

        Returns the maxima saved (pain-free max, MVIC), in newtons; the end ranges saved by a
        range-of-motion drill are in :attr:`rom_saved`. Both need a known side.
        """
        self.flush()
        gaps = [GapRecord(g.start_t_s, g.end_t_s, g.samples_lost) for g in result.gaps]
        maxima: tuple[ReferenceRecord, ...] = ()
        rom: tuple[RomRecord, ...] = ()
        summary = None
        steps = []
        if guide is not None:
            drill_result = guide.engine.result()
            scorer = guide.imu_scorer
            imu_scores = scorer.scores if scorer is not None else {}
            steps = list(results.step_records(drill_result, imu_scores))
            summary = results.summary_dict(
                drill_result, scorer.summary() if scorer is not None else None
            )
            if scorer is not None and self.meta.movement:
                rom = results.rom_records(
                    imu_scores,
                    movement=self.meta.movement,
                    side=self.meta.side,
                    position=self.meta.position,
                    placement=scorer.imu.settings.angle.placement.value,
                    source_drill=drill_result.drill_name,
                    measured_at=now_iso(),
                )
                rom = tuple(replace(r, session_id=self.session_id) for r in rom)
            if self.meta.movement:
                maxima = results.maxima_from_result(
                    drill_result,
                    plan=guide.engine.plan,
                    references=guide.references,
                    events=guide.events,
                    movement=self.meta.movement,
                    side=self.meta.side,
                    position=self.meta.position,
                    measured_at=now_iso(),
                )
            maxima = tuple(_in_session(m, self.session_id) for m in maxima)
        with self.store.transaction("finishing the recording"):
            self.store.add_gaps(self.session_id, gaps)
            self.store.add_steps(self.session_id, steps)
            self.store.add_maxima(maxima, profile=self.meta.profile)
            self.store.add_rom(rom, profile=self.meta.profile)
            self.store.finish_session(
                self.session_id,
                status=SessionStatus.COMPLETE,
                stopped_by=stopped_by or result.stopped_by,
                summary=summary,
            )
        self.done = True
        self.rom_saved = rom
        self.store.release(self.session_id)
        return maxima

    def abandon(self, reason: str) -> None:
        """After an error: try to mark the session ``interrupted`` now (best effort)."""
        if self.done:
            return
        self.done = True
        try:
            with self.store.transaction("marking the recording interrupted"):
                self.store.finish_session(
                    self.session_id, status=SessionStatus.INTERRUPTED, stopped_by=reason
                )
        except StorageError:
            pass  # the next open of the store marks it interrupted
        finally:
            self.store.release(self.session_id)


def imu_samples_of(block: SampleBlock, imu: ImuProcessor) -> ImuSamples:
    """A block's IMU samples with what ``imu`` derived from exactly this block (``imu.last``)."""
    last = imu.last
    if last is None or last.t_s.shape != block.t_s.shape or not np.array_equal(last.t_s, block.t_s):
        raise RuntimeError("the IMU chain has not processed this block (tap order?)")
    acc, gyro = imu_arrays(block)
    return ImuSamples(
        t_s=np.array(block.t_s, dtype=np.float64),
        acc_g=acc,
        gyro_dps=gyro,
        angle_deg=last.angle_deg,
        still=np.asarray(last.still, dtype=np.bool_),
        effort_est_pct=last.mmg.estimate_pct,
        effort_low_pct=last.mmg.low_pct,
        effort_high_pct=last.mmg.high_pct,
    )


def imu_tap(
    recorder: SessionRecorder, imu: ImuProcessor
) -> Callable[[SampleBlock, ProcessedBlock], None]:
    """A runner tap saving each IMU block; it must run after the tap feeding ``imu``."""

    def tap(block: SampleBlock, processed: ProcessedBlock) -> None:
        if has_imu(block):
            recorder.write_imu(imu_samples_of(block, imu))

    return tap


def _in_session(record: ReferenceRecord, session_id: int) -> ReferenceRecord:
    return replace(record, session_id=session_id)
