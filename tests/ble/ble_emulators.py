"""Byte-exact emulated BLE devices for the fake bluetoothd, with fault injection.

Every emulator builds its notifications from the documented protocol (device-protocols.md, the
section named in each class) with ``struct``/``int.to_bytes`` here, never with isoforce's
codecs, and keeps a ledger of what it sent so tests can compare decoded values exactly. Only
the isoforce firmware emulator uses isoforce's frame encoder: that format is ours, and its
encoder is checked against the firmware's C encoder in ``tests/firmware``.

Time: samples are numbered ``k`` and carry device time ``k / rate_hz``; they are sent at
``speed`` times real time (``speed=8`` streams 8 seconds of device time per second), which
keeps long emulated drills short. Faults: every emulator's peripheral can drop its link,
walk out of range and come back, or refuse connections (``ble_model.Peripheral``); the
Progressor adds clone padding, several records per notification, a timestamp wrap and a
low-power warning; the WitMotion bursts and splits frames.
"""

from __future__ import annotations

import asyncio
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.ble.ble_model import Characteristic, Peripheral, Service

Profile = Callable[[float], float]


def hold_profile(peak: float, *, period_s: float = 4.0) -> Profile:
    """A repeating ramp–hold–release curve between 0 and ``peak``."""

    def value(t_s: float) -> float:
        phase = (t_s % period_s) / period_s
        return peak * min(1.0, 3 * phase) if phase < 0.75 else peak * (1 - 4 * (phase - 0.75))

    return value


@dataclass
class Emitted:
    """One sample the emulator put on the air: its number, raw value(s) and wall time."""

    k: int
    raw: tuple[float, ...]
    t_wall_s: float
    delivered: bool


class Emulator:
    """Paces samples on the wall clock and hands groups of them to :meth:`notification`."""

    per_notification = 1

    def __init__(self, periph: Peripheral, *, rate_hz: float, speed: float = 1.0) -> None:
        self.periph = periph
        self.rate_hz = rate_hz
        self.speed = speed
        self.k = 0  # next sample number (device sample counter, never reset)
        self.ledger: list[Emitted] = []
        self._task: asyncio.Task[None] | None = None
        periph.on_disconnect = self._on_disconnect

    @property
    def streaming(self) -> bool:
        """Whether samples are being produced."""
        return self._task is not None

    @property
    def delivered(self) -> list[Emitted]:
        """Samples that reached a subscriber."""
        return [e for e in self.ledger if e.delivered]

    def start_stream(self) -> None:
        """Begin producing samples (what the device's start command does)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def stop_stream(self) -> None:
        """Stop producing samples."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _on_disconnect(self, _p: Peripheral) -> None:
        self.stop_stream()

    async def _run(self) -> None:
        t0, k0 = time.monotonic(), self.k
        step_s = self.per_notification / (self.rate_hz * self.speed)
        while True:
            ks = list(range(self.k, self.k + self.per_notification))
            self.k += self.per_notification
            data, raws = self.notification(ks)
            sent = self.send(data)
            now = time.monotonic()
            self.ledger.extend(Emitted(k, r, now, sent) for k, r in zip(ks, raws, strict=True))
            wait = t0 + (self.k - k0) / self.per_notification * step_s - time.monotonic()
            await asyncio.sleep(max(0.0, wait))

    def send(self, data: bytes) -> bool:
        """Notify ``data`` on the device's data characteristic."""
        raise NotImplementedError

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """The bytes carrying samples ``ks`` and each sample's raw value(s)."""
        raise NotImplementedError


# -- Tindeq Progressor and clones (§1) ---------------------------------------------------------

PROGRESSOR_SERVICE = "7e4e1701-1ea6-40c9-9dcc-13d34ffead57"
PROGRESSOR_DATA = "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"
PROGRESSOR_CONTROL = "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"


class ProgressorEmu(Emulator):
    """A Progressor: control opcodes 0x64 tare, 0x65 start, 0x66 stop, 0x6B version,
    0x6E sleep, 0x6F battery; weight notifications ``01 <8·n> (<f32 kg><u32 µs>)×n``.

    ``clone_padding`` appends the 4 zero bytes Crimpdeq sent; ``records`` per notification;
    ``clock_start_us`` puts the µs counter near its wrap; ``profile(t)`` is the load in kg.
    """

    def __init__(
        self,
        address: str = "C0:FF:EE:00:01:01",
        name: str = "Progressor_1701",
        *,
        rate_hz: float = 80.0,
        speed: float = 1.0,
        records: int = 1,
        clone_padding: bool = False,
        clock_start_us: int = 0,
        profile: Profile | None = None,
        battery_mv: int = 3987,
        version: str = "1.2.3",
    ) -> None:
        self.data = Characteristic(PROGRESSOR_DATA, ("notify",))
        self.control = Characteristic(
            PROGRESSOR_CONTROL, ("write", "write-without-response"), on_write=self._command
        )
        periph = Peripheral(address, name, [Service(PROGRESSOR_SERVICE, [self.data, self.control])])
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.per_notification = records
        self.clone_padding = clone_padding
        self.clock_start_us = clock_start_us
        self.profile = profile or hold_profile(20.0)
        self.battery_mv = battery_mv
        self.version = version
        self.tare_kg = 0.0
        self.start_k = 0
        self.starts = 0
        self._sleeping: asyncio.Future[None] | None = None

    def load_kg(self, k: int) -> float:
        """What the gauge reads for sample ``k`` before the hardware tare."""
        return self.profile(k / self.rate_hz) + 1.5  # the hook and strap hang on it

    def _command(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        opcode = data[0] if data else None
        if opcode == 0x65:
            self.stop_stream()
            self.start_k = self.k
            self.starts += 1
            self.start_stream()
        elif opcode == 0x66:
            self.stop_stream()
        elif opcode == 0x64:
            self.tare_kg = self.load_kg(self.k)
        elif opcode == 0x6F:
            self.send(struct.pack("<BBI", 0, 4, self.battery_mv))
        elif opcode == 0x6B:
            text = self.version.encode()
            self.send(bytes((0, len(text))) + text)
        elif opcode == 0x6E:
            self._sleeping = asyncio.ensure_future(self.periph.walk_away())

    def send(self, data: bytes) -> bool:
        """Notify on the data point."""
        return self.periph.notify(PROGRESSOR_DATA, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """``01 <len>`` and one ``<f32 kg><u32 µs>`` record per sample (+ clone padding)."""
        body = b""
        raws: list[tuple[float, ...]] = []
        for k in ks:
            kg = struct.unpack("<f", struct.pack("<f", self.load_kg(k) - self.tare_kg))[0]
            t_us = (self.clock_start_us + round((k - self.start_k) * 1e6 / self.rate_hz)) % 2**32
            body += struct.pack("<fI", kg, t_us)
            raws.append((kg, float(t_us)))
        pad = b"\x00" * 4 if self.clone_padding else b""
        return bytes((1, len(body))) + body + pad, raws

    async def low_power(self) -> None:
        """Send the low-power warning (code 4, length 0), then switch off like the firmware."""
        self.send(b"\x04\x00")
        await asyncio.sleep(0.05)
        await self.periph.walk_away()


# -- PitchSix Force Board (§2) --------------------------------------------------------------------

FB_FORCE_SERVICE = "9a88d67f-8df2-4afe-9e0d-c2bbbe773dd0"
FB_DATA = "9a88d682-8df2-4afe-9e0d-c2bbbe773dd0"
FB_TARE = "9a88d683-8df2-4afe-9e0d-c2bbbe773dd0"
FB_THRESHOLD = "9a88d686-8df2-4afe-9e0d-c2bbbe773dd0"
FB_MODE_SERVICE = "467a8516-6e39-11eb-9439-0242ac130002"
FB_MODE = "467a8517-6e39-11eb-9439-0242ac130002"


class ForceBoardEmu(Emulator):
    """A Force Board: mode 0x04 stream / 0x05 tare / 0x07 idle on ``467a8517``, tare 0x01 on
    ``9a88d683``; notifications ``<u16 BE count>`` + count × 3-byte big-endian pounds."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:02:01",
        *,
        rate_hz: float = 80.0,
        speed: float = 1.0,
        per_notification: int = 4,
        profile: Profile | None = None,
    ) -> None:
        self.data = Characteristic(FB_DATA, ("notify",))
        self.tare = Characteristic(FB_TARE, ("write",), on_write=self._tare)
        self.mode = Characteristic(FB_MODE, ("write",), on_write=self._mode)
        threshold = Characteristic(FB_THRESHOLD, ("read", "write"), value=b"\x00\x00\x0a")
        battery = Characteristic("2a19", ("read", "notify"), value=bytes((87,)))
        services = [
            Service(FB_FORCE_SERVICE, [self.data, self.tare, threshold]),
            Service(FB_MODE_SERVICE, [self.mode]),
            Service("180f", [battery]),
        ]
        periph = Peripheral(address, "Force Board", services, advertised_uuids=[FB_FORCE_SERVICE])
        super().__init__(periph, rate_hz=rate_hz, speed=speed)
        self.per_notification = per_notification
        self.profile = profile or hold_profile(60.0)
        self.zero_lbf = 0

    def load_lbf(self, k: int) -> int:
        """The whole-pound reading for sample ``k`` before the tare (the strap weighs 2 lbf)."""
        return round(self.profile(k / self.rate_hz)) + 2

    def _tare(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        if data == b"\x01":
            self.zero_lbf = self.load_lbf(self.k)

    def _mode(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        mode = data[0] if data else None
        if mode == 0x04:
            self.start_stream()
        elif mode == 0x07:
            self.stop_stream()
        elif mode == 0x05:
            self.zero_lbf = self.load_lbf(self.k)

    def send(self, data: bytes) -> bool:
        """Notify on the force data characteristic."""
        return self.periph.notify(FB_DATA, data)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """Count header, then each sample as 24-bit big-endian two's complement."""
        values = [self.load_lbf(k) - self.zero_lbf for k in ks]
        body = b"".join((v & 0xFFFFFF).to_bytes(3, "big") for v in values)
        return len(values).to_bytes(2, "big") + body, [(float(v),) for v in values]


# -- WH-C06 hanging scale (§3): advertisements only ---------------------------------------------

WH_C06_COMPANY = 0x0100


class WhC06Emu:
    """A WH-C06: advertises ``IF_B7`` with manufacturer data (company 0x0100) every 0.5 s,
    laid out like the Mito template: ``02 03 11 FF×6 01 <weight u16 BE, 0.01 kg> 01 F4
    <unit: 0x01 kg> <counter u16 BE>`` (bytes after the company ID)."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:03:01",
        *,
        interval_s: float = 0.5,
        profile: Profile | None = None,
        unit_byte: int = 0x01,
    ) -> None:
        self.periph = Peripheral(
            address, "IF_B7", [], advertising_interval_s=interval_s,
            manufacturer_data={WH_C06_COMPANY: self.payload(0, 0, unit_byte)},
        )  # fmt: skip
        self.periph.on_advertise = self._advertise
        self.profile = profile or hold_profile(25.0, period_s=6.0)
        self.unit_byte = unit_byte
        self.t0: float | None = None
        self.ledger: list[Emitted] = []

    @staticmethod
    def payload(steps: int, counter: int, unit_byte: int) -> bytes:
        """Manufacturer data after the company ID, with ``steps`` hundredths of the unit."""
        head = bytes((0x02, 0x03, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01))
        tail = bytes((0x01, 0xF4, unit_byte)) + (counter & 0xFFFF).to_bytes(2, "big")
        return head + (steps & 0xFFFF).to_bytes(2, "big") + tail

    def _advertise(self, p: Peripheral) -> None:
        now = time.monotonic()
        self.t0 = now if self.t0 is None else self.t0
        steps = round(100 * self.profile(now - self.t0))
        p.manufacturer_data[WH_C06_COMPANY] = self.payload(steps, len(self.ledger), self.unit_byte)
        self.ledger.append(Emitted(len(self.ledger), (float(steps),), now, True))


# -- WitMotion BLE 5.0 IMU (§12) -------------------------------------------------------------------

WIT_SERVICE = "0000ffe5-0000-1000-8000-00805f9a34fb"
WIT_NOTIFY = "0000ffe4-0000-1000-8000-00805f9a34fb"
WIT_WRITE = "0000ffe9-0000-1000-8000-00805f9a34fb"
WIT_RATES = {0x01: 0.2, 0x02: 0.5, 0x03: 1, 0x04: 2, 0x05: 5, 0x06: 10, 0x07: 20, 0x08: 50,
             0x09: 100, 0x0B: 200}  # fmt: skip


class WitMotionEmu(Emulator):
    """A BWT901BLE5.0: streams ``55 61`` + 9 int16 while connected, at the rate of register
    0x03 (default 0x06 = 10 Hz); ``FF AA <reg> <lo> <hi>`` writes (after unlock
    ``FF AA 69 88 B5``), ``FF AA 27 <reg> 00`` reads (``55 71 <reg> …`` reply),
    ``FF AA 00 00 00`` save. ``burst`` frames per notification; ``split`` cuts frames in two."""

    def __init__(
        self,
        address: str = "C0:FF:EE:00:04:01",
        name: str = "WT901BLE68",
        *,
        speed: float = 1.0,
        burst: int = 1,
        split: bool = False,
        tilt: Profile | None = None,
    ) -> None:
        self.write = Characteristic(
            WIT_WRITE, ("write", "write-without-response"), on_write=self._command
        )
        self.notify_char = Characteristic(WIT_NOTIFY, ("notify",))
        periph = Peripheral(address, name, [Service(WIT_SERVICE, [self.write, self.notify_char])])
        self.registers = {0x03: 0x06, 0x40: 2512, 0x64: 395, 0x2E: 0x1234, 0x2F: 0x0056}
        super().__init__(periph, rate_hz=WIT_RATES[self.registers[0x03]], speed=speed)
        self.per_notification = burst
        self.split = split
        self.tilt = tilt or (lambda t: 30.0 * math.sin(t))
        self.unlocked = False
        self.saved: dict[int, int] = {}
        self.ignored_writes = 0
        periph.on_connect = lambda _p: self.start_stream()

    def _command(self, _c: Characteristic, data: bytes, _kind: str) -> None:
        if len(data) != 5 or data[:2] != b"\xff\xaa":
            return
        reg, value = data[2], int.from_bytes(data[3:5], "little")
        if reg == 0x69 and value == 0xB588:
            self.unlocked = True
        elif reg == 0x27:
            words = [self.registers.get(value + i, 0) for i in range(8)]
            self.send(b"\x55\x71" + value.to_bytes(2, "little") + struct.pack("<8h", *words))
        elif not self.unlocked:
            self.ignored_writes += 1
        elif reg == 0x00 and value == 0:
            self.saved = dict(self.registers)
        else:
            self.registers[reg] = value
            if reg == 0x03 and value in WIT_RATES:
                self.rate_hz = WIT_RATES[value]
                if self.streaming:
                    self.stop_stream()
                    self.start_stream()

    def send(self, data: bytes) -> bool:
        """Notify (split in two notifications when ``split``)."""
        if self.split and len(data) > 8:
            first = self.periph.notify(WIT_NOTIFY, data[:12])
            return self.periph.notify(WIT_NOTIFY, data[12:]) and first
        return self.periph.notify(WIT_NOTIFY, data)

    def words(self, k: int) -> tuple[int, ...]:
        """The nine int16 words of sample ``k``: a shank tilting about x."""
        angle = self.tilt(k / self.rate_hz)
        rad = math.radians(angle)
        acc = (0.0, math.sin(rad), math.cos(rad))
        gyro = (5.0, -2.5, 0.25)
        angles = (angle, -4.0, 90.0)
        scaled = [a / 16 for a in acc] + [g / 2000 for g in gyro] + [a / 180 for a in angles]
        return tuple(max(-32768, min(32767, round(v * 32768))) for v in scaled)

    def notification(self, ks: list[int]) -> tuple[bytes, list[tuple[float, ...]]]:
        """``55 61`` and nine little-endian int16 per sample."""
        words = [self.words(k) for k in ks]
        data = b"".join(b"\x55\x61" + struct.pack("<9h", *w) for w in words)
        return data, [tuple(float(x) for x in w) for w in words]
