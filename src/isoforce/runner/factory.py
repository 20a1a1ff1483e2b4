"""Builds a ready-to-run session from options: device, simulator, references, drill, sinks.

The CLI and the TUI both call :func:`build_session`, so every front end runs the same wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceSpec
from isoforce.devices.registry import device_spec, new_decoder
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import DrillEvent, EngineSettings
from isoforce.drills.model import Drill
from isoforce.errors import ConfigError
from isoforce.runner import Guidance, LinkEvent, SessionRunner, Sink, pipeline_for
from isoforce.runner.drill import DrillGuide, SimulatedPainReporter
from isoforce.runner.imu_drill import ImuDrillScorer
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.imu import (
    ImuProcessor,
    ImuProcessorSettings,
    LimbAngleSettings,
    MmgCalibration,
    Placement,
    has_imu,
)
from isoforce.signal.pipeline import ForcePipeline, ProcessedBlock
from isoforce.simulation.athlete import AthleteSettings
from isoforce.simulation.imu import ImuSettings
from isoforce.transports.base import Transport
from isoforce.transports.clock import Clock
from isoforce.transports.serial import serial_transport_for
from isoforce.transports.sim import SimSettings, SimTransport

#: Scale for max trials on a real device before any MVIC is known (effort then reads in N).
PROVISIONAL_MVIC_N = 100.0


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """What to run: device and rate, simulator seed/speed/person, reference maxima."""

    device: str = "sim"
    rate_hz: float | None = None
    seed: int = 0
    speed: float = 1.0
    push_max_n: float | None = None
    pull_max_n: float | None = None
    mvic_push_n: float | None = None
    mvic_pull_n: float | None = None
    #: Calibration to use instead of the device's factory calibration (e.g. after a tare).
    calibration: Calibration | None = None
    #: Simulated athlete only, with no drill: ``demo`` follows a push/pull demo curve, ``rest``
    #: keeps the load off (what the calibration screen asks of a real person).
    sim_profile: str = "demo"
    #: Simulated athlete only: effort (% of true max) at which pinching starts.
    pain_threshold_pct: float | None = None
    #: Simulated device only: link drops as ``(at_s, for_s)``; see ``SimSettings.drops``.
    drops: tuple[tuple[float, float], ...] = ()
    #: Serial devices: the port (a path, ``COM3`` or any pyserial URL such as ``socket://h:p``).
    port: str | None = None
    #: Serial devices: baud rate; ``None`` tries the device's usual rates.
    baud: int | None = None
    #: Bluetooth LE devices: the address the user picked (``isoforce scan`` lists them).
    address: str | None = None
    #: Bluetooth LE devices: an advertised name instead of an address (must be unique nearby).
    ble_name: str | None = None
    #: ``device="replay"`` only: the stored session to play back, and the data dir of its store.
    replay_session: int | None = None
    data_dir: str | None = None
    #: IMU devices: where the sensor is strapped (``shank`` or ``thigh``; see docs/imu.md).
    imu_placement: str = "shank"
    #: IMU devices: this session's muscle-vibration calibration (no effort estimate without).
    imu_calibration: MmgCalibration | None = None


@dataclass
class Session:
    """One wired session, ready for ``await session.runner.run(...)``."""

    spec: DeviceSpec
    transport: Transport
    pipeline: ForcePipeline
    runner: SessionRunner
    references: dict[ReferenceKind, EffortReference]
    guide: DrillGuide | None = None
    #: The IMU chain (angle, stillness, lift-offs, effort estimate) for devices with an IMU.
    imu: ImuProcessor | None = None

    @property
    def engine(self) -> DrillEngine | None:
        """The drill engine, when a drill runs."""
        return self.guide.engine if self.guide is not None else None


def build_session(
    options: SessionOptions,
    *,
    drill: Drill | None = None,
    engine_settings: EngineSettings | None = None,
    sinks: Sequence[Sink] = (),
    on_block: Callable[[ProcessedBlock, Guidance | None], None] | None = None,
    on_events: Callable[[tuple[DrillEvent, ...]], None] | None = None,
    on_link: Callable[[LinkEvent], None] | None = None,
) -> Session:
    """Wire transport, decoder, pipeline, optional drill engine and sinks for ``options``."""
    if options.device == "replay":
        from isoforce.runner.replay import replay_from_options

        return replay_from_options(
            options,
            drill=drill,
            engine_settings=engine_settings,
            sinks=sinks,
            on_block=on_block,
            on_events=on_events,
            on_link=on_link,
        )
    spec = device_spec(options.device)
    if spec.force_channel is None and not spec.capabilities.imu:
        raise ConfigError(f"{spec.title} measures no force; pick a load cell for force sessions")
    try:
        placement = Placement(options.imu_placement)
    except ValueError:
        raise ConfigError("IMU placement must be 'shank' or 'thigh'") from None
    athlete = AthleteSettings(pain_threshold_pct=options.pain_threshold_pct)
    rate = options.rate_hz if options.rate_hz is not None else spec.nominal_rate_hz
    transport: Transport
    if spec.transport == "serial":
        transport = _serial_transport(spec, options, rate)
    elif spec.transport == "ble":
        transport = _ble_transport(spec, options, rate)
    elif spec.transport == "sim":
        transport = SimTransport(
            spec,
            settings=SimSettings(
                rate_hz=rate,
                seed=options.seed,
                athlete=athlete,
                imu=ImuSettings(placement=placement.value),
                drops=options.drops,
            ),
            clock=Clock(options.speed),
        )
    else:
        raise ConfigError(
            f"{spec.title}: the {spec.transport} transport is not available in this version"
        )
    # Only a simulated person has maxima isoforce can know; a real user's come from the
    # command line or the store, else effort is "not measured" (never relative to a guess).
    # The max test needs some scale while it measures the MVIC: a provisional 100 N, so effort
    # there reads in newtons and the result converts back exactly.
    simulated = spec.transport == "sim"
    default_push = athlete.push_max_n if simulated else None
    default_pull = athlete.pull_max_n if simulated else None
    provisional = None if simulated else PROVISIONAL_MVIC_N
    pain_free = EffortReference(
        push_max_n=options.push_max_n if options.push_max_n is not None else default_push,
        pull_max_n=options.pull_max_n if options.pull_max_n is not None else default_pull,
    )
    mvic = EffortReference(
        push_max_n=options.mvic_push_n
        if options.mvic_push_n is not None
        else default_push or provisional,
        pull_max_n=options.mvic_pull_n
        if options.mvic_pull_n is not None
        else default_pull or provisional,
    )
    references = {ReferenceKind.PAIN_FREE: pain_free, ReferenceKind.MVIC: mvic}
    pipeline = pipeline_for(spec, fs_hz=rate, reference=pain_free, calibration=options.calibration)
    guide: DrillGuide | None = None
    if drill is None and options.sim_profile == "rest" and isinstance(transport, SimTransport):
        transport.set_target(np.zeros_like)
    if drill is not None:
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
        guide = DrillGuide(
            DrillEngine(drill, engine_settings), references=references, on_events=on_events
        )
        # the virtual athlete watches the same target curve the user would see on screen
        scale = {
            Direction.PUSH: (pain_free.push_max_n or athlete.push_max_n) / athlete.push_max_n,
            Direction.PULL: (pain_free.pull_max_n or athlete.pull_max_n) / athlete.pull_max_n,
        }
        if isinstance(transport, SimTransport):
            transport.set_target(guide.target_fn(scale))
            transport.follow_phases(guide.engine.phases_at, lift_sign=lift_sign(drill.movement))
        if options.pain_threshold_pct is not None:
            # the athlete's threshold is in % of its true max; effort is in % of the reference
            guide.pain_reporter = SimulatedPainReporter(
                threshold_pct=options.pain_threshold_pct / scale[Direction.PUSH], fs_hz=rate
            )
    imu = _imu_processor(spec, placement, rate, options.imu_calibration)
    if guide is not None and imu is not None:
        guide.imu_scorer = ImuDrillScorer(imu, guide.engine.plan)
    runner = SessionRunner(
        transport=transport,
        decoder=new_decoder(spec.key),
        pipeline=pipeline,
        sinks=sinks,
        guide=guide,
        on_block=on_block,
        on_link=on_link,
        taps=(_imu_tap(imu, measures_force=spec.force_channel is not None),) if imu else (),
    )
    return Session(
        spec=spec,
        transport=transport,
        pipeline=pipeline,
        runner=runner,
        references=references,
        guide=guide,
        imu=imu,
    )


def lift_sign(movement: str) -> int:
    """Which way a drill's lift-offs rotate: −1 for external-rotation movements, else +1."""
    return -1 if movement.endswith("-er") else 1


def _imu_processor(
    spec: DeviceSpec, placement: Placement, rate_hz: float, calibration: MmgCalibration | None
) -> ImuProcessor | None:
    """The IMU chain for a device with an IMU (None otherwise)."""
    if not spec.capabilities.imu:
        return None
    settings = ImuProcessorSettings(angle=LimbAngleSettings(placement=placement))
    return ImuProcessor(settings, fs_hz=rate_hz, calibration=calibration)


def _imu_tap(
    imu: ImuProcessor, *, measures_force: bool
) -> Callable[[SampleBlock, ProcessedBlock], None]:
    """Feeds each block's IMU channels to ``imu``; with a load cell too, scores the estimate."""

    def tap(block: SampleBlock, processed: ProcessedBlock) -> None:
        if has_imu(block):
            cell = processed.effort_pct if measures_force else None
            imu.update_block(block, load_cell_pct=cell)

    return tap


def _serial_transport(spec: DeviceSpec, options: SessionOptions, rate_hz: float) -> Transport:
    """The serial transport for ``options``; raw-count devices must come with a calibration."""
    if not options.port:
        raise ConfigError(f"{spec.key} needs --port (a serial port; 'isoforce scan' lists them)")
    if spec.n_per_count is None and options.calibration is None:
        raise ConfigError(
            f"{spec.title} reports raw readings, not newtons. Calibrate once with "
            f"'isoforce calibrate --device {spec.key} --port {options.port} --known-kg 10 "
            "--out cal.json', then pass --calibration cal.json"
        )
    return serial_transport_for(spec, options.port, baud=options.baud, rate_hz=rate_hz)


def _ble_transport(spec: DeviceSpec, options: SessionOptions, rate_hz: float) -> Transport:
    """The Bluetooth LE transport for ``options``; raw-count devices need a calibration."""
    from isoforce.transports.ble import ble_transport_for
    from isoforce.transports.ble_stream import BleSettings

    if not options.address and not options.ble_name:
        raise ConfigError(
            f"{spec.key} needs --address (a Bluetooth address; 'isoforce scan' lists them)"
        )
    raw_counts = spec.force_channel is not None and spec.n_per_count is None
    if raw_counts and options.calibration is None:
        raise ConfigError(
            f"{spec.title} reports raw readings, not newtons. Calibrate the board once over USB "
            "(same firmware, same counts): 'isoforce calibrate --device isoforce-serial --port "
            "/dev/ttyUSB0 --known-kg 10 --out cal.json', then pass --calibration cal.json"
        )
    settings = BleSettings(address=options.address, name=options.ble_name, rate_hz=rate_hz)
    return ble_transport_for(spec, settings)
