"""The serial soak: an HX711 at 80 Hz and a WitMotion at 200 Hz with injected faults, over ptys.

Shared by the short soak test and the long benchmark (``benchmarks/soak_serial.py``). Both
streams go through isoforce's real serial transport and codecs; the result compares what the
emulators put on the wire with what the decoders made of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import Decoder, DeviceMessage
from isoforce.devices.hx711_lines import Hx711LineDecoder
from isoforce.devices.registry import device_spec
from isoforce.devices.witmotion_uart import DECODED, WitMotionDecoder
from isoforce.errors import TransportError
from isoforce.transports.serial import SerialTransport, serial_transport_for
from tests.serial_devices.serial_emulators import (
    Emulator,
    Faults,
    Hx711Text,
    Ledger,
    PtyLink,
    WitMotionUart,
)

DRAIN_TIMEOUT_S = 5.0


@dataclass
class StreamReport:
    """One stream's books: frames sent and decoded, faults injected and counted."""

    name: str
    rate_hz: float
    samples_expected: int = 0
    samples_decoded: int = 0
    values_match: bool = False
    frames_intact: int = 0
    frames_ok: int = 0
    injected_runs: int = 0
    counted_runs: int = 0
    injected_bytes: int = 0
    counted_bytes: int = 0
    bytes_total: int = 0
    incomplete_expected: int = 0
    incomplete_counted: int = 0
    checksum_errors: int = 0
    latency_s: list[float] = field(default_factory=list)
    max_chunk_gap_s: float = 0.0
    first_mismatch: int | None = None
    error: str = ""

    @property
    def garbage_share(self) -> float:
        return self.injected_bytes / self.bytes_total if self.bytes_total else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.values_match
            and self.samples_decoded == self.samples_expected
            and self.frames_ok == self.frames_intact
            and self.counted_runs == self.injected_runs
            and self.counted_bytes == self.injected_bytes
            and self.incomplete_counted == self.incomplete_expected
        )


class _Reader:
    """Consumes one transport into one decoder, keeping every block."""

    def __init__(self, transport: SerialTransport, decoder: Decoder) -> None:
        self.transport = transport
        self.decoder = decoder
        self.blocks: list[SampleBlock] = []
        self.samples = 0
        self.bytes_in = 0
        self.latency_s: list[float] = []
        self.max_chunk_gap_s = 0.0
        self.error: Exception | None = None

    async def run(self) -> None:
        last = None
        try:
            async for chunk in self.transport.chunks():
                if last is not None:
                    self.max_chunk_gap_s = max(self.max_chunk_gap_s, chunk.t_host_s - last)
                last = chunk.t_host_s
                self.bytes_in += len(chunk.data)
                self._keep(self.decoder.feed(chunk.t_host_s, chunk.data), chunk.t_host_s)
        except TransportError as exc:  # reported, not raised: the books still get balanced
            self.error = exc

    def finish(self, t_host_s: float) -> None:
        """End of stream: take what the decoder still holds back."""
        self._keep(self.decoder.flush(t_host_s), t_host_s)

    def _keep(self, items: list[SampleBlock | DeviceMessage], t_host_s: float) -> None:
        for item in items:
            if isinstance(item, SampleBlock):
                self.blocks.append(item)
                self.samples += len(item)
                self.latency_s.append(time.monotonic() - t_host_s)


def _wit_expected(ledger: Ledger, channels: tuple[str, ...]) -> np.ndarray:
    """The samples a correct decoder must produce: one per sample index with intact frames."""
    col = {name: i for i, name in enumerate(channels)}
    by_sample: dict[int, np.ndarray] = {}
    for sent in ledger.intact:
        type_code, words = sent.truth  # type: ignore[misc]
        row = by_sample.setdefault(sent.sample, np.full(len(channels), np.nan))
        for d in DECODED:
            if d.type_code == type_code:
                for name, w, scale in zip(d.names, d.words, d.scales, strict=True):
                    row[col[name]] = words[w] * scale
    return np.array([by_sample[i] for i in sorted(by_sample)])


async def run_soak(
    directory: Path, *, duration_s: float, fault_probability: float = 0.05, seed: int = 0
) -> list[StreamReport]:
    """Stream both devices for ``duration_s`` and balance the books."""
    hx_link = PtyLink(directory, "ttyHX711")
    wit_link = PtyLink(directory, "ttyWIT")
    faults = Faults(probability=fault_probability)
    hx = Emulator(hx_link, Hx711Text(rate_hz=80.0), faults=faults, seed=seed)
    wit = Emulator(wit_link, WitMotionUart(rate_hz=200.0, seed=seed), faults=faults, seed=seed + 1)
    readers = [
        _Reader(
            serial_transport_for(device_spec("hx711"), str(hx_link.path), baud=57600),
            Hx711LineDecoder(),
        ),
        _Reader(
            serial_transport_for(device_spec("witmotion"), str(wit_link.path), baud=115200),
            WitMotionDecoder(),
        ),
    ]
    tasks: list[asyncio.Task[None]] = []
    try:
        for r in readers:
            await r.transport.open()
        tasks = [asyncio.ensure_future(r.run()) for r in readers]
        hx.start()
        wit.start()
        targets = [(hx, math.ceil(duration_s * 80.0)), (wit, math.ceil(duration_s * 200.0))]
        while any(e.samples_written < n for e, n in targets):
            await asyncio.sleep(0.05)
        for emulator, _ in targets:  # finish on an intact sample, then go quiet
            emulator.faults = Faults()
            stop_at = emulator.samples_written + 2
            while emulator.samples_written < stop_at:
                await asyncio.sleep(0.01)
            emulator.pause()
        # the end of the stream is when every byte written has been read, not a frame count (a
        # decoder may rightly hold a valid last frame back until it knows no more bytes come)
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while time.monotonic() < deadline and any(
            r.bytes_in < sum(s.delivered for s in e.ledger.sent)
            for r, (e, _) in zip(readers, targets, strict=True)
        ):
            await asyncio.sleep(0.02)
    finally:
        for r in readers:
            await r.transport.close()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for r in readers:
            r.finish(time.monotonic())
        hx.close()
        wit.close()
    return [
        _report("hx711 text lines", 80.0, hx.ledger, readers[0]),
        _report("witmotion uart", 200.0, wit.ledger, readers[1]),
    ]


def _report(name: str, rate_hz: float, ledger: Ledger, reader: _Reader) -> StreamReport:
    stats = reader.decoder.stats
    rep = StreamReport(name, rate_hz)
    rep.frames_intact = len(ledger.intact)
    rep.frames_ok = stats.frames_ok
    rep.injected_runs = ledger.injected_runs
    rep.counted_runs = stats.resyncs
    rep.injected_bytes = ledger.injected_bytes
    rep.counted_bytes = stats.bytes_dropped
    rep.bytes_total = sum(s.delivered for s in ledger.sent)
    rep.checksum_errors = stats.checksum_errors
    rep.latency_s = reader.latency_s
    rep.max_chunk_gap_s = reader.max_chunk_gap_s
    rep.error = str(reader.error or "")
    rep.samples_decoded = sum(len(b) for b in reader.blocks)
    if isinstance(reader.decoder, WitMotionDecoder):
        channels = reader.decoder.channels
        expected = _wit_expected(ledger, channels)
        rep.incomplete_expected = int(np.isnan(expected).any(axis=1).sum())
        rep.incomplete_counted = stats.other["incomplete_samples"]
        got = _by_name(reader.blocks, channels)
    else:
        expected = np.array([[float(s.truth)] for s in ledger.intact])  # type: ignore[arg-type]
        got = _by_name(reader.blocks, ("load_raw",))
    rep.samples_expected = len(expected)
    rep.values_match = got.shape == expected.shape and bool(
        np.array_equal(got, expected, equal_nan=True)
    )
    if not rep.values_match:
        n = min(len(got), len(expected))
        same = [np.array_equal(got[i], expected[i], equal_nan=True) for i in range(n)]
        rep.first_mismatch = same.index(False) if not all(same) else n
    return rep


def _by_name(blocks: list[SampleBlock], channels: tuple[str, ...]) -> np.ndarray:
    """All samples of ``blocks`` as columns ``channels`` (NaN where a block lacks one)."""
    if not blocks:
        return np.empty((0, len(channels)))
    return np.vstack(
        [
            np.column_stack(
                [b.column(c) if b.has(c) else np.full(len(b), np.nan) for c in channels]
            )
            for b in blocks
        ]
    )
