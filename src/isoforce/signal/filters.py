"""Streaming filters with explicit state: filtering in chunks equals filtering all at once.

Two pieces serve the whole code base: :class:`SosFilter`, a causal IIR filter in second-order
sections (display low-pass, IMU smoothing, the simulators' dynamics and noise shaping), and
trailing means (:func:`window_means` over an array, :class:`TrailingMean` over a stream).
scipy designs filters. Long chunks run section after section through ``scipy.signal.lfilter``
(a few µs a call, where ``sosfilt`` costs ~30 µs); short chunks run the same transposed direct
form II recursion in plain Python, in ``lfilter``'s order of operations, so both paths give the
same bits and the result never depends on how a stream was cut into chunks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from isoforce.core.samples import FloatArray

#: Up to this many sample-sections (samples × sections × channels) a chunk runs in plain
#: Python (~0.1 µs a sample-section): below it scipy's per-call overhead (~5 µs for
#: ``lfilter`` plus the state's round trip) outweighs the work, as on the 1–15-sample blocks
#: of a BLE notification or a paced simulator.
SMALL_WORK = 64


class SosFilter:
    """A causal IIR filter in second-order sections, applied along axis 0 with carried state.

    ``sos`` rows are ``[b0, b1, b2, 1, a1, a2]``. ``channels`` is ``None`` for 1-D signals or
    the number of columns of ``(n, channels)`` chunks (each column filtered on its own). The
    state starts at rest (zero), or with ``settle_on_first`` at the steady state of the first
    sample's value, so a signal that starts away from zero does not ring or ramp up.
    """

    __slots__ = ("_ba", "_channels", "_rows", "_sections", "_settle", "_sos", "_state", "_unit")

    def __init__(
        self, sos: ArrayLike, *, channels: int | None = None, settle_on_first: bool = False
    ) -> None:
        self._sos = np.array(np.atleast_2d(np.asarray(sos, dtype=np.float64)))
        if self._sos.ndim != 2 or self._sos.shape[1] != 6 or self._sos.shape[0] == 0:
            raise ValueError(f"sos must have shape (sections, 6), got {self._sos.shape}")
        if np.any(self._sos[:, 3] != 1.0):
            raise ValueError("sos sections must be normalised (a0 = 1)")
        if channels is not None and channels < 1:
            raise ValueError("channels must be None or >= 1")
        self._channels = channels
        self._sections = int(self._sos.shape[0])
        self._rows: list[tuple[float, float, float, float, float]] = [
            (b0, b1, b2, a1, a2) for b0, b1, b2, _a0, a1, a2 in self._sos.tolist()
        ]
        self._ba = [(row[:3].copy(), row[3:].copy()) for row in self._sos]
        self._settle = settle_on_first
        self._unit: list[float] = []
        if settle_on_first:
            self._unit = _steady_state_unit(self._sos).ravel().tolist()
        self._state: list[float] | None = None
        self.reset()

    @classmethod
    def butterworth(
        cls,
        *,
        order: int,
        cutoff_hz: float | tuple[float, float],
        fs_hz: float,
        btype: str = "low",
        channels: int | None = None,
        settle_on_first: bool = True,
    ) -> SosFilter:
        """A Butterworth filter (``btype`` low, high, bandpass or bandstop) designed by scipy."""
        return cls(
            butterworth_sos(order=order, cutoff_hz=cutoff_hz, fs_hz=fs_hz, btype=btype),
            channels=channels,
            settle_on_first=settle_on_first,
        )

    @property
    def sos(self) -> FloatArray:
        """The sections (a copy)."""
        return self._sos.copy()

    @property
    def biquad(self) -> tuple[float, float, float, float, float] | None:
        """``(b0, b1, b2, a1, a2)`` of a 1-D filter with one section, else None.

        For a caller that runs this recursion fused with its own per-sample work on a short
        block (the force pipeline): it must follow :meth:`_run` step for step and leave the new
        state in :meth:`live_state`, so the result is the same bits as :meth:`process`.
        """
        if self._channels is not None or self._sections != 1:
            return None
        return self._rows[0]

    def live_state(self, first: float) -> list[float]:
        """The carried state of a 1-D filter, itself (not a copy): ``[z0, z1]`` per section.

        Not started yet (``settle_on_first``), it is set from ``first``, the next input value.
        """
        state = self._state
        return state if state is not None else self._state_for([first])

    def reset(self) -> None:
        """Forget the state: back to rest, or (``settle_on_first``) wait for the next sample."""
        width = 2 * self._sections * (self._channels or 1)
        self._state = None if self._settle else [0.0] * width

    def __call__(self, x: FloatArray) -> FloatArray:
        """Same as :meth:`process`."""
        return self.process(x)

    def process(self, x: FloatArray) -> FloatArray:
        """Filter the next chunk ``x`` (samples along axis 0), continuing from the carried state."""
        x = np.asarray(x, dtype=np.float64)
        n = x.shape[0]
        expected = (n,) if self._channels is None else (n, self._channels)
        if x.shape != expected:
            raise ValueError(f"expected a chunk of shape {expected}, got {x.shape}")
        if n == 0:
            return np.array(x, dtype=np.float64)
        if n * self._sections * (self._channels or 1) > SMALL_WORK:
            return self._process_scipy(x)
        if self._channels is None:
            return np.array(self.process_values(x.tolist()), dtype=np.float64)
        state = self._state_for(x[0].tolist())
        columns = [self._run(state, c, v) for c, v in enumerate(x.T.tolist())]
        return np.ascontiguousarray(np.array(columns, dtype=np.float64).T)

    def process_values(self, values: Sequence[float]) -> list[float]:
        """Filter the next chunk of a 1-D signal given as plain floats (no numpy at all)."""
        if self._channels is not None:
            raise ValueError("process_values() is for 1-D filters (channels=None)")
        if not len(values):
            return []
        state = self._state
        if state is None:
            state = self._state_for([values[0]])
        return self._run(state, 0, values)

    def _state_for(self, first: list[float]) -> list[float]:
        """The carried state; with ``settle_on_first`` set from ``first`` (one value a channel)."""
        if self._state is None:
            self._state = [u * v for v in first for u in self._unit]
        return self._state

    def _run(self, state: list[float], channel: int, values: Sequence[float]) -> list[float]:
        """The recursion of ``lfilter`` (transposed direct form II), section by section."""
        i = 2 * self._sections * channel
        out: list[float] = []
        for b0, b1, b2, a1, a2 in self._rows:
            z0, z1 = state[i], state[i + 1]
            out = []
            append = out.append  # bound once: a 1-15-sample block is mostly loop overhead
            for v in values:
                y = z0 + b0 * v
                z0 = z1 + v * b1 - y * a1
                z1 = v * b2 - y * a2
                append(y)
            state[i], state[i + 1] = z0, z1
            values = out
            i += 2
        return out

    def _process_scipy(self, x: FloatArray) -> FloatArray:
        from scipy import signal as sps  # imported on first use: it costs ~0.8 s at start-up

        channels = self._channels
        state = (
            self._state
            if self._state is not None
            else self._state_for(np.atleast_1d(x[0]).tolist())
        )
        zi = np.array(state, dtype=np.float64).reshape(channels or 1, self._sections, 2)
        y = x
        for k, (b, a) in enumerate(self._ba):
            z = zi[0, k] if channels is None else zi[:, k].T  # (delays,) or (delays, channels)
            y, zf = sps.lfilter(b, a, y, axis=0, zi=z)
            zi[:, k] = zf if channels is None else zf.T
        self._state = zi.ravel().tolist()
        return np.asarray(y, dtype=np.float64)


def _steady_state_unit(sos: FloatArray) -> FloatArray:
    from scipy import signal as sps

    return np.asarray(sps.sosfilt_zi(sos), dtype=np.float64)


def butterworth_sos(
    *, order: int, cutoff_hz: float | tuple[float, float], fs_hz: float, btype: str = "low"
) -> FloatArray:
    """Second-order sections of a Butterworth filter; every cutoff must lie below Nyquist."""
    cutoffs = (cutoff_hz,) if isinstance(cutoff_hz, float | int) else tuple(cutoff_hz)
    if not all(0 < c < fs_hz / 2 for c in cutoffs):
        raise ValueError(f"cutoff {cutoff_hz} Hz must be between 0 and Nyquist ({fs_hz / 2} Hz)")
    from scipy import signal as sps

    sos = sps.butter(order, cutoff_hz, btype=btype, fs=fs_hz, output="sos")
    return np.asarray(sos, dtype=np.float64)


def zero_phase_low_pass(
    *, x: FloatArray, cutoff_hz: float, fs_hz: float, order: int = 4
) -> FloatArray:
    """Offline zero-phase Butterworth low-pass (forward-backward), for analysis of recordings."""
    sos = butterworth_sos(order=order, cutoff_hz=cutoff_hz, fs_hz=fs_hz)
    if x.shape[0] <= 3 * (2 * sos.shape[0] + 1):
        return x.copy()
    from scipy import signal as sps

    return np.asarray(sps.sosfiltfilt(sos, x), dtype=np.float64)


def window_means(*, x: FloatArray, window: int) -> FloatArray:
    """Means of every full ``window``-sample run along axis 0 of ``x`` (running sums, O(n)).

    ``n - window + 1`` rows for ``n >= window`` samples, none otherwise; entry ``i`` is the mean
    of ``x[i : i + window]``.
    """
    if window < 1:
        raise ValueError("window must be >= 1 sample")
    x = np.asarray(x, dtype=np.float64)
    csum = np.cumsum(np.concatenate((np.zeros((1, *x.shape[1:])), x)), axis=0)
    return np.asarray((csum[window:] - csum[:-window]) / window, dtype=np.float64)


class TrailingMean:
    """Mean of the trailing ``window`` samples at every sample of a stream (axis 0).

    The last ``window - 1`` samples carry over, so any chunking gives the same means (to the
    rounding of running sums). NaN until the first full window.
    """

    __slots__ = ("_tail", "window")

    def __init__(self, window: int) -> None:
        if window < 1:
            raise ValueError("window must be >= 1 sample")
        self.window = window
        """Samples per mean."""
        self._tail: FloatArray | None = None

    def __call__(self, x: FloatArray) -> FloatArray:
        """Trailing means for the samples of the next chunk ``x``."""
        x = np.asarray(x, dtype=np.float64)
        w, n = self.window, x.shape[0]
        tail = np.empty((0, *x.shape[1:])) if self._tail is None else self._tail
        joined = np.concatenate((tail, x))
        self._tail = joined[-(w - 1) :] if w > 1 else joined[:0]
        out = np.full(x.shape, np.nan)
        if joined.shape[0] >= w:
            means = window_means(x=joined, window=w)
            out[n - means.shape[0] :] = means
        return out
