"""Jlyscales CTS500 / CTS-300 crane-scale gauges: checksummed frames on a transparent UART.

Spec (device-protocols.md §7: hangtime-grip-connect ``cts500.model.ts`` and Grip Gains
Companion ``CTS500Service.swift`` agree on the framing and on tare/start/stop)::

    discover   name "CTS500" or "CTS-300" (the MY-BT102 module's service ffe0 is generic)
    service    0000ffe0-0000-1000-8000-00805f9b34fb
      notify   0000ffe1-…        write 0000ffe2-…

    command / acknowledgement   05 OP P1 P2 P3 SUM            (6 bytes)
    typed response              05 80 OP d1 d2 d3 SUM         (7 bytes)
    weight                      05 XX W3 W2 W1 W0 SUM         (7 bytes; XX ≠ 80, not an opcode)
    SUM = (sum of the bytes before it) & 0xFF;  weight = W3..W0 big-endian / 100 kg

    opcodes  A6 tare · AA start streaming · AB stop · C4 battery (V = u16 BE at [4:6] / 100)

Frames may be split or merged across notifications: the decoder buffers and resynchronises on
the ``05`` header and the checksum. The sources read the weight as unsigned; isoforce reads it
as a signed 32-bit number, which equals the unsigned reading for every weight below 21 million
kg and turns a post-tare dip into a small negative force instead of 42 million kg. Whole runs of
weight frames are decoded at once with numpy. The gauge sends no timestamps: samples are
stamped with host arrival time spread at the nominal rate (its A/D rate is settable from 10 to
320 Hz with opcode C1; the default is not published, so isoforce leaves it as it is).
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BleProfile, GattWrite, battery_volts_query
from isoforce.units import N_PER_KGF

NAMES = ("CTS500", "CTS-300")
SERVICE_UUID = "0000ffe0-0000-1000-8000-00805f9b34fb"
NOTIFY_UUID = "0000ffe1-0000-1000-8000-00805f9b34fb"
WRITE_UUID = "0000ffe2-0000-1000-8000-00805f9b34fb"

HEADER = 0x05
TYPED_RESPONSE = 0x80
OP_TARE = 0xA6
OP_START = 0xAA
OP_STOP = 0xAB
OP_READ_ONCE = 0xA9
OP_VERSION = 0xA4
OP_BATTERY = 0xC4
OP_TEMPERATURE = 0xC5
#: Every opcode the sources list: a frame with one of these after the header is 6 bytes long.
OPCODES = frozenset(
    {0xA6, 0xAA, 0xAB, 0xA9, 0xA4, 0xC4, 0xC5, 0x86, 0xA1, 0xA2, 0xA7, 0x81, 0x82, 0x83}
    | {0x84, 0x85, 0xC0, 0xC1, 0xC3, 0xC6, 0xC7, 0xCA, 0xD1, 0xD2, 0xD3, 0xD4}
)
COMMAND_BYTES = 6
FRAME_BYTES = 7
KG_PER_COUNT = 0.01
BATTERY_V_PER_COUNT = 0.01
#: The CTS500 weighs up to 500 kg; beyond this a reading is garbage.
MAX_ABS_KG = 1000.0
#: Assumed: the gauge's default A/D rate is not published (settable 10–320 Hz).
NOMINAL_RATE_HZ = 40.0
_OPCODE_TABLE = np.zeros(256, dtype=bool)
_OPCODE_TABLE[list(OPCODES)] = True
_NOT_WEIGHT = _OPCODE_TABLE.copy()
_NOT_WEIGHT[TYPED_RESPONSE] = True

SPEC = force_spec(
    "cts500",
    "Jlyscales CTS500 / CTS-300 gauge over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "Tension gauge reporting 0.01 kg steps (→ N); measures the direction its strap is "
        "rigged for. Tare and battery over Bluetooth. Its "
        "default rate is not published (10–320 Hz). Source: hangtime-grip-connect and Grip "
        "Gains Companion (device-protocols.md §7)."
    ),
)


def command(opcode: int, p1: int = 0, p2: int = 0, p3: int = 0) -> bytes:
    """``05 OP P1 P2 P3 SUM``: a command frame with its checksum."""
    body = bytes((HEADER, opcode, p1 & 0xFF, p2 & 0xFF, p3 & 0xFF))
    return body + bytes((sum(body) & 0xFF,))


def checksum_ok(frame: bytes) -> bool:
    """Whether a frame's last byte is the sum of the others (mod 256)."""
    return len(frame) >= 2 and sum(frame[:-1]) & 0xFF == frame[-1]


def find_typed_response(notification: bytes, opcode: int) -> bytes | None:
    """The first valid ``05 80 <opcode> …`` frame inside a notification, or None."""
    at = notification.find(bytes((HEADER, TYPED_RESPONSE, opcode)))
    while at >= 0:
        frame = notification[at : at + FRAME_BYTES]
        if len(frame) == FRAME_BYTES and checksum_ok(frame):
            return frame
        at = notification.find(bytes((HEADER, TYPED_RESPONSE, opcode)), at + 1)
    return None


def parse_battery_v(notification: bytes) -> float | None:
    """Battery voltage from the answer to opcode C4 (u16 big-endian at [4:6], 0.01 V)."""
    frame = find_typed_response(notification, OP_BATTERY)
    if frame is None:
        return None
    return int.from_bytes(frame[4:6], "big") * BATTERY_V_PER_COUNT


def _write(opcode: int) -> GattWrite:
    return GattWrite(WRITE_UUID, command(opcode))


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: Cts500Decoder(),  # defined below
    notify_uuid=NOTIFY_UUID,
    write_uuid=WRITE_UUID,
    start=(_write(OP_START),),
    stop=(_write(OP_STOP),),
    tare=(_write(OP_TARE),),
    queries=(
        battery_volts_query(
            parse_battery_v,
            _write(OP_BATTERY),
            lambda data: find_typed_response(data, OP_BATTERY) is not None,
        ),
    ),
    names=NAMES,
    service_uuids=(SERVICE_UUID,),
    requires_name=True,  # ffe0 is the generic HM-10 / MY-BT102 UART service
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §7 weight frame "05 XX W3 W2 W1 W0 SUM" with XX = 0x01 as in
    # hangtime-grip-connect's test helper: 0x000009C4 = 2500 → 25.00 kg (tests/devices/test_cts500.py)
    bytes.fromhex("05 01 00 00 09 C4 D3"),
)


class Cts500Decoder(HostTimedDecoder):
    """Streaming decoder for CTS500 frames; never raises, counts what it drops.

    Typed responses become ``DeviceMessage(kind="response")``; acknowledgements are counted in
    ``stats.other["acks"]``.
    """

    COUNTERS = ("acks",)
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a notification; return the samples and responses it completed."""
        self._buf += data
        buf = self._buf
        counts: list[np.ndarray] = []
        out: list[SampleBlock | DeviceMessage] = []
        pos = 0
        while len(buf) - pos >= 2:
            run = self._weight_run(pos)
            if run is not None:
                counts.append(run)
                pos += run.size * FRAME_BYTES
                continue
            if buf[pos] != HEADER:
                self._drop(1)
                pos += 1
                continue
            size = COMMAND_BYTES if buf[pos + 1] in OPCODES else FRAME_BYTES
            if len(buf) - pos < size:
                break
            frame = bytes(buf[pos : pos + size])
            if not checksum_ok(frame):
                if self._in_sync:
                    self.stats.checksum_errors += 1
                self._drop(1)
                pos += 1
                continue
            self._in_sync = True
            self.stats.frames_ok += 1
            pos += size
            if size == COMMAND_BYTES:
                self.stats.other["acks"] += 1
            else:  # a typed response (a weight frame would have been taken as a run)
                out.append(DeviceMessage(t_host_s, "response", frame.hex(" ")))
        if len(buf) - pos == 1 and buf[pos] != HEADER:
            self._drop(1)
            pos += 1
        del buf[:pos]
        if not counts:
            return out
        kg = np.concatenate(counts).astype(np.float64) * KG_PER_COUNT
        block = self._force_block(t_host_s, kg * N_PER_KGF, max_abs_n=MAX_ABS_KG * N_PER_KGF)
        return [block, *out] if block is not None else out

    def _weight_run(self, pos: int) -> np.ndarray | None:
        """Signed counts of the valid weight frames starting at ``pos`` (None if there is none)."""
        n = (len(self._buf) - pos) // FRAME_BYTES
        if n == 0:
            return None
        raw = np.frombuffer(self._buf, dtype=np.uint8, count=n * FRAME_BYTES, offset=pos)
        rows = raw.reshape(n, FRAME_BYTES)
        sums = rows[:, :-1].sum(axis=1, dtype=np.uint32) & 0xFF
        valid = (rows[:, 0] == HEADER) & ~_NOT_WEIGHT[rows[:, 1]] & (sums == rows[:, -1])
        good = n if valid.all() else int(np.argmin(valid))
        if good == 0:
            return None
        self.stats.frames_ok += good
        self._in_sync = True
        words = np.ascontiguousarray(rows[:good, 2:6]).view(">i4").reshape(good)
        return words.astype(np.int64)
