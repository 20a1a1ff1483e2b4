"""An Activ5 (device-protocols.md §10) speaking its ASCII protocol.

Advertises service ``0x5000``; takes ``A<command>`` + terminator 0x13 on ``5a02`` (TVGTIME
answered ``\\x12TC5k;2.1.7\\x13``, ISOM! starts, STOP! stops, TARE! zeroes) and streams
``\\x12IS<value>/IS\\x13`` on ``5a01``, one reading per notification. Built here with bytes.
"""

from __future__ import annotations

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

SERVICE = "00005000-0000-1000-8000-00805f9b34fb"
READ = "00005a01-0000-1000-8000-00805f9b34fb"
WRITE = "00005a02-0000-1000-8000-00805f9b34fb"
N_PER_COUNT = 1.08625263633


class Activ5Emu(Emulator):
    """An Activ5 at 10 readings a second; ``profile(t)`` is the squeeze in newtons."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:09:01",
        name: str = "ACTIV5-0A1B",
        *,
        speed: float = 1.0,
        profile: Profile | None = None,
    ) -> None:
        self.read = Characteristic(READ, ("notify", "read"))
        self.write = Characteristic(WRITE, ("write",), on_write=self._command)
        periph = Peripheral(address, name, [Service(SERVICE, [self.read, self.write])])
        super().__init__(periph, rate_hz=10.0, speed=speed)
        self.profile = profile or hold_profile(300.0)
        self.zero = 0
        self.commands: list[str] = []
        self.starts = 0

    def value(self, k: int) -> int:
        """The device's number for sample ``k`` before the tare."""
        return round((self.profile(k / self.rate_hz) + 4.0) / N_PER_COUNT)

    def _command(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        if not data.startswith(b"A") or not data.endswith(b"\x13"):
            return
        text = data[1:-1].decode("ascii", "replace")
        self.commands.append(text)
        if text == "TVGTIME":
            self.send(b"\x12TC5k;2.1.7\x13")
        elif text == "ISOM!":
            self.starts += 1
            self.start_stream()
        elif text == "STOP!":
            self.stop_stream()
        elif text == "TARE!":
            self.zero = self.value(self.k)

    def send(self, data: bytes) -> bool:
        """Notify on ``5a01``."""
        return self.periph.notify(READ, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """``\\x12IS<value>/IS\\x13`` for the one sample."""
        (k,) = ks
        v = self.value(k) - self.zero
        return b"\x12IS%d/IS\x13" % v, [(float(v),)]
