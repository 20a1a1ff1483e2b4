"""Unplug and replug a serial load cell mid-hold, with a drill running through ``open_session``."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from isoforce.drills.events import EngineStatus, EventKind
from isoforce.drills.loader import load_drill_text
from isoforce.live import FrameConsumer, LinkChange, LinkEvent, LiveFrame, SessionOptions
from isoforce.live.build import open_session
from isoforce.signal.calibration import Calibration
from tests.serial_devices.serial_emulators import EmulatorFactory, Hx711Text

DRILL = """
name = "hold-test"
title = "A long push hold"
movement = "hip-ir"
side = "left"
position = "90-90"

[[steps]]
kind = "passive"
seconds = 1
instruction = "Relax"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 20
seconds = 60
instruction = "Hold 20 %"
"""


class Keep(FrameConsumer):
    """A session consumer that keeps every raw value and link change it is given."""

    def __init__(self) -> None:
        self.raw: list[float] = []
        self.links: list[tuple[float, LinkEvent]] = []

    def on_frame(self, frame: LiveFrame) -> None:
        self.raw.extend(frame.columns["raw"].tolist())
        self.links += [(time.monotonic(), e) for e in frame.link_events]


async def until(predicate: object, timeout_s: float, what: str) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def test_unplug_mid_hold_pauses_marks_a_gap_reconnects_and_resumes(
    emulate: EmulatorFactory,
) -> None:
    emu = emulate(Hx711Text(rate_hz=80.0))
    keep = Keep()
    links = keep.links
    options = SessionOptions(
        device="hx711",
        port=str(emu.link.path),
        baud=57600,
        calibration=Calibration(n_per_raw=1 / 2250, offset_raw=84_000),
        push_max_n=250.0,
        pull_max_n=170.0,
    )
    session = open_session(
        options, drill=load_drill_text(DRILL, name="hold-test"), consumers=[keep]
    )
    guide = session.guide
    assert guide is not None
    attempts = 0
    reconnect = session.transport.reconnect

    async def counting_reconnect() -> None:
        nonlocal attempts
        attempts += 1
        await reconnect()

    session.transport.reconnect = counting_reconnect  # type: ignore[method-assign]

    async def main() -> tuple[int, float]:
        stop = asyncio.Event()
        run = asyncio.ensure_future(session.run(stop=stop))
        try:
            await until(lambda: getattr(session.transport, "is_open", False), 5, "port open")
            emu.start()
            await until(lambda: len(keep.raw) >= 160, 5, "2 s of samples (into the hold)")
            assert guide.engine.current_step is not None
            assert guide.engine.current_step.label.lower().startswith("hold")
            emu.pause()  # a clean unplug: everything sent so far is read first
            await until(lambda: len(keep.raw) == len(emu.ledger.intact), 5, "drain")
            before = len(keep.raw)
            emu.unplug()
            await until(lambda: any(e.change is LinkChange.LOST for _, e in links), 5, "link lost")
            assert guide.engine.status is EngineStatus.PAUSED
            await until(lambda: attempts >= 2, 5, "reconnect attempts while the port is gone")
            emu.replug()
            emu.resume()
            # how soon it comes back is a speed, not a property: no wall-clock assert here
            await until(
                lambda: any(e.change is LinkChange.RESTORED for _, e in links), 5, "restored"
            )
            await until(lambda: len(keep.raw) >= before + 80, 5, "1 s of samples after")
            assert guide.engine.status is EngineStatus.RUNNING
        finally:
            stop.set()
            await run
        return before

    before = asyncio.run(main())
    assert [e.change for _, e in links] == [LinkChange.LOST, LinkChange.RESTORED]
    result = session.outcome
    assert result is not None
    assert len(result.gaps) == 1
    gap = result.gaps[0]
    assert gap.end_t_s is not None and gap.end_t_s > gap.start_t_s
    kinds = [e.kind for e in guide.events]
    assert EventKind.PAUSED in kinds and EventKind.RESUMED in kinds
    # nothing that arrived was lost: before the gap, every line sent; after it, every line
    # from the first one read on (lines sent before the port reopened were flushed, as on USB)
    sent_before = [float(s.truth) for s in emu.ledger.intact[:before]]  # type: ignore[arg-type]
    assert keep.raw[:before] == sent_before
    after = keep.raw[before:]
    replugged = [
        s
        for s in emu.ledger.sent
        if s.kind == "frame" and s.sample > emu.ledger.intact[before - 1].sample
    ]
    sent_after = [float(s.truth) for s in replugged if s.delivered]  # type: ignore[arg-type]
    first = sent_after.index(after[0])
    assert after == sent_after[first : first + len(after)]
    assert np.all(np.diff(np.array(after)) != 0)
    assert result.samples == len(keep.raw)
