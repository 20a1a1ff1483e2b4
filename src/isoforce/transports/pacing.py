"""Pacing clocks for transports: wall time, or accelerated/virtual time for the simulator."""

from __future__ import annotations

import asyncio
import math
import time


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
