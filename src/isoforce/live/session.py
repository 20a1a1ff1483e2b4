"""The owner of a live session: transport → decoder → pipeline → IMU → drill → one frame per block.

:class:`LiveSession` opens the transport, decodes, runs the force pipeline, the IMU chain and
the drill engine, survives a vanished device (gap, pause, reconnect), and hands every consumer
one immutable :class:`~isoforce.live.frame.LiveFrame` per incoming block, then a
:class:`~isoforce.live.frame.SessionOutcome`. Consumers only read; user commands (pain, pause,
skip, abort, tare, calibration) are methods here, and what they did arrives as the next frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from isoforce.core.ringbuffer import RingBuffer
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.core.schema import FORCE_COLUMNS
from isoforce.devices.base import Decoder, DeviceKind, DeviceMessage
from isoforce.devices.commands import DeviceCommand
from isoforce.drills.events import AboveMaxStep, DrillEvent, EngineStatus, EventKind
from isoforce.errors import CalibrationError, TransportError, TransportErrorReason
from isoforce.live.frame import (
    DrillCommand,
    DrillState,
    Gap,
    LinkChange,
    LinkEvent,
    LinkSource,
    LinkState,
    LiveFrame,
    SessionHeader,
    SessionOutcome,
)
from isoforce.live.guide import DrillGuide, Guidance, apply_command
from isoforce.live.paired import PairedImu
from isoforce.session.model import ImuSamples, Labels
from isoforce.signal.calibration import Calibration, tare_offset
from isoforce.signal.imu import ImuBlock, ImuProcessor, has_imu, imu_arrays
from isoforce.signal.pipeline import ForcePipeline, ProcessedBlock
from isoforce.transports.base import Transport

IntArray = NDArray[np.int64]

#: Simulator-only channel with the target the simulated person follows (no drill running).
TRUTH_TARGET_CHANNEL = "truth_target_pct"
#: Raw samples kept for a tare.
TARE_WINDOW_S = 1.0
#: Points of the current step's target curve in :class:`DrillState`.
CURVE_POINTS = 200
#: How often a pending device command checks the session clock, and retries a failed write.
COMMAND_POLL_S = 0.05
COMMAND_RETRY_S = 0.5
#: The ``kind`` of the :class:`DeviceMessage` that records a command written to the device.
SENT_KIND = "sent"


class StopReason(enum.StrEnum):
    """Why a session stopped."""

    END_OF_STREAM = "end of stream"
    DURATION = "duration reached"
    DRILL_FINISHED = "drill finished"
    STOPPED = "stopped by the user"
    DEVICE_LOST = "device lost"
    ERROR = "error"


class Consumer(Protocol):
    """Reads a session: its header first, then every frame in order, then the outcome."""

    def on_start(self, header: SessionHeader) -> None:
        """The session is about to open its device."""
        ...

    def on_frame(self, frame: LiveFrame) -> None:
        """One block (or one command's events); must not block the event loop for long."""
        ...

    def on_end(self, outcome: SessionOutcome) -> None:
        """The session ended (also after an error: ``outcome.error`` says which)."""
        ...


class FrameConsumer:
    """A :class:`Consumer` that ignores what it does not override."""

    def on_start(self, header: SessionHeader) -> None:
        """Nothing to do at the start."""
        del header

    def on_frame(self, frame: LiveFrame) -> None:
        """Nothing to do per frame."""
        del frame

    def on_end(self, outcome: SessionOutcome) -> None:
        """Nothing to do at the end."""
        del outcome


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How hard to try when a device vanishes: give up after ``give_up_s`` (None = until stopped)."""

    enabled: bool = True
    give_up_s: float | None = None
    retry_s: float = 0.5


@dataclass(slots=True)
class _Counts:
    samples: int = 0
    last_t_s: float = 0.0
    last_t_host_s: float = 0.0
    frames: int = 0
    messages: list[DeviceMessage] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


class LiveSession:
    """Runs one device through decoder, pipeline, IMU chain and drill; frames to consumers."""

    def __init__(
        self,
        *,
        header: SessionHeader,
        transport: Transport,
        decoder: Decoder,
        pipeline: ForcePipeline,
        guide: DrillGuide | None = None,
        imu: ImuProcessor | None = None,
        reconnect: ReconnectPolicy = ReconnectPolicy(),
        consumers: Sequence[Consumer] = (),
        commands: Sequence[DeviceCommand] = (),
        paired: PairedImu | None = None,
    ) -> None:
        self.header = header
        self.transport = transport
        self.commands = tuple(sorted(commands, key=lambda c: c.at_s))
        self.decoder = decoder
        self.pipeline = pipeline
        self.guide = guide
        self.imu = imu
        #: A second device feeding the IMU chain on its own link (``--imu``), or None.
        self.paired = paired
        self.reconnect = reconnect
        self.consumers: list[Consumer] = list(consumers)
        self.link = LinkState.OK
        #: The paired IMU's link (OK without one).
        self.imu_link = LinkState.OK
        self.stop_reason: StopReason | None = None
        self.outcome: SessionOutcome | None = None
        self._counts = _Counts()
        self._open_gap: Gap | None = None
        self._paused_by_link = False
        self._measures_force = header.spec.force_channel is not None
        # a replay plays every stored sample, also those after its drill ended
        self._stops_with_drill = header.spec.transport is not DeviceKind.REPLAY
        self._tare = RingBuffer(max(5, int(TARE_WINDOW_S * header.rate_hz)), 1)
        self._no_labels = Labels()
        self._above_max = self.above_max_steps()
        self._curve: tuple[float, FloatArray, FloatArray] | None = None
        #: The current and next step's labels, and the step indices they were written for.
        self._step_labels = ("", "")
        self._labels_key: tuple[int, int] | None = None
        self._step_start: dict[int, float] = {}
        self._last_effort_pct = math.nan
        #: The last force block's times and effort, to score a paired IMU's estimate against.
        self._recent_effort: tuple[FloatArray, FloatArray] | None = None

    @property
    def _labels(self) -> Labels:
        """The step and phase names now (step labels follow the targets actually used)."""
        return self.guide.labels if self.guide is not None else self._no_labels

    # ---- running ----

    def add(self, consumer: Consumer) -> None:
        """Add a consumer before :meth:`run`."""
        self.consumers.append(consumer)

    async def run(
        self, *, duration_s: float | None = None, stop: asyncio.Event | None = None
    ) -> SessionOutcome:
        """Stream until ``duration_s`` of samples (session time), ``stop`` is set, or the end."""
        stop = stop or asyncio.Event()
        for consumer in self.consumers:
            consumer.on_start(self.header)
        error = ""
        try:
            async with contextlib.AsyncExitStack() as links:
                await links.enter_async_context(self.transport)
                paired_task: asyncio.Future[None] | None = None
                if self.paired is not None:
                    try:
                        await links.enter_async_context(self.paired.transport)
                    except TransportError as exc:  # say which of the two devices failed
                        raise TransportError(
                            exc.reason, f"the IMU ({self.paired.spec.key}): {exc.detail}"
                        ) from None
                    paired_task = asyncio.ensure_future(self._consume_paired(self.paired))
                consumer_task = asyncio.ensure_future(self._consume(duration_s))
                stopper = asyncio.ensure_future(stop.wait())
                sender = asyncio.ensure_future(self._send_commands())
                try:
                    await asyncio.wait(
                        {consumer_task, stopper}, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    stopper.cancel()
                    sender.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sender
                    if not consumer_task.done():
                        consumer_task.cancel()
                        self.stop_reason = StopReason.STOPPED
                    with contextlib.suppress(asyncio.CancelledError):
                        await consumer_task
                    if paired_task is not None:  # the session ends with its force device
                        paired_task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await paired_task
        except BaseException as exc:
            error = f"error: {exc}" if str(exc) else type(exc).__name__
            self.stop_reason = StopReason.ERROR
            self._end(error)
            raise
        self._end(error)
        assert self.outcome is not None
        return self.outcome

    def _end(self, error: str) -> None:
        if self._open_gap is not None:  # stopped while the device was away: it never came back
            self._counts.gaps.append(self._open_gap)
            self._open_gap = None
        guide = self.guide
        reason = self.stop_reason or StopReason.END_OF_STREAM
        if (
            guide is not None
            and not guide.ended
            and not error
            and reason is not StopReason.DURATION
        ):
            # a drill cut short (stopped, device lost, end of a replay) keeps its partial scores;
            # a session asked for a duration leaves the drill where it was
            self._emit(guide.keep(guide.engine.abort(self._counts.last_t_s)))
        scorer = guide.imu_scorer if guide is not None else None
        self.outcome = SessionOutcome(
            stopped_by=reason.value,
            samples=self._counts.samples,
            last_t_s=self._counts.last_t_s,
            interrupted=reason is StopReason.STOPPED,
            decode=replace(self.decoder.stats, other=dict(self.decoder.stats.other)),
            messages=tuple(self._counts.messages),
            gaps=tuple(self._counts.gaps),
            drill_result=guide.engine.result() if guide is not None else None,
            events=tuple(guide.events) if guide is not None else (),
            imu_scores=dict(scorer.scores) if scorer is not None else {},
            imu_summary=scorer.summary() if scorer is not None else None,
            imu_view=self.imu.view() if self.imu is not None else None,
            lift_offs=tuple(self.imu.lift_off.completed) if self.imu is not None else (),
            error=error,
        )
        failed: BaseException | None = None
        for consumer in self.consumers:  # every consumer hears the end, whatever another did
            try:
                consumer.on_end(self.outcome)
            except BaseException as exc:  # re-raised below, after the others were told
                failed = failed or exc
        if failed is not None:
            raise failed

    async def _consume(self, duration_s: float | None) -> None:
        while True:
            try:
                async for chunk in self.transport.chunks():
                    if self._feed(chunk.t_host_s, chunk.data, duration_s):
                        ended = self.guide is not None and self.guide.ended
                        self.stop_reason = (
                            StopReason.DRILL_FINISHED if ended else StopReason.DURATION
                        )
                        return
                # no more bytes: frames the decoder held back are complete now
                self._take(self.decoder.flush(self._counts.last_t_host_s), duration_s)
                self.stop_reason = StopReason.END_OF_STREAM
                return
            except TransportError as exc:
                if (
                    exc.reason is not TransportErrorReason.DISCONNECTED
                    or not self.reconnect.enabled
                ):
                    raise
                if not await self._reconnect(exc):
                    self.stop_reason = StopReason.DEVICE_LOST
                    return

    def _session_clock_s(self) -> float:
        """Session time now: the last sample's, run on by the host clock since it arrived.

        So a command still comes due while the device sends nothing (after ``x``, say).
        """
        if not self._counts.samples:
            return 0.0
        return self._counts.last_t_s + max(0.0, time.monotonic() - self._counts.last_t_host_s)

    async def _send_commands(self) -> None:
        """Write each device command when the session clock reaches its time, in order.

        A write that fails (link down) is retried; each write is kept as a ``sent`` message.
        """
        for command in self.commands:
            while (wait_s := command.at_s - self._session_clock_s()) > 0:
                await asyncio.sleep(min(wait_s, COMMAND_POLL_S))
            while True:
                try:
                    await self.transport.send(command.line())
                    break
                except TransportError:
                    await asyncio.sleep(COMMAND_RETRY_S)
            sent = DeviceMessage(time.monotonic(), SENT_KIND, command.text)
            self._counts.messages.append(sent)

    async def _reconnect(self, exc: TransportError) -> bool:
        """Pause the drill, mark a gap and reconnect; False if the policy gives up."""
        t_lost = self._counts.last_t_s
        self._open_gap = Gap(start_t_s=t_lost)
        events: tuple[DrillEvent, ...] = ()
        if self.guide is not None:
            events = self.guide.keep(self.guide.engine.pause(t_lost))
            self._paused_by_link = any(e.kind is EventKind.PAUSED for e in events)
        self._link(LinkEvent(LinkChange.LOST, t_lost, str(exc)), events)
        failed = await self._retry(self.transport)
        if failed is not None:
            self._counts.gaps.append(self._open_gap)
            self._open_gap = None
            self._link(LinkEvent(LinkChange.GAVE_UP, t_lost, str(failed)))
            return False
        self._link(LinkEvent(LinkChange.RESTORED, t_lost))
        return True

    async def _retry(self, transport: Transport) -> TransportError | None:
        """Reconnect ``transport`` until it is back (None) or the policy gives up (the error)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            try:
                await transport.reconnect()
            except TransportError as again:
                give_up = self.reconnect.give_up_s
                if give_up is not None and loop.time() - started >= give_up:
                    return again
                await asyncio.sleep(self.reconnect.retry_s)
                continue
            return None

    def _link(self, event: LinkEvent, events: tuple[DrillEvent, ...] = ()) -> None:
        if event.source is LinkSource.IMU:
            self.imu_link = event.change.state
        else:
            self.link = event.change.state
        self._emit(events, link_events=(event,))

    # ---- the paired IMU (a second device on its own link) ----

    async def _consume_paired(self, paired: PairedImu) -> None:
        """Feed the paired IMU's blocks to the IMU chain; its loss is a notice, not the end.

        A lost IMU is reconnected like the force device (same policy) while the session goes
        on without IMU samples; the drill is not paused. If the policy gives up, or the IMU's
        stream ends, the session carries on with force alone.
        """
        while True:
            try:
                async for chunk in paired.transport.chunks():
                    self._take_paired(paired, paired.decoder.feed(chunk.t_host_s, chunk.data))
                self._take_paired(paired, paired.decoder.flush(paired.last_t_host_s))
                return
            except TransportError as exc:
                t_lost = self._counts.last_t_s
                lost = LinkEvent(LinkChange.LOST, t_lost, str(exc), LinkSource.IMU)
                if (
                    exc.reason is not TransportErrorReason.DISCONNECTED
                    or not self.reconnect.enabled
                ):
                    self._link(replace(lost, change=LinkChange.GAVE_UP))
                    return
                self._link(lost)
                failed = await self._retry(paired.transport)
                if failed is not None:
                    self._link(LinkEvent(LinkChange.GAVE_UP, t_lost, str(failed), LinkSource.IMU))
                    return
                self._link(LinkEvent(LinkChange.RESTORED, t_lost, source=LinkSource.IMU))

    def _take_paired(self, paired: PairedImu, items: list[SampleBlock | DeviceMessage]) -> None:
        """The paired IMU's decoded blocks, on session time, through the IMU chain."""
        for item in items:
            if isinstance(item, DeviceMessage):
                self._counts.messages.append(item)
                continue
            for block in paired.on_session_time(item):
                self._process_imu_only(block, ())

    def _feed(self, t_host_s: float, data: bytes, duration_s: float | None) -> bool:
        """Decode and process one chunk; True when the session should end."""
        return self._take(self.decoder.feed(t_host_s, data), duration_s)

    def _take(self, items: list[SampleBlock | DeviceMessage], duration_s: float | None) -> bool:
        """Process what the decoder made of a chunk; True when the session should end."""
        for item in items:
            if isinstance(item, DeviceMessage):
                self._counts.messages.append(item)
                continue
            block = item
            if duration_s is not None and block.t_s[0] >= duration_s:
                return True
            done = False
            if duration_s is not None and block.t_s[-1] >= duration_s:
                block = block.head(int(np.searchsorted(block.t_s, duration_s, side="left")))
                done = True
            if self.process(block) and self._stops_with_drill:
                done = True
            if done:
                return True
        return False

    def process(self, block: SampleBlock) -> bool:
        """Run one decoded block through pipeline, IMU and drill; True when the drill ended."""
        n = len(block)
        if n == 0:
            return False
        events: tuple[DrillEvent, ...] = ()
        t0 = float(block.t_s[0])
        if self._open_gap is not None:
            gap = replace(self._open_gap, end_t_s=t0, samples_lost=block.lost_before or None)
            self._open_gap = None
            self._counts.gaps.append(gap)
            if self.guide is not None and self._paused_by_link:
                self._paused_by_link = False
                events = self.guide.keep(self.guide.engine.resume(t0))
        guide = self.guide
        force_channel = self.header.spec.force_channel
        if self.paired is not None:
            self.paired.observe_force(block)
        if force_channel is not None and not block.has(force_channel):
            return self._process_imu_only(block, events)
        if guide is not None:
            guide.prepare(self.pipeline, t0)
            cut = guide.step_boundary(block.t_s)
            if cut is not None:  # the block runs into the next step: one frame per part
                head, rest = block.split(cut)
                ended = self.process(head)
                return self.process(rest) or ended
        processed = self.pipeline.process(block)
        imu_block: ImuBlock | None = None
        imu_samples: ImuSamples | None = None
        if self.imu is not None and has_imu(block):
            imu_block = self.imu.update_block(
                block, load_cell_pct=processed.effort_pct if self._measures_force else None
            )
            imu_samples = _imu_samples(block, imu_block)
        guidance: Guidance | None = None
        if guide is not None:
            guidance = guide.guide(processed.t_s, processed.effort_pct, imu_block)
            target = guidance.target_pct
            events = events + guidance.events
        elif block.has(TRUTH_TARGET_CHANNEL):
            target = block.column(TRUTH_TARGET_CHANNEL).copy()
        else:
            target = None
        columns = force_columns(
            processed,
            target_pct=target,
            step=guidance.step if guidance is not None else None,
            phase=guidance.phase if guidance is not None else None,
            rep=guidance.rep if guidance is not None else None,
        )
        self._tare.extend(processed.raw[:, None])
        self._counts.samples += n
        self._counts.last_t_s = float(processed.t_s[-1])
        self._counts.last_t_host_s = float(processed.t_host_s[-1])
        self._last_effort_pct = float(processed.effort_pct[-1])
        if self.paired is not None:
            self._recent_effort = (processed.t_s, processed.effort_pct)
        frame = LiveFrame.build(
            index=self._next_index(),
            columns=columns,
            display_force_n=processed.display_force_n,
            labels=self._labels,
            link=self.link,
            effort_message=self.pipeline.effort_message,
            imu=imu_samples,
            imu_derived=imu_block,
            imu_view=self.imu.view() if self.imu is not None else None,
            events=events,
            imu_step_scores=guidance.imu_scores if guidance is not None else (),
            drill=self._drill_state(
                events, float(target[-1]) if guidance is not None and target is not None else None
            ),
            refused=self._refused(),
        )
        self._publish(frame)
        return guide is not None and guide.ended

    def _process_imu_only(self, block: SampleBlock, events: tuple[DrillEvent, ...]) -> bool:
        """A block from the IMU of a two-sensor stream: IMU results, no force samples."""
        if self.imu is None or not has_imu(block):
            return False
        imu_block = self.imu.update_block(block, load_cell_pct=self._effort_at(block.t_s))
        scorer = self.guide.imu_scorer if self.guide is not None else None
        if scorer is not None and self.guide is not None:
            step = self.guide.engine.current_step
            n = len(block)
            index = np.full(n, step.index if step is not None else -1, dtype=np.int64)
            phase = np.full(n, int(self.guide.engine.current_phase), dtype=np.int64)
            scorer.add(imu_block, index, phase)
        self._emit(
            events,
            imu=_imu_samples(block, imu_block),
            imu_derived=imu_block,
        )
        return False

    def _effort_at(self, t_s: FloatArray) -> FloatArray | None:
        """A paired IMU's samples' load-cell effort: the last force block's, interpolated.

        IMU samples beyond that block take its nearest value (the IMU runs at most a block
        ahead); None without a paired IMU, before the first force block, or without force.
        """
        recent = self._recent_effort
        if recent is None or not self._measures_force:
            return None
        t, effort = recent
        ok = np.isfinite(effort)
        if not ok.any():
            return None
        out: FloatArray = np.interp(t_s, t[ok], effort[ok])
        return out

    def _refused(self) -> tuple[tuple[str, int], ...]:
        """The decoder's refusals by reason (only reasons that happened)."""
        stats = self.decoder.stats
        if not (
            stats.checksum_errors or stats.bad_lengths or stats.non_finite or stats.out_of_range
        ):
            return ()
        return tuple((k, n) for k, n in stats.drops_by_reason().items() if n)

    def _next_index(self) -> int:
        self._counts.frames += 1
        return self._counts.frames - 1

    def _publish(self, frame: LiveFrame) -> None:
        for consumer in self.consumers:
            consumer.on_frame(frame)

    def _emit(
        self,
        events: tuple[DrillEvent, ...],
        *,
        link_events: tuple[LinkEvent, ...] = (),
        imu: ImuSamples | None = None,
        imu_derived: ImuBlock | None = None,
    ) -> None:
        """A frame with no force samples: what a command, a link change or the IMU did."""
        if not events and not link_events and imu is None:
            return
        empty_f = np.empty(0)
        columns = {c.name: np.empty(0, dtype=c.numpy_dtype) for c in FORCE_COLUMNS}
        self._publish(
            LiveFrame.build(
                index=self._next_index(),
                columns=columns,
                display_force_n=empty_f,
                labels=self._labels,
                link=self.link,
                effort_message=self.pipeline.effort_message,
                events=events,
                link_events=link_events,
                imu=imu,
                imu_derived=imu_derived,
                imu_view=self.imu.view() if self.imu is not None else None,
                drill=self._drill_state(events),
            )
        )

    def _drill_state(
        self, events: tuple[DrillEvent, ...], target_now: float | None = None
    ) -> DrillState | None:
        """The drill after this frame; ``target_now`` is the last sample's target when known."""
        guide = self.guide
        if guide is None:
            return None
        engine = guide.engine
        t = self._counts.last_t_s
        for e in events:
            if e.kind is EventKind.STEP_STARTED:
                self._step_start[e.step_index] = e.t_s
        step = engine.current_step
        if step is not None and (events or self._curve is None):
            start = self._step_start.get(step.index, t)
            self._curve = self._step_curve(start, step.duration_s)
        start_s, curve_t, curve_pct = self._curve or (t, np.empty(0), np.empty(0))
        nxt = engine.next_step
        # labels change with what the drill does (pain, consent, a max found), which comes as
        # events, or with the step: written again only then, not for every block
        key = (step.index if step is not None else -1, nxt.index if nxt is not None else -1)
        if events or key != self._labels_key:
            self._labels_key = key
            self._step_labels = (
                engine.step_label(step.index) if step is not None else "",
                engine.step_label(nxt.index) if nxt is not None else "",
            )
        step_label, next_label = self._step_labels
        return DrillState(
            status=engine.status,
            step=step,
            next_step=nxt,
            phase=engine.current_phase,
            target_pct=engine.target_at(t) if target_now is None else target_now,
            remaining_s=engine.step_remaining_s(t),
            step_start_s=start_s,
            target_t_s=curve_t,
            target_curve_pct=curve_pct,
            step_label=step_label,
            next_label=next_label,
            above_max_prompt=self._above_max_prompt(),
            clock=engine.phase_clock(t),
            leading_in=engine.leading_in,
            pain_lowered=engine.pain_lowered,
        )

    def _above_max_prompt(self) -> str:
        """What is asked while targets above the max are not agreed (empty otherwise)."""
        guide = self.guide
        if guide is None or guide.engine.above_max_consent or not self._above_max:
            return ""
        steps = "; ".join(s.text() for s in self._above_max)
        return f"above your max: {steps} — capped at 100 % unless you agree (key g)"

    def _step_curve(
        self, start_s: float, duration_s: float
    ) -> tuple[float, FloatArray, FloatArray]:
        engine = self.guide.engine if self.guide is not None else None
        t = np.linspace(start_s, start_s + duration_s, CURVE_POINTS)
        if engine is None or engine.status is not EngineStatus.RUNNING:
            pct = np.zeros(CURVE_POINTS)
        else:
            pct = engine.targets_at(t)
        t.flags.writeable = False
        pct.flags.writeable = False
        return start_s, t, pct

    # ---- commands (from a UI) ----

    def _t_now(self) -> tuple[float, float | None]:
        effort = self._last_effort_pct
        return self._counts.last_t_s, None if math.isnan(effort) else effort

    def command(self, command: DrillCommand) -> None:
        """A key from the user: what the drill did arrives as a frame at once.

        ``PAIN`` (pain/pinch: the target drops at once below the painful level and "better?"
        is asked), ``BETTER``/``NOT_BETTER`` (the answer), ``CRAMP`` (release, rest, carry on),
        ``CHECK_*`` (the checks after a phase), ``PAUSE`` (pause, or resume a paused drill),
        ``SKIP`` (to the next step), ``ABORT`` (end early, keeping partial results). Without a
        drill, nothing happens.
        """
        guide = self.guide
        if guide is None:
            return
        t, effort = self._t_now()
        events = apply_command(guide.engine, command, t, effort)
        self._emit(guide.keep(events))

    def above_max_steps(self) -> tuple[AboveMaxStep, ...]:
        """The drill's steps asking for more than 100 % of their max (consent needed)."""
        return self.guide.engine.above_max_steps() if self.guide is not None else ()

    def set_above_max_consent(self, *, agreed: bool, how: str = "") -> None:
        """The athlete's answer to going above their max; recorded as an event.

        Given before :meth:`run` it is recorded when the drill starts; later, at once.
        """
        guide = self.guide
        if guide is None:
            return
        t, _ = self._t_now()
        self._emit(guide.keep(guide.engine.set_above_max_consent(t, agreed=agreed, how=how)))

    @property
    def calibration(self) -> Calibration:
        """The calibration in use now."""
        return self.pipeline.calibration

    def set_calibration(self, calibration: Calibration) -> None:
        """Use ``calibration`` for the samples that follow."""
        self.pipeline.set_calibration(calibration)

    def tare(self) -> Calibration:
        """Zero the load cell on the last second of raw samples; raises CalibrationError."""
        raw = self._tare.latest(len(self._tare))[:, 0]
        if raw.size < 5:
            raise CalibrationError("not enough samples yet to tare; wait a second")
        offset = tare_offset(raw=raw, calibration=self.pipeline.calibration)
        calibration = self.pipeline.calibration.with_tare(offset)
        self.pipeline.set_calibration(calibration)
        return calibration


def force_columns(
    processed: ProcessedBlock,
    *,
    target_pct: FloatArray | None = None,
    step: IntArray | None = None,
    phase: IntArray | None = None,
    rep: IntArray | None = None,
) -> dict[str, NDArray[Any]]:
    """A processed block's samples in the columns of ``core.schema.FORCE_COLUMNS``.

    Without a drill, ``target_pct`` is NaN, ``step``/``phase`` are -1 and ``rep`` is 0: those
    columns (and ``lost_before`` when nothing was lost) are shared read-only constants.
    """
    n = processed.samples
    fill = _fill(n)
    if processed.lost_before and n:
        lost = np.zeros(n, dtype=np.int64)
        lost[0] = processed.lost_before
    else:
        lost = fill.zeros
    return {
        "t_s": processed.t_s,
        "t_host_s": processed.t_host_s,
        "raw": processed.raw,
        "force_n": processed.force_n,
        "effort_pct": processed.effort_pct,
        "target_pct": target_pct if target_pct is not None else fill.nan,
        "step": step if step is not None else fill.minus_one,
        "phase": phase if phase is not None else fill.minus_one,
        "rep": rep if rep is not None else fill.zeros,
        "lost_before": lost,
    }


class _Fill(NamedTuple):
    """Read-only columns of ``n`` samples: NaN, -1 and 0 (shared by every frame of that size)."""

    nan: FloatArray
    minus_one: IntArray
    zeros: IntArray


@functools.lru_cache(maxsize=32)
def _fill(n: int) -> _Fill:
    """The constant columns of ``n`` samples, read-only and shared.

    Cached: a live stream has a few block sizes; a replay or an import may have many, so the
    cache is bounded.
    """
    fill = _Fill(np.full(n, np.nan), np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64))
    for values in fill:
        values.setflags(write=False)
    return fill


def _imu_samples(block: SampleBlock, derived: ImuBlock) -> ImuSamples:
    """A block's IMU samples with what the IMU chain derived from exactly this block."""
    acc, gyro = imu_arrays(block)
    return ImuSamples(
        t_s=np.array(block.t_s, dtype=np.float64),
        acc_g=acc,
        gyro_dps=gyro,
        angle_deg=derived.angle_deg,
        still=np.asarray(derived.still, dtype=np.bool_),
        effort_est_pct=derived.mmg.estimate_pct,
        effort_low_pct=derived.mmg.low_pct,
        effort_high_pct=derived.mmg.high_pct,
    )
