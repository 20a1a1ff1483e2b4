"""An emulated Climbro hangboard (device-protocols.md §5), built from the documented bytes.

Advertises ``Climbro_1A2B`` with Microchip's transparent UART; streams from the moment a
central subscribes on ``49535343-1e4d-…``: every notification starts with the force marker
``F5`` and carries ``per_notification`` one-byte kilogram samples (36 kg goes as the reserved
word ``F6``); every ``battery_every``-th notification first sends ``F0`` and a battery byte.
"""

from __future__ import annotations

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

KIND = "climbro"
UART_SERVICE = "49535343-fe7d-4ae5-8fa9-9fafd205e455"
TX = "49535343-1e4d-4bd9-ba61-23c647249616"
RX = "49535343-8841-43f4-a8d4-ecbe34729bb3"
CONTROL = "49535343-4c8a-39b3-2f49-511cff073b7e"


class ClimbroEmu(Emulator):
    """The board: whole kilograms of ``profile(t)``; battery byte ``battery`` (0xC0 ≈ 68 %)."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:0B:01",
        *,
        rate_hz: float = 10.0,
        speed: float = 1.0,
        per_notification: int = 2,
        battery_every: int = 4,
        battery: int = 0xC0,
        profile: Profile | None = None,
    ) -> None:
        self.tx = Characteristic(TX, ("notify", "write"))
        chars = [self.tx, Characteristic(RX, ("write",)), Characteristic(CONTROL, ("write",))]
        periph = Peripheral(address, "Climbro_1A2B", [Service(UART_SERVICE, chars)])
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.per_notification = per_notification
        self.battery_every = battery_every
        self.battery = battery
        self.profile = profile or hold_profile(45.0)
        self.notifications = 0
        periph.on_connect = lambda _p: self.start_stream()

    def send(self, data: bytes) -> bool:
        """Notify on the UART TX characteristic."""
        return self.periph.notify(TX, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """``[F0 battery] F5`` and one byte per sample."""
        kg = [max(0, min(235, round(self.profile(k / self.rate_hz)))) for k in ks]
        head = b""
        if self.notifications % self.battery_every == 0:
            head = bytes((0xF0, self.battery))
        self.notifications += 1
        body = bytes(0xF6 if v == 36 else v for v in kg)
        return head + b"\xf5" + body, [(float(v),) for v in kg]


def make(address: str | None, speed: float) -> ClimbroEmu:
    """For ``ble_fake_run``."""
    return ClimbroEmu(address, speed=speed) if address else ClimbroEmu(speed=speed)
