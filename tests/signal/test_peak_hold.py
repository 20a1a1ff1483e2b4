"""Peak hold: a short block's plain loop keeps the same peak as the array path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoforce.signal import peak_hold
from isoforce.signal.peak_hold import PeakHold

_FORCES = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 5.0, -5.0])


@given(blocks=st.lists(st.lists(_FORCES, max_size=20), max_size=8))
def test_short_blocks_keep_the_peak_of_the_array_path(blocks: list[list[float]]) -> None:
    peaks = []
    for few in (10**6, 0):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(peak_hold, "_FEW", few)
            peak, t0 = PeakHold(), 0
            for forces in blocks:
                n = len(forces)
                t_s = np.arange(t0, t0 + n, dtype=np.float64)
                force_n = np.array(forces, dtype=np.float64)
                peak.update(t_s, force_n, 2.0 * t_s)
                t0 += n
            peaks.append((peak.force_n, peak.effort_pct, peak.t_s))
    assert np.array_equal(peaks[0], peaks[1], equal_nan=True)
