"""Device time: counters that wrap, counters that restart, and the sample rate of a stream.

A device clock is a free-running counter (:class:`CounterSpec`: its width and tick).
:class:`CounterUnwrapper` turns one that only wraps into monotonic seconds.

Some devices count time from their own *start* command rather than from power-up: a Tindeq
Progressor's timestamps are microseconds since the last "start weight measurement" (uint32,
wrapping every 2³² µs ≈ 71.6 min). After a Bluetooth link drop isoforce sends the start command
again, so the counter jumps back to about zero. :class:`CounterUnwrapper` would read that jump
as a wrap and add 71.6 minutes.

:class:`RestartingCounter` tells the two apart with the host clock: between two chunks the
device clock must advance by about as much as the host clock did. A forward step (modulo the
counter width) that disagrees with the host's elapsed time by more than ``tolerance_s`` is a
restart; the session timeline then carries on from the host's elapsed time, so the gap in
``t_s`` is as long as the outage really was. Within one chunk every step counts as forward
(a notification cannot straddle a restart), so a genuine wrap inside a chunk is unwrapped.

:func:`estimate_rate_hz` and :class:`RateEstimator` measure a stream's sample rate from its
timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray

#: Default disagreement between device and host clocks (per chunk) that marks a restart.
RESTART_TOLERANCE_S = 1.0
#: Session time advanced across a restart when the host clock did not move at all.
MIN_RESTART_STEP_S = 1e-6
#: Up to this many values per chunk, plain Python beats numpy's per-call overhead.
_FEW = 8


@dataclass(frozen=True, slots=True)
class CounterSpec:
    """A free-running device counter: its width in bits and the duration of one tick."""

    bits: int = 32
    tick_s: float = 1e-6

    @property
    def period_s(self) -> float:
        """Time until the counter wraps (2^32 µs ≈ 71.6 min for a uint32 µs counter)."""
        return float(2**self.bits) * self.tick_s


class CounterUnwrapper:
    """Turn a wrapping device counter into monotonic seconds, chunk by chunk.

    A backwards step is read as one wrap (counters only move forward), so the result does not
    depend on how the stream was cut into chunks. Times are seconds since the first value.
    """

    def __init__(self, spec: CounterSpec = CounterSpec()) -> None:
        self.spec = spec
        self._modulus = 2**spec.bits
        self._first: int | None = None
        self._last: int | None = None
        self._wraps = 0

    @property
    def wraps(self) -> int:
        """How many times the counter has wrapped so far."""
        return self._wraps

    def unwrap(self, ticks: NDArray[np.integer] | NDArray[np.floating] | list[int]) -> FloatArray:
        """Unwrap one chunk of raw counter values to seconds since the stream's first value.

        A list (a decoder's few frames) is unwrapped in plain Python, an array with numpy; both
        give the same bits.
        """
        if isinstance(ticks, list):
            return self._unwrap_ints(ticks)
        raw = np.asarray(ticks).astype(np.int64, copy=False)
        if raw.size == 0:
            return np.empty(0, dtype=np.float64)
        if self._first is None:
            self._first = int(raw[0])
            self._last = int(raw[0])
        assert self._last is not None
        prev = np.empty_like(raw)
        prev[0] = self._last
        prev[1:] = raw[:-1]
        wrap_steps = np.cumsum(raw < prev) + self._wraps
        self._wraps = int(wrap_steps[-1])
        self._last = int(raw[-1])
        total = raw + wrap_steps * self._modulus - self._first
        seconds: FloatArray = total.astype(np.float64) * self.spec.tick_s
        return seconds

    def _unwrap_ints(self, raw: list[int]) -> FloatArray:
        """:meth:`unwrap` over plain ints (the same bits)."""
        if not raw:
            return np.empty(0, dtype=np.float64)
        if self._first is None:
            self._first = self._last = raw[0]
        assert self._last is not None
        first, last, wraps, tick_s = self._first, self._last, self._wraps, self.spec.tick_s
        seconds = []
        for value in raw:
            wraps += value < last
            last = value
            seconds.append(float(value + wraps * self._modulus - first) * tick_s)
        self._wraps, self._last = wraps, last
        return np.array(seconds, dtype=np.float64)


class RestartingCounter:
    """Turns chunks of raw counter values into session seconds, surviving wraps and restarts."""

    def __init__(
        self, spec: CounterSpec | None = None, *, tolerance_s: float = RESTART_TOLERANCE_S
    ) -> None:
        spec = spec or CounterSpec()
        self.spec = spec
        self.tolerance_s = tolerance_s
        self._modulus = 1 << spec.bits
        self._segment_t_s = 0.0  # session time at the segment's base tick
        self._segment_ticks = 0  # ticks since the segment's base at the last value
        self._last_raw: int | None = None
        self._last_host_s = 0.0
        self.restarts = 0
        """How many restarts were seen so far."""

    @property
    def last_t_s(self) -> float:
        """Session time of the latest value (0.0 before any)."""
        return self._segment_t_s + self._segment_ticks * self.spec.tick_s

    def stamp(self, ticks: NDArray[np.integer] | list[int], *, t_host_s: float) -> FloatArray:
        """Session seconds for one chunk of raw counter values that arrived at ``t_host_s``."""
        if len(ticks) <= _FEW:  # one or a few records per notification: plain ints are faster
            raw_list = [int(t) for t in ticks]
            if not raw_list:
                return np.empty(0, dtype=np.float64)
            first_step = self._first_step(raw_list[0], t_host_s)
            totals = []
            total, prev = self._segment_ticks + first_step, raw_list[0]
            for value in raw_list:
                total += (value - prev) % self._modulus
                prev = value
                totals.append(total)
            self._finish(total, raw_list[-1], t_host_s)
            return self._segment_t_s + np.array(totals, dtype=np.float64) * self.spec.tick_s
        raw = np.asarray(ticks).astype(np.int64, copy=False)
        steps = np.empty_like(raw)
        steps[0] = self._first_step(int(raw[0]), t_host_s)
        steps[1:] = np.diff(raw) % self._modulus
        cumulative = self._segment_ticks + np.cumsum(steps)
        self._finish(int(cumulative[-1]), int(raw[-1]), t_host_s)
        seconds: FloatArray = self._segment_t_s + cumulative.astype(np.float64) * self.spec.tick_s
        return seconds

    def _first_step(self, first: int, t_host_s: float) -> int:
        """Ticks from the previous value to ``first``; 0 (and a new segment) on a restart."""
        if self._last_raw is None:
            return 0
        step = (first - self._last_raw) % self._modulus
        host_elapsed_s = t_host_s - self._last_host_s
        if abs(step * self.spec.tick_s - host_elapsed_s) <= self.tolerance_s:
            return step
        self._segment_t_s = self.last_t_s + max(host_elapsed_s, MIN_RESTART_STEP_S)
        self._segment_ticks = 0
        self.restarts += 1
        return 0

    def _finish(self, total_ticks: int, last_raw: int, t_host_s: float) -> None:
        self._segment_ticks = total_ticks
        self._last_raw = last_raw
        self._last_host_s = t_host_s


def estimate_rate_hz(*, t_s: FloatArray) -> float:
    """Estimate a stream's sample rate from its timestamps (median interval; robust to gaps).

    Returns ``nan`` for fewer than two samples or non-increasing times.
    """
    if t_s.shape[0] < 2:
        return float("nan")
    dt = np.diff(t_s)
    dt = dt[dt > 0]
    if dt.size == 0:
        return float("nan")
    return float(1.0 / np.median(dt))


class RateEstimator:
    """Running sample-rate estimate over the most recent ``window`` intervals."""

    def __init__(self, window: int = 256) -> None:
        self._dt = np.full(window, np.nan)
        self._i = 0
        self._count = 0
        self._last_t: float | None = None

    def update(self, t_s: FloatArray) -> float:
        """Add a chunk's timestamps and return the current estimate in Hz (``nan`` until known)."""
        if t_s.size:
            start = np.array([self._last_t]) if self._last_t is not None else np.empty(0)
            dt = np.diff(np.concatenate([start, t_s]))
            self._last_t = float(t_s[-1])
            n = self._dt.shape[0]
            dt = dt[-n:]
            idx = (self._i + np.arange(dt.size)) % n
            self._dt[idx] = dt
            self._i = int((self._i + dt.size) % n)
            self._count = min(self._count + dt.size, n)
        return self.rate_hz

    @property
    def rate_hz(self) -> float:
        """The current estimate in Hz, ``nan`` before two samples."""
        vals = self._dt[~np.isnan(self._dt)]
        vals = vals[vals > 0]
        return float(1.0 / np.median(vals)) if vals.size else float("nan")
