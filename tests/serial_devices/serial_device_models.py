"""Byte-exact device models for the serial emulators: what each device sends for sample i.

Built from the documented formats with ``struct`` and f-strings (device-protocols.md §13, §16;
firmware_notes/frame-format.md), not with isoforce's codecs, so tests compare two independent
readings of the same documents.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from typing import Protocol


class DeviceModel(Protocol):
    """What an emulated device sends for sample ``i``, one frame or line per element."""

    rate_hz: float
    sync: bytes

    def frames(self, i: int) -> list[tuple[bytes, object]]: ...

    def corrupt(self, frame: bytes, rng: random.Random) -> bytes: ...

    def truncate(self, frame: bytes, rng: random.Random) -> bytes: ...


@dataclass
class Hx711Text:
    """An Arduino printing ``HX711 reading: <n>`` (or another documented format) per sample."""

    rate_hz: float = 80.0
    template: str = "HX711 reading: {v}\r\n"
    base: int = 84_000
    spread: int = 5000
    sync: bytes = b"\n"

    def value(self, i: int) -> int:
        """A deterministic ramp-like pattern around ``base`` (changing ``base`` moves it)."""
        return self.base + (i * 37) % self.spread - self.spread // 2

    def frames(self, i: int) -> list[tuple[bytes, object]]:
        v = self.value(i)
        return [(self.template.format(v=v).encode("ascii"), v)]

    def corrupt(self, frame: bytes, rng: random.Random) -> bytes:
        body = frame.rstrip(b"\r\n")
        at = rng.randrange(len(body))
        return body[:at] + bytes([rng.randrange(0x80, 0x100)]) + frame[at + 1 :]

    def truncate(self, frame: bytes, rng: random.Random) -> bytes:
        body = frame.rstrip(b"\r\n")
        return body[: rng.randrange(1, len(body))]


WIT_HEADER = 0x55


def wit_frame(type_code: int, words: tuple[int, int, int, int]) -> bytes:
    """One WitMotion frame assembled from device-protocols.md §13."""
    body = struct.pack("<BB4h", WIT_HEADER, type_code, *words)
    return body + bytes([sum(body) & 0xFF])


@dataclass
class WitMotionUart:
    """A WitMotion IMU sending acceleration, angular rate and angle frames per sample."""

    rate_hz: float = 200.0
    types: tuple[int, ...] = (0x51, 0x52, 0x53)
    seed: int = 0
    sync: bytes = b"\x55"

    def words(self, i: int, type_code: int) -> tuple[int, int, int, int]:
        r = random.Random(self.seed * 1_000_003 + i * 31 + type_code)
        return tuple(r.randrange(-32768, 32768) for _ in range(4))  # type: ignore[return-value]

    def frames(self, i: int) -> list[tuple[bytes, object]]:
        return [(wit_frame(t, self.words(i, t)), (t, self.words(i, t))) for t in self.types]

    def corrupt(self, frame: bytes, rng: random.Random) -> bytes:
        # header and type stay (the decoder sees a checksum error); no header byte inside
        inner = bytes(0x54 if b == WIT_HEADER else b for b in frame[2:10])
        body = frame[:2] + inner
        bad = (sum(body) + rng.randrange(1, 255)) & 0xFF
        return body + bytes([bad if bad != WIT_HEADER else (bad + 1) & 0xFF])

    def truncate(self, frame: bytes, rng: random.Random) -> bytes:
        return frame[: rng.randrange(1, len(frame))]


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE bit by bit (poly 0x1021, init 0xFFFF), as frame-format.md defines it."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def isoforce_frame(seq: int, t_us: int, mask: int, values: tuple[int, ...]) -> bytes:
    """One isoforce sample frame assembled from firmware_notes/frame-format.md."""
    payload = struct.pack(f"<HIH{len(values)}i", seq & 0xFFFF, t_us & 0xFFFFFFFF, mask, *values)
    body = bytes([0x01, len(payload)]) + payload
    return b"\xa5\x5a" + body + struct.pack("<H", crc16_ccitt_false(body))


@dataclass
class IsoforceFirmware:
    """isoforce firmware: a load-cell frame (raw counts) per sample with µs device time."""

    rate_hz: float = 80.0
    base: int = 84_000
    sync: bytes = b"\xa5"

    def frames(self, i: int) -> list[tuple[bytes, object]]:
        raw = self.base + (i * 53) % 9000 - 4500
        t_us = round(i * 1e6 / self.rate_hz)
        return [(isoforce_frame(i, t_us, 0x0001, (raw,)), raw)]

    def corrupt(self, frame: bytes, rng: random.Random) -> bytes:
        at = rng.randrange(4, len(frame))
        flipped = frame[at] ^ rng.randrange(1, 256)
        out = frame[:at] + bytes([flipped if flipped != 0xA5 else 0xA4]) + frame[at + 1 :]
        return out[:2] + bytes(0xA4 if b == 0xA5 else b for b in out[2:])

    def truncate(self, frame: bytes, rng: random.Random) -> bytes:
        return frame[: rng.randrange(1, len(frame))]
