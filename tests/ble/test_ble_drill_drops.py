"""Ten link drops during a two-minute drill on a Bluetooth Progressor (accelerated 8×).

Through ``open_session`` with a drill, bleak's real BlueZ backend and the fake bluetoothd:
half the drops are plain link losses (the gauge advertises again at once), half are walks out
of range (silence until it comes back, sometimes mid-scan, sometimes just after a failed
attempt). Each must be followed by a reconnection within 3 s of the device advertising again;
every gap is recorded, the drill pauses and resumes, every notification that arrived is in the
session in order, and the drill runs to its end.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from isoforce.drills.events import EngineStatus, EventKind
from isoforce.drills.loader import load_drill_text
from isoforce.live import FrameConsumer, LinkChange, LiveFrame, SessionOptions
from isoforce.live.build import open_session
from isoforce.units import N_PER_KGF
from tests.ble.ble_emulators import ProgressorEmu, hold_profile
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import Keep, until

DRILL = """
name = "ble-drops"
title = "Two minutes of holds"
movement = "hip-ir"
side = "left"
position = "90-90"

[[steps]]
kind = "passive"
seconds = 20
instruction = "Relax"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 20
seconds = 50
instruction = "Hold 20 %"

[[steps]]
kind = "passive"
seconds = 10
instruction = "Rest"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 30
seconds = 40
instruction = "Hold 30 %"
"""
SPEED = 8.0
DROPS = 10
#: Session times of the drops: one every 11 s from 6 s, all inside the 120 s drill.
DROP_AT_S = [6.0 + 11.0 * i for i in range(DROPS)]


@pytest.mark.asyncio
async def test_ten_drops_during_a_two_minute_drill(bluez: FakeBluez) -> None:
    emu = ProgressorEmu(speed=SPEED, profile=hold_profile(25.0, period_s=7.0))
    bluez.add(emu.periph)
    keep = Keep()
    links = keep.links
    paused_at_loss: list[bool] = []

    class Watch(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            if any(e.change is LinkChange.LOST for e in frame.link_events):
                assert frame.drill is not None
                paused_at_loss.append(frame.drill.status is EngineStatus.PAUSED)

    options = SessionOptions(device="progressor", address=emu.periph.address, push_max_n=400.0)
    session = open_session(
        options, drill=load_drill_text(DRILL, name="ble-drops"), consumers=[keep, Watch()]
    )
    guide = session.guide
    assert guide is not None
    attempts = {"started": 0, "failed": 0}
    reconnect = session.transport.reconnect

    async def counted_reconnect() -> None:
        attempts["started"] += 1
        try:
            await reconnect()
        except Exception:
            attempts["failed"] += 1
            raise

    session.transport.reconnect = counted_reconnect  # type: ignore[method-assign]
    latencies: list[float] = []
    back_at = 0.0

    def kinds(change: LinkChange) -> int:
        return sum(1 for _, e in links if e.change is change)

    run = asyncio.ensure_future(session.run())
    try:
        for i, at_s in enumerate(DROP_AT_S):
            await until(lambda at=at_s: keep.last_t_s >= at, 30, f"t={at_s}")
            if i % 2 == 0:  # the link drops; the gauge advertises again right away
                await emu.periph.drop_link()
                back_at = time.monotonic()
            else:  # out of range; back during a scan (i = 1, 5, 9) or just after one failed
                before = dict(attempts)
                await emu.periph.walk_away()
                if i in (1, 5, 9):
                    await until(
                        lambda b=before: attempts["started"] >= b["started"] + 2, 10, "scan"
                    )
                else:
                    await until(lambda b=before: attempts["failed"] >= b["failed"] + 1, 10, "miss")
                emu.periph.come_back()
                back_at = emu.periph.advertised_at or time.monotonic()
            await until(lambda n=i + 1: kinds(LinkChange.LOST) >= n, 10, f"loss {i + 1}")
            await until(lambda n=i + 1: kinds(LinkChange.RESTORED) >= n, 10, f"restore {i + 1}")
            restored = [t for t, e in links if e.change is LinkChange.RESTORED][i]
            latencies.append(restored - back_at)
        result = await asyncio.wait_for(run, 60)
    except BaseException:
        exc = run.done() and not run.cancelled() and run.exception()
        print("DEBUG", attempts, [(round(t, 3), e.change, e.detail) for t, e in links], exc)
        p = emu.periph
        print("DEBUG periph", p.connected, p.advertising, p.connect_attempts, p.connects)
        print("DEBUG", emu.streaming, session.transport.is_connected)  # type: ignore[attr-defined]
        for t, c in list(zip(bluez.call_times, bluez.calls, strict=True))[-25:]:
            print("DEBUG call", round(t, 3), c[1].rsplit(".", 1)[-1], c[2])
        print("DEBUG now", round(time.monotonic(), 3), "back_at", round(back_at, 3))
        raise
    finally:
        run.cancel()

    # printed, not asserted: a speed on a shared machine is not a test (the deadlines above
    # only stop hangs)
    print(f"reconnect latency after advertising resumed: {np.round(latencies, 3).tolist()} s")
    assert result.stopped_by == "drill finished"
    assert guide.engine.status is EngineStatus.FINISHED
    assert keep.changes() == [LinkChange.LOST, LinkChange.RESTORED] * DROPS
    assert paused_at_loss == [True] * DROPS  # the drill waits while the gauge is away
    assert len(result.gaps) == DROPS
    for gap, at_s in zip(result.gaps, DROP_AT_S, strict=True):
        assert gap.end_t_s is not None and at_s <= gap.start_t_s < gap.end_t_s
    events = [e.kind for e in guide.events]
    assert events.count(EventKind.PAUSED) == DROPS == events.count(EventKind.RESUMED)
    # zero received samples lost: everything delivered, in order, up to the drill's end
    sent = [kg * N_PER_KGF for kg, _t in (e.raw for e in emu.delivered)]
    assert len(keep) > 0.95 * 120 * 80
    assert keep.raw == sent[: len(keep)]
    assert np.all(np.diff(keep.times()) > 0)
    assert emu.starts == DROPS + 1 and emu.periph.connects == DROPS + 1
