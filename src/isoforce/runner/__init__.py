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

from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import Decoder, DecodeStats, DeviceMessage, DeviceSpec
from isoforce.drills.events import DrillEvent
from isoforce.errors import TransportError, TransportErrorReason
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
    """What a guide (the drill engine) says about one block: targets, labels, events."""

    target_pct: FloatArray
    labels: SampleLabels
    events: tuple[DrillEvent, ...] = ()
    finished: bool = False


class Guide(Protocol):
    """Something that turns measured effort into targets, e.g. the drill engine adapter."""

    def prepare(self, pipeline: ForcePipeline, t_s: float) -> None:
        """Set the pipeline's direction and reference for the block starting at ``t_s``."""
        ...

    def pause(self, t_s: float) -> bool:
        """Hold the drill (the device vanished at ``t_s``); True if this call paused it."""
        ...

    def resume(self, t_s: float) -> None:
        """Carry on from ``t_s`` (samples flow again)."""
        ...

    def guide(self, block: ProcessedBlock) -> Guidance:
        """Advance on one processed block and return its targets and labels."""
        ...


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """The device link changed: ``lost`` (with the error), ``restored``, or ``gave_up``."""

    kind: str
    t_s: float
    detail: str = ""


@dataclass(slots=True)
class Gap:
    """A stretch with no samples: from the last sample before the loss to the first after it."""

    start_t_s: float
    end_t_s: float | None = None
    samples_lost: int | None = None


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How hard to try when a device vanishes: give up after ``give_up_s`` (None = until stopped)."""

    enabled: bool = True
    give_up_s: float | None = None
    retry_s: float = 0.5


@dataclass(slots=True)
class RunResult:
    """What a run did: samples kept, time covered, why it stopped, and what was lost."""

    samples: int = 0
    last_t_s: float = 0.0
    stopped_by: str = "end of stream"
    decode: DecodeStats = field(default_factory=DecodeStats)
    messages: list[DeviceMessage] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def pipeline_for(
    spec: DeviceSpec,
    *,
    fs_hz: float,
    calibration: Calibration | None = None,
    reference: EffortReference | None = None,
) -> ForcePipeline:
    """A force pipeline for a device, using its factory calibration.

    A device with no force channel (an IMU) gets a pipeline that reports "not force-measured".
    """
    cal = calibration or Calibration(
        n_per_raw=spec.n_per_count if spec.n_per_count is not None else 1.0,
        offset_raw=spec.offset_counts,
    )
    settings = PipelineSettings(
        raw_channel=spec.force_channel, calibration=cal, capabilities=spec.capabilities, fs_hz=fs_hz
    )
    return ForcePipeline(settings, reference=reference)


#: Sees every decoded block next to its processed force block (e.g. the IMU chain).
Tap = Callable[[SampleBlock, ProcessedBlock], None]


class SessionRunner:
    """Runs one device through the pipeline until a duration, a stop request or end of stream.

    ``taps`` are called with each decoded block and its processed force block before the
    sinks, so other processing (the IMU chain) runs on the same samples in the same order.
    """

    def __init__(
        self,
        *,
        transport: Transport,
        decoder: Decoder,
        pipeline: ForcePipeline,
        sinks: Sequence[Sink] = (),
        guide: Guide | None = None,
        on_block: Callable[[ProcessedBlock, Guidance | None], None] | None = None,
        on_link: Callable[[LinkEvent], None] | None = None,
        reconnect: ReconnectPolicy = ReconnectPolicy(),
        taps: Sequence[Tap] = (),
    ) -> None:
        self.transport = transport
        self.taps = list(taps)
        self.on_link = on_link
        self.reconnect = reconnect
        self._open_gap: Gap | None = None
        self._paused_by_link = False
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
                consumer = asyncio.ensure_future(self._consume(duration_s))
                stopper = asyncio.ensure_future(stop.wait())
                try:
                    await asyncio.wait({consumer, stopper}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stopper.cancel()
                    if not consumer.done():
                        consumer.cancel()
                        self.result.stopped_by = "stopped"
                    with contextlib.suppress(asyncio.CancelledError):
                        await consumer
        finally:
            for sink in self.sinks:
                sink.close()
        return self.result

    async def _consume(self, duration_s: float | None) -> None:
        while True:
            try:
                async for chunk in self.transport.chunks():
                    if self._feed(chunk.t_host_s, chunk.data, duration_s):
                        self.result.stopped_by = (
                            "duration reached" if duration_s is not None else "drill finished"
                        )
                        return
                self.result.stopped_by = "end of stream"
                return
            except TransportError as exc:
                if (
                    exc.reason is not TransportErrorReason.DISCONNECTED
                    or not self.reconnect.enabled
                ):
                    raise
                if not await self._reconnect(exc):
                    self.result.stopped_by = "device lost"
                    return

    async def _reconnect(self, exc: TransportError) -> bool:
        """Pause the drill, mark a gap and reconnect; False if the policy gives up."""
        t_lost = self.result.last_t_s
        self._open_gap = Gap(start_t_s=t_lost)
        self.result.gaps.append(self._open_gap)
        if self.guide is not None:
            self._paused_by_link = self.guide.pause(t_lost)
        self._link(LinkEvent("lost", t_lost, str(exc)))
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            try:
                await self.transport.reconnect()
            except TransportError as again:
                give_up = self.reconnect.give_up_s
                if give_up is not None and loop.time() - started >= give_up:
                    self._link(LinkEvent("gave_up", t_lost, str(again)))
                    return False
                await asyncio.sleep(self.reconnect.retry_s)
                continue
            self._link(LinkEvent("restored", t_lost))
            return True

    def _link(self, event: LinkEvent) -> None:
        if self.on_link is not None:
            self.on_link(event)

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
        if self._open_gap is not None:
            gap, self._open_gap = self._open_gap, None
            gap.end_t_s = float(block.t_s[0])
            gap.samples_lost = block.lost_before if block.lost_before else None
            if self.guide is not None and self._paused_by_link:
                self._paused_by_link = False
                self.guide.resume(gap.end_t_s)
        if self.guide is not None:
            self.guide.prepare(self.pipeline, float(block.t_s[0]))
        processed = self.pipeline.process(block)
        for tap in self.taps:
            tap(block, processed)
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
