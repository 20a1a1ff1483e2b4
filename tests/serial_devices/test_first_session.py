"""A first-time athlete on the serial path: tension drill → max test → PAILs/RAILs.

The sensor is the HX711 text firmware on a pty, read by pyserial through isoforce's serial
transport and decoder with a calibration, in real time. The athlete is the one thing
simulated: a person who watches the screen (the drill's target and what it divides by) and
pushes or pulls the load cell accordingly, up to their own strength (250 N push, 170 N pull),
all-out in a max trial. Nothing is stored at the start and no maximum is given: every value
below comes from what this person did on the sensor. The drills and the person are in
``tests/first_session.py``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.loader import load_drill_text
from isoforce.drills.model import Drill
from isoforce.live import LiveSession, SessionOptions
from isoforce.session.references import ReferenceSource
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from tests.first_session import (
    MAX_TEST,
    PAILS_RAILS,
    PULL_N,
    PUSH_N,
    TENSION,
    Person,
)
from tests.first_session import run_drill as run_live
from tests.serial_devices.serial_emulators import EmulatorFactory, Hx711Text

N_PER_RAW = 1 / 2250
OFFSET_RAW = 84_000.0


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
    return asyncio.run(run_live(data_dir, options, drill, person))


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
    assert any("pain-free max for hip-ir left pull @ 90-90" in line for line in saved)
    # each direction's practice ramp runs to the max its staircase just found, in newtons
    with SessionStore.open(data_dir=str(data)) as store:
        (first,) = store.resolve("latest")
        steps = store.load(first).steps
    ramps = [s for s in steps if s.label.startswith("ramp")]
    assert [s.direction for s in ramps] == ["push", "pull"]
    for ramp, direction in zip(ramps, (Direction.PUSH, Direction.PULL), strict=True):
        top = re.search(r"→(\d+) N", ramp.label)
        assert top is not None, ramp.label
        assert float(top.group(1)) == pytest.approx(found[direction].value_n, abs=1.0)

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
