"""Two devices in one live session (``--imu``), in memory: alignment, and the IMU lost.

Scripted transports hand the session isoforce frames with chosen host arrival times, so the
alignment can be checked against the truth: each sample's host *emission* time is known, and an
IMU sample belongs on the session timeline at its emission time minus the force device's zero.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import numpy as np
import pytest

from isoforce.core.samples import RawChunk
from isoforce.core.timebase import strictly_after
from isoforce.devices.isoforce_frame import encode_frames
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.live import (
    FrameConsumer,
    LinkChange,
    LinkEvent,
    LinkSource,
    LinkState,
    LiveFrame,
    LiveSession,
    ReconnectPolicy,
    SessionOptions,
)
from isoforce.live.build import open_replay, open_session
from isoforce.recording import StoreWriter
from isoforce.session.store import SessionStore
from isoforce.signal.imu import ACC_CHANNELS, GYRO_CHANNELS, MmgCalibration
from isoforce.transports.base import Transport

FORCE_HZ = 80.0
IMU_HZ = 200.0
#: Host times of each device's first sample, and the IMU clock's value then (its own zero).
FORCE_ZERO_HOST_S = 1000.0
IMU_ZERO_HOST_S = 999.8  # the IMU starts first: negative session times
IMU_CLOCK_AT_ZERO_S = 7.3


class Scripted(Transport):
    """Chunks with chosen host times; optionally the link drops before chunk ``drop_at``."""

    def __init__(
        self, chunks: list[RawChunk], *, drop_at: int | None = None, comes_back: bool = True
    ) -> None:
        self.chunks_left = list(chunks)
        self.drop_at = drop_at
        self.comes_back = comes_back
        self.sent = 0
        self.reconnects = 0

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def reconnect(self) -> None:
        """Back at once, or never."""
        self.reconnects += 1
        if not self.comes_back:
            raise TransportError(TransportErrorReason.NOT_FOUND, "still away")

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """The scripted chunks, yielding to the loop between them."""
        while self.chunks_left:
            if self.sent == self.drop_at:
                self.drop_at = None
                raise TransportError(TransportErrorReason.DISCONNECTED, "link dropped")
            self.sent += 1
            yield self.chunks_left.pop(0)
            await asyncio.sleep(0)


def stream(
    *,
    rate_hz: float,
    seconds: float,
    zero_host_s: float,
    clock_at_zero_s: float,
    names: tuple[str, ...],
    per_chunk: int,
    latency_s: np.random.Generator,
) -> tuple[list[RawChunk], np.ndarray]:
    """A device's frames in chunks: host emission times and arrival = emission + latency."""
    n = int(seconds * rate_hz)
    k = np.arange(n)
    emitted = zero_host_s + k / rate_hz
    t_us = np.rint((clock_at_zero_s + k / rate_hz) * 1e6).astype(np.int64)
    values = np.column_stack([np.sin(k / 10.0 + j) for j in range(len(names))])
    if names[0] == "load_raw":
        values = 84_000 + 1000 * values
    chunks = []
    for a in range(0, n, per_chunk):
        b = min(n, a + per_chunk)
        late = 0.004 + float(latency_s.exponential(0.006))  # BLE-like: a floor plus a tail
        data = encode_frames(seq=k[a:b], t_us=t_us[a:b], names=names, values=values[a:b])
        chunks.append(RawChunk(float(emitted[b - 1]) + late, data))
    return chunks, emitted


class Keep(FrameConsumer):
    def __init__(self) -> None:
        self.force_t: list[np.ndarray] = []
        self.imu_t: list[np.ndarray] = []
        self.links: list[LinkEvent] = []
        self.paused = False

    def on_frame(self, frame: LiveFrame) -> None:
        if len(frame):
            self.force_t.append(frame.t_s.copy())
        if frame.imu is not None:
            self.imu_t.append(frame.imu.t_s.copy())
        self.links += frame.link_events


def paired_session(
    *,
    seconds: float = 20.0,
    drop_imu_at: int | None = None,
    imu_comes_back: bool = True,
    seed: int = 1,
) -> tuple[LiveSession, Keep, np.ndarray, np.ndarray, Scripted]:
    rng = np.random.default_rng(seed)
    force_chunks, force_emit = stream(
        rate_hz=FORCE_HZ, seconds=seconds + 1.0, zero_host_s=FORCE_ZERO_HOST_S, clock_at_zero_s=0.0,
        names=("load_raw",), per_chunk=4, latency_s=rng,
    )  # fmt: skip
    imu_chunks, imu_emit = stream(
        rate_hz=IMU_HZ, seconds=seconds, zero_host_s=IMU_ZERO_HOST_S,
        clock_at_zero_s=IMU_CLOCK_AT_ZERO_S, names=(*ACC_CHANNELS, *GYRO_CHANNELS),
        per_chunk=10, latency_s=rng,
    )  # fmt: skip
    keep = Keep()
    session = open_session(
        SessionOptions(device="sim", imu_device="sim-imu", speed=math.inf), consumers=[keep]
    )
    assert session.paired is not None
    session.transport = Scripted(force_chunks)
    imu = Scripted(imu_chunks, drop_at=drop_imu_at, comes_back=imu_comes_back)
    session.paired.transport = imu
    session.reconnect = ReconnectPolicy(give_up_s=0.0, retry_s=0.0)
    return session, keep, force_emit, imu_emit, imu


def test_the_imu_lands_on_the_force_device_timeline_within_the_delivery_jitter() -> None:
    session, keep, force_emit, imu_emit, _ = paired_session()
    outcome = asyncio.run(session.run())
    assert outcome.stopped_by == "end of stream" and not outcome.error
    force_t = np.concatenate(keep.force_t)
    imu_t = np.concatenate(keep.imu_t)
    assert len(force_t) == len(force_emit) and len(imu_t) == len(imu_emit)  # nothing dropped
    assert np.all(np.diff(imu_t) > 0)
    # the truth: each sample's emission time after the force device's first sample
    error_s = imu_t - (imu_emit - FORCE_ZERO_HOST_S)
    assert np.allclose(force_t, force_emit - FORCE_ZERO_HOST_S, atol=1e-6)
    # both offsets come from the fastest delivery so far: at first within the first chunks'
    # latencies (4 ms floor + a 6 ms tail), then the two fastest deliveries (both near the
    # 4 ms floor) cancel out
    assert np.abs(error_s).max() < 0.015
    settled = imu_t > 2.0
    assert np.abs(error_s[settled]).max() < 0.001
    assert session.paired.offset_s == pytest.approx(IMU_ZERO_HOST_S - FORCE_ZERO_HOST_S, abs=0.005)
    assert session.header.paired_imu is not None and session.header.paired_imu.key == "sim-imu"
    assert session.header.spec.capabilities.imu and "+" in session.header.spec.title


def test_a_lost_imu_is_marked_and_the_session_goes_on() -> None:
    session, keep, force_emit, imu_emit, imu = paired_session(
        drop_imu_at=100
    )  # chunks of 10 IMU samples
    outcome = asyncio.run(session.run())
    assert [(e.change, e.source) for e in keep.links] == [
        (LinkChange.LOST, LinkSource.IMU),
        (LinkChange.RESTORED, LinkSource.IMU),
    ]
    assert "IMU lost" in keep.links[0].text() and "goes on" in keep.links[0].text()
    assert imu.reconnects == 1
    assert session.link is LinkState.OK and session.imu_link is LinkState.OK
    assert outcome.gaps == ()  # a gap is the force device's; the IMU's loss is an event
    assert len(np.concatenate(keep.force_t)) == len(force_emit)
    assert len(np.concatenate(keep.imu_t)) == len(imu_emit)  # the scripted link lost nothing


def test_an_imu_that_never_comes_back_leaves_force_only() -> None:
    session, keep, force_emit, _, _ = paired_session(drop_imu_at=40, imu_comes_back=False)
    outcome = asyncio.run(session.run())
    assert [e.change for e in keep.links] == [LinkChange.LOST, LinkChange.GAVE_UP]
    assert all(e.source is LinkSource.IMU for e in keep.links)
    assert "force only" in keep.links[-1].text()
    assert outcome.stopped_by == "end of stream" and session.link is LinkState.OK
    assert session.imu_link is LinkState.GONE
    assert len(np.concatenate(keep.force_t)) == len(force_emit)
    assert len(np.concatenate(keep.imu_t)) == 40 * 10


def test_pairing_is_checked() -> None:
    with pytest.raises(ConfigError, match="measures no force"):
        open_session(SessionOptions(device="sim-imu", imu_device="sim-imu"))
    with pytest.raises(ConfigError, match="own IMU"):
        open_session(SessionOptions(device="sim-dual", imu_device="sim-imu"))
    with pytest.raises(ConfigError, match="not an IMU"):
        open_session(SessionOptions(device="sim", imu_device="sim-push"))
    with pytest.raises(ConfigError, match="--imu-port"):
        open_session(SessionOptions(device="sim", imu_device="witmotion"))


def test_mapped_times_never_go_back() -> None:
    t = strictly_after(np.array([0.999, 1.0, 1.01]), 1.0)
    assert np.all(np.diff(t) > 0) and t[0] > 1.0 and t[-1] == 1.01


def test_a_two_device_recording_replays_both_streams_at_their_stored_times(
    store: SessionStore,
) -> None:
    session, _, _, _, _ = paired_session(seconds=6.0)
    writer = StoreWriter(store, SessionOptions(device="sim", imu_device="sim-imu"))
    session.add(writer)
    asyncio.run(session.run())
    assert writer.session_id is not None
    record = store.load(writer.session_id)
    assert record.imu is not None and record.meta.options["imu_device"] == "sim-imu"
    assert record.imu.t_s[0] < -0.15  # before the force device's first sample: kept
    assert "IMU" in record.meta.device.capabilities
    keep = Keep()
    asyncio.run(open_replay(record, speed=math.inf, consumers=[keep]).run())
    assert np.allclose(np.concatenate(keep.force_t), record.channels[0].t_s, atol=1e-6)
    assert np.allclose(np.concatenate(keep.imu_t), record.imu.t_s, atol=1e-6)


def test_a_paired_imus_effort_estimate_is_scored_against_the_load_cell() -> None:
    calibration = MmgCalibration(
        rms_g=(0.0026, 0.0152, 0.0235), effort_pct=(0.0, 50.0, 98.0), source="load cell"
    )
    options = SessionOptions(
        device="sim", imu_device="sim-imu", speed=math.inf, seed=5, imu_calibration=calibration
    )
    outcome = asyncio.run(open_session(options).run(duration_s=30.0))
    assert outcome.imu_view is not None and outcome.imu_view.dual is not None
    # two simulated people (one under each sensor) follow the same demo curve: close, not equal
    assert outcome.imu_view.dual.n > 5_000 and outcome.imu_view.dual.rmse_pct < 25.0


def test_an_imu_that_cannot_be_opened_is_named_in_the_error() -> None:
    session, _, _, _, _ = paired_session(seconds=1.0)
    assert session.paired is not None

    async def refuse() -> None:
        raise TransportError(TransportErrorReason.NOT_FOUND, "/dev/ttyUSB9: no such port")

    session.paired.transport.open = refuse  # type: ignore[method-assign]
    with pytest.raises(TransportError, match=r"the IMU \(sim-imu\): /dev/ttyUSB9"):
        asyncio.run(session.run())
    assert session.outcome is not None and session.outcome.error
