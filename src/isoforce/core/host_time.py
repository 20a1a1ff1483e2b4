"""Session time for devices without a clock: host arrival times, spread so they never repeat.

Text-line load cells (HX711 sketches) and WitMotion UART IMUs send no timestamp, so a sample's
time is when its bytes reached the host. A serial read often returns several samples at once;
giving them all the same time would make time stand still and then jump. :class:`HostTimeline`
spreads the samples of one chunk backwards from the chunk's arrival time, one nominal sample
interval apart, but never earlier than the previous sample: the result is strictly increasing
and never later than the moment the bytes actually arrived.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import FloatArray

#: Spacing used when the host clock did not move between two chunks (1 µs).
MIN_STEP_S = 1e-6


class HostTimeline:
    """Stamps samples that carry no device time; times are seconds since the first sample."""

    def __init__(self, *, nominal_rate_hz: float) -> None:
        if not nominal_rate_hz > 0:
            raise ValueError(f"nominal rate must be positive, got {nominal_rate_hz}")
        self.nominal_interval_s = 1.0 / nominal_rate_hz
        self._first: float | None = None
        self._last = -np.inf

    def stamp(self, *, t_host_s: float, count: int) -> tuple[FloatArray, FloatArray]:
        """Times for ``count`` samples that arrived at ``t_host_s``: ``(t_s, t_host_s)`` arrays.

        ``t_s`` is on the session timeline (0 at the first sample ever stamped); the second array
        holds the (spread) host times themselves.
        """
        if count <= 0:
            empty = np.empty(0, dtype=np.float64)
            return empty, empty.copy()
        gap_s = t_host_s - self._last
        idx = np.arange(count, dtype=np.float64)
        if gap_s > 0:
            step_s = min(self.nominal_interval_s, gap_s / count)
            host = t_host_s - (count - 1 - idx) * step_s
        else:
            host = self._last + (idx + 1.0) * MIN_STEP_S
        if self._first is None:
            self._first = float(host[0])
        self._last = float(host[-1])
        return host - self._first, host
