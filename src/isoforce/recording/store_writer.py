"""Saves a live session into the store as it happens: a consumer of its frames.

Samples (force, and IMU for devices with one), drill events, step scores and link changes are
committed together at least every ``commit_interval_s`` of host time (0.2 s by default; the
promise is ≤ 0.5 s) and whenever the device link changes, so a crash or SIGKILL loses at most
that much. A normal end saves gaps, scores, maxima and end ranges and marks the session
``complete``; an error marks it ``interrupted`` (and a crash leaves it ``recording`` until the
store is next opened, which marks it ``interrupted``).
"""

from __future__ import annotations

import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from isoforce import __version__
from isoforce.core.effort_key import Side
from isoforce.core.schema import FORCE_COLUMNS
from isoforce.drills.choices import cycles_of
from isoforce.drills.events import EventKind
from isoforce.drills.imu_scores import ImuStepScore
from isoforce.drills.model import Drill
from isoforce.drills.open_scale import opened_directions
from isoforce.drills.scoring import StepScore
from isoforce.errors import StorageError
from isoforce.live.frame import LiveFrame, SessionHeader, SessionOutcome, refused_text
from isoforce.live.options import SessionOptions
from isoforce.session import results
from isoforce.session.model import (
    DEFAULT_CHANNEL,
    DeviceInfo,
    DrillInfo,
    EventRecord,
    GapRecord,
    ImuSamples,
    Labels,
    ProfileInfo,
    ReferenceRecord,
    RomRecord,
    SessionKind,
    SessionMeta,
    SessionStatus,
)
from isoforce.session.references import PROVISIONAL_OPTION, provisional_names
from isoforce.session.store import SessionStore, now_iso

DEFAULT_COMMIT_INTERVAL_S = 0.2
_STORED = tuple(c.name for c in FORCE_COLUMNS if c.name != "lost_before")


def drill_source_text(drill: Drill) -> str | None:
    """The drill file's text, kept with the session so a replay runs the same drill."""
    try:
        path = Path(drill.source)
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, ValueError):
        return None


def session_meta(
    header: SessionHeader,
    options: SessionOptions,
    *,
    side: Side | None = None,
    extra_options: dict[str, Any] | None = None,
    profile: ProfileInfo | None = None,
) -> SessionMeta:
    """The metadata of a session about to run: device, calibration, references, drill, athlete."""
    spec, drill = header.spec, header.drill
    opts = options.to_dict()
    opts["isoforce_version"] = __version__
    if drill is not None:
        # what the run changed in the drill file, so a replay runs the same drill
        opts["drill_cycles"] = cycles_of(drill)
        opts["open_staircases"] = sorted(d.value for d in opened_directions(drill))
    # the stand-in scales (100 N while a max nobody knew was measured): a replay reads in N too
    opts[PROVISIONAL_OPTION] = provisional_names(header.chosen)
    opts.update(extra_options or {})
    refs = {
        kind.value: {"push_max_n": ref.push_max_n, "pull_max_n": ref.pull_max_n}
        for kind, ref in header.references.items()
    }
    return SessionMeta(
        uuid=uuidlib.uuid4().hex,
        kind=SessionKind.DRILL if drill is not None else SessionKind.RECORD,
        status=SessionStatus.RECORDING,
        started_at=now_iso(),
        device=DeviceInfo(spec.key, spec.title, spec.capabilities.describe()),
        rate_hz=header.rate_hz,
        options=opts,
        calibration=header.calibration.to_dict(),
        drill=None
        if drill is None
        else DrillInfo(drill.name, drill.title, drill.source, drill_source_text(drill)),
        movement=drill.movement if drill is not None else None,
        side=side if side is not None else (drill.side.as_side() if drill is not None else None),
        position=drill.position if drill is not None else None,
        references=refs,
        profile=profile if profile is not None else ProfileInfo(),
    )


class StoreWriter:
    """A session consumer that writes the session into a store as it runs.

    The session is created in the store (status ``recording``) when the live session starts,
    and finished (``complete``) or marked ``interrupted`` (after an error) when it ends.
    """

    def __init__(
        self,
        store: SessionStore,
        options: SessionOptions,
        *,
        side: Side | None = None,
        extra_options: dict[str, Any] | None = None,
        channel: str = DEFAULT_CHANNEL,
        commit_interval_s: float = DEFAULT_COMMIT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        keep_going: bool = False,
        profile: ProfileInfo | None = None,
    ) -> None:
        if not 0 < commit_interval_s <= 0.5:
            raise ValueError(f"commit interval must be in (0, 0.5] s, got {commit_interval_s}")
        self.store = store
        self.options = options
        self.side = side
        self.extra_options = extra_options
        self.profile = profile
        self.channel = channel
        self.commit_interval_s = commit_interval_s
        self._clock = clock
        self.session_id: int | None = None
        self._header: SessionHeader | None = None
        self.meta: SessionMeta | None = None
        self._frames: list[LiveFrame] = []
        self._imu: list[ImuSamples] = []
        self._events: list[EventRecord] = []
        self._steps: list[StepScore] = []
        self._imu_scores: dict[int, ImuStepScore] = {}
        self._refused: tuple[tuple[str, int], ...] = ()
        self._pending_since: float | None = None
        self._labels = Labels()
        self._t_first: float | None = None
        #: With another place for the samples (``--out``), a store that fails (disk full) stops
        #: only this writer: the session is marked interrupted and goes on without the store.
        self.keep_going = keep_going
        self.failure: StorageError | None = None
        """Why the store stopped taking this session (None while it takes it)."""
        self.samples = 0
        self.imu_samples = 0
        self.last_t_s = 0.0
        self.commits = 0
        self.done = False
        self.maxima: tuple[ReferenceRecord, ...] = ()
        """Maxima the finished session added to the history (pain-free max, MVIC)."""
        self.rom_saved: tuple[RomRecord, ...] = ()
        """End ranges the finished session added to the history (range-of-motion drills)."""

    def on_start(self, header: SessionHeader) -> None:
        """Create the session in the store (status ``recording``)."""
        self._header = header
        self.meta = session_meta(
            header,
            self.options,
            side=self.side,
            extra_options=self.extra_options,
            profile=self.profile,
        )
        self.session_id = self.store.begin_session(self.meta)

    def on_end(self, outcome: SessionOutcome) -> None:
        """Finish the session (``complete``), or mark it ``interrupted`` after an error."""
        if self.failure is not None:
            return  # already marked interrupted when the store failed
        if outcome.error:
            self.abandon(outcome.error)
        else:
            self.finish(outcome)

    @property
    def _sid(self) -> int:
        if self.session_id is None:
            raise StorageError("the recording has not started")
        return self.session_id

    # ---- frames ----

    def on_frame(self, frame: LiveFrame) -> None:
        """Queue a frame; commit when the oldest queued one is ``commit_interval_s`` old."""
        if self.failure is not None:
            return  # the store gave up (disk full): the session goes on for the other consumers
        if len(frame):
            self._frames.append(frame)
        if frame.imu is not None and len(frame.imu):
            self._imu.append(frame.imu)
        self._imu_scores.update({s.step_index: s for s in frame.imu_step_scores})
        self._events += [results.event_record(e) for e in frame.events]
        self._steps += [
            e.score for e in frame.events if e.kind is EventKind.STEP_SCORED and e.score is not None
        ]
        self._events += [
            EventRecord(t_s=e.t_s, kind=e.stored_kind, text=e.detail) for e in frame.link_events
        ]
        if frame.refused != self._refused and len(frame):
            self._refused = frame.refused
            self._events.append(
                EventRecord(
                    t_s=frame.last_t_s,
                    kind="decode_refused",
                    text=refused_text(frame.refused),
                    data={reason: n for reason, n in frame.refused},
                )
            )
        if frame.link_events:
            self._commit()
            return
        now = self._clock()
        if self._pending_since is None:
            self._pending_since = now
        elif now - self._pending_since >= self.commit_interval_s:
            self._commit()

    def _commit(self) -> None:
        """Flush; if the store fails and the session has another place to go, stop writing."""
        try:
            self.flush()
        except StorageError as exc:
            if not self.keep_going:
                raise
            self.failure = exc
            self.abandon(f"error: {exc}")

    def note(self, t_s: float, text: str) -> None:
        """Add a user note at session time ``t_s`` (saved with the next commit)."""
        self._events.append(EventRecord(t_s=t_s, kind="note", text=text))

    def flush(self) -> None:
        """Commit queued samples (force and IMU), events and step scores in one transaction."""
        if not (self._frames or self._imu or self._events or self._steps):
            return
        columns, lost, labels = self._columns()
        imu = ImuSamples.concat(self._imu) if self._imu else None
        steps = [
            results.step_record(score, self._imu_scores.get(score.step_index))
            for score in self._steps
        ]
        with self.store.transaction("saving the recording"):
            if columns is not None:
                self.store.append_samples(self._sid, self.channel, columns, lost)
            if imu is not None:
                self.store.append_imu(self._sid, imu)
            if labels is not None and labels != self._labels:
                self.store.set_labels(self._sid, labels)
            self.store.add_events(self._sid, self._events)
            self.store.add_steps(self._sid, steps)
            self.store.set_progress(
                self._sid, samples=self.samples + len(lost), duration_s=self._duration()
            )
        self.samples += len(lost)
        self.imu_samples += len(imu) if imu is not None else 0
        if labels is not None:
            self._labels = labels
        self._frames.clear()
        self._imu.clear()
        self._events.clear()
        self._steps.clear()
        self._pending_since = None
        self.commits += 1

    def _duration(self) -> float:
        return 0.0 if self._t_first is None else self.last_t_s - self._t_first

    def _columns(self) -> tuple[dict[str, np.ndarray] | None, np.ndarray, Labels | None]:
        frames = self._frames
        if not frames:
            return None, np.empty(0, dtype=np.int64), None
        cols = {name: np.concatenate([f.columns[name] for f in frames]) for name in _STORED}
        lost = np.concatenate([f.columns["lost_before"] for f in frames])
        if self._t_first is None:
            self._t_first = float(cols["t_s"][0])
        self.last_t_s = float(cols["t_s"][-1])
        named = [f.labels for f in frames if f.labels.step_names or f.labels.phase_names]
        return cols, lost, named[-1] if named else None

    # ---- the end ----

    def finish(self, outcome: SessionOutcome) -> None:
        """Save the end of a normal run: gaps, scores, maxima, end ranges; mark it ``complete``.

        Maxima and end ranges need a known side (:attr:`maxima`, :attr:`rom_saved`).
        """
        self.flush()
        header, meta = self._header, self.meta
        assert header is not None and meta is not None
        gaps = [GapRecord(g.start_t_s, g.end_t_s, g.samples_lost) for g in outcome.gaps]
        maxima: tuple[ReferenceRecord, ...] = ()
        rom: tuple[RomRecord, ...] = ()
        summary = None
        steps = []
        result = outcome.drill_result
        if result is not None:
            steps = list(results.step_records(result, outcome.imu_scores))
            summary = results.summary_dict(result, outcome.imu_summary)
            movement = meta.movement
            if outcome.imu_summary is not None and movement:
                rom = results.rom_records(
                    outcome.imu_scores,
                    movement=movement,
                    side=meta.side,
                    position=meta.position,
                    placement=header.imu_placement or "shank",
                    source_drill=result.drill_name,
                    measured_at=now_iso(),
                )
                rom = tuple(replace(r, session_id=self._sid) for r in rom)
            if movement:
                maxima = results.maxima_from_result(
                    result,
                    plan=header.plan,
                    references=header.references,
                    events=outcome.events,
                    movement=movement,
                    side=meta.side,
                    position=meta.position,
                    measured_at=now_iso(),
                )
                maxima = tuple(replace(m, session_id=self._sid) for m in maxima)
        with self.store.transaction("finishing the recording"):
            self.store.add_gaps(self._sid, gaps)
            self.store.add_steps(self._sid, steps)
            self.store.add_maxima(maxima, profile=meta.profile)
            self.store.add_rom(rom, profile=meta.profile)
            self.store.finish_session(
                self._sid,
                status=SessionStatus.COMPLETE,
                stopped_by=outcome.stopped_by,
                summary=summary,
            )
        self.done = True
        self.maxima = maxima
        self.rom_saved = rom
        self.store.release(self._sid)

    def abandon(self, reason: str) -> None:
        """After an error: keep what was queued and mark the session ``interrupted`` (best effort)."""
        if self.done or self.session_id is None:
            return
        self.done = True
        try:
            self.flush()
        except StorageError:  # what no longer fits is dropped; what was committed stays
            self._frames.clear()
            self._imu.clear()
            self._events.clear()
            self._steps.clear()
        try:
            with self.store.transaction("marking the recording interrupted"):
                self.store.finish_session(
                    self._sid, status=SessionStatus.INTERRUPTED, stopped_by=reason
                )
        except StorageError:
            pass  # the next open of the store marks it interrupted
        finally:
            self.store.release(self._sid)
