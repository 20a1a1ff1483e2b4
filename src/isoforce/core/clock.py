"""Device clocks: unwrapping counters that overflow, and estimating the sample rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray


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

    def unwrap(self, ticks: NDArray[np.integer] | NDArray[np.floating]) -> FloatArray:
        """Unwrap one chunk of raw counter values to seconds since the stream's first value."""
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
