"""Device commands (``record --send [T:]CMD``): parsed strictly, written on the session clock,
kept in the outcome with the device's replies. The real firmware's answers are tested in
tests/firmware/test_firmware_in_the_loop.py (simavr); here a scripted device shows the timing."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator

import numpy as np
import pytest

from isoforce.core.samples import RawChunk
from isoforce.devices.commands import DeviceCommand, parse_device_command
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder, encode_frames, encode_text
from isoforce.devices.registry import device_spec
from isoforce.live import LiveSession, SessionHeader
from isoforce.live.build import pipeline_for
from isoforce.signal.calibration import Calibration
from isoforce.transports.base import Transport
from tests.paths import ISOFORCE

RATE_HZ = 80.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("r 40", DeviceCommand(0.0, "r 40")),
        ("10:t", DeviceCommand(10.0, "t")),
        (" 2.5 : c 1.5 ", DeviceCommand(2.5, "c 1.5")),
        ("c 2:3", DeviceCommand(0.0, "c 2:3")),  # a colon after text is part of the command
    ],
)
def test_commands_parse_with_an_optional_time(text: str, expected: DeviceCommand) -> None:
    assert parse_device_command(text) == expected
    assert expected.line() == expected.text.encode() + b"\n"


@pytest.mark.parametrize(
    ("text", "why"),
    [("", "no command"), ("5:", "no command"), ("s\nx", "one line"), ("é", "ASCII"),
     ("r " + "4" * 40, "longer than 32")],
)  # fmt: skip
def test_bad_commands_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_device_command(text)


class ScriptedFirmware(Transport):
    """Frames at 80 Hz of device time, 4× faster than the host clock; answers each line."""

    def __init__(self, frames: int) -> None:
        self.spec = device_spec("isoforce-serial")
        self.frames = frames
        self.seq = 0
        self.written: list[tuple[int, bytes]] = []  # (frames sent before it, line)
        self._replies: list[bytes] = []

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def send(self, data: bytes) -> None:
        """Keep the line and queue the firmware's reply."""
        self.written.append((self.seq, data))
        self._replies.append(encode_text(f"ok {data.decode().strip()}"))

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """One frame every 1/320 s of host time, replies in between."""
        while self.seq < self.frames:
            await asyncio.sleep(0.25 / RATE_HZ)
            data = b"".join(self._replies)
            self._replies.clear()
            data += encode_frames(
                seq=np.array([self.seq]),
                t_us=np.array([round(self.seq * 1e6 / RATE_HZ)]),
                names=("load_raw",),
                values=np.array([[1000.0]]),
            )
            self.seq += 1
            yield RawChunk(time.monotonic(), data)


def test_commands_are_written_when_the_session_clock_reaches_them() -> None:
    spec = device_spec("isoforce-serial")
    calibration = Calibration(n_per_raw=0.01)
    device = ScriptedFirmware(frames=int(3 * RATE_HZ))
    session = LiveSession(
        header=SessionHeader(spec=spec, rate_hz=RATE_HZ, calibration=calibration, references={}),
        transport=device,
        decoder=IsoforceFrameDecoder(),
        pipeline=pipeline_for(spec, fs_hz=RATE_HZ, calibration=calibration),
        commands=[DeviceCommand(2.0, "x"), DeviceCommand(0.0, "r 40"), DeviceCommand(1.0, "t")],
    )
    outcome = asyncio.run(session.run())
    assert [line for _, line in device.written] == [b"r 40\n", b"t\n", b"x\n"]
    sent_after = [n for n, _ in device.written]
    # by the device's clock (80 frames a second), not the host's (4x slower here)
    assert sent_after[0] <= 2
    assert RATE_HZ * 1.0 <= sent_after[1] <= RATE_HZ * 1.0 + 8
    assert RATE_HZ * 2.0 <= sent_after[2] <= RATE_HZ * 2.0 + 8
    talk = [(m.kind, m.text) for m in outcome.messages]
    assert talk == [
        ("sent", "r 40"), ("text", "ok r 40"), ("sent", "t"), ("text", "ok t"),
        ("sent", "x"), ("text", "ok x"),
    ]  # fmt: skip


def test_send_is_refused_for_devices_that_take_no_commands_and_for_bad_lines() -> None:
    res = subprocess.run(
        [ISOFORCE, "record", "--device", "sim", "--duration", "1", "--no-save", "--out", "-",
         "--speed", "max", "--send", "t"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert res.returncode == 1 and "takes no command lines" in res.stderr
    assert "Traceback" not in res.stderr
    res = subprocess.run(
        [ISOFORCE, "record", "--device", "isoforce-serial", "--port", "loop://", "--duration",
         "1", "--send", "5:"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert res.returncode == 2 and "no command" in res.stderr and "Traceback" not in res.stderr
