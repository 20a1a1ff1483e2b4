"""An emulated Griptonite Motherboard (device-protocols.md §6, §14), from the documented bytes.

Advertises ``Motherboard`` with the Nordic UART Service. Writes to ``6e400002-…``: ``C`` prints
the calibration table (``sensor,point,mass,adc`` lines, 4 points × 4 sensors), ``S<rate>``
answers ``Stream: <rate>`` and streams, any other write stops the stream. Stream lines are
32 hex digits + CRLF: sample number u16 LE, battery u16 LE, four int24 LE ADC readings (left,
center, right, unused), cut into 20-byte notifications. Center and right are mounted the other
way: their ADC goes negative under load. Sensor ``s`` reads ``ZERO + (4000 + 100·s)`` counts
per kg. The sample number keeps counting while nobody listens (a gap after a reconnect).
"""

from __future__ import annotations

from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

KIND = "motherboard"
NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"
NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"
CHUNK = 20
ZERO = 500
TABLE_KG = (0, 10, 20, 50)
SHARES = (0.5, 0.3, 0.2)  # of the load on left, center, right
SIGNS = (1, -1, -1)


def counts_per_kg(sensor: int) -> int:
    """The emulated sensor's sensitivity."""
    return 4000 + 100 * sensor


class MotherboardEmu(Emulator):
    """The board with ``profile(t)`` kg hanging on it, shared left/center/right."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:0C:01",
        *,
        speed: float = 1.0,
        profile: Profile | None = None,
        battery: int = 0x0E10,
    ) -> None:
        self.tx = Characteristic(NUS_TX, ("notify",))
        self.rx = Characteristic(NUS_RX, ("write", "write-without-response"), on_write=self._rx)
        periph = Peripheral(address, "Motherboard", [Service(NUS_SERVICE, [self.tx, self.rx])])
        super().__init__(periph, rate_hz=30.0, speed=speed)
        self.profile = profile or hold_profile(30.0)
        self.battery = battery
        self.commands: list[bytes] = []

    def _rx(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        self.commands.append(data)
        self.stop_stream()
        if data == b"C":
            self.send(
                b"".join(
                    f"{s},{p},{kg},{ZERO + counts_per_kg(s) * kg}\r\n".encode()
                    for s in range(4)
                    for p, kg in enumerate(TABLE_KG)
                )
            )
        elif data.startswith(b"S"):
            if data[1:].isdigit():
                self.rate_hz = float(data[1:])
            self.send(f"Stream: {self.rate_hz:g}\r\n".encode())
            self.start_stream()

    def send(self, data: bytes) -> bool:
        """Notify in 20-byte pieces (the ATT payload at the default MTU)."""
        sent = [self.periph.notify(NUS_TX, data[i : i + CHUNK]) for i in range(0, len(data), CHUNK)]
        return all(sent)

    def adc(self, k: int) -> tuple[int, int, int]:
        """The three ADC readings for sample ``k``."""
        kg = self.profile(k / self.rate_hz)
        return tuple(  # type: ignore[return-value]
            sign * round(ZERO + counts_per_kg(s) * share * kg)
            for s, (share, sign) in enumerate(zip(SHARES, SIGNS, strict=True))
        )

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One stream line per sample; the raw values are the three ADC readings."""
        lines, raws = b"", []
        for k in ks:
            readings = self.adc(k)
            body = (k & 0xFFFF).to_bytes(2, "little") + self.battery.to_bytes(2, "little")
            for value in (*readings, 0):
                body += (value & 0xFFFFFF).to_bytes(3, "little")
            lines += body.hex().upper().encode() + b"\r\n"
            raws.append(tuple(float(r) for r in readings))
        return lines, raws


def kg_from_adc(readings: tuple[float, ...]) -> float:
    """What the emulated load was, from its three ADC readings (the emulator's own inverse)."""
    return sum(
        (sign * value - ZERO) / counts_per_kg(s)
        for s, (value, sign) in enumerate(zip(readings, SIGNS, strict=True))
    )


def make(address: str | None, speed: float) -> MotherboardEmu:
    """For ``ble_fake_run``."""
    return MotherboardEmu(address, speed=speed) if address else MotherboardEmu(speed=speed)
