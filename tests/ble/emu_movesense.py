"""A Movesense sensor running the GATT SensorData (GSP) firmware module.

Advertises ``Movesense 204730000081`` (the GSP service is not advertised, as on the sensors);
takes GSP commands on ``34800001`` (0 HELLO, 1 SUBSCRIBE ``<ref><path>``, 2 UNSUBSCRIBE
``<ref>``) and answers ``01 <ref> <status u16 BE>``; a subscription to ``/Meas/IMU6/<rate>``
streams ``02 <ref> <u32 LE ms> <N acc xyz float32 m/s²> <N gyro xyz float32 °/s>``, split into
a data packet and a ``03 <ref> …`` PART2 when longer than the ATT payload (MTU − 3). The
sensor's millisecond clock runs from ``boot_ms``. Built here with ``struct``.
"""

from __future__ import annotations

import math
import struct

from tests.ble.ble_emulators import Emulator, Profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

SERVICE = "34802252-7185-4d5d-b431-630e7050e8f0"
COMMAND = "34800001-7185-4d5d-b431-630e7050e8f0"
DATA = "34800002-7185-4d5d-b431-630e7050e8f0"
RATES = (13, 26, 52, 104, 208, 416, 833, 1666)
G = 9.80665


class MovesenseEmu(Emulator):
    """IMU6 at the subscribed rate, ``per_notification`` samples per record."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:08:01",
        name: str = "Movesense 204730000081",
        *,
        speed: float = 1.0,
        per_notification: int = 8,
        mtu: int = 161,
        boot_ms: int = 123_456,
        tilt: Profile | None = None,
    ) -> None:
        self.command = Characteristic(COMMAND, ("write",), on_write=self._command)
        self.data = Characteristic(DATA, ("notify",))
        periph = Peripheral(
            address, name, [Service(SERVICE, [self.command, self.data])],
            advertised_uuids=[], mtu=mtu,
        )  # fmt: skip
        super().__init__(periph, rate_hz=104.0, speed=speed)
        self.per_notification = per_notification
        self.boot_ms = boot_ms
        self.tilt = tilt or (lambda t: 25.0 * math.sin(t))
        self.reference: int | None = None
        self.paths: list[str] = []
        self.subscribes = 0
        self.parts = 0

    def _command(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        if len(data) < 2:
            return
        op, ref = data[0], data[1]
        if op == 0:
            self.send(bytes((1, ref)) + b"Hello")
        elif op == 1:
            path = data[2:].decode("ascii", "replace")
            self.paths.append(path)
            rate = int(path.rsplit("/", 1)[-1]) if path.startswith("/Meas/IMU6/") else 0
            if rate not in RATES:
                self.send(bytes((1, ref)) + (404).to_bytes(2, "big"))
                return
            self.rate_hz = float(rate)
            self.reference = ref
            self.subscribes += 1
            self.send(bytes((1, ref)) + (200).to_bytes(2, "big"))
            self.stop_stream()
            self.start_stream()
        elif op == 2 and ref == self.reference:
            self.stop_stream()
            self.reference = None

    def send(self, data: bytes) -> bool:
        """Notify; a data record longer than the ATT payload goes as data + PART2."""
        room = self.periph.mtu - 3
        if len(data) <= room or data[0] != 2:
            return self.periph.notify(DATA, data)
        self.parts += 1
        first = self.periph.notify(DATA, data[:room])
        return self.periph.notify(DATA, bytes((3, data[1])) + data[room:]) and first

    def sample(self, k: int) -> tuple[float, ...]:
        """Acceleration (m/s²) and angular rate (°/s) of sample ``k``, as float32 values."""
        angle = math.radians(self.tilt(k / self.rate_hz))
        values = (0.0, G * math.sin(angle), G * math.cos(angle), 3.0, -1.5, 0.25)
        return struct.unpack("<6f", struct.pack("<6f", *values))

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One IMU6 record: the first sample's time, every acceleration, every angular rate."""
        samples = [self.sample(k) for k in ks]
        ts_ms = (self.boot_ms + round(ks[0] * 1000 / self.rate_hz)) % 2**32
        body = struct.pack("<I", ts_ms)
        body += b"".join(struct.pack("<3f", *s[:3]) for s in samples)
        body += b"".join(struct.pack("<3f", *s[3:]) for s in samples)
        return bytes((2, self.reference or 0)) + body, samples
