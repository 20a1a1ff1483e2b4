"""Long faulty streams from the emulators, decoded in memory under many ways of chunking.

The pty soak (test_serial_soak.py) runs the same emulators in real time for a few seconds; these
run 20,000 samples per stream in a fraction of the time and cut the bytes the way a serial read
may (one byte, then the rest; random sizes; frame-sized pieces), which is where a decoder that
passes an 8-bit checksum by chance, or waits for a group's last frame, can go wrong.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import Decoder
from isoforce.devices.hx711_lines import Hx711LineDecoder
from isoforce.devices.witmotion_uart import WitMotionDecoder
from tests.serial_devices.serial_emulators import (
    Emulator,
    Faults,
    Hx711Text,
    MemoryLink,
    WitMotionUart,
    generate,
)
from tests.serial_devices.serial_soak import _by_name, _wit_expected

SAMPLES = 20_000


def chunked(data: bytes, mode: str, seed: int, writes: list[int] | None = None) -> list[bytes]:
    rng = random.Random(seed)
    out, pos = [], 0
    if mode == "pty":  # what a pty read loop sees: the first byte of a write, then the rest
        for end in writes or []:
            out += [data[pos : pos + 1], data[pos + 1 : end]]
            pos = end
        return out
    while pos < len(data):
        size = {
            "random": lambda: rng.randint(1, 300),
            "small": lambda: rng.randint(1, 13),
            "framey": lambda: rng.choice([1, 10, 11, 22, 33]),
        }[mode]()
        out.append(data[pos : pos + size])
        pos += size
    return out


def decode(decoder: Decoder, chunks: list[bytes]) -> list[SampleBlock]:
    blocks: list[SampleBlock] = []
    for k, chunk in enumerate(chunks):
        blocks += [b for b in decoder.feed(k * 1e-3, chunk) if isinstance(b, SampleBlock)]
    return blocks


@pytest.mark.parametrize(
    ("mode", "seed", "samples"),
    [
        ("pty", 0, SAMPLES),  # seeds 0 and 1 hit two rare chance-checksum cases (fixed bugs)
        ("pty", 1, SAMPLES // 2),
        ("random", 1, SAMPLES // 4),
        ("small", 2, SAMPLES // 4),
        ("framey", 3, SAMPLES // 4),
    ],
)
def test_witmotion_every_intact_frame_and_fault_accounted(
    mode: str, seed: int, samples: int
) -> None:
    link = MemoryLink()
    emu = Emulator(link, WitMotionUart(seed=seed), faults=Faults(0.05), seed=seed)
    data = generate(emu, samples)
    dec = WitMotionDecoder()
    blocks = decode(dec, chunked(data, mode, seed, link.writes))
    ledger = emu.ledger
    assert dec.stats.frames_ok == len(ledger.intact)
    assert dec.stats.resyncs == ledger.injected_runs
    assert dec.stats.bytes_dropped == ledger.injected_bytes
    got = _by_name(blocks, dec.channels)
    assert np.array_equal(got, _wit_expected(ledger, dec.channels), equal_nan=True)


@pytest.mark.parametrize(("mode", "seed"), [("random", 4), ("small", 5)])
def test_hx711_every_intact_line_and_fault_accounted(mode: str, seed: int) -> None:
    emu = Emulator(MemoryLink(), Hx711Text(), faults=Faults(0.05), seed=seed)
    data = generate(emu, SAMPLES // 2)
    dec = Hx711LineDecoder()
    blocks = decode(dec, chunked(data, mode, seed))
    ledger = emu.ledger
    assert [v for b in blocks for v in b.column("load_raw").tolist()] == [
        float(s.truth)  # type: ignore[arg-type]
        for s in ledger.intact
    ]
    assert (dec.stats.resyncs, dec.stats.bytes_dropped) == (
        ledger.injected_runs,
        ledger.injected_bytes,
    )
