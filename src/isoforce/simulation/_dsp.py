"""Streaming building blocks shared by the simulators (private).

Everything here carries its state between calls, so processing a signal in consecutive chunks
gives the same samples as processing it at once (the chunk-invariance contract of
:mod:`isoforce.simulation`).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from isoforce.core.samples import FloatArray

# Length of the impulse response used to measure a filter's white-noise gain.
_GAIN_IMPULSE_S = 20.0


def sos_row(b: tuple[float, ...], a: tuple[float, ...]) -> FloatArray:
    """One second-order section ``[b0, b1, b2, 1, a1, a2]`` from up-to-second-order b and a."""
    bb = np.zeros(3)
    aa = np.zeros(3)
    bb[: len(b)] = b
    aa[: len(a)] = a
    if aa[0] == 0.0:
        raise ValueError("a[0] must be non-zero")
    return np.concatenate((bb / aa[0], aa / aa[0]))[np.newaxis, :]


class StreamSos:
    """An IIR filter in second-order sections, applied along axis 0 with carried state.

    ``channels`` is ``None`` for 1-D signals, or the number of columns of a 2-D ``(n, channels)``
    signal (each column filtered independently). The state starts at zero (a signal at rest).
    A single section runs through ``lfilter``, which costs a fraction of ``sosfilt``'s per-call
    overhead on the small chunks a paced stream delivers.
    """

    __slots__ = ("_a", "_b", "_sos", "_zi")

    def __init__(self, sos: FloatArray, *, channels: int | None = None) -> None:
        self._sos = np.atleast_2d(np.asarray(sos, dtype=np.float64))
        sections = self._sos.shape[0]
        self._b = self._sos[0, :3].copy()
        self._a = self._sos[0, 3:].copy()
        state = (2,) if channels is None else (2, channels)
        self._zi = np.zeros(state if sections == 1 else (sections, *state))

    def __call__(self, x: FloatArray) -> FloatArray:
        """Filter the next chunk ``x`` (samples along axis 0) and keep the state."""
        if x.shape[0] == 0:
            return np.array(x, dtype=np.float64)
        if self._sos.shape[0] == 1:
            y, self._zi = signal.lfilter(self._b, self._a, x, axis=0, zi=self._zi)
        else:
            y, self._zi = signal.sosfilt(self._sos, x, axis=0, zi=self._zi)
        return np.asarray(y, dtype=np.float64)


def unit_noise_sos(sos: FloatArray, *, fs_hz: float) -> FloatArray:
    """Rescale ``sos`` so that unit-variance white noise comes out with unit RMS.

    The gain is measured from the impulse response (sum of squared taps), which is exact for a
    stable filter once the response has died out.
    """
    sos = np.array(np.atleast_2d(sos), dtype=np.float64)
    impulse = np.zeros(max(int(_GAIN_IMPULSE_S * fs_hz), 64))
    impulse[0] = 1.0
    h = np.asarray(signal.sosfilt(sos, impulse), dtype=np.float64)
    gain = float(np.sqrt(np.sum(h * h)))
    if not np.isfinite(gain) or gain <= 0.0:
        raise ValueError("filter has no finite white-noise gain")
    sos[0, :3] /= gain
    return sos


class DelayLine:
    """A pure delay of ``delay_samples`` samples; the line starts filled with ``fill``."""

    __slots__ = ("_buffer",)

    def __init__(self, delay_samples: int, *, fill: float = 0.0) -> None:
        if delay_samples < 0:
            raise ValueError("delay must be non-negative")
        self._buffer = np.full(delay_samples, fill, dtype=np.float64)

    def __call__(self, x: FloatArray) -> FloatArray:
        """Return ``x`` delayed; the last samples stay in the line for the next call."""
        n = x.shape[0]
        joined = np.concatenate((self._buffer, x))
        self._buffer = joined[n:].copy()
        return joined[:n]


def child_generators(seed: int, count: int) -> list[np.random.Generator]:
    """``count`` independent PCG64 generators derived from one seed (one per noise source)."""
    return [
        np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(count)
    ]
