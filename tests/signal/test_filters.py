import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.signal.filters import StreamingLowPass, zero_phase_low_pass

_rng = np.random.default_rng(3)
_x = 100 + np.cumsum(_rng.normal(0, 1, 2000))


@settings(max_examples=100, deadline=None)
@given(cuts=st.lists(st.integers(1, 300), min_size=1, max_size=30))
def test_filtering_in_chunks_equals_filtering_at_once(cuts: list[int]) -> None:
    whole = StreamingLowPass(cutoff_hz=10, fs_hz=80).process(_x)
    f = StreamingLowPass(cutoff_hz=10, fs_hz=80)
    parts, i = [], 0
    for c in cuts:
        parts.append(f.process(_x[i : i + c]))
        i += c
    parts.append(f.process(_x[i:]))
    np.testing.assert_allclose(np.concatenate(parts), whole, rtol=0, atol=1e-9)


def test_starts_at_steady_state_and_passes_dc() -> None:
    y = StreamingLowPass(cutoff_hz=10, fs_hz=1000).process(np.full(50, 42.0))
    np.testing.assert_allclose(y, 42.0)


def test_attenuates_tremor_and_delays_about_23_ms_at_10_hz() -> None:
    fs = 1000.0
    t = np.arange(0, 4, 1 / fs)
    tremor = np.sin(2 * np.pi * 40 * t)
    y = StreamingLowPass(cutoff_hz=10, fs_hz=fs).process(tremor)
    assert np.std(y[1000:]) < 0.1 * np.std(tremor)
    ramp = 10 * t
    lag_s = (
        ramp[2000:] - StreamingLowPass(cutoff_hz=10, fs_hz=fs).process(ramp)[2000:]
    ).mean() / 10
    assert lag_s == pytest.approx(np.sqrt(2) / (2 * np.pi * 10), rel=0.05)  # domain-science §2.3


def test_zero_phase_has_no_lag_and_bad_cutoffs_are_refused() -> None:
    fs = 200.0
    t = np.arange(0, 5, 1 / fs)
    slow = np.sin(2 * np.pi * 0.5 * t)
    y = zero_phase_low_pass(x=slow + 0.01 * np.sin(2 * np.pi * 60 * t), cutoff_hz=10, fs_hz=fs)
    assert np.max(np.abs(y[100:-100] - slow[100:-100])) < 0.01
    with pytest.raises(ValueError, match="Nyquist"):
        StreamingLowPass(cutoff_hz=50, fs_hz=80)
