"""Pressing the pain key in a running live session and checking what it did, on any device.

Used by the simulator's test (tests/live/test_pain_session.py) and the real-sensor paths (the
pty HX711 emulator in tests/serial_devices): the same keys, the same checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.drills.events import EventKind
from isoforce.drills.segments import Phase
from isoforce.live import DrillCommand, FrameConsumer, LiveFrame, LiveSession
from isoforce.session.model import ReferenceRecord
from isoforce.session.references import latest_references
from isoforce.session.store import SessionStore

#: A drill with a passive second and a 20 s push hold at 40 % of the pain-free max.
HOLD_DRILL = """
name = "pain-hold"
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
"""


@dataclass
class PainPresser(FrameConsumer):
    """Presses the pain key once the hold has run ``press_after_s``, then answers "better?".

    Keeps every frame, the painful level (the target then, or the effort if lower), and stops
    the session (``stop``) ``stop_after_s`` after the answer, if given.
    """

    session: LiveSession
    press_after_s: float = 3.0
    answer_after_s: float = 1.0
    frames: list[LiveFrame] = field(default_factory=list)
    pressed_at: int | None = None
    painful_pct: float = math.nan
    answered_at: float | None = None

    def on_frame(self, frame: LiveFrame) -> None:
        """Keep the frame; press the keys when it is time."""
        self.frames.append(frame)
        state = frame.drill
        if not len(frame) or state is None or state.step is None:
            return
        t = frame.last_t_s
        if self.pressed_at is None and state.phase is Phase.HOLD:
            start = state.step_start_s
            if t - start >= self.press_after_s:
                effort = float(frame.effort_pct[-1])
                target = float(frame.target_pct[-1])
                self.painful_pct = target if math.isnan(effort) else min(target, effort)
                self.pressed_at = len(self.frames)  # the command's frame comes next
                self.session.command(DrillCommand.PAIN)
        elif self.pressed_at is not None and self.answered_at is None:
            pressed_t = self.frames[self.pressed_at - 1].last_t_s
            if t - pressed_t >= self.answer_after_s:
                self.answered_at = t
                self.session.command(DrillCommand.BETTER)

    def check_drop(self) -> None:
        """The next target is ≤ 90 % of the painful level within one frame; "better?" asked."""
        assert self.pressed_at is not None, "the pain key was never pressed"
        limit = 0.9 * self.painful_pct + 1e-9
        marked = self.frames[self.pressed_at]
        kinds = [e.kind for e in marked.events]
        assert EventKind.PAIN_MARKED in kinds and EventKind.PAIN_DROP in kinds
        assert any(e.kind is EventKind.CUE and e.text == "better?" for e in marked.events)
        assert marked.drill is not None
        assert marked.drill.phase is Phase.PAIN_HOLD
        assert 0 <= marked.drill.target_pct <= limit
        after = next(f for f in self.frames[self.pressed_at + 1 :] if len(f))
        assert np.all(after.target_pct <= limit) and np.all(after.target_pct >= 0)
        answers = [e for f in self.frames for e in f.events if e.kind is EventKind.PAIN_ANSWER]
        assert [e.text for e in answers] == ["better"]


def stored_pain_free(store: SessionStore, *, movement: str = "hip-ir") -> ReferenceRecord:
    """The latest stored push pain-free max of the left side at 90/90."""
    latest = latest_references(
        store.reference_history(movement=movement),
        movement=movement,
        side=Side.LEFT,
        position="90-90",
    )
    record = latest.sources.get((ReferenceKind.PAIN_FREE, Direction.PUSH))
    assert record is not None, "no pain-free max was stored"
    return record
