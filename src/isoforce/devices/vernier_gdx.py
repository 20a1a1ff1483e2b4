"""Vernier Go Direct force sensors (GDX-FOR force & acceleration, GDX-HD hand dynamometer).

Spec (device-protocols.md §11: Vernier's own ``godirect-py`` library, ``device.py`` and
``device_bleak.py``; sensor 1 is the force channel in Vernier's examples)::

    discover   local name starts "GDX" (e.g. "GDX-FOR 071000U9")
    service    d91714ef-28b9-4f91-ba16-f0d9a604f112
      command  f4bf14a6-c7d5-4b6d-8aa8-df1a7c83adcb   write without response, ≤ 20-byte pieces
      response b41e6675-a329-40e0-aa01-44d2f444babe   notify; a packet is complete when the
                                                      bytes gathered reach its length byte [1]

    command   58 <length> <rolling counter> <checksum> <command id> <payload…>
              checksum = sum of every byte, with the checksum byte taken as 0, & 0xFF
              1A init (fixed payload) · 1B period (FF 00 <u32 LE µs> 00×4)
              18 start (FF 01 <u32 LE sensor mask> 00×8) · 19 stop (FF 00 FF FF FF FF)
    measurement  20 <length> <counter> <checksum> 06 <u16 LE sensor mask> <i8 count> <pad>
                 then count rounds of one float32 LE per sensor in the mask, from byte 9,
                 in the sensor's own unit (newtons for the force sensor)

isoforce enables sensor 1 (force) alone at a 10 ms period. Packets of other measurement types
(start time, dropped, period) and command responses are counted, never taken for samples.
Resynchronisation after garbage: a measurement must name a known type and a length that fits
its mask and count, a response must name a known command and carry a valid checksum, and a
packet isoforce does not read is given up when a whole force measurement begins inside it
(measurements are not checked: the
sources do not say that the device fills in their checksum). The
packet has no timestamp: samples are stamped with host arrival time spread at 100 Hz.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.effort_key import Capabilities
from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BleProfile, GattWrite

NAME_PREFIX = "GDX"
SERVICE_UUID = "d91714ef-28b9-4f91-ba16-f0d9a604f112"
COMMAND_UUID = "f4bf14a6-c7d5-4b6d-8aa8-df1a7c83adcb"
RESPONSE_UUID = "b41e6675-a329-40e0-aa01-44d2f444babe"

COMMAND_HEADER = 0x58
MEASUREMENT = 0x20
CMD_START = 0x18
CMD_STOP = 0x19
CMD_INIT = 0x1A
CMD_SET_PERIOD = 0x1B
INIT_PAYLOAD = bytes.fromhex("a54a06490748084709460a450b440c430d420e41")
TYPE_NORMAL_REAL32 = 0x06
HEADER_BYTES = 5
REAL32_VALUES_AT = 9
FORCE_SENSOR = 1
PERIOD_US = 10_000
NOMINAL_RATE_HZ = 1e6 / PERIOD_US
#: GDX-FOR reads ±50 N, GDX-HD up to 600 N; beyond this a float32 is garbage.
MAX_ABS_N = 2000.0
WRITE_PIECE_BYTES = 20
#: The command ids godirect-py sends (a response names its command in byte 4).
COMMAND_IDS = frozenset({0x10, 0x18, 0x19, 0x1A, 0x1B, 0x50, 0x51, 0x54, 0x55, 0x56})
#: The measurement types godirect-py names (0x06 NORMAL_REAL32 … 0x0E PERIOD).
MEASUREMENT_TYPES = (0x06, 0x0E)
_WAIT = -1
#: The bytes that give a measurement its shape: header, length, type, mask, count.
_SHAPE_BYTES = [0, 1, 4, 5, 6, 7]
_BAD = 0

SPEC = force_spec(
    "vernier-gdx",
    "Vernier Go Direct force sensor (GDX-FOR, GDX-HD) over Bluetooth",
    DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=True),
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "Reports newtons itself (GDX-FOR ±50 N push and pull, GDX-HD grip); isoforce streams "
        "its force sensor at 100 Hz. Source: Vernier's godirect-py (device-protocols.md §11)."
    ),
)


def checksum(packet: bytes) -> int:
    """The header checksum: the sum of every byte except byte 3, & 0xFF."""
    return (sum(packet) - (packet[3] if len(packet) > 3 else 0)) & 0xFF


def command(counter: int, command_id: int, payload: bytes = b"") -> bytes:
    """A complete command packet with its length, rolling counter and checksum."""
    body = bytearray((COMMAND_HEADER, HEADER_BYTES + len(payload), counter & 0xFF, 0, command_id))
    body += payload
    body[3] = checksum(bytes(body))
    return bytes(body)


def start_payload(sensor_mask: int) -> bytes:
    """Command 0x18's payload: ``FF 01 <mask u32 LE>`` and eight zero bytes."""
    return b"\xff\x01" + sensor_mask.to_bytes(4, "little") + bytes(8)


def period_payload(period_us: int) -> bytes:
    """Command 0x1B's payload: ``FF 00 <period µs u32 LE>`` and four zero bytes."""
    return b"\xff\x00" + period_us.to_bytes(4, "little") + bytes(4)


def _writes(packet: bytes) -> tuple[GattWrite, ...]:
    """A packet as the ≤ 20-byte pieces the command characteristic takes."""
    return tuple(
        GattWrite(COMMAND_UUID, packet[i : i + WRITE_PIECE_BYTES], response=False)
        for i in range(0, len(packet), WRITE_PIECE_BYTES)
    )


# The rolling counter starts at 0xFF and is decremented before each command (godirect-py).
START_COMMANDS = (
    command(0xFE, CMD_INIT, INIT_PAYLOAD),
    command(0xFD, CMD_SET_PERIOD, period_payload(PERIOD_US)),
    command(0xFC, CMD_START, start_payload(1 << FORCE_SENSOR)),
)
STOP_COMMAND = command(0xFB, CMD_STOP, bytes.fromhex("ff00ffffffff"))

PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: VernierGdxDecoder(),  # defined below
    notify_uuid=RESPONSE_UUID,
    write_uuid=COMMAND_UUID,
    write_response=False,
    start=tuple(w for packet in START_COMMANDS for w in _writes(packet)),
    stop=_writes(STOP_COMMAND),
    name_prefixes=(NAME_PREFIX,),
    service_uuids=(SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §11 NORMAL_REAL32 layout: 20 <len 13> <counter> <checksum> 06,
    # mask 0x0002 (sensor 1, force), count 1, pad, float32 LE 12.5 N (tests/devices/test_vernier_gdx.py)
    bytes.fromhex("20 0D 01 C0 06 02 00 01 00 00 00 48 41"),
)


class VernierGdxDecoder(HostTimedDecoder):
    """Reassembles Go Direct packets across notifications and decodes force measurements.

    ``stats.other`` counts ``responses`` (command answers), ``other_types`` (measurement
    packets that carry no values isoforce reads) and ``no_force`` (measurements without
    sensor 1). Never raises.
    """

    COUNTERS = ("responses", "other_types", "no_force")
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a notification; return the samples of every packet it completed."""
        self._buf += data
        buf = self._buf
        values: list[np.ndarray] = []
        pos = 0
        while len(buf) - pos >= 2:
            run = self._run(pos)
            if run is not None:
                pos += run[0]
                values.append(run[1])
                continue
            verdict = self._check(pos)
            if verdict == _WAIT:
                break
            if verdict == _BAD:
                self._drop(1)
                pos += 1
                continue
            packet = bytes(buf[pos : pos + verdict])
            pos += verdict
            self._in_sync = True
            self.stats.frames_ok += 1
            if packet[0] != MEASUREMENT:
                self.stats.other["responses"] += 1
                continue
            force = self._force(packet)
            if force is not None:
                values.append(force)
        del buf[:pos]
        if not values:
            return []
        block = self._force_block(t_host_s, np.concatenate(values), max_abs_n=MAX_ABS_N)
        return [] if block is None else [block]

    def _check(self, pos: int) -> int:
        """Whether a packet starts at ``pos``: its length, ``_WAIT`` for more bytes, or ``_BAD``.

        A measurement must name a known type and, for NORMAL_REAL32, a length that fits its
        mask and count; any other packet (a command response) must name a known command in
        byte 4 and carry a valid checksum. A packet that is not a force measurement is given up
        when a whole force measurement starts before its end, complete or not.
        Either test is made as soon as the bytes it needs have arrived, so garbage cannot hold
        the stream back for long.
        """
        buf = self._buf
        have = len(buf) - pos
        if have < 2:
            return _WAIT
        length = buf[pos + 1]
        if length < HEADER_BYTES:
            return _BAD
        if buf[pos] == MEASUREMENT:
            if have > 4 and not MEASUREMENT_TYPES[0] <= buf[pos + 4] <= MEASUREMENT_TYPES[1]:
                return _BAD
            if have > 4 and buf[pos + 4] == TYPE_NORMAL_REAL32 and length < REAL32_VALUES_AT:
                return _BAD  # a force packet too short for its mask and count (fuzz, 100,000 run)
            if have > 7 and buf[pos + 4] == TYPE_NORMAL_REAL32:
                mask = int.from_bytes(buf[pos + 5 : pos + 7], "little")
                count = int.from_bytes(buf[pos + 7 : pos + 8], "little", signed=True)
                if length != REAL32_VALUES_AT + 4 * count * mask.bit_count():
                    return _BAD
        elif have > 4 and buf[pos + 4] not in COMMAND_IDS:
            return _BAD
        if have < length:
            return self._wait_or_measurement_after(pos)
        if buf[pos] != MEASUREMENT and checksum(bytes(buf[pos : pos + length])) != buf[pos + 3]:
            return _BAD
        if buf[pos + 4] != TYPE_NORMAL_REAL32 and self._force_packet_inside(pos, pos + length):
            return _BAD  # garbage whose length byte would swallow the force packets after it
        return length

    def _force_packet_inside(self, start: int, end: int) -> bool:
        """Whether a whole force measurement (NORMAL_REAL32) begins after ``start``, before ``end``.

        A packet isoforce does not read (a response, another measurement type) loses nothing by
        being given up; the force packets a stray header's length would cover are kept instead.
        """
        buf = self._buf
        at = buf.find(MEASUREMENT, start + 1, end)
        while at >= 0:
            if len(buf) - at > 4 and buf[at + 4] == TYPE_NORMAL_REAL32 and self._check(at) > 0:
                return True
            at = buf.find(MEASUREMENT, at + 1, end)
        return False

    def _run(self, pos: int) -> tuple[int, np.ndarray] | None:
        """A run of force measurements shaped like the one at ``pos``, decoded at once.

        A device sends the same packet shape over and over (same length, type, mask and
        count); every packet of the run is checked as :meth:`_check` would, then all their
        force values are read with one numpy view. Returns the bytes used and the values.
        """
        buf = self._buf
        length = self._check(pos) if buf[pos] == MEASUREMENT else _BAD
        if length <= 0 or buf[pos + 4] != TYPE_NORMAL_REAL32:
            return None
        mask = int.from_bytes(buf[pos + 5 : pos + 7], "little")
        count = buf[pos + 7]
        sensors = [s for s in range(16) if mask >> s & 1]
        if FORCE_SENSOR not in sensors or count > 127:
            return None
        k = (len(buf) - pos) // length
        rows = np.frombuffer(buf, dtype=np.uint8, count=k * length, offset=pos).reshape(k, length)
        shape = rows[:, _SHAPE_BYTES]
        same = (shape == shape[0]).all(axis=1)
        good = k if same.all() else int(np.argmin(same))
        self.stats.frames_ok += good
        self._in_sync = True
        floats = np.ascontiguousarray(rows[:good, REAL32_VALUES_AT:]).view("<f4")
        column = sensors.index(FORCE_SENSOR)
        with np.errstate(invalid="ignore"):  # a signalling NaN is refused by the caller
            force = floats.reshape(good * count, len(sensors))[:, column].astype(np.float64)
        return good * length, force

    def _wait_or_measurement_after(self, pos: int) -> int:
        """``_WAIT`` for an incomplete packet, unless a whole force measurement begins inside it.

        An incomplete force measurement is always waited for (its length was checked against
        its mask and count).
        """
        buf = self._buf
        if buf[pos] == MEASUREMENT and (len(buf) - pos <= 4 or buf[pos + 4] == TYPE_NORMAL_REAL32):
            return _WAIT
        return _BAD if self._force_packet_inside(pos, len(buf)) else _WAIT

    def _force(self, packet: bytes) -> np.ndarray | None:
        """Sensor 1's values in a NORMAL_REAL32 packet (None for anything else)."""
        if packet[4] != TYPE_NORMAL_REAL32 or len(packet) < REAL32_VALUES_AT:
            self.stats.other["other_types"] += 1
            return None
        mask = int.from_bytes(packet[5:7], "little")
        count = max(0, int.from_bytes(packet[7:8], "little", signed=True))
        sensors = [s for s in range(16) if mask >> s & 1]
        if FORCE_SENSOR not in sensors:
            self.stats.other["no_force"] += 1
            return None
        need = REAL32_VALUES_AT + 4 * count * len(sensors)
        if need > len(packet):
            self.stats.bad_lengths += 1
            return None
        rounds = np.frombuffer(packet, dtype="<f4", count=count * len(sensors), offset=9)
        column = sensors.index(FORCE_SENSOR)
        with np.errstate(invalid="ignore"):  # a signalling NaN is refused by the caller
            return rounds.reshape(count, len(sensors))[:, column].astype(np.float64)
