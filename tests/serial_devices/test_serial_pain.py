"""The pain key on a real-sensor path: an HX711 board on a pty, read by the serial transport.

The emulator prints ``HX711 reading: <n>`` lines at 80 Hz in real time; the load sits near
45 N against a 100 N pain-free max, in a hold at 40 %. The pain key must drop the next target
to ≤ 90 % of the painful level within one frame, ask "better?", and lower the stored
pain-free max (tests/live/pain_helpers.py holds the checks shared with the simulator's test).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from isoforce.core.effort_key import Side
from isoforce.drills.loader import load_drill_text
from isoforce.live import SessionOptions
from isoforce.live.build import open_session
from isoforce.recording import Recording
from isoforce.session.store import SessionStore
from isoforce.signal.calibration import Calibration
from tests.live.pain_helpers import HOLD_DRILL, PainPresser, stored_pain_free
from tests.serial_devices.serial_emulators import EmulatorFactory, Hx711Text

N_PER_RAW = 1 / 2250
OFFSET_RAW = 84_000
LOAD_N = 45.0


async def _until(predicate: object, timeout_s: float, what: str) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def test_pain_key_on_an_hx711_drops_asks_and_lowers_the_stored_max(
    emulate: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulate(Hx711Text(rate_hz=80.0, base=OFFSET_RAW + round(LOAD_N / N_PER_RAW)))
    data = str(tmp_path / "data")
    drill = load_drill_text(HOLD_DRILL, name="pain-hold")
    options = SessionOptions(
        device="hx711",
        port=str(emu.link.path),
        baud=57600,
        calibration=Calibration(n_per_raw=N_PER_RAW, offset_raw=OFFSET_RAW),
        push_max_n=100.0,
        pull_max_n=80.0,
    )
    with Recording(data_dir=data) as rec:
        session = open_session(options, drill=drill)
        presser = PainPresser(session, press_after_s=2.0, answer_after_s=1.0)
        session.add(presser)
        rec.attach(session, options, side=Side.LEFT)

        async def main() -> None:
            stop = asyncio.Event()
            run = asyncio.ensure_future(session.run(stop=stop))
            try:
                await _until(lambda: getattr(session.transport, "is_open", False), 5, "port open")
                emu.start()
                await _until(lambda: presser.answered_at is not None, 15, "the pain key and answer")
                await _until(
                    lambda: presser.frames[-1].last_t_s >= (presser.answered_at or 0) + 0.5,
                    5,
                    "half a second after the answer",
                )
            finally:
                stop.set()
                await run

        asyncio.run(main())
    presser.check_drop()
    # the painful level is the 40 % target (the load, ~45 %, is above it): 30 % is held
    assert presser.painful_pct == pytest.approx(40.0)
    outcome = session.outcome
    assert outcome is not None and outcome.drill_result is not None
    (drop,) = outcome.drill_result.drops
    assert drop.level_pct == pytest.approx(30.0)
    with SessionStore.open(data_dir=data) as store:
        record = stored_pain_free(store)
    assert record.value_n == pytest.approx(30.0)  # 30 % of the 100 N it ran with
    assert record.detail["found_by"] == "lowered by pain" and record.detail["previous_n"] == 100.0
