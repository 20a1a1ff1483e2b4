"""A replay a player steers: speed, pause and seek in the transport (no TUI, no store)."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from isoforce.devices.registry import device_spec
from isoforce.errors import ConfigError
from isoforce.transports.pacing import Clock, PlaybackClock
from isoforce.transports.replay import ReplaySource, ReplayTransport

FS_HZ = 80.0


class FakeWall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.t_s = 100.0

    def __call__(self) -> float:
        return self.t_s


def test_the_clock_follows_speed_changes_pauses_and_jumps() -> None:
    wall = FakeWall()
    clock = PlaybackClock(1.0, wall=wall)
    wall.t_s += 2.0
    assert clock.now() == pytest.approx(2.0)
    clock.set_speed(4.0)
    wall.t_s += 1.0
    assert clock.now() == pytest.approx(6.0)  # 2 s at 1×, then 1 s at 4×
    clock.pause()
    wall.t_s += 10.0
    assert clock.now() == pytest.approx(6.0) and clock.paused
    clock.resume()
    wall.t_s += 0.5
    assert clock.now() == pytest.approx(8.0)
    clock.jump_to(20.0)
    assert clock.now() == pytest.approx(20.0)
    clock.jump_to(5.0)  # never back
    assert clock.now() == pytest.approx(20.0)
    clock.set_speed(math.inf)
    wall.t_s += 100.0
    assert clock.now() == pytest.approx(20.0)  # virtual time moves only when someone sleeps
    with pytest.raises(ValueError, match="positive"):
        clock.set_speed(0.0)


def test_a_sleeper_wakes_when_the_speed_goes_to_max_and_waits_while_paused() -> None:
    async def go() -> None:
        clock = PlaybackClock(1.0)
        sleeper = asyncio.ensure_future(clock.sleep_until(1000.0))
        await asyncio.sleep(0.01)
        assert not sleeper.done()
        clock.set_speed(math.inf)
        await asyncio.wait_for(sleeper, timeout=5.0)
        assert clock.now() == pytest.approx(1000.0)
        clock.pause()
        paused = asyncio.ensure_future(clock.sleep_until(1001.0))
        await asyncio.sleep(0.01)
        assert not paused.done()
        clock.resume()
        await asyncio.wait_for(paused, timeout=5.0)

    asyncio.run(go())


def _source(seconds: float) -> ReplaySource:
    n = int(seconds * FS_HZ)
    t_s = np.arange(n) / FS_HZ
    return ReplaySource(
        t_s,
        (84_000 + np.arange(n) % 7)[:, None].astype(float),
        ("load_raw",),
        np.zeros(n, np.int64),
    )


def _times(chunks: list[bytes]) -> np.ndarray:
    decoder = IsoforceFrameDecoder()
    blocks = [b for c in chunks for b in decoder.feed(0.0, c) if isinstance(b, SampleBlock)]
    return np.concatenate([b.t_s for b in blocks])


def test_seek_forward_plays_the_skipped_part_at_once_and_seek_back_is_refused() -> None:
    transport = ReplayTransport(device_spec("sim"), _source(60.0), clock=PlaybackClock(1.0))

    async def go() -> list[bytes]:
        await transport.open()
        sent: list[bytes] = []
        async for chunk in transport.chunks():
            sent.append(chunk.data)
            if len(sent) == 1:
                assert transport.seek(30.0)
                assert transport.position_s == pytest.approx(30.0, abs=0.5)
            elif transport.position_s >= 30.0 and transport.playback.speed == 1.0:
                assert not transport.seek(10.0)  # behind the replay: a new replay must seek
                transport.set_speed(math.inf)
        return sent

    t_s = _times(asyncio.run(asyncio.wait_for(go(), timeout=30.0)))
    # every sample went out, in order, none twice: the seek played them, it did not drop them
    np.testing.assert_allclose(t_s, np.arange(int(60 * FS_HZ)) / FS_HZ, atol=1e-5)
    assert transport.position_s == pytest.approx(transport.duration_s)


def test_a_seek_before_opening_starts_the_replay_there() -> None:
    transport = ReplayTransport(device_spec("sim"), _source(20.0), clock=PlaybackClock(1.0))
    assert transport.seek(12.0) and transport.position_s == 12.0

    async def go() -> float:
        await transport.open()
        async for _ in transport.chunks():
            break
        return transport.position_s

    # the first 12 s go out at once (the live path still sees every sample), then 1×
    assert asyncio.run(asyncio.wait_for(go(), timeout=10.0)) == pytest.approx(12.0, abs=0.5)


def test_pause_holds_the_replay() -> None:
    transport = ReplayTransport(device_spec("sim"), _source(5.0), clock=PlaybackClock(math.inf))

    async def go() -> int:
        await transport.open()
        count = 0
        async for _ in transport.chunks():
            count += 1
            if count == 3:
                transport.pause()
                break
        return count

    asyncio.run(go())
    at = transport.position_s
    assert transport.playback.paused and transport.position_s == at
    transport.resume()
    assert not transport.playback.paused


def test_a_fixed_clock_has_no_controls() -> None:
    transport = ReplayTransport(device_spec("sim"), _source(1.0), clock=Clock(1.0))
    with pytest.raises(ConfigError, match="fixed clock"):
        transport.set_speed(2.0)
