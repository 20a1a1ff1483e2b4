"""On the pty HX711 path: labels in newtons on the open scale, consent above the max, one skipped
trial. The same person (``tests.first_session``) and sensor as ``test_first_session`` (a real
serial stack in real time).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.drills.events import EventKind
from isoforce.drills.loader import load_drill_text
from isoforce.drills.model import Drill
from isoforce.drills.segments import Phase
from isoforce.live import DrillCommand, LiveFrame, SessionOptions
from isoforce.live.build import open_session
from isoforce.recording import Recording
from isoforce.session.efforts import analyse_session
from isoforce.session.model import SessionRecord
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from tests.first_session import HEAD, MAX_TEST, PULL_N, PUSH_N, TENSION, Person
from tests.serial_devices.serial_emulators import EmulatorFactory
from tests.serial_devices.test_first_session import N_PER_RAW, OFFSET_RAW, PersonOnHx711

ABOVE = (
    HEAD
    + """name = "above-short"
allow_above_max = true
[[steps]]
kind = "passive"
seconds = 0.5
[[steps]]
kind = "hold"
direction = "push"
target_pct = 110
seconds = 2
"""
)


class SkipsSecondTrial(Person):
    """The person, who (once armed) presses ``s`` once, early in the second push trial."""

    armed = False
    pressed = False

    def on_frame(self, frame: LiveFrame) -> None:
        super().on_frame(frame)
        state, session = frame.drill, self.session
        if not self.armed or self.pressed or state is None or session is None or state.step is None:
            return
        if state.step.index == 1 and state.phase is Phase.EFFORT:
            done = [e for e in session.guide.events if e.kind is EventKind.REP_DONE]  # type: ignore[union-attr]
            if len(done) == 1:
                self.pressed = True
                session.command(DrillCommand.SKIP)


def run(
    data: Path, port: Path, drill: Drill, person: Person, *, agree: bool | None = None
) -> SessionRecord:
    options = SessionOptions(
        device="hx711",
        port=str(port),
        baud=57600,
        calibration=Calibration(n_per_raw=N_PER_RAW, offset_raw=OFFSET_RAW),
    )
    with Recording(data_dir=str(data)) as rec:
        session = open_session(
            options, drill=drill, stored=rec.stored_references(drill, side=Side.LEFT)
        )
        if agree is not None:
            session.set_above_max_consent(agreed=agree, how=" (test)")
        rec.attach(session, options, side=Side.LEFT)
        session.add(person)
        person.session = session
        asyncio.run(session.run())
        person.session, person.target_pct = None, 0.0
    with SessionStore.open(data_dir=str(data)) as store:
        (latest,) = store.resolve("latest")
        return store.load(latest)


@pytest.mark.timeout(180)
def test_newton_labels_consent_and_a_skipped_trial_on_a_real_serial_path(
    tmp_path: Path, emulate: EmulatorFactory
) -> None:
    person = SkipsSecondTrial()
    emulate(PersonOnHx711(rate_hz=80.0, person=person)).start()
    port, data = tmp_path / "ttyEMU0", tmp_path / "data"

    # the open scale: the practice ramp's label says the newtons it ran to, stored and exported
    tension = run(data, port, load_drill_text(TENSION, name="t"), person)
    # each direction's practice ramp (push, then pull) says the newtons it ran to
    names = tension.meta.labels.step_names
    ramps: dict[str, float] = {}
    for i, name in enumerate(names):
        found = re.fullmatch(r"ramp (push|pull) 0→(\d+) N", name)
        if found is not None:
            ramps[found.group(1)] = float(found.group(2))
            assert tension.steps[i].label == name
    assert set(ramps) == {"push", "pull"}, names
    assert ramps["push"] == pytest.approx(PUSH_N, rel=0.08)
    assert ramps["pull"] == pytest.approx(PULL_N, rel=0.08)
    pain_free_n = next(
        m.value_n
        for m in tension.maxima
        if m.kind is ReferenceKind.PAIN_FREE and m.key.direction is Direction.PUSH
    )

    # above the max: capped at 100 % with no consent, 110 % with it; both recorded
    for agree, share in ((None, 1.0), (True, 1.1)):
        record = run(data, port, load_drill_text(ABOVE, name="a"), person, agree=agree)
        (consent,) = [e for e in record.events if e.kind == EventKind.ABOVE_MAX_CONSENT.value]
        assert consent.text.startswith("agreed (test)" if agree else "not asked")
        ch = record.channels[0]
        hold = (ch.step == 1) & (ch.t_s > ch.t_s[ch.step == 1][0] + 1.0)
        assert np.median(ch.target_pct[hold]) == pytest.approx(100.0 * share)
        # what the person was asked for, in newtons (they can give 250 N at most)
        asked_n = min(share * pain_free_n, PUSH_N)
        assert np.median(ch.force_n[hold]) == pytest.approx(asked_n, rel=0.05)
        label = record.steps[-1].label
        assert label.startswith("hold push 110 %" if agree else "hold push 100 % 2 s (capped")

    # the max test: s skips the second push trial only; the MVIC comes from the other two
    person.armed = True
    test = run(data, port, load_drill_text(MAX_TEST, name="m"), person)
    skipped = [e.text for e in test.events if e.kind == EventKind.TRIAL_SKIPPED.value]
    assert skipped == ["trial 2 of 3 skipped"]
    mvic = {m.key.direction: m for m in test.maxima if m.kind is ReferenceKind.MVIC}
    assert len(mvic[Direction.PUSH].detail["trials_n"]) == 2
    assert len(mvic[Direction.PULL].detail["trials_n"]) == 3
    assert mvic[Direction.PUSH].value_n == pytest.approx(PUSH_N, rel=0.05)
    # the force-curve table names each effort by its trial, the skipped one as skipped
    trials = [e.label.rsplit(", ", 1)[-1] for e in analyse_session(test).efforts]
    assert trials == ["trial 1", "trial 2 (skipped)", "trial 3", "trial 1", "trial 2", "trial 3"]
