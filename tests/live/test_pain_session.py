"""The pain key in a live session on the simulator: the drop within one frame, "better?",
the stored pain-free max lowered; the cramp key; the simulated athlete's own answers; replay.

The same check runs on a real-sensor path in tests/serial_devices/test_serial_pain.py.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from isoforce.core.effort_key import Direction, Side
from isoforce.drills.events import EventKind
from isoforce.drills.loader import load_builtin, load_drill_text
from isoforce.drills.segments import Phase
from isoforce.live import DrillCommand, FrameConsumer, LiveFrame, SessionOptions
from isoforce.live.build import open_replay, open_session
from isoforce.recording import Recording
from isoforce.session.store import SessionStore
from tests.live.pain_helpers import HOLD_DRILL, PainPresser, stored_pain_free


def test_pain_key_on_the_simulator_drops_asks_and_lowers_the_stored_max(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    drill = load_drill_text(HOLD_DRILL, name="pain-hold")
    options = SessionOptions(speed=math.inf, seed=3, push_max_n=200.0, pull_max_n=150.0)
    with Recording(data_dir=data) as rec:
        session = open_session(options, drill=drill)
        presser = PainPresser(session)
        session.add(presser)
        rec.attach(session, options, side=Side.LEFT)
        outcome = asyncio.run(session.run())
        lines = rec.saved_lines(drill=drill, side=Side.LEFT)
    presser.check_drop()
    result = outcome.drill_result
    assert result is not None
    (drop,) = result.drops
    assert drop.answer == "better" and drop.level_pct <= 0.9 * presser.painful_pct + 1e-9
    with SessionStore.open(data_dir=data) as store:
        record = stored_pain_free(store)
    # lowered from the 200 N it ran with to the level held, found by pain
    assert record.value_n == pytest.approx(drop.level_pct / 100 * 200.0)
    assert record.value_n < 200.0
    detail = record.detail
    assert detail["found_by"] == "lowered by pain" and detail["previous_n"] == 200.0
    assert detail["painful_n"] == pytest.approx(drop.painful_pct * 2.0)
    assert detail["t_s"] == pytest.approx(drop.t_s) and detail["answer"] == "better"
    assert any("pain-free max" in line and f"{record.value_n:.1f} N" in line for line in lines)


def test_cramp_key_rests_and_leaves_every_max_where_it_was(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    drill = load_drill_text(HOLD_DRILL, name="pain-hold")
    options = SessionOptions(speed=math.inf, seed=3, push_max_n=200.0, pull_max_n=150.0)

    class Cramp(FrameConsumer):
        def __init__(self) -> None:
            self.frames: list[LiveFrame] = []
            self.done = False

        def on_frame(self, frame: LiveFrame) -> None:
            self.frames.append(frame)
            if len(frame) and frame.last_t_s >= 5.0 and not self.done:
                self.done = True
                session.command(DrillCommand.CRAMP)

    with Recording(data_dir=data) as rec:
        session = open_session(options, drill=drill)
        cramp = Cramp()
        session.add(cramp)
        rec.attach(session, options, side=Side.LEFT)
        outcome = asyncio.run(session.run())
    marked = next(
        f for f in cramp.frames if any(e.kind is EventKind.CRAMP_MARKED for e in f.events)
    )
    assert marked.drill is not None and marked.drill.phase is Phase.CRAMP_REST
    assert marked.drill.target_pct == 0.0
    result = outcome.drill_result
    assert result is not None and not result.drops and len(result.cramps) == 1
    assert result.step_scores[1].ended_by.value == "completed"
    with SessionStore.open(data_dir=data) as store:
        assert store.reference_history(movement="hip-ir") == []


def test_the_simulated_athlete_answers_and_a_replay_presses_the_same_keys(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    drill = load_builtin("pails-rails-hip")
    options = SessionOptions(speed=math.inf, seed=1, pain_threshold_pct=60.0)
    with Recording(data_dir=data) as rec:
        session = open_session(options, drill=drill)
        rec.attach(session, options, side=Side.LEFT)
        outcome = asyncio.run(session.run())
        sid = rec.session_id
    result = outcome.drill_result
    assert result is not None and result.drops
    # the athlete feels pain above 60 % of its max: the hold "max" is pressed, then answered
    assert all(d.direction is Direction.PUSH for d in result.drops)
    # its threshold is a push effort: never pressed in a RAILs step (effort against the pull max)
    plan = session.guide.engine.plan if session.guide is not None else ()
    assert all(plan[p.step_index].direction is not Direction.PULL for p in result.pains)
    assert result.drops[-1].answer in ("better", "no answer")
    assert result.drops[-1].level_pct < 60.0  # % of the athlete's own max here
    assert sid is not None
    with SessionStore.open(data_dir=data) as store:
        record = store.load(sid)
    replay = open_replay(record, speed=math.inf, drill=drill)
    again = asyncio.run(replay.run())
    assert again.drill_result is not None
    assert [(d.cause, d.answer) for d in again.drill_result.drops] == [
        (d.cause, d.answer) for d in result.drops
    ]
    assert [d.level_pct for d in again.drill_result.drops] == pytest.approx(
        [d.level_pct for d in result.drops], abs=1.0
    )
