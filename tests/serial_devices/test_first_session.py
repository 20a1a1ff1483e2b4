"""A first-time athlete on a real sensor path: tension drill → max test → PAILs/RAILs.

The sensor is the HX711 text firmware on a pty, read by pyserial through isoforce's serial
transport and decoder with a calibration, in real time. The athlete is the one thing
simulated: a person who watches the screen (the drill's target and what it divides by) and
pushes or pulls the load cell accordingly, up to their own strength (250 N push, 170 N pull),
all-out in a max trial. Nothing is stored at the start and no maximum is given: every value
below comes from what this person did on the sensor.

The drills are short versions of the built-ins (same step kinds, seconds instead of minutes).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.drills.loader import load_drill_text
from isoforce.drills.model import Drill
from isoforce.live import FrameConsumer, LiveFrame, LiveSession, SessionOptions
from isoforce.live.build import open_session
from isoforce.recording import Recording
from isoforce.session.references import ReferenceSource
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from tests.serial_devices.serial_emulators import EmulatorFactory, Hx711Text

N_PER_RAW = 1 / 2250
OFFSET_RAW = 84_000.0
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
kind = "passive"
seconds = 0.5
[[steps]]
kind = "staircase"
direction = "pull"
step_s = 0.6
[[steps]]
kind = "ramp"
direction = "push"
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


@dataclass
class PersonOnHx711(Hx711Text):
    """HX711 text firmware whose readings are the person's force, in raw counts."""

    person: Person = field(default_factory=Person)

    def value(self, i: int) -> int:
        return round(OFFSET_RAW + self.person.force_n() / N_PER_RAW)


def run_drill(
    data_dir: Path, port: Path, drill: Drill, person: Person
) -> tuple[LiveSession, list[str]]:
    options = SessionOptions(
        device="hx711",
        port=str(port),
        baud=57600,
        calibration=Calibration(n_per_raw=N_PER_RAW, offset_raw=OFFSET_RAW),
    )
    with Recording(data_dir=str(data_dir)) as rec:
        stored = rec.stored_references(drill, side=Side.LEFT)
        session = open_session(options, drill=drill, stored=stored)
        rec.attach(session, options, side=Side.LEFT)
        session.add(person)
        person.session = session
        asyncio.run(session.run())
        person.session, person.target_pct = None, 0.0
        return session, rec.saved_lines(drill=drill, side=Side.LEFT)


@pytest.mark.timeout(180)
def test_a_first_time_athlete_gets_newtons_maxima_and_targets_from_them(
    tmp_path: Path, emulate: EmulatorFactory
) -> None:
    person = Person()
    emulate(PersonOnHx711(rate_hz=80.0, person=person)).start()
    port = tmp_path / "ttyEMU0"
    data = tmp_path / "data"

    # 1. tension drill, nothing known: steps in newtons until the person can go no higher
    tension, saved = run_drill(data, port, load_drill_text(TENSION, name="t"), person)
    lines = "\n".join(tension.header.reference_lines)
    assert "effort reads in newtons" in lines and "simulated" not in lines
    sources = {
        c.direction: c.source for c in tension.header.chosen if c.kind is ReferenceKind.PAIN_FREE
    }
    assert sources == {
        Direction.PUSH: ReferenceSource.PROVISIONAL,
        Direction.PULL: ReferenceSource.PROVISIONAL,
    }
    with SessionStore.open(data_dir=str(data)) as store:
        found = {r.key.direction: r for r in store.reference_history(movement="hip-ir")}
    assert set(found) == {Direction.PUSH, Direction.PULL}
    assert found[Direction.PUSH].value_n == pytest.approx(PUSH_N, rel=0.08)
    assert found[Direction.PULL].value_n == pytest.approx(PULL_N, rel=0.08)
    assert found[Direction.PUSH].detail["found_by"] == "plateau"
    assert any("pain-free max for hip-ir left push @ 90-90" in line for line in saved)

    # 2. max test: measured on the 100 N scale, stored per direction in newtons
    test, _ = run_drill(data, port, load_drill_text(MAX_TEST, name="m"), person)
    mvic_sources = {c.source for c in test.header.chosen if c.kind is ReferenceKind.MVIC}
    assert mvic_sources == {ReferenceSource.PROVISIONAL}
    with SessionStore.open(data_dir=str(data)) as store:
        mvic = {
            r.key.direction: r
            for r in store.reference_history(movement="hip-ir")
            if r.kind is ReferenceKind.MVIC
        }
    assert mvic[Direction.PUSH].value_n == pytest.approx(PUSH_N, rel=0.05)
    assert mvic[Direction.PULL].value_n == pytest.approx(PULL_N, rel=0.05)
    assert len(mvic[Direction.PUSH].detail["trials_n"]) == 3

    # 3. PAILs/RAILs: targets from the stored pain-free maxima, said so, in newtons
    drill = load_drill_text(PAILS_RAILS, name="p")
    pr, _ = run_drill(data, port, drill, person)
    chosen = {c.direction: c for c in pr.header.chosen if c.kind is ReferenceKind.PAIN_FREE}
    assert {c.source for c in chosen.values()} == {ReferenceSource.STORED}
    assert chosen[Direction.PUSH].value_n == found[Direction.PUSH].value_n
    assert any(
        "push pain-free max" in line and "stored" in line for line in pr.header.reference_lines
    )
    with SessionStore.open(data_dir=str(data)) as store:
        (latest,) = store.resolve("latest")
        record = store.load(latest)
    ch = record.channels[0]
    hold_push = (ch.step == 1) & (ch.t_s > ch.t_s[ch.step == 1][0] + 1.0)
    hold_pull = (ch.step == 2) & (ch.t_s > ch.t_s[ch.step == 2][0] + 1.0)
    push_target_n = 0.5 * found[Direction.PUSH].value_n
    pull_target_n = 0.5 * found[Direction.PULL].value_n
    assert np.median(ch.force_n[hold_push]) == pytest.approx(push_target_n, rel=0.1)
    assert np.median(ch.force_n[hold_pull]) == pytest.approx(-pull_target_n, rel=0.1)
    assert np.median(np.abs(ch.effort_pct[hold_push])) == pytest.approx(50.0, abs=5.0)
