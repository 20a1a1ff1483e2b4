"""Pacing clocks for transports: wall time, or accelerated/virtual time for the simulator.

:class:`PlaybackClock` is the replay's clock: its speed changes, it pauses and jumps ahead while
the replay runs (the TUI's 1×/2×/4×/max, pause and seek).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable


class Clock:
    """Monotonic host time in seconds, optionally running ``speed`` times faster than real time.

    ``speed = math.inf`` gives virtual time: :meth:`sleep_until` returns at once and moves the
    clock, so simulated sessions run as fast as the CPU allows and stay deterministic.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.speed = speed
        self._wall0 = time.monotonic()
        self._virtual = 0.0

    @property
    def virtual(self) -> bool:
        """Whether time only moves when someone sleeps."""
        return math.isinf(self.speed)

    def now(self) -> float:
        """Current time in seconds since the clock was made."""
        if self.virtual:
            return self._virtual
        return (time.monotonic() - self._wall0) * self.speed

    async def sleep_until(self, t_s: float) -> None:
        """Wait until the clock reads ``t_s``."""
        if self.virtual:
            self._virtual = max(self._virtual, t_s)
            await asyncio.sleep(0)
            return
        delay = (t_s - self.now()) / self.speed
        await asyncio.sleep(max(0.0, delay))


class PlaybackClock(Clock):
    """A :class:`Clock` a player can steer while it runs: change speed, pause, jump ahead.

    The clock reads ``value``: the value at the last change plus the wall time since, times
    the speed (nothing while paused). ``speed = math.inf`` is virtual time as in :class:`Clock`.
    A sleeper wakes when its time comes *at the current speed*: a change of speed, a pause, a
    resume or a jump wakes it to look again. ``wall`` is the wall clock (tests pass their own).
    """

    def __init__(self, speed: float = 1.0, *, wall: Callable[[], float] = time.monotonic) -> None:
        super().__init__(speed)
        self._wall = wall
        self._anchor_wall = wall()
        self._anchor_value = 0.0
        self.paused = False
        self._changed = asyncio.Event()

    def now(self) -> float:
        """Current clock value (stands still while paused)."""
        if self.paused or self.virtual:
            return self._anchor_value
        return self._anchor_value + (self._wall() - self._anchor_wall) * self.speed

    def _reanchor(self) -> None:
        self._anchor_value = self.now()
        self._anchor_wall = self._wall()
        self._changed.set()

    def set_speed(self, speed: float) -> None:
        """Run ``speed`` times faster than real time from now on (``math.inf``: at once)."""
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self._reanchor()
        self.speed = speed

    def pause(self) -> None:
        """Stand still until :meth:`resume`."""
        self._reanchor()
        self.paused = True

    def resume(self) -> None:
        """Run again from where the clock stood."""
        self._reanchor()
        self.paused = False

    def jump_to(self, t_s: float) -> None:
        """Move the clock forward to ``t_s`` at once (never back: a sleeper already woke)."""
        self._reanchor()
        self._anchor_value = max(self._anchor_value, t_s)

    async def sleep_until(self, t_s: float) -> None:
        """Wait until the clock reads ``t_s``, following changes of speed, pause and jumps."""
        while True:
            if self.now() >= t_s:
                await asyncio.sleep(0)
                return
            if self.virtual and not self.paused:
                self._anchor_value = t_s
                await asyncio.sleep(0)
                return
            self._changed.clear()
            delay = None if self.paused else (t_s - self.now()) / self.speed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=delay)
