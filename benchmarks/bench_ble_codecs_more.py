"""Decode throughput of the CTS500, Vernier Go Direct, Movesense and Activ5 codecs.

Each codec decodes a long capture (1 h at the device's rate; quick: 6 min) the way its bytes
can arrive: the streaming codecs (CTS500, Vernier, Activ5 reassemble across notifications) in
64 KiB chunks, Movesense one notification (one IMU6 record of 8 samples) at a time, as GSP
records cannot be merged. Baseline in the same run: a naive per-record Python loop over the
same bytes (``struct.unpack`` per record and per value, checksum in Python, ``int()`` of the
ASCII number), which finds the same samples.

Run alone: ``.venv/bin/python benchmarks/bench_ble_codecs_more.py``.
"""

from __future__ import annotations

import argparse
import struct
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from isoforce.devices.activ5 import Activ5Decoder
from isoforce.devices.cts500 import Cts500Decoder
from isoforce.devices.movesense import MovesenseDecoder
from isoforce.devices.vernier_gdx import VernierGdxDecoder

Row = Any  # the suite's row type, passed in by benchmarks/bench.py
CHUNK = 64 * 1024
REPEATS = 3
G = 9.80665


def _cts500(n: int) -> bytes:
    counts = np.random.default_rng(0).integers(-5000, 60_000, n).astype(">i4")
    rows = np.zeros((n, 7), dtype=np.uint8)
    rows[:, 0], rows[:, 1] = 0x05, 0x01
    rows[:, 2:6] = counts.view(np.uint8).reshape(n, 4)
    rows[:, 6] = rows[:, :6].sum(axis=1, dtype=np.uint32) & 0xFF
    return rows.tobytes()


def _naive_cts500(data: bytes) -> int:
    out = []
    for off in range(0, len(data) - 6, 7):
        frame = data[off : off + 7]
        if frame[0] == 0x05 and sum(frame[:6]) & 0xFF == frame[6]:
            out.append(struct.unpack(">i", frame[2:6])[0] * 0.01 * G)
    return len(out)


def _vernier(n: int, rounds: int = 3) -> bytes:
    values = np.random.default_rng(1).uniform(-50, 50, n).astype("<f4")
    packets = []
    for i in range(0, n, rounds):
        floats = values[i : i + rounds].tobytes()
        head = bytearray((0x20, 9 + len(floats), i & 0xFF, 0, 0x06))
        head += struct.pack("<Hb", 0b10, len(floats) // 4) + b"\x00" + floats
        head[3] = sum(head) & 0xFF
        packets.append(bytes(head))
    return b"".join(packets)


def _naive_vernier(data: bytes) -> int:
    out = []
    pos = 0
    while pos + 9 <= len(data):
        length = data[pos + 1]
        if data[pos] == 0x20 and data[pos + 4] == 0x06:
            count = struct.unpack_from("<b", data, pos + 7)[0]
            for j in range(count):
                out.append(struct.unpack_from("<f", data, pos + 9 + 4 * j)[0])
        pos += length
    return len(out)


def _movesense(n: int, per: int = 8) -> list[bytes]:
    rng = np.random.default_rng(2)
    notes = []
    for i in range(0, n - per + 1, per):
        acc = rng.normal(0, 9.8, (per, 3)).astype("<f4").tobytes()
        gyro = rng.normal(0, 50, (per, 3)).astype("<f4").tobytes()
        notes.append(b"\x02\x63" + struct.pack("<I", i * 5) + acc + gyro)
    return notes


def _naive_movesense(notes: list[bytes]) -> int:
    out = []
    for note in notes:
        n = (len(note) - 6) // 24
        ts = struct.unpack_from("<I", note, 2)[0]
        for j in range(n):
            acc = struct.unpack_from("<3f", note, 6 + 12 * j)
            gyro = struct.unpack_from("<3f", note, 6 + 12 * (n + j))
            out.append((ts, acc[0] / G, acc[1] / G, acc[2] / G, *gyro))
    return len(out)


def _activ5(n: int) -> bytes:
    values = np.random.default_rng(3).integers(-50, 800, n).tolist()
    return b"".join(b"\x12IS%d/IS\x13" % v for v in values)


def _naive_activ5(data: bytes) -> int:
    out = []
    for message in data.split(b"\x13"):
        text = message.strip(b"\x12")
        if text.startswith(b"IS") and b"/" in text:
            out.append(int(text[2 : text.index(b"/")]) * 1.08625263633)
    return len(out)


def _chunks(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def _ours(make: Callable[[], Any], pieces: list[bytes]) -> tuple[float, int]:
    dec = make()
    t0 = time.perf_counter()
    samples = 0
    for i, piece in enumerate(pieces):
        for item in dec.feed(i * 1e-3, piece):
            samples += len(getattr(item, "t_s", ()))
    return time.perf_counter() - t0, samples


def _best(fn: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    runs = [fn() for _ in range(REPEATS)]
    return min(r[0] for r in runs), runs[0][1]


def bench_ble_codecs(quick: bool, row: Callable[..., Row]) -> list[Row]:
    """One row per codec: samples/s decoded by the codec and by the naive loop."""
    minutes = 6 if quick else 60
    cases: list[
        tuple[str, float, Callable[[int], Any], Callable[[], Any], Callable[[Any], int]]
    ] = [
        ("CTS500 frames", 320.0, _cts500, Cts500Decoder, _naive_cts500),
        ("Vernier Go Direct packets", 100.0, _vernier, VernierGdxDecoder, _naive_vernier),
        ("Movesense IMU6 records", 1666.0, _movesense, MovesenseDecoder, _naive_movesense),
        ("Activ5 ASCII messages", 10.0, _activ5, Activ5Decoder, _naive_activ5),
    ]
    rows = []
    for name, rate_hz, capture, make, naive in cases:
        n = int(rate_hz * 60 * minutes)
        data = capture(n)
        pieces = data if isinstance(data, list) else _chunks(data)
        ours_s, got = _best(lambda make=make, pieces=pieces: _ours(make, pieces))

        def loop(data: Any = data, naive: Callable[[Any], int] = naive) -> tuple[float, int]:
            t0 = time.perf_counter()
            found = naive(data)
            return time.perf_counter() - t0, found

        naive_s, found = _best(loop)
        assert got == found, (name, got, found)
        how = "one notification per feed" if isinstance(data, list) else "64 KiB chunks"
        rows.append(
            row(
                f"{name} decode ({minutes} min at {rate_hz:g} Hz, {how})",
                got / ours_s,
                "samples/s",
                found / naive_s,
                "naive per-record Python loop",
                "≥ 1× the loop",
            )
        )
    return rows


def main() -> int:
    """Run alone and print the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    def row(name: str, value: float, unit: str, baseline: float, *rest: Any) -> str:
        return f"{name}: {value:,.0f} {unit} (loop {baseline:,.0f}; {value / baseline:.1f}×)"

    for line in bench_ble_codecs(args.quick, row):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
