"""Building sessions for tests: synthetic records, and real simulated runs into a store."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.core.samples import SampleBlock
from isoforce.devices.registry import device_spec
from isoforce.drills.loader import load_builtin
from isoforce.live import (
    DrillCommand,
    FrameConsumer,
    LinkState,
    LiveFrame,
    LiveSession,
    SessionHeader,
    SessionOptions,
    SessionOutcome,
)
from isoforce.live.build import open_session, pipeline_for
from isoforce.live.session import force_columns
from isoforce.recording import StoreWriter
from isoforce.session.model import (
    IMU_FIELDS,
    ChannelData,
    DeviceInfo,
    EventRecord,
    GapRecord,
    ImuSamples,
    Labels,
    RomRecord,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
)
from isoforce.session.store import SessionStore
from isoforce.signal.effort import EffortReference


def channel(
    n: int = 500, *, name: str = "load", fs_hz: float = 100.0, seed: int = 0
) -> ChannelData:
    """A channel of ``n`` samples with every field filled, NaNs and a lost-sample mark."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs_hz
    raw = np.rint(84_000 + 2250 * 50 * np.sin(t) + rng.normal(0, 300, n))
    force = (raw - 84_000) / 2250
    effort = force / 250 * 100
    effort[::50] = np.nan
    target = np.where(t > 1, 20.0, np.nan)
    step = np.where(t < 2, 0, 1).astype(np.int64)
    phase = np.where(t < 2, 1, 4).astype(np.int64)
    rep = np.where(t < 2, 0, 1).astype(np.int64)
    lost = np.zeros(n, dtype=np.int64)
    if n:
        lost[n // 2] = 3
    return ChannelData(name, t, t + 0.5, raw, force, effort, target, step, phase, rep, lost)


def imu_samples(
    n: int = 400, *, fs_hz: float = 400.0, t0_s: float = 0.0, seed: int = 0
) -> ImuSamples:
    """IMU samples with every field filled: NaN angles before the zero pose, still spans,
    refused (NaN) effort estimates, and values that float32 cannot hold exactly."""
    rng = np.random.default_rng(seed)
    t = t0_s + np.arange(n) / fs_hz
    acc = np.column_stack(
        [rng.normal(0, 0.01, n), 1 + rng.normal(0, 0.01, n), rng.normal(0, 0.01, n)]
    )
    gyro = rng.normal(0, 2.0, (n, 3)) + np.array([30.0, -0.5, 0.25])
    angle = 25 * np.sin(t)
    angle[: n // 10] = np.nan
    still = (np.arange(n) // 37) % 2 == 0
    est = np.where(still, 40 + 10 * np.cos(t), np.nan)
    return ImuSamples(t, acc, gyro, angle, still, est, est - 12.5, est + 12.5)


def as_stored(imu: ImuSamples) -> ImuSamples:
    """What the store keeps of ``imu``: every column but ``t_s`` rounded to float32."""

    def f32(a: np.ndarray) -> np.ndarray:
        return a.astype(np.float32).astype(np.float64)

    return ImuSamples(
        imu.t_s,
        f32(imu.acc_g),
        f32(imu.gyro_dps),
        f32(imu.angle_deg),
        imu.still,
        f32(imu.effort_est_pct),
        f32(imu.effort_low_pct),
        f32(imu.effort_high_pct),
    )


def assert_same_imu(a: ImuSamples | None, b: ImuSamples | None) -> None:
    """Equal arrays, field by field (NaN equals NaN)."""
    assert a is not None and b is not None
    for name in IMU_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def record(
    *, channels: tuple[ChannelData, ...] | None = None, imu: ImuSamples | None = None
) -> SessionRecord:
    """A synthetic complete session with events and a gap (and ``imu`` samples, if given)."""
    meta = SessionMeta(
        uuid=uuid.uuid4().hex,
        kind=SessionKind.RECORD,
        status=SessionStatus.COMPLETE,
        started_at="2024-05-01T10:00:00.000+02:00",
        device=DeviceInfo("sim", "Simulated load cell", "push, pull"),
        stopped_by="duration reached",
        rate_hz=100.0,
        options={"seed": 1, "speed": "max"},
        calibration={
            "schema": 1,
            "n_per_raw": 1 / 2250,
            "offset_raw": 84000.0,
            "source": "factory",
        },
        labels=Labels(
            step_names=("passive 2 s", "hold push, 20 %"),
            phase_names=("pending", "passive", "breath", "ramp", "hold"),
        ),
        references={"pain_free": {"push_max_n": 250.0, "pull_max_n": 170.0}},
    )
    return SessionRecord(
        meta=meta,
        channels=channels if channels is not None else (channel(),),
        events=(EventRecord(1.5, "note", text="felt a pinch", data={"why": "test"}),),
        gaps=(GapRecord(2.49, 2.53, 3),),
        imu=imu,
    )


@dataclass
class Run:
    """A finished simulated run saved in a store.

    ``imu`` holds the IMU samples as the live session saw them (kept by ``run_record`` when
    asked), to compare a replay with.
    """

    session_id: int
    session: LiveSession
    result: SessionOutcome
    recorder: StoreWriter
    imu: list[ImuSamples] = field(default_factory=list)


class _KeepImu(FrameConsumer):
    def __init__(self) -> None:
        self.imu: list[ImuSamples] = []

    def on_frame(self, frame: LiveFrame) -> None:
        if frame.imu is not None:
            self.imu.append(frame.imu)


class _PressKeys(FrameConsumer):
    """Presses drill keys as the session reaches their times, as a person at the keys would."""

    def __init__(self, session: LiveSession, keys: tuple[tuple[float, DrillCommand], ...]) -> None:
        self.session = session
        self.keys = sorted(keys, key=lambda k: k[0])

    def on_frame(self, frame: LiveFrame) -> None:
        t = frame.columns["t_s"]
        while self.keys and t.size and t[-1] >= self.keys[0][0]:
            self.session.command(self.keys.pop(0)[1])


class _Unfinished(StoreWriter):
    """A writer whose session never gets its end written (as if the process died)."""

    def on_end(self, outcome: SessionOutcome) -> None:
        self.flush()


def _run(
    store: SessionStore,
    session: LiveSession,
    options: SessionOptions,
    *,
    side: Side | None = None,
    finish: bool = True,
    duration_s: float | None = None,
) -> Run:
    writer = (StoreWriter if finish else _Unfinished)(store, options, side=side)
    session.add(writer)
    outcome = asyncio.run(session.run(duration_s=duration_s))
    assert writer.session_id is not None
    return Run(writer.session_id, session, outcome, writer)


def run_drill(
    store: SessionStore,
    name: str = "tension-drill",
    *,
    side: Side | None = Side.LEFT,
    rate_hz: float = 80.0,
    pain_at: float | None = 60.0,
    drops: tuple[tuple[float, float], ...] = (),
    seed: int = 0,
    finish: bool = True,
    device: str = "sim",
    keys: tuple[tuple[float, DrillCommand], ...] = (),
) -> Run:
    """Run a built-in drill on the simulator (``device``) in virtual time, recording into ``store``.

    ``keys``: drill keys pressed once the session reaches each time (session seconds).
    """
    drill = load_builtin(name)
    options = SessionOptions(
        device=device,
        speed=float("inf"),
        rate_hz=rate_hz,
        pain_threshold_pct=pain_at,
        drops=drops,
        seed=seed,
    )
    session = open_session(options, drill=drill)
    if keys:
        session.add(_PressKeys(session, keys))
    return _run(store, session, options, side=side, finish=finish)


def run_record(
    store: SessionStore,
    *,
    duration_s: float = 3.0,
    rate_hz: float = 80.0,
    drops: tuple[tuple[float, float], ...] = (),
    device: str = "sim",
    keep_imu: bool = False,
) -> Run:
    """Record the simulator's demo profile (no drill) on ``device`` into ``store``."""
    options = SessionOptions(device=device, speed=float("inf"), rate_hz=rate_hz, drops=drops)
    keep = _KeepImu()
    run = _run(
        store,
        open_session(options, consumers=[keep] if keep_imu else ()),
        options,
        duration_s=duration_s,
    )
    run.imu = keep.imu
    return run


def header(device: str = "sim", *, rate_hz: float = 100.0) -> SessionHeader:
    """The header of a session on ``device`` with the simulated athlete's maxima."""
    spec = device_spec(device)
    refs = EffortReference(250.0, 170.0)
    return SessionHeader(
        spec=spec,
        rate_hz=rate_hz,
        calibration=pipeline_for(spec, fs_hz=rate_hz).calibration,
        references={ReferenceKind.PAIN_FREE: refs, ReferenceKind.MVIC: refs},
    )


def force_frames(
    n_frames: int, *, size: int = 10, fs_hz: float = 100.0, force_n: float = 10.0
) -> list[LiveFrame]:
    """Frames of a constant force on the simulated cell, as a live session hands them out."""
    pipe = pipeline_for(device_spec("sim"), fs_hz=fs_hz, reference=EffortReference(250, 170))
    out = []
    for i in range(n_frames):
        t = (i * size + np.arange(size)) / fs_hz
        raw = np.full(size, 84_000.0 + 2250 * force_n)
        p = pipe.process(SampleBlock(t, t, raw[:, None], ("load_raw",)))
        columns = force_columns(p)
        out.append(
            LiveFrame.build(
                index=i,
                columns=columns,
                display_force_n=p.display_force_n,
                labels=Labels(),
                link=LinkState.OK,
            )
        )
    return out


def rom(
    side: Side = Side.LEFT,
    direction: str = "ir",
    angle_deg: float = 34.8,
    at: str = "2026-11-21T10:00:00",
    **kwargs: object,
) -> RomRecord:
    """A hip-rotation range-of-motion record; ``kwargs`` override any other field."""
    fields: dict[str, object] = {
        "movement": "hip-rotation",
        "side": side,
        "position": "90-90",
        "direction": direction,
        "angle_deg": angle_deg,
        "placement": "shank",
        "measured_at": at,
        "source_drill": "hip-rom",
        "detail": {"reps_deg": [angle_deg - 1, angle_deg]},
    }
    fields.update(kwargs)
    return RomRecord(**fields)  # type: ignore[arg-type]


class FakeClock:
    """A settable clock for the store writer's commit timing: returns ``now``."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now
