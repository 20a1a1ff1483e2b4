"""An emulated Frez Dyno, protocol v1 (device-protocols.md §8), built from the documented bytes.

Advertises ``FrezDyno-0042`` with service ``da8a6c41-…``. Command writes on ``da8a6c43-…``:
``01 00`` start, ``02 00`` stop, ``FF 00`` power off (stops advertising). While started it
notifies exactly 74 bytes on ``da8a6c42-…``: ``01 00`` and nine ``[int32 LE raw ADC]
[uint32 LE elapsed ms]`` records at 250 Hz, the elapsed time restarting at 0 on every start.
Raw = ``ZERO_ADC + kg / A_KG_PER_COUNT``: the load is ``profile(t)`` kg after an unloaded first
``unloaded_s`` seconds (the tare window). Serial number (0x2A25) and battery are readable.
"""

from __future__ import annotations

import asyncio
import struct

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

KIND = "frez-dyno"
SERVICE = "da8a6c41-154b-4b9a-9b00-2f84dfcebfe9"
DATA = "da8a6c42-154b-4b9a-9b00-2f84dfcebfe9"
COMMAND = "da8a6c43-154b-4b9a-9b00-2f84dfcebfe9"
SERIAL = "FD-000042"
#: This emulated unit's coefficient: what Frez's API would return for it (a test value).
A_KG_PER_COUNT = 0.0005
ZERO_ADC = 12_000


class FrezDynoEmu(Emulator):
    """The dyno; ``raw`` ledger values are the ADC readings it sent."""

    per_notification = 9

    def __init__(
        self,
        address: str = "C0:FF:EE:00:0D:01",
        *,
        speed: float = 1.0,
        unloaded_s: float = 0.6,
        profile: Profile | None = None,
    ) -> None:
        self.data = Characteristic(DATA, ("notify",))
        self.command = Characteristic(COMMAND, ("write",), on_write=self._command)
        services = [
            Service(SERVICE, [self.data, self.command]),
            Service("180a", [Characteristic("2a25", ("read",), value=SERIAL.encode())]),
            Service("180f", [Characteristic("2a19", ("read",), value=bytes((91,)))]),
        ]
        periph = Peripheral(address, "FrezDyno-0042", services, mtu=85)
        super().__init__(periph, rate_hz=250.0, speed=speed)
        self.unloaded_s = unloaded_s
        self.profile = profile or hold_profile(50.0)
        self.start_k = 0
        self.starts = 0
        self._off: asyncio.Future[None] | None = None

    def _command(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        if data == b"\x01\x00":
            self.stop_stream()
            self.start_k = self.k
            self.starts += 1
            self.start_stream()
        elif data == b"\x02\x00":
            self.stop_stream()
        elif data == b"\xff\x00":
            self._off = asyncio.ensure_future(self.periph.walk_away())

    def kg(self, k: int) -> float:
        """The load on sample ``k`` (time since the latest start)."""
        t_s = (k - self.start_k) / self.rate_hz
        return 0.0 if t_s < self.unloaded_s else self.profile(t_s - self.unloaded_s)

    def send(self, data: bytes) -> bool:
        """Notify on the data characteristic."""
        return self.periph.notify(DATA, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """``01 00`` and nine records."""
        raws = [ZERO_ADC + round(self.kg(k) / A_KG_PER_COUNT) for k in ks]
        ms = [round((k - self.start_k) * 1000 / self.rate_hz) for k in ks]
        body = b"".join(struct.pack("<iI", r, t) for r, t in zip(raws, ms, strict=True))
        return b"\x01\x00" + body, [(float(r),) for r in raws]


def make(address: str | None, speed: float) -> FrezDynoEmu:
    """For ``ble_fake_run``."""
    return FrezDynoEmu(address, speed=speed) if address else FrezDynoEmu(speed=speed)
