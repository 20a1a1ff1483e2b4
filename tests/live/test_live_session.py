"""A live session in memory: one immutable frame per block, gaps, reconnects, pain, a lost device.

Everything here runs the simulator in virtual time through the same live layer as the CLI and
the TUI; no pty, no Bluetooth, no clock to wait for.
"""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

from isoforce.core.schema import FORCE_COLUMNS
from isoforce.drills.events import EngineStatus, EventKind
from isoforce.drills.loader import load_builtin, load_drill_text
from isoforce.errors import IsoforceError
from isoforce.live import (
    FrameConsumer,
    LinkChange,
    LinkState,
    LiveFrame,
    ReconnectPolicy,
    SessionHeader,
    SessionOptions,
    SessionOutcome,
    StopReason,
)
from isoforce.live.build import open_session

HOLD = """
name = "hold-test"
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
target_pct = 40
seconds = 20
instruction = "Hold 40 %"

[[steps]]
kind = "passive"
seconds = 2
instruction = "Relax"
"""

VIRTUAL = SessionOptions(speed=math.inf, seed=3)


class Log(FrameConsumer):
    """Keeps everything a consumer is handed, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.frames: list[LiveFrame] = []
        self.outcome: SessionOutcome | None = None

    def on_start(self, header: SessionHeader) -> None:
        self.calls.append("start")

    def on_frame(self, frame: LiveFrame) -> None:
        self.calls.append("frame")
        self.frames.append(frame)

    def on_end(self, outcome: SessionOutcome) -> None:
        self.calls.append("end")
        self.outcome = outcome

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([f.columns[name] for f in self.frames])

    def link_changes(self) -> list[LinkChange]:
        return [e.change for f in self.frames for e in f.link_events]


def run(session: object, **kwargs: object) -> SessionOutcome:
    return asyncio.run(session.run(**kwargs))  # type: ignore[attr-defined]


def test_every_block_becomes_one_read_only_frame_with_the_whole_schema() -> None:
    log = Log()
    outcome = run(open_session(VIRTUAL, consumers=[log]), duration_s=2.0)
    assert log.calls[0] == "start" and log.calls[-1] == "end" and log.calls.count("end") == 1
    assert [f.index for f in log.frames] == list(range(len(log.frames)))
    names = {c.name for c in FORCE_COLUMNS}
    for frame in log.frames:
        assert set(frame.columns) == names
        assert all(len(a) == len(frame) for a in frame.columns.values())
        with pytest.raises(ValueError, match="read-only"):
            frame.columns["force_n"][0] = 1.0
        with pytest.raises(TypeError):
            frame.columns["force_n"] = np.zeros(1)  # type: ignore[index]
    t = log.column("t_s")
    assert len(t) == outcome.samples == 160 and np.all(np.diff(t) > 0)
    assert outcome.stopped_by == StopReason.DURATION
    # no drill: the simulated person's own target travels with the samples
    assert np.isfinite(log.column("target_pct")).all()


def test_a_link_drop_is_a_gap_with_frames_saying_lost_and_restored() -> None:
    log = Log()
    session = open_session(SessionOptions(speed=math.inf, drops=((2.0, 1.0),)), consumers=[log])
    outcome = run(session, duration_s=6.0)
    assert log.link_changes() == [LinkChange.LOST, LinkChange.RESTORED]
    lost = next(f for f in log.frames if f.link_events)
    assert len(lost) == 0 and lost.link is LinkState.LOST
    (gap,) = outcome.gaps
    assert gap.start_t_s == pytest.approx(2.0 - 1 / 80)
    assert gap.end_t_s == pytest.approx(3.0) and gap.samples_lost == 80
    assert log.column("lost_before").sum() == 80
    assert outcome.samples == len(log.column("t_s")) == 6 * 80 - 80
    assert log.frames[-1].link is LinkState.OK


def test_a_drill_pauses_while_the_device_is_away_and_resumes_after() -> None:
    log = Log()
    options = SessionOptions(speed=math.inf, drops=((8.0, 2.0),))
    session = open_session(options, drill=load_drill_text(HOLD, name="hold"), consumers=[log])
    outcome = run(session)
    assert outcome.stopped_by == StopReason.DRILL_FINISHED
    lost = next(f for f in log.frames if any(e.change is LinkChange.LOST for e in f.link_events))
    assert lost.drill is not None and lost.drill.status is EngineStatus.PAUSED
    kinds = [e.kind for e in outcome.events]
    assert kinds.count(EventKind.PAUSED) == 1 == kinds.count(EventKind.RESUMED)
    # the hold lasted its 20 s of samples although the device was away for 2 s in it
    hold = outcome.drill_result.step_scores[1]  # type: ignore[union-attr]
    assert hold.ended_t_s - hold.started_t_s == pytest.approx(22.0, abs=0.1)


def test_device_lost_for_good_mid_hold_ends_the_session_keeping_everything() -> None:
    log = Log()
    options = SessionOptions(speed=math.inf, drops=((8.0, math.inf),))
    session = open_session(options, drill=load_drill_text(HOLD, name="hold"), consumers=[log])
    session.reconnect = ReconnectPolicy(give_up_s=0.0)
    outcome = run(session)
    assert outcome.stopped_by == StopReason.DEVICE_LOST
    assert log.link_changes() == [LinkChange.LOST, LinkChange.GAVE_UP]
    assert log.frames[-1].link is LinkState.GONE
    (gap,) = outcome.gaps
    assert gap.end_t_s is None  # it never came back
    assert outcome.samples == len(log.column("t_s")) == 8 * 80
    result = outcome.drill_result
    assert result is not None and result.status is EngineStatus.ABORTED
    # the hold that was cut short is scored from what arrived
    assert [s.step_index for s in result.step_scores] == [0, 1]


def test_a_failing_consumer_ends_the_session_and_every_consumer_hears_the_error() -> None:
    log = Log()

    class Explode(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            if len(frame) and frame.last_t_s > 1.0:
                raise IsoforceError("disk on fire")

    session = open_session(VIRTUAL, consumers=[log, Explode()])
    with pytest.raises(IsoforceError, match="disk on fire"):
        run(session, duration_s=5.0)
    assert log.outcome is not None and "disk on fire" in log.outcome.error
    assert log.outcome.stopped_by == StopReason.ERROR
    assert log.calls.count("end") == 1


def test_the_simulated_athletes_pain_threshold_presses_the_key_inside_a_block() -> None:
    log = Log()
    options = SessionOptions(speed=math.inf, pain_threshold_pct=60.0)
    outcome = run(open_session(options, drill=load_builtin("tension-drill"), consumers=[log]))
    assert outcome.stopped_by == StopReason.DRILL_FINISHED
    assert any(e.kind is EventKind.PAIN_MARKED for e in outcome.events)
    steps = log.column("step")
    assert set(np.unique(steps)) - {-1} == set(range(len(log.frames[0].labels.step_names)))
