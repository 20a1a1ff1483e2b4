"""Builds a ready-to-run :class:`LiveSession` from options, or from a stored session to replay.

The CLI and the TUI both call :func:`open_session` (or :func:`open_replay`), so every front end
runs the same wiring: the transport from the registry, the device's decoder, the force
pipeline, the IMU chain for a device with an IMU, and the drill guide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.devices.base import Decoder, DeviceKind, DeviceSpec
from isoforce.devices.commands import DeviceCommand
from isoforce.devices.registry import DEVICES, device_spec, new_decoder
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import EngineSettings
from isoforce.drills.model import Drill
from isoforce.drills.open_scale import (
    open_ended,
    opened_directions,
)
from isoforce.drills.plan import PlanStep
from isoforce.errors import ConfigError
from isoforce.live.frame import SessionHeader
from isoforce.live.guide import (
    DrillGuide,
    ImuStepScorer,
    ReplayedPainReporter,
    SimulatedPainReporter,
    maxima_n,
)
from isoforce.live.options import SessionOptions
from isoforce.live.paired import PairedImu
from isoforce.live.references import session_references
from isoforce.live.session import Consumer, LiveSession
from isoforce.session.model import SessionRecord
from isoforce.session.references import (
    ChosenReference,
    ReferenceSource,
    StoredReferences,
    provisional_keys,
)
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.imu import (
    ImuProcessor,
    ImuProcessorSettings,
    LimbAngleSettings,
    MmgCalibration,
    Placement,
)
from isoforce.signal.pipeline import ForcePipeline, PipelineSettings
from isoforce.simulation.athlete import AthleteSettings
from isoforce.simulation.imu import ImuSettings
from isoforce.transports.base import Transport
from isoforce.transports.registry import TransportRequest, transport_for
from isoforce.transports.sim import SimSettings, SimTransport


def pipeline_for(
    spec: DeviceSpec,
    *,
    fs_hz: float,
    calibration: Calibration | None = None,
    reference: EffortReference | None = None,
) -> ForcePipeline:
    """A force pipeline for a device, using its factory calibration unless one is given.

    A device with no force channel (an IMU) gets a pipeline that reports "not force-measured".
    """
    cal = calibration or Calibration(
        n_per_raw=spec.n_per_count if spec.n_per_count is not None else 1.0,
        offset_raw=spec.offset_counts,
    )
    settings = PipelineSettings(
        raw_channel=spec.force_channel, calibration=cal, capabilities=spec.capabilities, fs_hz=fs_hz
    )
    return ForcePipeline(settings, reference=reference)


def lift_sign(movement: str) -> int:
    """Which way a drill's lift-offs rotate: −1 for external-rotation movements, else +1."""
    return -1 if movement.endswith("-er") else 1


def _placement_named(name: str) -> Placement:
    try:
        return Placement(name)
    except ValueError:
        raise ConfigError("IMU placement must be 'shank' or 'thigh'") from None


def _imu(
    spec: DeviceSpec, placement: Placement, rate_hz: float, calibration: MmgCalibration | None
) -> ImuProcessor | None:
    """The IMU chain for a device with an IMU (None otherwise)."""
    if not spec.capabilities.imu:
        return None
    settings = ImuProcessorSettings(angle=LimbAngleSettings(placement=placement))
    return ImuProcessor(settings, fs_hz=rate_hz, calibration=calibration)


def _check_drill(drill: Drill, spec: DeviceSpec) -> None:
    missing = drill.sensors.missing(spec.capabilities)
    if "force_push" in missing:
        raise ConfigError(
            f"drill {drill.name!r} needs a push-measuring sensor; {spec.title} cannot measure push"
        )
    if "imu" in missing and drill.requires_imu:
        raise ConfigError(
            f"drill {drill.name!r} measures range of motion and needs an IMU; {spec.title} "
            "has none (try --device sim-imu, or a real IMU: 'isoforce devices')"
        )


def _reference_lines(
    chosen: Mapping[str, ChosenReference], spec: DeviceSpec, plan: Sequence[PlanStep]
) -> tuple[str, ...]:
    """One line per maximum the session divides by: the drill's, or push and pull without one."""
    if plan:
        used = {(ps.reference, ps.direction) for ps in plan if ps.direction and ps.reference}
    else:
        used = {(ReferenceKind.PAIN_FREE, d) for d in Direction}
    lines = []
    for c in chosen.values():
        if (c.kind, c.direction) not in used:
            continue
        if spec.capabilities.measures(c.direction):
            lines.append(f"effort % divides by the {c.line()}")
        elif spec.force_channel is not None:
            lines.append(f"{c.direction.value}: not force-measured ({spec.title} cannot see it)")
    return tuple(lines)


def paired_spec(force: DeviceSpec, imu: DeviceSpec) -> DeviceSpec:
    """The session's device when ``imu`` is paired with ``force``: the force device, plus an IMU.

    Its key stays the force device's (what the athlete used last, maxima per device); its title
    names both.
    """
    if force.force_channel is None:
        raise ConfigError(f"--imu pairs an IMU with a force device; {force.key} measures no force")
    if force.capabilities.imu:
        raise ConfigError(f"{force.key} carries its own IMU; drop --imu")
    if not imu.capabilities.imu or imu.force_channel is not None:
        raise ConfigError(
            f"--imu {imu.key}: not an IMU (IMUs: "
            + ", ".join(
                k
                for k, s in sorted(DEVICES.items())
                if s.capabilities.imu and s.force_channel is None
            )
            + ")"
        )
    return replace(
        force,
        title=f"{force.title} + {imu.title}",
        capabilities=replace(force.capabilities, imu=True),
    )


def _paired_imu(options: SessionOptions, imu: DeviceSpec, *, sim: SimSettings | None) -> PairedImu:
    """The paired IMU's transport (from the registry, like any device) and decoder."""
    request = TransportRequest(
        rate_hz=imu.nominal_rate_hz,
        speed=options.speed,
        port=options.imu_port,
        baud=options.imu_baud,
        address=options.imu_address,
        ble_name=options.imu_ble_name,
        sim=replace(sim, rate_hz=imu.nominal_rate_hz) if sim is not None else None,
    )
    try:
        transport = transport_for(imu, request)
    except ConfigError as exc:  # name the IMU's own options (--imu-port, --imu-address)
        raise ConfigError(
            str(exc).replace("--port", "--imu-port").replace("--address", "--imu-address")
        ) from None
    return PairedImu(spec=imu, transport=transport, decoder=new_decoder(imu.key))


def open_session(
    options: SessionOptions,
    *,
    drill: Drill | None = None,
    engine_settings: EngineSettings | None = None,
    consumers: Sequence[Consumer] = (),
    stored: StoredReferences | None = None,
) -> LiveSession:
    """A live session on ``options.device``, running ``drill`` if one is given.

    ``stored`` are the latest stored maxima for the drill's movement key (the caller reads the
    store); values in ``options`` override them, and the header says which is used and why.
    """
    spec = device_spec(options.device)
    imu_spec = device_spec(options.imu_device) if options.imu_device else None
    device_alone = spec
    if imu_spec is not None:
        spec = paired_spec(spec, imu_spec)
    if spec.force_channel is None and not spec.capabilities.imu:
        raise ConfigError(f"{spec.title} measures no force; pick a load cell for force sessions")
    if options.device_commands and not spec.text_commands:
        raise ConfigError(
            f"{spec.title} takes no command lines; --send is for isoforce's own firmware "
            "(isoforce-serial, isoforce-ble)"
        )
    placement = _placement_named(options.imu_placement)
    athlete = AthleteSettings(pain_threshold_pct=options.pain_threshold_pct)
    rate = options.rate_hz if options.rate_hz is not None else spec.nominal_rate_hz
    simulated = spec.transport is DeviceKind.SIM
    sim_imu = imu_spec is not None and imu_spec.transport is DeviceKind.SIM
    sim = (
        SimSettings(
            rate_hz=rate,
            seed=options.seed,
            athlete=athlete,
            imu=ImuSettings(placement=placement.value),
            drops=options.drops,
        )
        if simulated or sim_imu
        else None
    )
    if drill is not None:
        _check_drill(drill, spec)
    transport = transport_for(
        device_alone,
        TransportRequest(
            rate_hz=rate,
            speed=options.speed,
            port=options.port,
            baud=options.baud,
            address=options.address,
            ble_name=options.ble_name,
            calibrated=options.calibration is not None,
            sim=sim,
        ),
    )
    paired = _paired_imu(options, imu_spec, sim=sim) if imu_spec is not None else None
    references, chosen, open_dirs = session_references(
        options,
        simulated_max_n=(athlete.push_max_n, athlete.pull_max_n) if simulated else None,
        stored=stored or StoredReferences(),
        drill=drill,
    )
    if drill is not None:
        drill = open_ended(drill, open_dirs)
    pain_free = references[ReferenceKind.PAIN_FREE]
    pipeline = pipeline_for(spec, fs_hz=rate, reference=pain_free, calibration=options.calibration)
    guide: DrillGuide | None = None
    if drill is None and options.sim_profile == "rest" and isinstance(transport, SimTransport):
        transport.set_target(np.zeros_like)
    if drill is not None:
        engine = DrillEngine(
            drill,
            engine_settings,
            references_n=maxima_n(references),
            newton_scale={(ReferenceKind.PAIN_FREE, d) for d in open_dirs}
            | {
                (c.kind, c.direction)
                for c in chosen.values()
                if c.source is ReferenceSource.PROVISIONAL
            },
        )
        guide = DrillGuide(engine, references=references)
        # the virtual athlete watches the same target curve the user would see on screen
        scale = {
            Direction.PUSH: (pain_free.push_max_n or athlete.push_max_n) / athlete.push_max_n,
            Direction.PULL: (pain_free.pull_max_n or athlete.pull_max_n) / athlete.pull_max_n,
        }
        for sim_transport in (transport, paired.transport if paired is not None else None):
            if isinstance(sim_transport, SimTransport):
                sim_transport.set_target(guide.target_fn(scale))
                sim_transport.follow_phases(
                    guide.engine.phases_at, lift_sign=lift_sign(drill.movement)
                )
        if options.pain_threshold_pct is not None:
            # the athlete's threshold is in % of its true max; effort is in % of the reference
            guide.pain_reporter = SimulatedPainReporter(
                threshold_pct=options.pain_threshold_pct / scale[Direction.PUSH], fs_hz=rate
            )
    return _assemble(
        spec=spec,
        rate_hz=rate,
        transport=transport,
        decoder=new_decoder(spec.key),
        pipeline=pipeline,
        references=references,
        guide=guide,
        imu=_imu(
            spec,
            placement,
            imu_spec.nominal_rate_hz if imu_spec is not None else rate,
            options.imu_calibration,
        ),
        drill=drill,
        consumers=consumers,
        reference_lines=_reference_lines(
            chosen, spec, guide.engine.plan if guide is not None else ()
        ),
        chosen=tuple(chosen.values()),
        commands=options.device_commands,
        paired=paired,
    )


def open_replay(
    record: SessionRecord,
    *,
    speed: float = 1.0,
    drill: Drill | None = None,
    engine_settings: EngineSettings | None = None,
    consumers: Sequence[Consumer] = (),
    placement: str = "shank",
    imu_calibration: MmgCalibration | None = None,
) -> LiveSession:
    """A session that plays ``record`` back through the live path (every channel).

    With ``drill`` (the drill the session ran: :func:`isoforce.recording.stored_drill`) the drill
    engine runs again on the replayed effort and the drill keys pressed (pain, skip, pause …,
    :func:`~isoforce.transports.replay_plan.key_presses`) are pressed again at their times, so
    the scores come out as they did live.
    """
    from isoforce.transports.replay import ReplayDecoder
    from isoforce.transports.replay_plan import replay_plan

    plan = replay_plan(record)
    spec = plan.spec
    rate = spec.nominal_rate_hz
    transport = transport_for(spec, TransportRequest(rate_hz=rate, speed=speed, replay=plan))
    pain_free = plan.references.get(ReferenceKind.PAIN_FREE) or EffortReference()
    references = {
        ReferenceKind.PAIN_FREE: pain_free,
        ReferenceKind.MVIC: plan.references.get(ReferenceKind.MVIC) or pain_free,
    }
    pipeline = pipeline_for(spec, fs_hz=rate, calibration=plan.calibration, reference=pain_free)
    opened = opened_directions(drill) if drill is not None else frozenset()
    stand_ins = provisional_keys(record.meta.options, opened)
    guide: DrillGuide | None = None
    if drill is not None:
        engine = DrillEngine(
            drill,
            engine_settings,
            references_n=maxima_n(references),
            newton_scale={(ReferenceKind.PAIN_FREE, d) for d in opened} | stand_ins,
        )
        guide = DrillGuide(engine, references=references)
        if plan.key_presses:
            guide.pain_reporter = ReplayedPainReporter(plan.key_presses)
    stored = str(record.meta.options.get("imu_placement", placement))
    return _assemble(
        spec=spec,
        rate_hz=rate,
        transport=transport,
        decoder=ReplayDecoder(float(plan.source.t_s[0])),
        pipeline=pipeline,
        references=references,
        guide=guide,
        imu=_imu(spec, _placement_named(stored), rate, imu_calibration),
        drill=drill,
        consumers=consumers,
        reference_lines=(f"replay of session {record.session_id}",),
        chosen=recorded_references(plan.references, stand_ins=stand_ins),
    )


def recorded_references(
    references: Mapping[ReferenceKind, EffortReference],
    *,
    stand_ins: frozenset[tuple[ReferenceKind, Direction]] = frozenset(),
) -> tuple[ChosenReference, ...]:
    """The maxima a replayed session ran against, each said to be as recorded.

    ``stand_ins`` were scales while the run measured a max nobody knew: the replay reads those
    in newtons, as the run did, never as a % of the stand-in.
    """
    return tuple(
        ChosenReference(
            kind,
            direction,
            value_n,
            ReferenceSource.PROVISIONAL
            if (kind, direction) in stand_ins
            else ReferenceSource.RECORDED,
        )
        for kind, ref in references.items()
        for direction, value_n in (
            (Direction.PUSH, ref.push_max_n),
            (Direction.PULL, ref.pull_max_n),
        )
        if value_n is not None
    )


def _assemble(
    *,
    spec: DeviceSpec,
    rate_hz: float,
    transport: Transport,
    decoder: Decoder,
    pipeline: ForcePipeline,
    references: Mapping[ReferenceKind, EffortReference],
    guide: DrillGuide | None,
    imu: ImuProcessor | None,
    drill: Drill | None,
    consumers: Sequence[Consumer],
    reference_lines: tuple[str, ...],
    chosen: tuple[ChosenReference, ...] = (),
    commands: Sequence[DeviceCommand] = (),
    paired: PairedImu | None = None,
) -> LiveSession:
    """The session's header and the session, with the IMU scoring the drill's steps."""
    if guide is not None and imu is not None:
        guide.imu_scorer = ImuStepScorer(imu, guide.engine)
    header = SessionHeader(
        spec=spec,
        rate_hz=rate_hz,
        calibration=pipeline.calibration,
        references=references,
        drill=drill,
        plan=guide.engine.plan if guide is not None else (),
        imu_placement=imu.settings.angle.placement.value if imu is not None else None,
        reference_lines=reference_lines,
        chosen=chosen,
        paired_imu=paired.spec if paired is not None else None,
    )
    return LiveSession(
        header=header,
        transport=transport,
        decoder=decoder,
        pipeline=pipeline,
        guide=guide,
        imu=imu,
        consumers=consumers,
        commands=commands,
        paired=paired,
    )
