"""A device that sends one sample at a time: samples are gathered into one pass per 25 ms.

A Progressor or a Force Board notifies each of its 80 samples a second; running the pipeline,
the drill and a frame for each cost a tenth of a core on screen. The live session now holds
decoded samples until 25 ms of sample time has come in (``GATHER_S``). Nothing may be lost or
reordered by that, and a key, a stop or a pause of the stream must still come after every sample
that arrived before it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from unittest import mock

import numpy as np
import pytest

from isoforce.core.effort_key import ReferenceKind
from isoforce.core.samples import RawChunk
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder, encode_frames, encode_text
from isoforce.devices.registry import device_spec
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import EventKind
from isoforce.drills.loader import load_drill_text
from isoforce.live import (
    DrillCommand,
    FrameConsumer,
    LiveFrame,
    LiveSession,
    SessionHeader,
    StopReason,
)
from isoforce.live import session as live_session
from isoforce.live.build import pipeline_for
from isoforce.live.guide import DrillGuide, maxima_n
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.transports.base import Transport

RATE_HZ = 80.0
HOLD = """
name = "gather-hold"
movement = "hip-ir"
side = "left"
position = "90-90"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 40
seconds = 2
instruction = "Hold 40 %"
"""


def _frame(seq: int) -> bytes:
    return encode_frames(
        seq=np.array([seq]),
        t_us=np.array([round(seq * 1e6 / RATE_HZ)]),
        names=("load_raw",),
        values=np.array([[4000.0 + seq]]),
    )


class OneAtATime(Transport):
    """One sample a chunk; ``before(i)`` runs before chunk ``i`` goes out; a pause after
    ``pause_after`` chunks (the stream goes quiet for ``pause_s`` of real time), after a text
    ``reply`` if one is given."""

    def __init__(
        self,
        count: int,
        before: Callable[[int], None] = lambda i: None,
        *,
        pause_after: int | None = None,
        pause_s: float = 0.0,
        reply: str | None = None,
    ) -> None:
        self.spec = device_spec("isoforce-serial")
        self.count = count
        self.before = before
        self.pause_after = pause_after
        self.pause_s = pause_s
        self.reply = reply

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """The chunks, letting the event loop run between them."""
        for i in range(self.count):
            if i == self.pause_after:
                if self.reply is not None:  # the device answers, then says nothing for a while
                    yield RawChunk((i - 0.5) / RATE_HZ, encode_text(self.reply))
                await asyncio.sleep(self.pause_s)
            self.before(i)
            await asyncio.sleep(0)
            yield RawChunk(i / RATE_HZ, _frame(i))


class Keep(FrameConsumer):
    def __init__(self) -> None:
        self.frames: list[LiveFrame] = []

    def on_frame(self, frame: LiveFrame) -> None:
        self.frames.append(frame)

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([f.columns[name] for f in self.frames if len(f)])


def _session(transport: Transport, *, drill: str | None = None) -> tuple[LiveSession, Keep]:
    spec = device_spec("isoforce-serial")
    calibration = Calibration(n_per_raw=0.01)
    references = {ReferenceKind.PAIN_FREE: EffortReference(100.0, 100.0)}
    keep = Keep()
    guide = None
    if drill is not None:
        engine = DrillEngine(
            load_drill_text(drill, name="gather-hold"), references_n=maxima_n(references)
        )
        guide = DrillGuide(engine, references=references)
    session = LiveSession(
        header=SessionHeader(
            spec=spec, rate_hz=RATE_HZ, calibration=calibration, references=references
        ),
        transport=transport,
        decoder=IsoforceFrameDecoder(),
        pipeline=pipeline_for(spec, fs_hz=RATE_HZ, calibration=calibration),
        guide=guide,
        consumers=[keep],
    )
    return session, keep


def test_one_sample_chunks_become_a_pass_per_25_ms_keeping_every_sample_and_value() -> None:
    gathered, keep = _session(OneAtATime(200))
    outcome = asyncio.run(gathered.run())
    with mock.patch.object(live_session, "GATHER_S", 0.0):  # one pass a sample, as before
        single, keep_single = _session(OneAtATime(200))
        asyncio.run(single.run())
    assert outcome.samples == 200 and outcome.stopped_by == StopReason.END_OF_STREAM
    assert keep.column("raw").tolist() == [4000.0 + i for i in range(200)]
    assert len(keep_single.frames) == 200
    # 25 ms at 80 Hz: two or three samples a pass (the first sample is shown at once)
    assert 200 / 3 <= len(keep.frames) <= 200 / 2 + 1
    for name in ("t_s", "force_n", "effort_pct", "target_pct"):
        assert np.allclose(keep.column(name), keep_single.column(name), equal_nan=True), name


def test_a_key_applies_after_every_sample_that_arrived_before_it() -> None:
    session: LiveSession
    pressed_at: list[float] = []

    def before(i: int) -> None:
        if i == 81:  # sample 80 has arrived (and may be held): the athlete presses pause now
            pressed_at.append(80 / RATE_HZ)
            session.command(DrillCommand.PAUSE)

    session, keep = _session(OneAtATime(120, before), drill=HOLD)
    asyncio.run(session.run())
    paused = [e for f in keep.frames for e in f.events if e.kind is EventKind.PAUSED]
    assert [e.t_s for e in paused] == pressed_at
    assert keep.column("raw").tolist() == [4000.0 + i for i in range(120)]


def test_samples_held_when_the_stream_pauses_are_shown_without_waiting_for_more() -> None:
    session, keep = _session(OneAtATime(20, pause_after=11, pause_s=0.3))
    shown_by_pause: list[int] = []

    async def main() -> None:
        task = asyncio.ensure_future(session.run())
        await asyncio.sleep(0.2)  # the stream is quiet: sample 10 must not wait for sample 11
        shown_by_pause.append(len(keep.column("raw")))
        await task

    asyncio.run(main())
    assert shown_by_pause == [11]
    assert len(keep.column("raw")) == 20


def test_a_stop_keeps_the_samples_that_were_held() -> None:
    stop = asyncio.Event()

    def before(i: int) -> None:
        if i == 51:
            stop.set()

    session, keep = _session(OneAtATime(100, before))
    outcome = asyncio.run(session.run(stop=stop))
    assert outcome.stopped_by == StopReason.STOPPED
    raw = keep.column("raw").tolist()
    assert raw == [4000.0 + i for i in range(len(raw))] and len(raw) >= 51


def test_a_drill_that_ends_in_held_samples_stops_the_session_there() -> None:
    session, keep = _session(OneAtATime(400), drill=HOLD)
    outcome = asyncio.run(session.run())
    assert outcome.stopped_by == StopReason.DRILL_FINISHED
    t = keep.column("t_s")
    # the 2 s hold ends at its 160th sample; nothing after the pass that ended it
    assert math.isclose(t[-1], 2.0, abs_tol=3 / RATE_HZ)


@pytest.mark.parametrize("last", [160, 161])
def test_a_drill_that_ends_in_samples_held_over_a_pause_ends_without_waiting_for_more(
    last: int,
) -> None:
    """The hold ends at sample ``last``, then the stream goes quiet for a second.

    Samples go through two at a time here, so one of the two ends is held when the stream goes
    quiet: the timer runs it, and the session ends on it without taking what comes after."""
    drill = HOLD.replace("seconds = 2", f"seconds = {(last - 0.5) / RATE_HZ}")
    session, keep = _session(OneAtATime(400, pause_after=last + 1, pause_s=1.0), drill=drill)
    outcome = asyncio.run(session.run())
    assert outcome.stopped_by == StopReason.DRILL_FINISHED
    assert keep.column("t_s")[-1] == pytest.approx(last / RATE_HZ)


@pytest.mark.parametrize("pause_after", [10, 11])
def test_a_reply_that_comes_alone_is_taken_at_once(pause_after: int) -> None:
    """A device's answer to a command (``ok stop``) does not wait for the samples after it
    (whether or not the sample before it was held: samples go through two at a time here)."""
    transport = OneAtATime(20, pause_after=pause_after, pause_s=0.3, reply="ok stop")
    session, _ = _session(transport)
    replies_by_pause: list[list[str]] = []

    async def main() -> None:
        task = asyncio.ensure_future(session.run())
        await asyncio.sleep(0.2)
        replies_by_pause.append([m.text for m in session._counts.messages])
        await task

    asyncio.run(main())
    assert replies_by_pause == [["ok stop"]]
