"""Streaming filters with explicit state: filtering in chunks equals filtering all at once."""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import FloatArray

#: Below this many samples a chunk is filtered by a plain loop: scipy's per-call overhead
#: (~60 µs) dwarfs the work on the 10-sample blocks a live 80 Hz stream delivers.
SMALL_CHUNK = 128


class StreamingLowPass:
    """Causal Butterworth low-pass (second-order sections) for live display.

    The filter state is explicit and carried between calls; the first sample initialises it to
    steady state so the output does not ramp up from zero. A 2nd-order filter at 10 Hz delays
    slow signals by about 23 ms (domain-science §2.3). Analysis uses raw data, not this.
    scipy designs the filter; small chunks run through the same transposed direct form II
    recursion in Python, large ones through ``scipy.signal.sosfilt``.
    """

    def __init__(self, *, cutoff_hz: float, fs_hz: float, order: int = 2) -> None:
        if not 0 < cutoff_hz < fs_hz / 2:
            raise ValueError(
                f"cutoff {cutoff_hz} Hz must be between 0 and Nyquist ({fs_hz / 2} Hz)"
            )
        from scipy import signal as sps  # imported on first use: it costs ~0.8 s at start-up

        self.cutoff_hz = cutoff_hz
        self.fs_hz = fs_hz
        self._sos = sps.butter(order, cutoff_hz, btype="low", fs=fs_hz, output="sos")
        self._zi_unit = sps.sosfilt_zi(self._sos)
        self._zi: FloatArray | None = None

    def reset(self) -> None:
        """Forget the state; the next sample re-initialises it."""
        self._zi = None

    def process(self, x: FloatArray) -> FloatArray:
        """Filter one chunk, continuing from the previous chunk's state."""
        if x.shape[0] == 0:
            return np.empty(0, dtype=np.float64)
        if self._zi is None:
            self._zi = self._zi_unit * x[0]
        if x.shape[0] < SMALL_CHUNK:
            return self._process_small(x)
        from scipy import signal as sps

        y, self._zi = sps.sosfilt(self._sos, x, zi=self._zi)
        return np.asarray(y, dtype=np.float64)

    def _process_small(self, x: FloatArray) -> FloatArray:
        assert self._zi is not None
        values: list[float] = x.tolist()
        zi = self._zi.tolist()
        for k, (b0, b1, b2, _a0, a1, a2) in enumerate(self._sos.tolist()):
            z0, z1 = zi[k]
            out = []
            for v in values:
                y = b0 * v + z0
                z0 = b1 * v - a1 * y + z1
                z1 = b2 * v - a2 * y
                out.append(y)
            zi[k] = [z0, z1]
            values = out
        self._zi = np.array(zi, dtype=np.float64)
        return np.array(values, dtype=np.float64)


def zero_phase_low_pass(
    *, x: FloatArray, cutoff_hz: float, fs_hz: float, order: int = 4
) -> FloatArray:
    """Offline zero-phase Butterworth low-pass (forward-backward), for analysis of recordings."""
    if not 0 < cutoff_hz < fs_hz / 2:
        raise ValueError(f"cutoff {cutoff_hz} Hz must be between 0 and Nyquist ({fs_hz / 2} Hz)")
    from scipy import signal as sps

    sos = sps.butter(order, cutoff_hz, btype="low", fs=fs_hz, output="sos")
    if x.shape[0] <= 3 * (2 * sos.shape[0] + 1):
        return x.copy()
    return np.asarray(sps.sosfiltfilt(sos, x), dtype=np.float64)
