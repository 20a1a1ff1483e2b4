"""The recorder saves IMU samples live: what the IMU chain produced, committed with the force."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace

import numpy as np
import pytest

from isoforce.live import FrameConsumer, LiveFrame, SessionOptions
from isoforce.live.build import open_session
from isoforce.recording import StoreWriter
from isoforce.session.model import ImuSamples, SessionStatus
from isoforce.session.store import SessionStore
from tests.session.session_helpers import (
    FakeClock,
    as_stored,
    assert_same_imu,
    force_frames,
    header,
    imu_samples,
    run_record,
)


def _imu_chunks(store: SessionStore, sid: int) -> int:
    row = store.connection.execute(
        "SELECT COALESCE(SUM(n), 0) FROM imu_chunks WHERE session_id = ?", (sid,)
    ).fetchone()
    return int(row[0])


@pytest.mark.parametrize("device", ["sim-imu", "sim-dual"])
def test_a_live_imu_session_stores_what_the_imu_chain_produced(
    store: SessionStore, device: str
) -> None:
    options = SessionOptions(device=device, speed=math.inf, seed=4)
    session = open_session(options)
    recorder = StoreWriter(store, options)
    assert session.imu is not None
    seen: list[ImuSamples] = []

    class Watch(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            if frame.imu is not None:
                seen.append(frame.imu)

    session.add(Watch())
    session.add(recorder)
    result = asyncio.run(session.run(duration_s=8.0))
    assert recorder.session_id is not None
    produced = ImuSamples.concat(seen)
    rec = store.load(recorder.session_id)
    assert rec.imu is not None
    assert len(rec.imu) == len(produced) == rec.samples == result.samples == 3200  # 400 Hz
    assert recorder.imu_samples == len(produced)
    assert_same_imu(rec.imu, as_stored(produced))
    np.testing.assert_array_equal(rec.imu.t_s, rec.channels[0].t_s)  # one clock
    # the zero pose is set after a still second: NaN angles before it, finite after
    angle = rec.imu.angle_deg
    first = int(np.flatnonzero(np.isfinite(angle))[0])
    assert 0 < first < 800 and np.isfinite(angle[first:]).all()
    assert rec.imu.still.any() and not rec.imu.still.all()
    assert abs(float(np.nanmean(rec.imu.acc_g[:, 1])) - 1.0) < 0.1  # gravity on the shank
    assert store.session_info(recorder.session_id).status is SessionStatus.COMPLETE


def test_force_only_sessions_store_no_imu(store: SessionStore) -> None:
    run = run_record(store, duration_s=1.0)
    assert run.session.imu is None
    assert store.load(run.session_id).imu is None
    assert _imu_chunks(store, run.session_id) == 0


def test_imu_and_force_of_a_block_commit_together(store: SessionStore) -> None:
    clock = FakeClock()
    rec = StoreWriter(store, SessionOptions(), commit_interval_s=0.2, clock=clock)
    rec.on_start(header())
    assert rec.session_id is not None
    imu = imu_samples(40, fs_hz=100.0)
    for i, frame in enumerate(force_frames(4)):
        clock.now = 0.1 * i
        rec.on_frame(replace(frame, imu=imu.part(10 * i, 10 * i + 10)))
        committed = store.connection.execute(
            "SELECT (SELECT COALESCE(SUM(n), 0) FROM sample_chunks),"
            " (SELECT COALESCE(SUM(n), 0) FROM imu_chunks)"
        ).fetchone()
        assert committed == ((30, 30) if i >= 2 else (0, 0))
    rec.flush()
    assert _imu_chunks(store, rec.session_id) == 40
    assert rec.commits == 2
    assert_same_imu(store.imu_samples(rec.session_id), as_stored(imu))


def test_imu_without_force_commits_on_the_same_cadence(store: SessionStore) -> None:
    clock = FakeClock()
    rec = StoreWriter(store, SessionOptions(), commit_interval_s=0.2, clock=clock)
    rec.on_start(header())
    assert rec.session_id is not None
    imu = imu_samples(50, fs_hz=100.0)
    empty = force_frames(1, size=0)[0]
    for i in range(5):
        clock.now = 0.1 * i
        rec.on_frame(replace(empty, imu=imu.part(10 * i, 10 * i + 10)))
    assert _imu_chunks(store, rec.session_id) == 30  # the oldest was 0.2 s old at the 3rd
    rec.on_frame(replace(empty, imu=ImuSamples.empty()))
    rec.flush()
    assert _imu_chunks(store, rec.session_id) == 50
    assert store.load(rec.session_id).samples == 0  # IMU samples are not force samples
