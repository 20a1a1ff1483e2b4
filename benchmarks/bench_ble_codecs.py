"""Decode throughput of the BLE codecs added for issue 19 (Entralpi, Climbro, Motherboard,
Frez Dyno, SIG Weight Scale), each against a naive per-record Python loop in the same run.

Each codec gets one hour of its device's stream (quick: 6 minutes) as the notifications the
BLE transport would hand it, one ``feed`` per notification; the baseline reads the same
notifications record by record with ``struct``/``int.from_bytes`` and builds a Python list of
newtons, with no time stamps, counters or blocks. Best of three, interleaved.

Run alone: ``.venv/bin/python benchmarks/bench.py --only ble-decode --out -``.
"""

from __future__ import annotations

import itertools
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from isoforce.devices import climbro, entralpi, frez_dyno, motherboard, weight_scale
from isoforce.devices.base import Decoder
from isoforce.units import N_PER_KGF

Row = Any  # the suite's row type, passed in by benchmarks/bench.py
REPEATS = 3
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Case:
    """One codec: its notifications, how many samples they hold, and the naive reader."""

    name: str
    make: Callable[[], Decoder]
    notifications: list[bytes]
    samples: int
    naive: Callable[[list[bytes]], list[float]]
    rate_hz: float = 0.0
    """The device's rate: the codec must keep up with 100 times it on one core."""
    streaming: bool = False
    """A byte stream (any cutting decodes the same): also measured in 64 KiB chunks."""

    def bulk(self) -> Case:
        """The same stream in 64 KiB chunks (a capture replayed, or a burst after a stall)."""
        data = b"".join(self.notifications)
        chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
        return Case(
            f"{self.name}, 64 KiB chunks", self.make, chunks, self.samples, self.naive, self.rate_hz
        )


def _entralpi(n: int) -> Case:
    notes = [int(v).to_bytes(2, "big") for v in np.arange(n) % 8000]

    def naive(ns: list[bytes]) -> list[float]:
        return [int.from_bytes(x[:2], "big") * 0.01 * N_PER_KGF for x in ns]

    return Case("Entralpi", entralpi.EntralpiDecoder, notes, n, naive, entralpi.NOMINAL_RATE_HZ)


def _climbro(n: int) -> Case:
    per = 2
    kg = (np.arange(n) % 120).astype(np.uint8)
    notes = [b"\xf5" + kg[i : i + per].tobytes() for i in range(0, n, per)]

    def naive(ns: list[bytes]) -> list[float]:
        out, mode = [], 0
        for x in ns:
            for b in x:
                if b in (0xF0, 0xF5):
                    mode = b
                elif mode == 0xF5:
                    out.append((36 if b == 0xF6 else b) * N_PER_KGF)
        return out

    return Case(
        "Climbro", climbro.ClimbroDecoder, notes, n, naive, climbro.NOMINAL_RATE_HZ, streaming=True
    )


def _motherboard(n: int) -> Case:
    table = motherboard.EXAMPLE_CALIBRATION
    lines = []
    for k in range(n):
        body = (k & 0xFFFF).to_bytes(2, "little") + b"\x00\x0f"
        for adc in (500 + 4000 * (k % 30), -(500 + 2000 * (k % 20)), -500, 0):
            body += (adc & 0xFFFFFF).to_bytes(3, "little")
        lines.append(body.hex().upper().encode() + b"\r\n")
    stream = table + b"".join(lines)
    notes = [stream[i : i + 20] for i in range(0, len(stream), 20)]
    pts = [(kg, 500 + 4000 * kg) for kg in (0, 10, 20, 50)]

    def kg_of(adc: int) -> float:  # the same table, read point by point
        x = -adc if adc < pts[0][1] else adc
        for (k0, a0), (k1, a1) in itertools.pairwise(pts):
            if x < a1 or a1 == pts[-1][1]:
                y = k0 + (x - a0) * (k1 - k0) / (a1 - a0)
                return -y if adc < pts[0][1] else y
        return 0.0

    def naive(ns: list[bytes]) -> list[float]:
        out, buf = [], b""
        for x in ns:
            buf += x
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.rstrip(b"\r")
                if len(line) != 32:
                    continue
                raw = bytes.fromhex(line.decode())
                adc = [
                    int.from_bytes(raw[4 + 3 * i : 7 + 3 * i], "little", signed=True)
                    for i in range(3)
                ]
                out.append((kg_of(adc[0]) - kg_of(adc[1]) - kg_of(adc[2])) * N_PER_KGF)
        return out

    return Case(
        "Motherboard", motherboard.MotherboardDecoder, notes, n, naive, 30.0, streaming=True
    )


def _frez(n: int) -> Case:
    per = frez_dyno.RECORDS
    n -= n % per
    raw = (12_000 + (np.arange(n) * 7) % 40_000).tolist()
    notes = [
        b"\x01\x00" + b"".join(struct.pack("<iI", raw[j], 4 * j) for j in range(i, i + per))
        for i in range(0, n, per)
    ]
    rec = struct.Struct("<iI")

    def naive(ns: list[bytes]) -> list[float]:
        out = []
        for x in ns:
            if len(x) == 74 and x[:2] == b"\x01\x00":
                out.extend(float(r) for r, _ms in rec.iter_unpack(x[2:]))
        return out

    return Case("Frez Dyno", frez_dyno.FrezDynoDecoder, notes, n, naive, frez_dyno.RATE_HZ)


def _scale(n: int) -> Case:
    notes = [(b"\x02" + int(v).to_bytes(2, "little") + bytes(7)) for v in np.arange(n) % 30_000]

    def naive(ns: list[bytes]) -> list[float]:
        return [int.from_bytes(x[1:3], "little") * 0.005 * N_PER_KGF for x in ns]

    return Case("SIG Weight Scale", weight_scale.WeightScaleDecoder, notes, n, naive, 10.0)


def _ours(case: Case) -> float:
    dec = case.make()
    t0 = time.perf_counter()
    for i, note in enumerate(case.notifications):
        dec.feed(i * 0.01, note)
    dec.flush(1e9)
    elapsed = time.perf_counter() - t0
    assert dec.stats.bytes_dropped == 0, case.name
    return case.samples / elapsed


def _naive(case: Case) -> float:
    t0 = time.perf_counter()
    out = case.naive(case.notifications)
    elapsed = time.perf_counter() - t0
    assert len(out) == case.samples, (case.name, len(out), case.samples)
    return case.samples / elapsed


def bench_ble_codecs(quick: bool, row: Callable[..., Row]) -> list[Row]:
    """One row per codec: samples/s through ``feed`` vs the naive loop."""
    seconds = 360 if quick else 3600
    cases = [
        _entralpi(int(seconds * entralpi.NOMINAL_RATE_HZ)),
        _climbro(int(seconds * climbro.NOMINAL_RATE_HZ)),
        _motherboard(seconds * motherboard.RATE_HZ),
        _frez(int(seconds * frez_dyno.RATE_HZ)),
        _scale(int(seconds * 10)),  # a scale streaming 10 readings/s (most send one per weighing)
    ]
    cases += [c.bulk() for c in cases if c.streaming]
    rows = []
    for case in cases:
        ours = naive = 0.0
        for _ in range(REPEATS):
            ours = max(ours, _ours(case))
            naive = max(naive, _naive(case))
        per = case.samples / len(case.notifications)
        per_text = f"{per:.3g}" if per < 100 else f"{per:,.0f}"
        rows.append(
            row(
                f"{case.name} decode ({seconds // 60} min of its stream, {per_text} samples "
                "per feed)",
                ours,
                "samples/s",
                naive,
                "naive per-record Python loop, no blocks",
                f"≥ {100 * case.rate_hz:,.0f} samples/s (100× its {case.rate_hz:g} Hz)",
            )
        )
    return rows
