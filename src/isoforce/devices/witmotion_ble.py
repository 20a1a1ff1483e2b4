"""WitMotion Bluetooth 5.0 IMUs (BWT901BLE5.0, WT901BLECL 5.0, WT901BLE68): frames and commands.

Spec (device-protocols.md §12, from WitMotion's own BLE SDK ``WitBluetooth_BWT901BLE5_0`` and
its standard protocol ``WitStandardProtocol_JY901``)::

    service  0000ffe5-0000-1000-8000-00805f9a34fb   (base …805f9a34fb, not the SIG base)
    notify   0000ffe4-0000-1000-8000-00805f9a34fb
    write    0000ffe9-0000-1000-8000-00805f9a34fb
    name     contains "WT"

    data frame      55 61 + 9 × int16 LE: acc x y z, gyro x y z, angle x y z   (20 bytes)
    register reply  55 71 <reg LE u16> + 8 × int16 LE: registers reg, reg+1, …  (20 bytes)
    no checksum

    acc = v / 32768 · 16 g      gyro = v / 32768 · 2000 °/s      angle = v / 32768 · 180 °

    commands        FF AA <reg> <value lo> <value hi>
    read register   FF AA 27 <reg> 00
    unlock          FF AA 69 88 B5          (key 0xB588)
    save            FF AA 00 00 00
    output rate     register 0x03: 0x01 0.2 Hz … 0x06 10 Hz (default) … 0x08 50 … 0x09 100 … 0x0B 200

The stream is reassembled across notifications: a frame may be split or several may arrive at
once. Frames have no checksum, so the decoder accepts a header only where the bytes after the
frame (if any have arrived) start another header; otherwise it skips a byte and counts it.
The §19.6 conflict (a third party saw 16-byte ``55 61`` notifications) is the ``frame_bytes=16``
option: it decodes the first seven words and leaves pitch and yaw NaN; 20 bytes, the vendor's
layout, is the default. The device has no clock; samples are stamped with host arrival time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import (
    IMU6_CHANNELS,
    DeviceKind,
    DeviceMessage,
    HostTimedDecoder,
    imu_spec,
)
from isoforce.devices.ble_profile import BleProfile, GattWrite, Query, RateSetting
from isoforce.devices.witmotion_uart import (
    ACC_RANGE_G,
    ANGLE_RANGE_DEG,
    GYRO_RANGE_DPS,
    INT16_FULL_SCALE,
)

SERVICE_UUID = "0000ffe5-0000-1000-8000-00805f9a34fb"
NOTIFY_UUID = "0000ffe4-0000-1000-8000-00805f9a34fb"
WRITE_UUID = "0000ffe9-0000-1000-8000-00805f9a34fb"
NAME_MARKER = "WT"

HEADER = 0x55
TYPE_DATA = 0x61
TYPE_REGISTER = 0x71
FRAME_BYTES = 20
SHORT_FRAME_BYTES = 16  # §19.6: the third-party reading
WORDS_OFFSET = 2
REGISTER_VALUES_OFFSET = 4
REGISTER_VALUES = 8

COMMAND_PREFIX = b"\xff\xaa"
REG_SAVE = 0x00
REG_RRATE = 0x03
REG_BANDWIDTH = 0x1F
REG_READ = 0x27
REG_VERSION = 0x2E
REG_TEMPERATURE = 0x40
REG_BATTERY = 0x64
REG_UNLOCK = 0x69
UNLOCK_KEY = 0xB588
SAVE_VALUE = 0x0000
#: Settle time the SDK leaves between unlock, write and save.
COMMAND_GAP_S = 0.1
BATTERY_V_PER_STEP = 0.01
TEMPERATURE_C_PER_STEP = 0.01

#: Output rate codes of register 0x03 (RRATE), by rate in Hz.
RATE_CODES: dict[float, int] = {
    0.2: 0x01,
    0.5: 0x02,
    1.0: 0x03,
    2.0: 0x04,
    5.0: 0x05,
    10.0: 0x06,
    20.0: 0x07,
    50.0: 0x08,
    100.0: 0x09,
    125.0: 0x0A,
    200.0: 0x0B,
}
DEFAULT_RATE_HZ = 10.0
#: The rate isoforce asks for on connect: enough for angles and stillness, light on the radio.
SESSION_RATE_HZ = 50.0

CHANNELS = (*IMU6_CHANNELS, "roll_deg", "pitch_deg", "yaw_deg")
SCALES = (
    np.array([ACC_RANGE_G] * 3 + [GYRO_RANGE_DPS] * 3 + [ANGLE_RANGE_DEG] * 3) / INT16_FULL_SCALE
)


SPEC = imu_spec(
    "witmotion-ble",
    "WitMotion Bluetooth 5.0 IMU (BWT901BLE5.0, WT901BLECL, WT901BLE68)",
    DeviceKind.BLE,
    nominal_rate_hz=SESSION_RATE_HZ,
    notes="Acceleration, angular rate and angles; isoforce sets 50 Hz output when it connects.",
)


def write_register(reg: int, value: int) -> bytes:
    """``FF AA <reg> <lo> <hi>``: write a 16-bit register (unlock first)."""
    return COMMAND_PREFIX + bytes((reg,)) + (value & 0xFFFF).to_bytes(2, "little")


def read_register(reg: int) -> bytes:
    """``FF AA 27 <reg> 00``: ask for registers ``reg`` … ``reg+7`` (answered by a 55 71 frame)."""
    return write_register(REG_READ, reg)


def unlock() -> bytes:
    """``FF AA 69 88 B5``: allow register writes."""
    return write_register(REG_UNLOCK, UNLOCK_KEY)


def save() -> bytes:
    """``FF AA 00 00 00``: keep the written registers across power cycles."""
    return write_register(REG_SAVE, SAVE_VALUE)


def rate_code(rate_hz: float) -> int:
    """The RRATE code for a rate; ``ValueError`` lists the rates the device offers."""
    for hz, code in RATE_CODES.items():
        if abs(hz - rate_hz) < 1e-9:
            return code
    offered = ", ".join(f"{hz:g}" for hz in RATE_CODES)
    raise ValueError(f"WitMotion output rates are {offered} Hz, not {rate_hz:g}")


def rate_hz(code: int) -> float | None:
    """The rate an RRATE code stands for (None for 'once', 'off' or unknown codes)."""
    for hz, c in RATE_CODES.items():
        if c == code:
            return hz
    return None


def set_rate_commands(rate: float, *, keep: bool = True) -> tuple[bytes, ...]:
    """Unlock, write RRATE and (``keep``) save: send with ``COMMAND_GAP_S`` between them."""
    writes = (unlock(), write_register(REG_RRATE, rate_code(rate)))
    return (*writes, save()) if keep else writes


@dataclass(frozen=True, slots=True)
class RegisterReply:
    """A register read reply: the first register and the values of it and the ones after it."""

    first: int
    values: tuple[int, ...]

    def value(self, reg: int) -> int | None:
        """The value of register ``reg`` if the reply holds it."""
        i = reg - self.first
        return self.values[i] if 0 <= i < len(self.values) else None


def parse_register_reply(frame: bytes) -> RegisterReply | None:
    """A ``55 71`` frame as a :class:`RegisterReply` (None if ``frame`` does not start with one)."""
    if len(frame) < FRAME_BYTES or frame[0] != HEADER or frame[1] != TYPE_REGISTER:
        return None
    first = int.from_bytes(frame[2:4], "little")
    words = np.frombuffer(frame, dtype="<i2", count=REGISTER_VALUES, offset=REGISTER_VALUES_OFFSET)
    return RegisterReply(first, tuple(int(v) for v in words))


def find_register_reply(notification: bytes, reg: int) -> RegisterReply | None:
    """The reply for register ``reg`` inside a notification, if there is one."""
    at = notification.find(bytes((HEADER, TYPE_REGISTER)))
    while at >= 0:
        reply = parse_register_reply(notification[at : at + FRAME_BYTES])
        if reply is not None and reply.first == reg:
            return reply
        at = notification.find(bytes((HEADER, TYPE_REGISTER)), at + 1)
    return None


def describe_register(reply: RegisterReply) -> str:
    """Readable text for the registers isoforce knows (battery, temperature, rate, version)."""
    v = reply.values[0]
    if reply.first == REG_BATTERY:
        return f"battery {v * BATTERY_V_PER_STEP:.2f} V"
    if reply.first == REG_TEMPERATURE:
        return f"temperature {v * TEMPERATURE_C_PER_STEP:.2f} °C"
    if reply.first == REG_RRATE:
        hz = rate_hz(v)
        return f"output rate {hz:g} Hz" if hz is not None else f"output rate code {v:#04x}"
    if reply.first == REG_VERSION:
        return f"version {v & 0xFFFF:#06x} {reply.values[1] & 0xFFFF:#06x}"
    return f"register {reply.first:#04x} = " + " ".join(str(x) for x in reply.values)


def _register_query(reg: int) -> Query:
    def answers(data: bytes) -> bool:
        return find_register_reply(data, reg) is not None

    def parse(data: bytes) -> str | None:
        reply = find_register_reply(data, reg)
        return describe_register(reply) if reply is not None else None

    ask = GattWrite(WRITE_UUID, read_register(reg), response=False)
    key = {REG_BATTERY: "battery", REG_VERSION: "firmware"}
    return Query(key.get(reg, f"register {reg:#04x}"), parse, ask=ask, answers=answers)


def _current_rate_hz(data: bytes) -> float | None:
    reply = find_register_reply(data, REG_RRATE)
    return rate_hz(reply.values[0]) if reply is not None else None


def _rate_writes(rate: float) -> tuple[GattWrite, ...]:
    return tuple(
        GattWrite(WRITE_UUID, data, response=False, pause_s=COMMAND_GAP_S)
        for data in set_rate_commands(rate)
    )


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: WitMotionBleDecoder(),  # defined below
    notify_uuid=NOTIFY_UUID,
    write_uuid=WRITE_UUID,
    write_response=False,
    queries=(_register_query(REG_BATTERY), _register_query(REG_VERSION)),
    rate=RateSetting(
        read=_register_query(REG_RRATE),
        current_hz=_current_rate_hz,
        commands=_rate_writes,
    ),
    name_prefixes=(NAME_MARKER,),
    service_uuids=(SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # A data frame in the vendor's 20-byte layout: acc 1, -1, 8 g; gyro 61.04, -61.04, 0 °/s;
    # angles 90, -45, 179.99 ° (the scale case of tests/devices/test_witmotion_ble.py)
    bytes.fromhex("5561 0008 00F8 0040 E803 18FC 0000 0040 00E0 FF7F"),
)


class WitMotionBleDecoder(HostTimedDecoder):
    """Streaming decoder for WitMotion BLE frames; never raises, counts what it drops.

    Register replies become ``DeviceMessage(kind="register")`` and are kept in ``registers``.
    """

    NOMINAL_RATE_HZ = 50.0

    def __init__(self, *, frame_bytes: int = FRAME_BYTES, nominal_rate_hz: float = 50.0) -> None:
        if frame_bytes not in (FRAME_BYTES, SHORT_FRAME_BYTES):
            raise ValueError(f"frame_bytes must be {FRAME_BYTES} or {SHORT_FRAME_BYTES}")
        super().__init__(nominal_rate_hz=nominal_rate_hz)
        self.frame_bytes = frame_bytes
        self.registers: dict[int, RegisterReply] = {}

    def _size(self, frame_type: int) -> int:
        return FRAME_BYTES if frame_type == TYPE_REGISTER else self.frame_bytes

    def _header_at(self, pos: int) -> bool:
        buf = self._buf
        return buf[pos] == HEADER and buf[pos + 1] in (TYPE_DATA, TYPE_REGISTER)

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a notification; return the samples and register replies it completed."""
        self._buf += data
        buf = self._buf
        rows: list[bytes] = []
        out: list[SampleBlock | DeviceMessage] = []
        pos = 0
        while len(buf) - pos >= 2:
            if not self._header_at(pos):
                self._drop(1)
                pos += 1
                continue
            size = self._size(buf[pos + 1])
            end = pos + size
            if len(buf) < end:
                break
            if len(buf) >= end + 2 and not self._header_at(end):
                self._drop(1)  # no checksum: a header must be followed by a header
                pos += 1
                continue
            frame = bytes(buf[pos:end])
            self.stats.frames_ok += 1
            self._in_sync = True
            if frame[1] == TYPE_DATA:
                rows.append(frame)
            else:
                reply = parse_register_reply(frame)
                if reply is not None:
                    self.registers[reply.first] = reply
                    out.append(DeviceMessage(t_host_s, "register", describe_register(reply)))
            pos = end
        if len(buf) - pos == 1 and buf[pos] != HEADER:
            self._drop(1)
            pos += 1
        del buf[:pos]
        if rows:
            out.insert(0, self._samples(t_host_s, rows))
        return out

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: deliver any whole frame behind the partial one held; drop the rest."""
        out: list[SampleBlock | DeviceMessage] = []
        while self._buf:
            self._drop(1)
            del self._buf[:1]
            out += self.feed(t_host_s, b"")
        return out

    def _samples(self, t_host_s: float, rows: list[bytes]) -> SampleBlock:
        n_words = (self.frame_bytes - WORDS_OFFSET) // 2
        raw = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), self.frame_bytes)
        words = np.ascontiguousarray(raw[:, WORDS_OFFSET:]).view("<i2").reshape(len(rows), n_words)
        values = np.full((len(rows), len(CHANNELS)), np.nan)
        values[:, :n_words] = words * SCALES[:n_words]
        t_s, t_host = self._timeline.stamp(t_host_s=t_host_s, count=len(rows))
        return SampleBlock(t_s=t_s, t_host_s=t_host, values=values, channels=CHANNELS)
