"""A Vernier Go Direct force sensor (GDX-FOR; device-protocols.md §11, godirect-py).

Advertises ``GDX-FOR 071000U9``. Commands arrive on ``f4bf14a6`` in ≤ 20-byte pieces and are
reassembled by their length byte; each is answered with ``58 06 <counter> <checksum> <command
id> 00`` (the emulator's own answer: the sources do not show one, and isoforce reads none).
0x1B sets the period, 0x18 starts the sensors of its mask, 0x19 stops. Measurements go out on
``b41e6675`` as NORMAL_REAL32 packets (``20 <len> <counter> <checksum> 06 <mask u16> <count>
00 <float32 LE …>``) holding ``per_packet`` rounds, cut into 20-byte notifications.
"""

from __future__ import annotations

import struct

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

SERVICE = "d91714ef-28b9-4f91-ba16-f0d9a604f112"
COMMAND = "f4bf14a6-c7d5-4b6d-8aa8-df1a7c83adcb"
RESPONSE = "b41e6675-a329-40e0-aa01-44d2f444babe"
PIECE = 20
FORCE_SENSOR = 1


def with_checksum(packet: bytearray) -> bytes:
    """Fill byte 3 with the sum of the other bytes (mod 256)."""
    packet[3] = 0
    packet[3] = sum(packet) % 256
    return bytes(packet)


class VernierGdxEmu(Emulator):
    """A GDX-FOR: ``profile(t)`` is the force in newtons (pull positive)."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:07:01",
        name: str = "GDX-FOR 071000U9",
        *,
        speed: float = 1.0,
        per_packet: int = 3,
        profile: Profile | None = None,
    ) -> None:
        self.command = Characteristic(
            COMMAND, ("write", "write-without-response"), on_write=self._piece
        )
        self.response = Characteristic(RESPONSE, ("notify",))
        periph = Peripheral(address, name, [Service(SERVICE, [self.command, self.response])])
        super().__init__(periph, rate_hz=10.0, speed=speed)
        self.per_notification = per_packet
        self.profile = profile or hold_profile(40.0)
        self.mask = 0
        self.counter = 0
        self.commands: list[int] = []
        self.starts = 0
        self._pending = b""

    def _piece(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        self._pending += data
        while len(self._pending) >= 2 and len(self._pending) >= self._pending[1]:
            size = max(self._pending[1], 1)
            packet, self._pending = self._pending[:size], self._pending[size:]
            if len(packet) >= 5 and packet[0] == 0x58:
                self._command(packet)

    def _command(self, packet: bytes) -> None:
        cmd = packet[4]
        self.commands.append(cmd)
        self.send(with_checksum(bytearray((0x58, 6, packet[2], 0, cmd, 0))))
        if cmd == 0x1B:
            period_us = int.from_bytes(packet[7:11], "little")
            self.rate_hz = 1e6 / period_us
        elif cmd == 0x18:
            self.mask = int.from_bytes(packet[7:11], "little")
            self.starts += 1
            self.stop_stream()
            self.start_stream()
        elif cmd == 0x19:
            self.stop_stream()

    def send(self, data: bytes) -> bool:
        """Notify ``data`` in 20-byte pieces (the ATT payload at the default MTU)."""
        sent = [
            self.periph.notify(RESPONSE, data[i : i + PIECE]) for i in range(0, len(data), PIECE)
        ]
        return all(sent)

    def force_n(self, k: int) -> float:
        """Sample ``k`` as the float32 the sensor sends."""
        value: float = struct.unpack("<f", struct.pack("<f", self.profile(k / self.rate_hz)))[0]
        return value

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One NORMAL_REAL32 packet with a float per enabled sensor per round."""
        sensors = [s for s in range(32) if self.mask >> s & 1]
        values = [self.force_n(k) for k in ks]
        floats = b"".join(
            struct.pack("<f", v if s == FORCE_SENSOR else 0.25) for v in values for s in sensors
        )
        self.counter = (self.counter + 1) % 256
        head = bytearray((0x20, 9 + len(floats), self.counter, 0, 0x06))
        head += struct.pack("<Hb", self.mask & 0xFFFF, len(ks)) + b"\x00" + floats
        return with_checksum(head), [(v,) for v in values]
