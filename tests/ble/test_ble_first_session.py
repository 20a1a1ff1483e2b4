"""A first-time athlete on the Bluetooth path: tension drill → max test → PAILs/RAILs.

The sensor is an emulated Tindeq Progressor on the fake BlueZ, read by bleak's real BlueZ
backend through isoforce's BLE transport and decoder. A Progressor measures tension on its
hook only, so only the push direction is force-measured: the pull staircase, the pull trials
and the RAILs hold must say so and store nothing, while the push side gets a pain-free max
and an MVIC in newtons and the PAILs hold its target from them. Nothing is stored at the start
and no maximum is given. The gauge reads its hook and strap (1.5 kg) until the athlete tares
it, as the player's ``t`` key does, in the first drill's relax step; the later drills use that
tare. The drills and the person are in ``tests/first_session.py``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.loader import load_drill_text
from isoforce.live import LiveFrame, SessionOptions
from isoforce.session.references import ReferenceSource
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from isoforce.units import N_PER_KGF
from tests.ble.ble_emulators import ProgressorEmu
from tests.ble.ble_fake_bluez import FakeBluez
from tests.first_session import MAX_TEST, PAILS_RAILS, PUSH_N, TENSION, Person, run_drill

#: Device seconds per wall second: the drills are short already; 2× keeps the person's
#: reaction (one notification late) small against the steps.
SPEED = 2.0


class TaringPerson(Person):
    """The person, who also presses tare once with the strap slack, in the first relax."""

    def __init__(self) -> None:
        super().__init__()
        self.tared: Calibration | None = None

    def on_frame(self, frame: LiveFrame) -> None:
        super().on_frame(frame)
        t_s = frame.columns.get("t_s")
        started = t_s is not None and t_s.size > 0 and t_s[-1] >= 0.3
        if self.tared is None and self.session is not None and started:
            self.tared = self.session.tare()


@pytest.mark.asyncio
@pytest.mark.timeout(240)
async def test_a_first_time_athlete_on_a_progressor_gets_the_push_side_measured(
    tmp_path: Path, bluez: FakeBluez
) -> None:
    person = TaringPerson()

    def hook_kg(_t_s: float) -> float:  # a strap cannot push: a pull leaves the hook slack
        return max(0.0, person.force_n()) / N_PER_KGF

    emu = ProgressorEmu(speed=SPEED, profile=hook_kg)
    bluez.add(emu.periph)
    options = SessionOptions(device="progressor", address=emu.periph.address)
    data = tmp_path / "data"

    # 1. tension drill, nothing known: the push staircase rises in newtons to a plateau
    tension, saved = await run_drill(data, options, load_drill_text(TENSION, name="t"), person)
    lines = "\n".join(tension.header.reference_lines)
    assert "effort reads in newtons" in lines and "pull: not force-measured" in lines
    assert not any("pain-free max for hip-ir left pull" in line for line in saved)
    assert person.tared is not None
    assert person.tared.offset_raw == pytest.approx(1.5 * N_PER_KGF, abs=0.1)  # hook and strap
    options = replace(options, calibration=person.tared)
    with SessionStore.open(data_dir=str(data)) as store:
        found = {r.key.direction: r for r in store.reference_history(movement="hip-ir")}
    assert set(found) == {Direction.PUSH}  # the pull staircase measured nothing
    with SessionStore.open(data_dir=str(data)) as store:
        (first,) = store.resolve("latest")
        steps = {s.step_index: s for s in store.load(first).steps}
    assert steps[3].direction == "pull" and steps[3].ended_by == "not force-measured"
    assert steps[3].ended_t_s - steps[3].started_t_s < 1.5  # two 0.6 s levels, not 100
    assert found[Direction.PUSH].value_n == pytest.approx(PUSH_N, rel=0.08)
    assert found[Direction.PUSH].detail["found_by"] == "plateau"

    # 2. max test: the push MVIC from three trials; the pull trials store nothing
    _, saved = await run_drill(data, options, load_drill_text(MAX_TEST, name="m"), person)
    assert any("MVIC for hip-ir left push" in line for line in saved)
    assert not any("MVIC for hip-ir left pull" in line for line in saved)
    with SessionStore.open(data_dir=str(data)) as store:
        mvic = {
            r.key.direction: r
            for r in store.reference_history(movement="hip-ir")
            if r.kind is ReferenceKind.MVIC
        }
    assert set(mvic) == {Direction.PUSH}
    assert mvic[Direction.PUSH].value_n == pytest.approx(PUSH_N, rel=0.05)
    assert len(mvic[Direction.PUSH].detail["trials_n"]) == 3

    # 3. PAILs/RAILs: the push hold's target from the stored pain-free max, in newtons
    pr, _ = await run_drill(data, options, load_drill_text(PAILS_RAILS, name="p"), person)
    chosen = {c.direction: c for c in pr.header.chosen if c.kind is ReferenceKind.PAIN_FREE}
    assert chosen[Direction.PUSH].source is ReferenceSource.STORED
    assert chosen[Direction.PUSH].value_n == found[Direction.PUSH].value_n
    with SessionStore.open(data_dir=str(data)) as store:
        (latest,) = store.resolve("latest")
        record = store.load(latest)
    ch = record.channels[0]
    hold_push = (ch.step == 1) & (ch.t_s > ch.t_s[ch.step == 1][0] + 1.0)
    push_target_n = 0.5 * found[Direction.PUSH].value_n
    assert np.median(ch.force_n[hold_push]) == pytest.approx(push_target_n, rel=0.1)
    assert np.median(ch.effort_pct[hold_push]) == pytest.approx(50.0, abs=5.0)
    rails = {s.step_index: s for s in record.steps}[2]  # never scored, never a 0 %
    assert rails.direction == "pull" and rails.score["metrics"]["rmse"] is None
    assert rails.score["metrics"]["in_band_fraction"] is None
