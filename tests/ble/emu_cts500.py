"""A Jlyscales CTS500 gauge (device-protocols.md §7) on its MY-BT102 transparent UART.

Advertises ``CTS500`` with service ``ffe0``; takes ``05 OP P1 P2 P3 SUM`` commands on ``ffe2``
and acknowledges each by echoing it (A6 tare, AA start, AB stop, C4 battery answered with a
typed response ``05 80 C4 00 <volts·100 u16 BE> SUM``); streams weight frames
``05 01 <counts i32 BE, 0.01 kg> SUM`` on ``ffe1``, ``per_notification`` frames merged into one
notification, optionally cut across two (``split``). Frames are built here with ``int.to_bytes``.
"""

from __future__ import annotations

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

SERVICE = "0000ffe0-0000-1000-8000-00805f9b34fb"
NOTIFY = "0000ffe1-0000-1000-8000-00805f9b34fb"
WRITE = "0000ffe2-0000-1000-8000-00805f9b34fb"


def framed(*body: int) -> bytes:
    """The bytes with their checksum (sum mod 256) appended."""
    return bytes(body) + bytes((sum(body) % 256,))


class Cts500Emu(Emulator):
    """A CTS500 streaming at ``rate_hz`` once started; ``profile(t)`` is the load in kg."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:06:01",
        name: str = "CTS500",
        *,
        rate_hz: float = 40.0,
        speed: float = 1.0,
        per_notification: int = 2,
        split: bool = False,
        profile: Profile | None = None,
        battery_v: float = 4.1,
    ) -> None:
        self.data = Characteristic(NOTIFY, ("notify",))
        self.write = Characteristic(WRITE, ("write", "write-without-response"), on_write=self._cmd)
        periph = Peripheral(address, name, [Service(SERVICE, [self.data, self.write])])
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.per_notification = per_notification
        self.split = split
        self.profile = profile or hold_profile(30.0)
        self.battery_v = battery_v
        self.zero = 0
        self.starts = 0
        self.commands: list[int] = []

    def counts(self, k: int) -> int:
        """Hundredths of a kilogram for sample ``k`` before the tare (the hook weighs 0.8 kg)."""
        return round(100 * (self.profile(k / self.rate_hz) + 0.8))

    def _cmd(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        if len(data) != 6 or data[0] != 0x05 or sum(data[:5]) % 256 != data[5]:
            return
        op = data[1]
        self.commands.append(op)
        self.send(data)  # the acknowledgement echoes the command
        if op == 0xAA:
            self.starts += 1
            self.start_stream()
        elif op == 0xAB:
            self.stop_stream()
        elif op == 0xA6:
            self.zero = self.counts(self.k)
        elif op == 0xC4:
            centivolts = round(self.battery_v * 100)
            self.send(framed(0x05, 0x80, 0xC4, 0x00, centivolts >> 8, centivolts & 0xFF))

    def send(self, data: bytes) -> bool:
        """Notify on ``ffe1`` (in two pieces when ``split``)."""
        if self.split and len(data) > 4:
            first = self.periph.notify(NOTIFY, data[:4])
            return self.periph.notify(NOTIFY, data[4:]) and first
        return self.periph.notify(NOTIFY, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One weight frame per sample, merged."""
        values = [self.counts(k) - self.zero for k in ks]
        frames = b"".join(framed(0x05, 0x01, *(v & 0xFFFFFFFF).to_bytes(4, "big")) for v in values)
        return frames, [(float(v),) for v in values]
