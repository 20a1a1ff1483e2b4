"""A first-time athlete for the real-sensor-path tests: the drills and the person.

The person is the one thing simulated: someone who watches the screen (the latest frame's
target and what it divides by) and pushes or pulls the sensor accordingly, up to their own
strength (250 N push, 170 N pull), all-out in a max trial. The drills are short versions of
the built-ins (same step kinds, seconds instead of minutes). Used by the serial (pty HX711)
and the Bluetooth (fake BlueZ, Progressor) first-session tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.drills.model import Drill
from isoforce.live import FrameConsumer, LiveFrame, LiveSession, SessionOptions
from isoforce.live.build import open_session
from isoforce.recording import Recording

PUSH_N, PULL_N = 250.0, 170.0

HEAD = 'movement = "hip-ir"\nside = "left"\nposition = "90-90"\nreference = "pain_free"\n'
TENSION = (
    HEAD
    + """name = "tension-short"
[[steps]]
kind = "passive"
seconds = 0.5
[[steps]]
kind = "staircase"
direction = "push"
step_s = 0.6
[[steps]]
kind = "ramp"
direction = "push"
to_pct = "max"
rate_pct_per_s = 50
[[steps]]
kind = "staircase"
direction = "pull"
step_s = 0.6
[[steps]]
kind = "ramp"
direction = "pull"
to_pct = "max"
rate_pct_per_s = 50
"""
)
MAX_TEST = (
    HEAD
    + """name = "max-short"
[[steps]]
kind = "passive"
seconds = 0.5
[[steps]]
kind = "max_trial"
direction = "push"
trials = 3
seconds = 1.2
rest_s = 0.5
ready_s = 0.5
[[steps]]
kind = "max_trial"
direction = "pull"
trials = 3
seconds = 1.2
rest_s = 0.5
ready_s = 0.5
"""
)
PAILS_RAILS = (
    HEAD
    + """name = "pails-rails-short"
[[steps]]
kind = "passive"
seconds = 0.5
[[steps]]
kind = "hold"
direction = "push"
target_pct = 50
seconds = 2
[[steps]]
kind = "hold"
direction = "pull"
target_pct = 50
seconds = 2
"""
)


class Person(FrameConsumer):
    """Watches the screen (the latest frame's target and what it divides by) and pushes or
    pulls the load cell to it."""

    def __init__(self) -> None:
        self.session: LiveSession | None = None
        self.target_pct = 0.0

    def on_frame(self, frame: LiveFrame) -> None:
        target = frame.columns.get("target_pct")
        if target is not None and target.size and np.isfinite(target[-1]):
            self.target_pct = float(target[-1])

    def force_n(self) -> float:
        session = self.session
        guide = session.guide if session is not None else None
        step = guide.engine.current_step if guide is not None else None
        if session is None or guide is None or step is None or step.direction is None:
            return 0.0
        cap = PUSH_N if step.direction is Direction.PUSH else PULL_N
        if step.step.traits.measures_mvic:  # all-out while a trial asks, resting in between
            return step.direction.sign * cap if self.target_pct != 0.0 else 0.0
        kind = step.reference or ReferenceKind.PAIN_FREE
        chosen = session.header.divides_by(kind, step.direction)
        scale_n = chosen.value_n if chosen is not None and chosen.value_n else 0.0
        return float(np.clip(self.target_pct / 100.0 * scale_n, -PULL_N, PUSH_N))


async def run_drill(
    data_dir: Path, options: SessionOptions, drill: Drill, person: Person
) -> tuple[LiveSession, list[str]]:
    """Run ``drill`` live on ``options``' sensor with ``person`` on it, recorded into the store
    at ``data_dir`` with what is stored there; the session and the lines said when saving."""
    with Recording(data_dir=str(data_dir)) as rec:
        stored = rec.stored_references(drill, side=Side.LEFT)
        session = open_session(options, drill=drill, stored=stored)
        rec.attach(session, options, side=Side.LEFT)
        session.add(person)
        person.session = session
        try:
            await session.run()
        finally:
            person.session, person.target_pct = None, 0.0
        return session, rec.saved_lines(drill=drill, side=Side.LEFT)
