"""Activ5 (ActivBody) handheld isometric device: its ASCII ("legacy") protocol.

Spec (device-protocols.md §10: ActivBody's Swift SDK ``activ5-ios-bluetooth``, files
``A5DeviceManager.swift`` and ``MessageParser.swift``, and the web port ``activ5-bluetooth-web``)::

    discover   service 00005000-0000-1000-8000-00805f9b34fb advertised
    read       00005a01-…  notify: ASCII messages framed by control bytes 0x12 … 0x13
    write      00005a02-…  'A' + command + terminator
    commands   TVGTIME (handshake) · ISOM! (stream isometric force) · TARE! · STOP!
    force      "IS<value>/…" → N = value × 1.08625263633
    first      "TC5k;<version>" after the handshake

EXPERIMENTAL: the sources disagree on the command terminator (0x13 in ActivBody's Swift SDK,
0x19 in the web port); isoforce sends the SDK's 0x13. The force message's text after the slash
is not documented; isoforce reads the number between ``IS`` and ``/`` and ignores the rest.
The newer binary interface (service 0xF0F0, int16 force at 0xF0FE) is not used: only one
third-party source describes it.

A notification may carry several messages, and a message may be cut across notifications:
the decoder buffers text and takes every complete ``IS<number>/`` it finds (the control bytes and
the text after the slash are skipped); text that holds no message is dropped and counted once it
grows past 64 bytes. The device sends no timestamps; samples are
stamped with host arrival time at an assumed 10 Hz (the rate is not published).
"""

from __future__ import annotations

import re

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BleProfile, GattWrite

SERVICE_UUID = "00005000-0000-1000-8000-00805f9b34fb"
READ_UUID = "00005a01-0000-1000-8000-00805f9b34fb"
WRITE_UUID = "00005a02-0000-1000-8000-00805f9b34fb"

COMMAND_PREFIX = b"A"
#: Conflict (§19.5): 0x13 in ActivBody's Swift SDK, 0x19 in the web port.
TERMINATOR = 0x13
MESSAGE_START = 0x12
CMD_HANDSHAKE = "TVGTIME"
CMD_ISOMETRIC = "ISOM!"
CMD_TARE = "TARE!"
CMD_STOP = "STOP!"
N_PER_COUNT = 1.08625263633
#: The Activ5 reads up to about 900 N (200 lbf); beyond this a number is garbage.
MAX_ABS_N = 2000.0
#: Assumed: the legacy stream's rate is not published.
NOMINAL_RATE_HZ = 10.0
#: Longest text kept while waiting for the rest of a message.
MAX_PENDING_BYTES = 64
#: What is kept of an overlong text: enough for the start of a message.
KEEP_TAIL_BYTES = 12
_FORCE = re.compile(rb"IS(-?\d{1,7})/")
_PARTIAL = re.compile(rb"IS-?\d")
_VERSION = re.compile(rb"TC5k;([ -~]{0,32})[\x12\x13]")

SPEC = force_spec(
    "activ5",
    "Activ5 (ActivBody) handheld isometric device over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "Squeeze/press device read through its ASCII protocol (→ N with ActivBody's constant); "
        "rate not published. Source: ActivBody's activ5-ios-bluetooth SDK and "
        "activ5-bluetooth-web (device-protocols.md §10)."
    ),
    experimental=(
        "the sources disagree on the command terminator (0x13 or 0x19) and the force message "
        "is only partly documented"
    ),
)


def command(text: str) -> bytes:
    """``A<command><terminator>`` as the device reads it."""
    return COMMAND_PREFIX + text.encode("ascii") + bytes((TERMINATOR,))


def _write(text: str) -> GattWrite:
    return GattWrite(WRITE_UUID, command(text))


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: Activ5Decoder(),  # defined below
    notify_uuid=READ_UUID,
    write_uuid=WRITE_UUID,
    start=(_write(CMD_HANDSHAKE), _write(CMD_ISOMETRIC)),
    stop=(_write(CMD_STOP),),
    tare=(_write(CMD_TARE),),
    service_uuids=(SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §10 force message "IS<value>/IS" between 0x12 and 0x13:
    # 250 → 271.56 N (tests/devices/test_activ5.py)
    b"\x12IS250/IS\x13",
)


class Activ5Decoder(HostTimedDecoder):
    """Streaming decoder for Activ5 ASCII messages; never raises, counts what it drops.

    The version line becomes ``DeviceMessage(kind="firmware")`` and is counted in
    ``stats.other["messages"]``.
    """

    COUNTERS = ("messages",)
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a notification; return the readings and messages it completed."""
        self._buf += data
        text = bytes(self._buf)
        out: list[SampleBlock | DeviceMessage] = []
        matches = list(_FORCE.finditer(text))
        end = matches[-1].end() if matches else 0
        for version in _VERSION.finditer(text):
            out.append(DeviceMessage(t_host_s, "firmware", version.group(1).decode("ascii")))
            self.stats.other["messages"] += 1
            end = max(end, version.end())
        self.stats.frames_ok += len(matches)
        del self._buf[:end]
        if len(self._buf) > MAX_PENDING_BYTES:  # no message in sight: garbage
            dropped = len(self._buf) - KEEP_TAIL_BYTES
            self.stats.bytes_dropped += dropped
            self.stats.resyncs += 1
            del self._buf[:dropped]
        if matches:
            force_n = np.array([int(m.group(1)) for m in matches], dtype=np.float64) * N_PER_COUNT
            block = self._force_block(t_host_s, force_n, max_abs_n=MAX_ABS_N)
            if block is not None:
                out.insert(0, block)
        return out

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: a reading cut short is dropped and counted (the rest is framing)."""
        if _PARTIAL.search(self._buf):
            self.stats.bytes_dropped += len(self._buf)
        self._buf.clear()
        return []
