"""Movesense sensors over the GATT SensorData Protocol (GSP): IMU6 (acceleration + angular rate).

Spec (Movesense "GATT SensorData Protocol specification" (GD-77, v1.0) at
movesense.com/docs/esw/gatt_sensordata_protocol, and the ``gatt_sensordata_app`` sample in
Movesense's ``movesense-device-lib``: ``GATTSensorDataClient.cpp`` and its Python client)::

    discover   name starts "Movesense" (e.g. "Movesense 204730000081"); or the GSP service
    service    34802252-7185-4d5d-b431-630e7050e8f0
      command  34800001-7185-4d5d-b431-630e7050e8f0   write
      data     34800002-7185-4d5d-b431-630e7050e8f0   notify

    command    <op u8> <reference u8, not 0> <op data>
               0 HELLO · 1 SUBSCRIBE (data: resource path, ASCII) · 2 UNSUBSCRIBE (no data)
    response   1 <reference> <2-byte HTTP-style status>       (answer to a command)
    data       2 <reference> <resource data, SBEM layout>     (one per notification)
    data part2 3 <reference> <rest of the data>               (a long record split in two)

    /Meas/IMU6/<rate Hz>   rates 13, 26, 52, 104, 208, 416, 833, 1666
    IMU6 data  <timestamp u32 LE, ms> <N × acc x y z float32 LE, m/s²> <N × gyro x y z, °/s>

EXPERIMENTAL: the GSP UUIDs, commands and packet types are Movesense's own; the IMU6 record
layout (timestamp, then every acceleration vector, then every angular-rate vector) and the
PART2 continuation come from third-party clients of the sample, not from a Movesense document,
and the GSP service exists only on a sensor running firmware that includes the
``gatt_sensordata_app`` module (the factory firmware speaks Movesense's own MDS protocol).

N, the samples per notification, follows from the notification's size: ``(size − 6) / 24``.
A data packet whose body is not a whole number of samples waits for its PART2; a PART2 with
nothing waiting, or a first part not followed by its PART2, is dropped and counted. Samples are
timed by the sensor's millisecond clock: the record's timestamp is its first sample, the others
follow at the subscribed rate. Acceleration is converted to g for the IMU chain.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.device_time import CounterSpec, RestartingCounter
from isoforce.core.host_time import MIN_STEP_S
from isoforce.core.samples import SampleBlock
from isoforce.devices.base import (
    IMU6_CHANNELS,
    CountingDecoder,
    DeviceKind,
    DeviceMessage,
    imu_spec,
    plausible_rows,
)
from isoforce.devices.ble_profile import BleProfile, GattWrite
from isoforce.units import STANDARD_GRAVITY_M_S2

NAME_PREFIX = "Movesense"
SERVICE_UUID = "34802252-7185-4d5d-b431-630e7050e8f0"
COMMAND_UUID = "34800001-7185-4d5d-b431-630e7050e8f0"
DATA_UUID = "34800002-7185-4d5d-b431-630e7050e8f0"

OP_HELLO = 0
OP_SUBSCRIBE = 1
OP_UNSUBSCRIBE = 2
RESPONSE = 1
DATA = 2
DATA_PART2 = 3
#: The client's reference for isoforce's one subscription (any non-zero byte will do).
REFERENCE = 0x63
RATES_HZ = (13, 26, 52, 104, 208, 416, 833, 1666)
SESSION_RATE_HZ = 208
HEADER_BYTES = 2
TIMESTAMP_BYTES = 4
SAMPLE_BYTES = 24  # 3 float32 acceleration + 3 float32 angular rate
TIME_COUNTER = CounterSpec(bits=32, tick_s=1e-3)
#: The sensor's ranges end at 16 g and 2000 °/s; beyond twice that a float32 is garbage.
MAX_ABS_G = 32.0
MAX_ABS_DPS = 4000.0
CHANNELS = IMU6_CHANNELS
_PER_UNIT = np.array([STANDARD_GRAVITY_M_S2] * 3 + [1.0] * 3)  # m/s² per g; °/s as sent
_BOUNDS = np.array([MAX_ABS_G] * 3 + [MAX_ABS_DPS] * 3)

SPEC = imu_spec(
    "movesense",
    "Movesense IMU (GATT SensorData firmware) over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=float(SESSION_RATE_HZ),
    notes=(
        "Acceleration and angular rate at 208 Hz (the sensor offers 13–1666 Hz), timed by the "
        "sensor's clock. Needs firmware with the gatt_sensordata_app module. Source: Movesense "
        "GATT SensorData Protocol specification and movesense-device-lib sample."
    ),
    experimental=(
        "the IMU6 sample layout is taken from third-party clients, not from a Movesense "
        "document, and has not been checked against a sensor"
    ),
)


def subscribe(path: str, reference: int = REFERENCE) -> bytes:
    """``01 <reference> <path>``: subscribe to a resource such as ``/Meas/IMU6/208``."""
    return bytes((OP_SUBSCRIBE, reference)) + path.encode("ascii")


def unsubscribe(reference: int = REFERENCE) -> bytes:
    """``02 <reference>``: end the subscription made with this reference."""
    return bytes((OP_UNSUBSCRIBE, reference))


def imu6_path(rate_hz: int) -> str:
    """The IMU6 resource at one of the sensor's rates; ``ValueError`` lists them."""
    if rate_hz not in RATES_HZ:
        offered = ", ".join(str(r) for r in RATES_HZ)
        raise ValueError(f"Movesense IMU rates are {offered} Hz, not {rate_hz:g}")
    return f"/Meas/IMU6/{rate_hz}"


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: MovesenseDecoder(),  # defined below
    notify_uuid=DATA_UUID,
    write_uuid=COMMAND_UUID,
    # a reconnect subscribes again: drop any subscription left from before the link was lost
    start=(
        GattWrite(COMMAND_UUID, unsubscribe()),
        GattWrite(COMMAND_UUID, subscribe(imu6_path(SESSION_RATE_HZ))),
    ),
    stop=(GattWrite(COMMAND_UUID, unsubscribe()),),
    name_prefixes=(NAME_PREFIX,),
    service_uuids=(SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # The layout above with N = 1: data, reference 0x63, timestamp 1000 ms, acceleration
    # (0, 0, 9.80665) m/s² = 1 g on z, angular rate (10, -20, 0.5) °/s (tests/devices/test_movesense.py)
    bytes.fromhex("02 63 E8030000 00000000 00000000 0AE81C41 00002041 0000A0C1 0000003F"),
)


class MovesenseDecoder(CountingDecoder):
    """Decodes GSP data notifications of an IMU6 subscription; never raises.

    Command responses become ``DeviceMessage(kind="response")``; ``stats.other`` counts
    ``other_references`` (data for another subscription), ``orphan_parts`` and ``restarts``.
    """

    COUNTERS = ("other_references", "orphan_parts", "restarts")

    def __init__(self, *, rate_hz: float = SESSION_RATE_HZ, reference: int = REFERENCE) -> None:
        super().__init__()
        self.rate_hz = rate_hz
        self.reference = reference
        self._clock = RestartingCounter(TIME_COUNTER, tolerance_s=1.0)
        self._held: bytes | None = None
        self._last_t_s = -np.inf

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one notification."""
        if len(data) < HEADER_BYTES:
            return self._refuse(len(data))
        kind, reference, body = data[0], data[1], data[HEADER_BYTES:]
        if kind == RESPONSE:
            self._release()
            self.stats.frames_ok += 1
            return [DeviceMessage(t_host_s, "response", _describe_response(reference, body))]
        if kind not in (DATA, DATA_PART2):
            self._release()
            return self._refuse(len(data))
        if reference != self.reference:
            self._release()
            self.stats.other["other_references"] += 1
            return []
        if kind == DATA_PART2:
            if self._held is None:
                self.stats.other["orphan_parts"] += 1
                return self._refuse(len(data))
            body, self._held = self._held + body, None
        else:
            self._release()
            if (len(body) - TIMESTAMP_BYTES) % SAMPLE_BYTES:
                self._held = body  # wait for its PART2
                return []
        return self._record(t_host_s, body)

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: a first part whose PART2 never came is dropped and counted."""
        self._release()
        return []

    def _record(self, t_host_s: float, body: bytes) -> list[SampleBlock | DeviceMessage]:
        n = (len(body) - TIMESTAMP_BYTES) // SAMPLE_BYTES
        if n <= 0 or (len(body) - TIMESTAMP_BYTES) % SAMPLE_BYTES:
            self.stats.bad_lengths += 1
            return self._refuse(len(body))
        self.stats.frames_ok += 1
        before = self._clock.restarts
        ts_ms = int.from_bytes(body[:TIMESTAMP_BYTES], "little")
        t0 = float(self._clock.stamp([ts_ms], t_host_s=t_host_s)[0])
        self.stats.other["restarts"] += self._clock.restarts - before
        raw = np.frombuffer(body, dtype="<f4", count=6 * n, offset=TIMESTAMP_BYTES)
        with np.errstate(invalid="ignore"):  # a signalling NaN is refused just below
            # acc x y z × n, then gyro x y z × n  →  one row per sample: acc, gyro
            values = raw.reshape(2, n, 3).transpose(1, 0, 2).reshape(n, 6) / _PER_UNIT
            inside = np.abs(values) <= _BOUNDS
        t_s = t0 + np.arange(n) / self.rate_hz
        if t_s[0] <= self._last_t_s:  # a millisecond stamp may land early at high rates
            t_s = np.maximum(t_s, self._last_t_s + (np.arange(n) + 1) * MIN_STEP_S)
        if not inside.all():
            ok = plausible_rows(self.stats, values / _BOUNDS, max_abs=1.0)
            if not ok.any():
                return []
            values, t_s = values[ok], t_s[ok]
        self._last_t_s = float(t_s[-1])
        host = np.full(len(t_s), t_host_s)
        return [SampleBlock(t_s=t_s, t_host_s=host, values=values, channels=CHANNELS)]

    def _release(self) -> None:
        if self._held is not None:
            self.stats.other["orphan_parts"] += 1
            self._refuse(len(self._held))
            self._held = None


def _describe_response(reference: int, body: bytes) -> str:
    """A command answer in words: ``reference 99: status 200`` or its text (HELLO)."""
    if len(body) == 2:
        return f"reference {reference}: status {int.from_bytes(body, 'big')}"
    return f"reference {reference}: " + body.decode("ascii", "replace")
