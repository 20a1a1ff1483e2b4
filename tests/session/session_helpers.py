"""Building sessions for tests: synthetic records, and real simulated runs into a store."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import numpy as np

from isoforce.core.effort_key import Side
from isoforce.drills.loader import load_builtin
from isoforce.runner import RunResult
from isoforce.runner.factory import Session, SessionOptions, build_session
from isoforce.session.model import (
    ChannelData,
    DeviceInfo,
    EventRecord,
    GapRecord,
    Labels,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
)
from isoforce.session.recorder import SessionRecorder
from isoforce.session.store import SessionStore


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


def record(*, channels: tuple[ChannelData, ...] | None = None) -> SessionRecord:
    """A synthetic complete session with events and a gap."""
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
    )


@dataclass
class Run:
    """A finished simulated run saved in a store."""

    session_id: int
    session: Session
    result: RunResult
    recorder: SessionRecorder


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
) -> Run:
    """Run a built-in drill on the simulator in virtual time, recording into ``store``."""
    drill = load_builtin(name)
    options = SessionOptions(
        speed=float("inf"), rate_hz=rate_hz, pain_threshold_pct=pain_at, drops=drops, seed=seed
    )
    session = build_session(options, drill=drill)
    recorder = SessionRecorder.attach(store, session, options, drill=drill, side=side)
    result = asyncio.run(session.runner.run())
    if finish:
        recorder.finish_run(result, guide=session.guide)
    return Run(recorder.session_id, session, result, recorder)


def run_record(
    store: SessionStore,
    *,
    duration_s: float = 3.0,
    rate_hz: float = 80.0,
    drops: tuple[tuple[float, float], ...] = (),
) -> Run:
    """Record the simulator's demo profile (no drill) into ``store``."""
    options = SessionOptions(speed=float("inf"), rate_hz=rate_hz, drops=drops)
    session = build_session(options)
    recorder = SessionRecorder.attach(store, session, options)
    result = asyncio.run(session.runner.run(duration_s=duration_s))
    recorder.finish_run(result)
    return Run(recorder.session_id, session, result, recorder)
