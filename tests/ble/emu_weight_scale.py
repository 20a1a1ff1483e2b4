"""An emulated Bluetooth SIG Weight Scale (device-protocols.md §15), from the specification.

Advertises ``0x181D``; once a central subscribes to Weight Measurement (``0x2A9D``, indicate)
it indicates one measurement every ``1 / rate_hz`` seconds: flags, weight u16 LE in 0.005 kg
(SI) or 0.01 lb (``imperial``), and, on every other one, a time stamp and a user ID (flags
bits 1 and 2) so the decoder must skip them. Weight Scale Feature (``0x2A9E``) reads
resolution code 7 (0.005 kg / 0.01 lb) with time stamps and multiple users supported.
"""

from __future__ import annotations

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

KIND = "weight-scale"
SERVICE = "181d"
MEASUREMENT = "2a9d"
FEATURE = "2a9e"
FEATURE_VALUE = (0b011 | 7 << 3).to_bytes(4, "little")
TIME_STAMP = bytes.fromhex("EA07 0C 05 10 1E 00")  # 2026-12-05 16:30:00


class WeightScaleEmu(Emulator):
    """The scale; ``raw`` ledger values are the weight fields it sent (counts)."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:0E:01",
        *,
        rate_hz: float = 2.0,
        speed: float = 1.0,
        imperial: bool = False,
        profile: Profile | None = None,
    ) -> None:
        self.measurement = Characteristic(MEASUREMENT, ("indicate",))
        feature = Characteristic(FEATURE, ("read",), value=FEATURE_VALUE)
        services = [
            Service(SERVICE, [self.measurement, feature]),
            Service("180f", [Characteristic("2a19", ("read",), value=bytes((77,)))]),
        ]
        periph = Peripheral(address, "Scale 5C", services)
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.imperial = imperial
        self.profile = profile or hold_profile(35.0, period_s=6.0)
        periph.on_connect = lambda _p: self.start_stream()

    def send(self, data: bytes) -> bool:
        """Indicate a measurement."""
        return self.periph.notify(MEASUREMENT, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One Weight Measurement."""
        (k,) = ks
        kg = self.profile(k / self.rate_hz) + 0.5
        counts = round(kg / 0.45359237 / 0.01) if self.imperial else round(kg / 0.005)
        flags = int(self.imperial) | (0x06 if k % 2 else 0)
        optional = TIME_STAMP + bytes((1,)) if k % 2 else b""
        return bytes((flags,)) + counts.to_bytes(2, "little") + optional, [(float(counts),)]


def make(address: str | None, speed: float) -> WeightScaleEmu:
    """For ``ble_fake_run``."""
    return WeightScaleEmu(address, speed=speed) if address else WeightScaleEmu(speed=speed)
