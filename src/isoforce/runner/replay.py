"""Replaying a stored session through the live path: same runner, pipeline, drill engine, sinks.

:func:`build_replay_session` loads a session from the store and wires a
:class:`~isoforce.transports.replay.ReplayTransport` into a normal
:class:`~isoforce.runner.factory.Session`. The pipeline uses the session's calibration and
reference maxima; when the session ran a drill, the drill engine runs again on the replayed
effort (with the drill file text stored with the session) and the recorded pain marks are
pressed again at their times, so the scores come out as they did live.

What to send and how the session ran comes from the pure
:func:`~isoforce.transports.replay.replay_plan` (every channel, IMU included); this module only
loads the record and wires the runner.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from isoforce.core.effort_key import ReferenceKind
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import DeviceMessage, DeviceSpec
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import DrillEvent, EngineSettings
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
from isoforce.transports.replay import ReplaySource, ReplayTransport, replay_plan


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


class _ForceBlocksOnly:
    """The frame decoder, passing on only blocks with the force channel.

    A replay of separate sensors (force and IMU at different times) sends IMU-only frames;
    this runner has no IMU chain for a replay and its force pipeline needs the force channel,
    so it plays the force back as before. (Stop-gap until the live layer routes IMU blocks.)
    """

    def __init__(self, force_channel: str) -> None:
        self._decoder = IsoforceFrameDecoder()
        self._channel = force_channel
        self.stats = self._decoder.stats

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode a chunk and drop the blocks without the force channel."""
        return [
            b
            for b in self._decoder.feed(t_host_s, data)
            if not isinstance(b, SampleBlock) or b.has(self._channel)
        ]


def replay_source(record: SessionRecord) -> tuple[ReplaySource, DeviceSpec, Calibration]:
    """What to send for a stored session, the device it pretends to be, and its calibration."""
    plan = replay_plan(record)
    return plan.source, plan.spec, plan.calibration


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
    plan = replay_plan(record)
    spec, cal = plan.spec, plan.calibration
    transport = ReplayTransport.from_plan(plan, clock=Clock(options.speed))
    pain_free = plan.references.get(ReferenceKind.PAIN_FREE) or EffortReference(
        push_max_n=options.push_max_n, pull_max_n=options.pull_max_n
    )
    mvic = plan.references.get(ReferenceKind.MVIC) or pain_free
    references = {ReferenceKind.PAIN_FREE: pain_free, ReferenceKind.MVIC: mvic}
    pipeline = pipeline_for(spec, fs_hz=spec.nominal_rate_hz, calibration=cal, reference=pain_free)
    guide: DrillGuide | None = None
    if drill is None and rerun_drill:
        drill = stored_drill(record, data_dir)
    if drill is not None:
        guide = DrillGuide(
            DrillEngine(drill, engine_settings), references=references, on_events=on_events
        )
        if plan.pain_presses_s:
            guide.pain_reporter = ReplayedPainReporter(plan.pain_presses_s)
    runner = SessionRunner(
        transport=transport,
        decoder=(
            _ForceBlocksOnly(spec.force_channel)
            if spec.force_channel is not None and plan.source.present is not None
            else IsoforceFrameDecoder()
        ),
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
