"""The isoforce ESP32 firmware over the Nordic UART Service (device-protocols.md §14).

As ``firmware_notes/isoforce_esp32``: advertises ``isoforce`` with the NUS service, takes
command lines on ``6e400002`` (``s`` start, ``x`` stop, ``t`` tare, ``i`` info), notifies its
isoforce frames on ``6e400003`` cut into 20-byte pieces (the ATT payload at the default MTU),
keeps its µs clock and sequence numbers running while no central is connected (frames made
then are never sent: a sequence gap the decoder counts as lost).
"""

from __future__ import annotations

import time

import numpy as np

from isoforce.devices.isoforce_frame import encode_frames, encode_text
from tests.ble.ble_emulators import Emulator, Profile, hold_profile
from tests.ble.ble_model import Characteristic, Peripheral, Service

NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"
NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"
BLE_CHUNK = 20
COUNTS_PER_N = 2250.0
ZERO_COUNTS = 84_000
TARE_SAMPLES = 16


class IsoforceNusEmu(Emulator):
    """The reference firmware streaming ``load_raw`` at 80 Hz once started."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:05:01",
        *,
        rate_hz: float = 80.0,
        speed: float = 1.0,
        profile: Profile | None = None,
    ) -> None:
        self.tx = Characteristic(NUS_TX, ("notify",))
        self.rx = Characteristic(NUS_RX, ("write", "write-without-response"), on_write=self._rx)
        periph = Peripheral(address, "isoforce", [Service(NUS_SERVICE, [self.tx, self.rx])])
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.profile = profile or hold_profile(150.0)
        self.lines: list[str] = []
        self._line = b""
        self._tare_left = 0
        self._tare_sum = 0
        self._stopped_at: float | None = None
        periph.on_disconnect = self._off_air

    def _off_air(self, _p: Peripheral) -> None:
        if self.streaming:
            self.stop_stream()
            self._stopped_at = time.monotonic()

    def start_stream(self) -> None:
        """Resume sending; samples taken while nobody listened are skipped (a sequence gap)."""
        if self._stopped_at is not None and not self.streaming:
            missed = (time.monotonic() - self._stopped_at) * self.rate_hz * self.speed
            self.k += int(missed)
            self._stopped_at = None
        super().start_stream()

    def counts(self, k: int) -> int:
        """ADC counts of sample ``k``: the load in newtons on a 2250 counts/N cell."""
        return ZERO_COUNTS + round(COUNTS_PER_N * self.profile(k / self.rate_hz))

    def _rx(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        self._line += data
        while b"\n" in self._line:
            raw, self._line = self._line.split(b"\n", 1)
            line = raw.decode("ascii", "replace").strip().lower()
            self.lines.append(line)
            if line in ("s", "start"):
                self.start_stream()
                self.send(encode_text("ok start"))
            elif line in ("x", "stop"):
                self.stop_stream()
                self.send(encode_text("ok stop"))
            elif line in ("t", "tare"):
                self._tare_left, self._tare_sum = TARE_SAMPLES, 0
            elif line in ("i", "info"):
                self.send(encode_text(f"isoforce emu 80 Hz, rate {self.rate_hz:g}"))

    def send(self, data: bytes) -> bool:
        """Notify ``data`` in 20-byte pieces, as the firmware does."""
        sent = True
        for at in range(0, len(data), BLE_CHUNK):
            sent = self.periph.notify(NUS_TX, data[at : at + BLE_CHUNK]) and sent
        return sent

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """One isoforce frame per sample (seq and µs clock from the sample number)."""
        counts = [self.counts(k) for k in ks]
        frames = encode_frames(
            seq=np.array(ks),
            t_us=np.round(np.array(ks) * 1e6 / self.rate_hz).astype(np.int64),
            names=("load_raw",),
            values=np.array(counts, dtype=float)[:, None],
        )
        if self._tare_left:
            self._tare_sum += sum(counts)
            self._tare_left -= len(counts)
            if self._tare_left <= 0:
                frames += encode_text(f"ok tare {round(self._tare_sum / TARE_SAMPLES)}")
        return frames, [(float(c),) for c in counts]
