"""An emulated Entralpi force plate (device-protocols.md §4), built from the documented bytes.

Advertises ``ENTRALPI``; the weight characteristic ``0000fff1-…`` appears in two services, the
ISSC UART ``0000fff0-…`` and ``0x181D``, as the source lists it; the plate notifies on the one
in ``0000fff0-…`` (one uint16 big-endian weight in 0.01 kg per notification) from the moment a
central subscribes, at ``rate_hz``. No tare, no commands. Battery and firmware are readable.
"""

from __future__ import annotations

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

KIND = "entralpi"
UART_SERVICE = "0000fff0-0000-1000-8000-00805f9b34fb"
WEIGHT = "0000fff1-0000-1000-8000-00805f9b34fb"
UART_WRITE = "0000fff4-0000-1000-8000-00805f9b34fb"
WEIGHT_SCALE_SERVICE = "181d"


class EntralpiEmu(Emulator):
    """The plate: weight = ``profile(t)`` kg plus the 0.8 kg of the holds on it."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:0A:01",
        *,
        rate_hz: float = 10.0,
        speed: float = 1.0,
        profile: Profile | None = None,
    ) -> None:
        self.weight = Characteristic(WEIGHT, ("notify",))
        twin = Characteristic(WEIGHT, ("read", "notify"))  # the same UUID under 0x181D
        services = [
            Service(UART_SERVICE, [self.weight, Characteristic(UART_WRITE, ("write",))]),
            Service(WEIGHT_SCALE_SERVICE, [twin]),
            Service("180f", [Characteristic("2a19", ("read",), value=bytes((64,)))]),
            Service("180a", [Characteristic("2a26", ("read",), value=b"V1.07")]),
        ]
        periph = Peripheral(address, "ENTRALPI", services)
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.profile = profile or hold_profile(40.0)
        periph.on_connect = lambda _p: self.start_stream()

    def send(self, data: bytes) -> bool:
        """Notify on the weight characteristic of the UART service (not its 0x181D twin)."""
        assert self.periph.bluez is not None
        return self.periph.bluez.notify(self.periph, self.weight, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One weight in hundredths of a kilogram, big-endian."""
        counts = [round(100 * (self.profile(k / self.rate_hz) + 0.8)) for k in ks]
        return b"".join(c.to_bytes(2, "big") for c in counts), [(float(c),) for c in counts]


def make(address: str | None, speed: float) -> EntralpiEmu:
    """For ``ble_fake_run``."""
    return EntralpiEmu(address, speed=speed) if address else EntralpiEmu(speed=speed)
