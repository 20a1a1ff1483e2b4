"""Building blocks shared by the simulators (private).

Filter design helpers for :class:`isoforce.signal.filters.SosFilter` (the one streaming filter)
and a delay line; whatever streams carries its state between calls, so processing a signal in
consecutive chunks gives the same samples as processing it at once (the chunk-invariance
contract of :mod:`isoforce.simulation`).
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
    """A pure delay of ``delay_samples`` samples; the line starts filled with ``fill``.

    The line is kept as plain floats, so a short chunk (:meth:`values`) needs no numpy at all;
    both methods give the same samples and can be mixed on one stream.
    """

    __slots__ = ("_buffer",)

    def __init__(self, delay_samples: int, *, fill: float = 0.0) -> None:
        if delay_samples < 0:
            raise ValueError("delay must be non-negative")
        self._buffer = [float(fill)] * delay_samples

    def __call__(self, x: FloatArray) -> FloatArray:
        """Return ``x`` delayed; the last samples stay in the line for the next call."""
        n = x.shape[0]
        joined = np.concatenate((np.array(self._buffer, dtype=np.float64), x))
        self._buffer = joined[n:].tolist()
        return joined[:n]

    def values(self, x: list[float]) -> list[float]:
        """Same as calling the line, on plain floats."""
        joined = self._buffer + x
        self._buffer = joined[len(x) :]
        return joined[: len(x)]


def child_generators(seed: int, count: int) -> list[np.random.Generator]:
    """``count`` independent PCG64 generators derived from one seed (one per noise source)."""
    return [
        np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(count)
    ]
