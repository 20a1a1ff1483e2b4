"""Wires one session: transport → decoder → pipeline → (guide) → sinks and ring buffer.

The TUI and the headless commands both run sessions through :class:`SessionRunner`, so what the
screen shows and what ``isoforce record`` writes come from the same path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from isoforce.core.effort_key import Direction
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import Decoder, DecodeStats, DeviceMessage, DeviceSpec
from isoforce.export.context import SampleLabels
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.pipeline import ForcePipeline, PipelineSettings, ProcessedBlock
from isoforce.transports.base import Transport

TRUTH_TARGET_CHANNEL = "truth_target_pct"


class Sink(Protocol):
    """Receives every processed block in order (recorders, exporters, the store)."""

    def write(self, block: ProcessedBlock, labels: SampleLabels | None = None) -> None:
        """Take one block; must not block the event loop for long."""
        ...

    def close(self) -> None:
        """Flush and release; called once when the run ends, also on errors."""
        ...


@dataclass(frozen=True, slots=True)
class Guidance:
    """What a guide (the drill engine) says about one block: targets, labels, direction."""

    target_pct: FloatArray
    labels: SampleLabels
    direction: Direction | None
    finished: bool = False


class Guide(Protocol):
    """Something that turns measured effort into targets, e.g. the drill engine adapter."""

    def direction_at(self, t_s: float) -> Direction | None:
        """The effort direction in force at time ``t_s`` (None outside directed steps)."""
        ...

    def guide(self, block: ProcessedBlock) -> Guidance:
        """Advance on one processed block and return its targets and labels."""
        ...


@dataclass(slots=True)
class RunResult:
    """What a run did: samples kept, time covered, why it stopped, and what was lost."""

    samples: int = 0
    last_t_s: float = 0.0
    stopped_by: str = "end of stream"
    decode: DecodeStats = field(default_factory=DecodeStats)
    messages: list[DeviceMessage] = field(default_factory=list)


def pipeline_for(
    spec: DeviceSpec,
    *,
    fs_hz: float,
    calibration: Calibration | None = None,
    reference: EffortReference | None = None,
) -> ForcePipeline:
    """A force pipeline set up for a device with a force channel, using its factory calibration."""
    if spec.force_channel is None:
        raise ValueError(f"{spec.title} has no force channel")
    cal = calibration or Calibration(
        n_per_raw=spec.n_per_count if spec.n_per_count is not None else 1.0,
        offset_raw=spec.offset_counts,
    )
    settings = PipelineSettings(
        raw_channel=spec.force_channel, calibration=cal, capabilities=spec.capabilities, fs_hz=fs_hz
    )
    return ForcePipeline(settings, reference=reference)


class SessionRunner:
    """Runs one device through the pipeline until a duration, a stop request or end of stream."""

    def __init__(
        self,
        *,
        transport: Transport,
        decoder: Decoder,
        pipeline: ForcePipeline,
        sinks: Sequence[Sink] = (),
        guide: Guide | None = None,
        on_block: Callable[[ProcessedBlock, Guidance | None], None] | None = None,
    ) -> None:
        self.transport = transport
        self.decoder = decoder
        self.pipeline = pipeline
        self.sinks = list(sinks)
        self.guide = guide
        self.on_block = on_block
        self.result = RunResult(decode=decoder.stats)

    async def run(
        self, *, duration_s: float | None = None, stop: asyncio.Event | None = None
    ) -> RunResult:
        """Stream until ``duration_s`` of samples (session time), ``stop`` is set, or the stream ends."""
        stop = stop or asyncio.Event()
        try:
            async with self.transport:
                chunks = self.transport.chunks()
                while not stop.is_set():
                    next_chunk = asyncio.ensure_future(anext(chunks))
                    stopper = asyncio.ensure_future(stop.wait())
                    done, _ = await asyncio.wait(
                        {next_chunk, stopper}, return_when=asyncio.FIRST_COMPLETED
                    )
                    stopper.cancel()
                    if next_chunk not in done:
                        next_chunk.cancel()
                        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                            await next_chunk
                        self.result.stopped_by = "stopped"
                        break
                    try:
                        chunk = next_chunk.result()
                    except StopAsyncIteration:
                        self.result.stopped_by = "end of stream"
                        break
                    if self._feed(chunk.t_host_s, chunk.data, duration_s):
                        self.result.stopped_by = (
                            "duration reached" if duration_s is not None else "drill finished"
                        )
                        break
        finally:
            for sink in self.sinks:
                sink.close()
        return self.result

    def _feed(self, t_host_s: float, data: bytes, duration_s: float | None) -> bool:
        """Decode and process one chunk; True when the run should end."""
        for item in self.decoder.feed(t_host_s, data):
            if isinstance(item, DeviceMessage):
                self.result.messages.append(item)
                continue
            block = item
            if duration_s is not None and block.t_s[0] >= duration_s:
                return True
            done = False
            if duration_s is not None and block.t_s[-1] >= duration_s:
                keep = int(np.searchsorted(block.t_s, duration_s, side="left"))
                block = _head(block, keep)
                done = True
            if self.process_block(block):
                done = True
            if done:
                return True
        return False

    def process_block(self, block: SampleBlock) -> bool:
        """Run one decoded block through pipeline, guide and sinks; True when the guide finished."""
        if len(block) == 0:
            return False
        if self.guide is not None:
            self.pipeline.direction = self.guide.direction_at(float(block.t_s[0]))
        processed = self.pipeline.process(block)
        guidance: Guidance | None = None
        labels: SampleLabels | None = None
        if self.guide is not None:
            guidance = self.guide.guide(processed)
            processed = replace(processed, target_pct=guidance.target_pct)
            labels = guidance.labels
        elif block.has(TRUTH_TARGET_CHANNEL):
            processed = replace(processed, target_pct=block.column(TRUTH_TARGET_CHANNEL).copy())
        self.pipeline.append_to_ring(processed)
        for sink in self.sinks:
            sink.write(processed, labels)
        self.result.samples += len(processed)
        self.result.last_t_s = float(processed.t_s[-1])
        if self.on_block is not None:
            self.on_block(processed, guidance)
        return guidance is not None and guidance.finished


def _head(block: SampleBlock, n: int) -> SampleBlock:
    return SampleBlock(
        t_s=block.t_s[:n],
        t_host_s=block.t_host_s[:n],
        values=block.values[:n],
        channels=block.channels,
        lost_before=block.lost_before,
    )
