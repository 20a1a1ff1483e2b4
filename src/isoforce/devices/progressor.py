"""Tindeq Progressor and its open clones (Crimpdeq, Hangman): the data-point notifications.

Spec (device-protocols.md §1; Tindeq's published API and example client, hangtime-grip-connect,
the Crimpdeq and Hangman firmwares)::

    discover     name starts with "Progressor", or service 7e4e1701-… advertised (clones)
    data point   7e4e1702-1ea6-40c9-9dcc-13d34ffead57  notify
    control      7e4e1703-1ea6-40c9-9dcc-13d34ffead57  write (one opcode byte, with response)

    notification = [response code u8][length u8][value: length bytes][clone padding]
    code 0  command response (battery: uint32 LE mV; app version: UTF-8 text)
    code 1  weight: repeated 8-byte records [float32 LE kg][uint32 LE µs since start]
    code 4  low-power warning (length 0); the device switches itself off after it

Rules this decoder enforces: the **length byte is trusted**, not the notification size (clone
firmware sent 14-byte notifications with length 8 and 4 zero pad bytes); every whole 8-byte
record of a weight notification is a sample (clones send one, genuine units may send more);
timestamps are uint32 µs that wrap every 71.6 min and restart at zero on every start command
(after a reconnect), see :class:`~isoforce.core.device_time.RestartingCounter`; NaN or infinite
weights and weights beyond ``MAX_ABS_KG`` (garbage read as float32) are skipped and counted
(``stats.non_finite``, ``stats.out_of_range``). One ``feed`` call is one notification, as the
BLE transport delivers them. Weights are kilograms-force and become newtons with standard
gravity.
"""

from __future__ import annotations

import struct

import numpy as np

from isoforce.core.device_time import CounterSpec, RestartingCounter
from isoforce.core.samples import SampleBlock
from isoforce.devices.base import (
    CountingDecoder,
    DeviceKind,
    DeviceMessage,
    force_block,
    force_spec,
    plausible_rows,
)
from isoforce.devices.ble_profile import BleProfile, GattWrite, Query, battery_volts_query
from isoforce.units import N_PER_KGF

NAME_PREFIX = "Progressor"
SERVICE_UUID = "7e4e1701-1ea6-40c9-9dcc-13d34ffead57"
DATA_UUID = "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"
CONTROL_UUID = "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"

# -- control-point opcodes (written as one byte) ----------------------------------------------
CMD_TARE = 0x64
CMD_START_WEIGHT = 0x65
CMD_STOP_WEIGHT = 0x66
#: Conflict (§19.1): genuine units take no payload, clones a float32 LE known weight in kg.
CMD_ADD_CALIBRATION_POINT = 0x69
CMD_SAVE_CALIBRATION = 0x6A
CMD_GET_APP_VERSION = 0x6B
CMD_GET_ERROR_INFO = 0x6C
CMD_SLEEP = 0x6E
CMD_GET_BATTERY_VOLTAGE = 0x6F

# -- response codes (first byte of a data-point notification) ---------------------------------
RES_COMMAND = 0
RES_WEIGHT = 1
RES_RFD_PEAK = 2
RES_RFD_SERIES = 3
RES_LOW_POWER = 4

HEADER_BYTES = 2  # code, length
RECORD_BYTES = 8  # float32 kg + uint32 µs
BATTERY_VALUE_BYTES = 4  # uint32 LE millivolts
TIME_COUNTER = CounterSpec(bits=32, tick_s=1e-6)
#: No Progressor or clone measures more than 300 kg; beyond this a float32 weight is garbage.
MAX_ABS_KG = 1000.0
NOMINAL_RATE_HZ = 80.0  # Crimpdeq: "Sample rate is 80Hz"; Tindeq exports: ≈ 82 Hz effective
_RECORD = np.dtype([("kg", "<f4"), ("t_us", "<u4")])
_RECORD_STRUCT = struct.Struct("<fI")
_FEW_RECORDS = 4


SPEC = force_spec(
    "progressor",
    "Tindeq Progressor or open clone (Crimpdeq, Hangman) over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "Tension gauge with its own calibration (kg → N). Measures the direction its strap "
        "is rigged for. Tare, battery and firmware version over Bluetooth."
    ),
)


def command(opcode: int) -> bytes:
    """The bytes to write to the control point for a payload-less command."""
    return bytes((opcode,))


def add_calibration_point(known_kg: float | None) -> bytes:
    """Opcode 0x69 in either reading of §19.1: no payload (genuine) or float32 kg (clones).

    isoforce never sends it on its own (it writes the device's flash); it is here for tools.
    """
    if known_kg is None:
        return command(CMD_ADD_CALIBRATION_POINT)
    return command(CMD_ADD_CALIBRATION_POINT) + struct.pack("<f", known_kg)


def split(notification: bytes) -> tuple[int, int, bytes, bytes] | None:
    """``(code, declared length, value, trailing bytes)`` or None when shorter than a header.

    ``value`` is cut to what arrived when the notification is shorter than declared.
    """
    if len(notification) < HEADER_BYTES:
        return None
    code, length = notification[0], notification[1]
    end = HEADER_BYTES + length
    return code, length, notification[HEADER_BYTES:end], notification[end:]


def parse_battery_mv(notification: bytes) -> int | None:
    """Battery voltage in mV from a ``CMD_GET_BATTERY_VOLTAGE`` response, None if it is not one."""
    parts = split(notification)
    if parts is None or parts[0] != RES_COMMAND or len(parts[2]) != BATTERY_VALUE_BYTES:
        return None
    return int.from_bytes(parts[2], "little")


def parse_text(notification: bytes) -> str | None:
    """The UTF-8 text of a command response (app version, error log), None if it is not one."""
    parts = split(notification)
    if parts is None or parts[0] != RES_COMMAND:
        return None
    return parts[2].decode("utf-8", "replace").rstrip("\x00")


def is_command_response(notification: bytes) -> bool:
    """Whether a notification answers a command (code 0)."""
    return len(notification) >= HEADER_BYTES and notification[0] == RES_COMMAND


def _write(opcode: int) -> GattWrite:
    return GattWrite(CONTROL_UUID, command(opcode))


def parse_battery_v(notification: bytes) -> float | None:
    """Battery voltage in V from a ``CMD_GET_BATTERY_VOLTAGE`` response, None if it is not one."""
    mv = parse_battery_mv(notification)
    return mv / 1000 if mv is not None else None


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: ProgressorDecoder(),  # defined below
    notify_uuid=DATA_UUID,
    write_uuid=CONTROL_UUID,
    start=(_write(CMD_START_WEIGHT),),
    stop=(_write(CMD_STOP_WEIGHT),),
    tare=(_write(CMD_TARE),),
    queries=(
        battery_volts_query(parse_battery_v, _write(CMD_GET_BATTERY_VOLTAGE), is_command_response),
        Query(
            "firmware",
            parse_text,
            ask=_write(CMD_GET_APP_VERSION),
            answers=is_command_response,
        ),
    ),
    name_prefixes=(NAME_PREFIX,),
    service_uuids=(SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §1.3, a clone's weight notification: code 1, length 8,
    # -73.628 kg at 29 866 870 µs, then 4 zero pad bytes (tests/devices/test_progressor.py)
    bytes.fromhex("01 08 74 41 93 C2 76 BB C7 01 00 00 00 00"),
)


class ProgressorDecoder(CountingDecoder):
    """Decodes Progressor data-point notifications; never raises, counts what it drops.

    ``stats.other`` counts ``padding_bytes`` (zero bytes after the declared value, as clones
    send), ``truncated`` notifications, ``partial_record_bytes``, ``unknown_codes`` and
    ``restarts`` of the device clock; refused weights are in ``stats.non_finite`` and
    ``stats.out_of_range``.
    """

    COUNTERS = ("padding_bytes", "truncated", "partial_record_bytes", "unknown_codes", "restarts")

    def __init__(self, *, restart_tolerance_s: float = 1.0) -> None:
        super().__init__()
        self._clock = RestartingCounter(TIME_COUNTER, tolerance_s=restart_tolerance_s)

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one notification."""
        parts = split(data)
        if parts is None:
            return self._refuse(len(data))
        code, length, value, trailing = parts
        if len(value) < length:
            self.stats.other["truncated"] += 1
        if trailing:
            if any(trailing):
                self.stats.bytes_dropped += len(trailing)
            else:
                self.stats.other["padding_bytes"] += len(trailing)
        if code == RES_WEIGHT:
            return self._weights(t_host_s, value)
        self.stats.frames_ok += 1
        if code == RES_LOW_POWER:
            text = "battery low: the Progressor is switching itself off; charge it"
            return [DeviceMessage(t_host_s, "warning", text)]
        if code == RES_COMMAND:
            return [DeviceMessage(t_host_s, "response", value.hex(" "))]
        if code in (RES_RFD_PEAK, RES_RFD_SERIES):
            return [DeviceMessage(t_host_s, "rfd", value.hex(" "))]
        self.stats.other["unknown_codes"] += 1
        return []

    def _weights(self, t_host_s: float, value: bytes) -> list[SampleBlock | DeviceMessage]:
        count = len(value) // RECORD_BYTES
        partial = len(value) - count * RECORD_BYTES
        if partial:
            self.stats.other["partial_record_bytes"] += partial
            self.stats.bytes_dropped += partial
        if count == 0:
            return []
        self.stats.frames_ok += 1
        restarts_before = self._clock.restarts
        if count <= _FEW_RECORDS:  # the usual one record per notification: skip numpy's overhead
            pairs = list(_RECORD_STRUCT.iter_unpack(value[: count * RECORD_BYTES]))
            t_s = self._clock.stamp([t for _kg, t in pairs], t_host_s=t_host_s)
            kg = np.array([w for w, _t in pairs], dtype=np.float64)
        else:
            records = np.frombuffer(value, dtype=_RECORD, count=count)
            t_s = self._clock.stamp(records["t_us"], t_host_s=t_host_s)
            kg = records["kg"].astype(np.float64)
        self.stats.other["restarts"] += self._clock.restarts - restarts_before
        ok = plausible_rows(self.stats, kg[:, None], max_abs=MAX_ABS_KG)
        if not ok.all():
            kg, t_s = kg[ok], t_s[ok]
            if kg.size == 0:
                return []
        return [force_block(t_s, t_host_s, kg * N_PER_KGF)]
