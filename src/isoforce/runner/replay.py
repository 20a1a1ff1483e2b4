"""Replaying a stored session through the live path: same runner, pipeline, drill engine, sinks.

:func:`build_replay_session` loads a session from the store and wires a
:class:`~isoforce.transports.replay.ReplayTransport` into a normal
:class:`~isoforce.runner.factory.Session`. The pipeline uses the session's calibration and
reference maxima; when the session ran a drill, the drill engine runs again on the replayed
effort (with the drill file text stored with the session) and the recorded pain marks are
pressed again at their times, so the scores come out as they did live.

Integer raw counts replay exactly through the frame's ``load_raw`` channel. Other sessions
(e.g. imported kilograms) replay their force through the ``force_n`` channel (1 mN steps).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from isoforce.core.effort_key import Capabilities, ReferenceKind
from isoforce.core.samples import FloatArray
from isoforce.devices.base import DeviceSpec
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import DrillEvent, EngineSettings, EventKind
from isoforce.drills.loader import find_drill, load_drill_text
from isoforce.drills.model import Drill
from isoforce.errors import ConfigError
from isoforce.paths import drills_dir
from isoforce.runner import Guidance, LinkEvent, SessionRunner, Sink, pipeline_for
from isoforce.runner.drill import DrillGuide, SimulatedPainReporter
from isoforce.runner.factory import Session, SessionOptions
from isoforce.session.model import SessionRecord
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.pipeline import ProcessedBlock
from isoforce.transports.clock import Clock
from isoforce.transports.replay import ReplaySource, ReplayTransport

_INT32 = 2**31 - 1


class ReplayedPainReporter(SimulatedPainReporter):
    """Presses the pain key at the times it was pressed in the recording."""

    def __init__(self, times_s: Sequence[float]) -> None:
        super().__init__(threshold_pct=math.inf, fs_hz=1.0)
        self._times = sorted(times_s)

    def first_press(
        self, t_s: FloatArray, effort_pct: FloatArray, engine: DrillEngine
    ) -> int | None:
        """The index of the first sample at or after the next recorded press, if in this block."""
        del effort_pct, engine
        if not self._times or t_s.shape[0] == 0 or t_s[-1] < self._times[0] - 1e-9:
            return None
        at = self._times.pop(0)
        return int(np.searchsorted(t_s, at - 1e-9, side="left"))


def _capabilities(text: str) -> Capabilities:
    parts = {p.strip().lower() for p in text.split(",")}
    if not parts & {"push", "pull"}:
        return Capabilities(push=True, pull=True)
    return Capabilities(push="push" in parts, pull="pull" in parts, imu="imu" in parts)


def _reference(record: SessionRecord, kind: ReferenceKind) -> EffortReference | None:
    values = record.meta.references.get(kind.value)
    if not values:
        return None
    push, pull = values.get("push_max_n"), values.get("pull_max_n")
    if push is None and pull is None:
        return None
    return EffortReference(push_max_n=push, pull_max_n=pull)


def replay_source(record: SessionRecord) -> tuple[ReplaySource, DeviceSpec, Calibration]:
    """What to send for a stored session, the device it pretends to be, and its calibration."""
    if not record.channels or len(record.channels[0]) == 0:
        raise ConfigError(f"session {record.session_id} has no samples to replay")
    ch = record.channels[0]
    meta = record.meta
    stored = Calibration.from_dict(meta.calibration) if meta.calibration else Calibration()
    raw = ch.raw
    exact = (
        np.isfinite(raw).all()
        and np.abs(raw).max() <= _INT32
        and np.array_equal(raw, np.rint(raw))
        and np.allclose(stored.force_n(raw), ch.force_n, rtol=0, atol=1e-9, equal_nan=True)
    )
    if exact:
        channel, values, cal = "load_raw", raw, stored
    else:
        channel, values = "force_n", np.nan_to_num(ch.force_n)
        cal = Calibration(
            lever_arm_m=stored.lever_arm_m, body_mass_kg=stored.body_mass_kg, source=stored.source
        )
    rate = meta.rate_hz
    if rate is None:
        rate = float(1.0 / np.median(np.diff(ch.t_s))) if len(ch) > 1 else 80.0
    spec = DeviceSpec(
        key="replay",
        title=f"Replay of session {record.session_id} ({meta.device.title})",
        transport="replay",
        capabilities=_capabilities(meta.device.capabilities),
        nominal_rate_hz=rate,
        force_channel=channel,
        n_per_count=cal.n_per_raw,
        offset_counts=cal.offset_raw,
    )
    gaps = tuple((g.start_t_s, g.end_t_s) for g in record.gaps if g.end_t_s is not None)
    source = ReplaySource(
        t_s=ch.t_s,
        values=values[:, None].astype(np.float64),
        channels=(channel,),
        lost_before=ch.lost_before,
        link_gaps=gaps,
    )
    return source, spec, cal


def stored_drill(record: SessionRecord, data_dir: str | None = None) -> Drill | None:
    """The drill a session ran: its stored file text, else the drill of that name today."""
    info = record.meta.drill
    if info is None:
        return None
    if info.toml:
        return load_drill_text(info.toml, name=info.name, source=f"session {record.session_id}")
    return find_drill(info.name, drills_dir(data_dir))


def build_replay_session(
    options: SessionOptions,
    *,
    store: SessionStore,
    session_id: int,
    drill: Drill | None = None,
    rerun_drill: bool = True,
    engine_settings: EngineSettings | None = None,
    sinks: Sequence[Sink] = (),
    on_block: Callable[[ProcessedBlock, Guidance | None], None] | None = None,
    on_events: Callable[[tuple[DrillEvent, ...]], None] | None = None,
    on_link: Callable[[LinkEvent], None] | None = None,
    data_dir: str | None = None,
) -> tuple[Session, SessionRecord]:
    """A session that replays stored session ``session_id`` at ``options.speed``."""
    record = store.load(session_id)
    source, spec, cal = replay_source(record)
    transport = ReplayTransport(spec, source, clock=Clock(options.speed))
    pain_free = _reference(record, ReferenceKind.PAIN_FREE) or EffortReference(
        push_max_n=options.push_max_n, pull_max_n=options.pull_max_n
    )
    mvic = _reference(record, ReferenceKind.MVIC) or pain_free
    references = {ReferenceKind.PAIN_FREE: pain_free, ReferenceKind.MVIC: mvic}
    pipeline = pipeline_for(spec, fs_hz=spec.nominal_rate_hz, calibration=cal, reference=pain_free)
    guide: DrillGuide | None = None
    if drill is None and rerun_drill:
        drill = stored_drill(record, data_dir)
    if drill is not None:
        guide = DrillGuide(
            DrillEngine(drill, engine_settings), references=references, on_events=on_events
        )
        presses = [e.t_s for e in record.events if e.kind == EventKind.PAIN_MARKED.value]
        if presses:
            guide.pain_reporter = ReplayedPainReporter(presses)
    runner = SessionRunner(
        transport=transport,
        decoder=IsoforceFrameDecoder(),
        pipeline=pipeline,
        sinks=sinks,
        guide=guide,
        on_block=on_block,
        on_link=on_link,
    )
    session = Session(
        spec=spec,
        transport=transport,
        pipeline=pipeline,
        runner=runner,
        references=references,
        guide=guide,
    )
    return session, record


def replay_from_options(
    options: SessionOptions,
    *,
    drill: Drill | None = None,
    engine_settings: EngineSettings | None = None,
    sinks: Sequence[Sink] = (),
    on_block: Callable[[ProcessedBlock, Guidance | None], None] | None = None,
    on_events: Callable[[tuple[DrillEvent, ...]], None] | None = None,
    on_link: Callable[[LinkEvent], None] | None = None,
) -> Session:
    """What ``build_session`` does for ``SessionOptions(device="replay", replay_session=N)``."""
    if options.replay_session is None:
        raise ConfigError("replay needs a session: SessionOptions(replay_session=N)")
    with SessionStore.open(data_dir=options.data_dir) as store:
        session, _ = build_replay_session(
            options,
            store=store,
            session_id=options.replay_session,
            drill=drill,
            engine_settings=engine_settings,
            sinks=sinks,
            on_block=on_block,
            on_events=on_events,
            on_link=on_link,
            data_dir=options.data_dir,
        )
    return session
