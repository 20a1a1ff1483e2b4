"""Bad frames in a live stream: every good frame kept, the bad ones counted on screen and stored.

Issue 20: a checksummed isoforce frame whose sample count does not match its payload used to end
a live recording with a traceback. Here a stream of the firmware's frames carries a frame with a
bad checksum, one with a bad length and a run of garbage; the session runs to its end.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from isoforce.core.effort_key import ReferenceKind
from isoforce.core.samples import RawChunk
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder, crc16_ccitt, encode_frames
from isoforce.devices.registry import device_spec
from isoforce.live import FrameConsumer, LiveFrame, LiveSession, SessionHeader, SessionOptions
from isoforce.live.build import pipeline_for
from isoforce.recording import StoreWriter
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.transports.base import Transport

GOOD = 40


def _frame(seq: int) -> bytes:
    return encode_frames(
        seq=np.array([seq]),
        t_us=np.array([seq * 12_500]),
        names=("load_raw",),
        values=np.array([[1000.0 + seq]]),
    )


def _bad_length(seq: int) -> bytes:
    """A frame with a valid CRC whose channel mask names two channels but carries one value."""
    payload = struct.pack("<HIHi", seq, 12_500 * seq, 0x0003, 5)
    body = bytes([0x01, len(payload)]) + payload
    return b"\xa5\x5a" + body + struct.pack("<H", crc16_ccitt(body))


def _bad_checksum(seq: int) -> bytes:
    frame = bytearray(_frame(seq))
    frame[-1] ^= 0xFF
    return bytes(frame)


class Scripted(Transport):
    """Hands out prepared chunks once, then ends the stream."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.spec = device_spec("isoforce-serial")
        self._chunks = chunks

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """Each prepared chunk, 10 ms of host time apart."""
        for i, data in enumerate(self._chunks):
            yield RawChunk(0.01 * i, data)


def _stream() -> list[bytes]:
    chunks = []
    for seq in range(GOOD):
        chunks.append(_frame(seq))
        if seq == 10:
            chunks.append(_bad_checksum(100))
        if seq == 20:
            chunks.append(_bad_length(101))
        if seq == 30:
            chunks.append(b"\x00garbage\xff" * 3)
    return chunks


def test_finding_one_bad_frame_no_longer_ends_a_live_session(tmp_path: Path) -> None:
    """Issue 20: one checksummed frame with a wrong sample count ended a live recording with a
    traceback. The bad frames are now dropped, counted by reason, shown and stored (in memory;
    ``tests/serial_devices/test_serial_cli.py`` does the same through ``record`` on a pty)."""
    spec = device_spec("isoforce-serial")
    calibration = Calibration(n_per_raw=0.01)
    pipeline = pipeline_for(spec, fs_hz=80.0, calibration=calibration)
    header = SessionHeader(
        spec=spec,
        rate_hz=80.0,
        calibration=calibration,
        references={ReferenceKind.PAIN_FREE: EffortReference(100.0, 100.0)},
    )
    seen: list[LiveFrame] = []

    class Keep(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            seen.append(frame)

    with SessionStore.open(data_dir=tmp_path) as store:
        writer = StoreWriter(store, SessionOptions(device="isoforce-serial"))
        session = LiveSession(
            header=header,
            transport=Scripted(_stream()),
            decoder=IsoforceFrameDecoder(),
            pipeline=pipeline,
            consumers=[Keep(), writer],
        )
        outcome = asyncio.run(session.run())
        assert writer.session_id is not None
        record = store.load(writer.session_id)
    raw = np.concatenate([f.columns["raw"] for f in seen])
    assert raw.tolist() == [1000.0 + s for s in range(GOOD)]  # every good frame, in order
    assert outcome.stopped_by == "end of stream" and outcome.samples == GOOD
    refused = dict(seen[-1].refused)
    assert refused == {"bad checksum": 1, "bad length": 1}
    assert outcome.decode.bytes_dropped > 0  # the garbage run was skipped and counted
    # on screen: the player's link line says what was dropped
    from isoforce.live.frame import refused_text

    assert refused_text(seen[-1].refused) == "2 bad frames dropped (bad checksum 1, bad length 1)"
    # in the session's events, as the counts changed
    stored = [e for e in record.events if e.kind == "decode_refused"]
    assert [e.data for e in stored] == [{"bad checksum": 1}, {"bad checksum": 1, "bad length": 1}]
    assert len(record.channels[0]) == GOOD


def test_the_tui_shows_what_the_decoder_dropped() -> None:
    from isoforce.tui.controller import LiveController

    spec = device_spec("isoforce-serial")
    calibration = Calibration(n_per_raw=0.01)
    header = SessionHeader(spec=spec, rate_hz=80.0, calibration=calibration, references={})
    frames: list[LiveFrame] = []

    class Keep(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            frames.append(frame)

    session = LiveSession(
        header=header,
        transport=Scripted(_stream()),
        decoder=IsoforceFrameDecoder(),
        pipeline=pipeline_for(spec, fs_hz=80.0, calibration=calibration),
        consumers=[Keep()],
    )
    asyncio.run(session.run())
    controller = LiveController(SessionOptions(device="isoforce-serial"))
    controller.header = header
    for frame in frames:
        controller.take(frame)
    assert controller.snapshot().refused == "2 bad frames dropped (bad checksum 1, bad length 1)"
