"""A common time base for several sensors in one session.

Each device has its own timeline (``SampleBlock.t_s``: device time from its first sample, or
host arrival time for devices without a clock), but every sample also carries the host's
monotonic arrival time. For each stream the smallest ``t_host_s - t_s`` seen so far estimates
when that stream's zero happened on the host clock (the delivery latency of the fastest sample
is the closest to zero): the usual minimum-delay estimate. A companion's sample then sits at
``t_s + offset(companion) - offset(primary)`` on the primary's (the session's) timeline.

A companion block mapped with a newer (smaller) offset may reach back before the previous
block's last mapped sample; :func:`strictly_after` keeps the mapped times increasing.

Accuracy is the spread of the fastest deliveries (a few ms over BLE) plus clock drift between
the devices over the session (crystal clocks: tens of ppm, under 10 ms per 5 minutes).
"""

from __future__ import annotations

import math

import numpy as np

from isoforce.core.samples import FloatArray


class StreamOffset:
    """The running minimum of ``t_host_s - t_s`` for one stream."""

    def __init__(self) -> None:
        self.offset_s = math.inf

    @property
    def known(self) -> bool:
        """Whether any sample has been seen."""
        return math.isfinite(self.offset_s)

    def observe(self, *, t_s: FloatArray, t_host_s: FloatArray) -> float:
        """Take a block's times into account; return the current offset."""
        if t_s.size:
            self.offset_s = min(self.offset_s, float(np.min(t_host_s - t_s)))
        return self.offset_s


class SessionTimebase:
    """Maps companion streams onto the primary stream's timeline."""

    def __init__(self) -> None:
        self.primary = StreamOffset()
        self._companions: dict[str, StreamOffset] = {}

    def observe_primary(self, *, t_s: FloatArray, t_host_s: FloatArray) -> None:
        """Feed the primary (force) stream's times."""
        self.primary.observe(t_s=t_s, t_host_s=t_host_s)

    def observe(self, key: str, *, t_s: FloatArray, t_host_s: FloatArray) -> None:
        """Feed a companion stream's times without mapping them (the primary not seen yet)."""
        self._companions.setdefault(key, StreamOffset()).observe(t_s=t_s, t_host_s=t_host_s)

    def companion(self, key: str) -> StreamOffset | None:
        """The offset estimate of a companion stream (None before its first block)."""
        return self._companions.get(key)

    def to_session(self, key: str, *, t_s: FloatArray, t_host_s: FloatArray) -> FloatArray | None:
        """A companion block's times on the session timeline (None until the primary is seen)."""
        offset = self._companions.setdefault(key, StreamOffset())
        offset.observe(t_s=t_s, t_host_s=t_host_s)
        if not self.primary.known:
            return None
        mapped: FloatArray = t_s + (offset.offset_s - self.primary.offset_s)
        return mapped


#: Spacing that keeps mapped companion times strictly increasing (1 µs).
MIN_STEP_S = 1e-6


def strictly_after(t_s: FloatArray, last_s: float) -> FloatArray:
    """``t_s`` (increasing) moved forward where needed so every time is after ``last_s``.

    A sample never moves back, and one that would fall at or before ``last_s`` (or before the
    sample it follows) moves to 1 µs after it.
    """
    floor = last_s + MIN_STEP_S * np.arange(1, t_s.shape[0] + 1, dtype=np.float64)
    out: FloatArray = np.maximum(np.asarray(t_s, dtype=np.float64), floor)
    return out
