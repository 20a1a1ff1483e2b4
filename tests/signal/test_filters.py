import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal as sps

from isoforce.signal.filters import (
    SMALL_WORK,
    SosFilter,
    TrailingMean,
    window_means,
    zero_phase_low_pass,
)
from isoforce.simulation._dsp import sos_row

_rng = np.random.default_rng(3)
_x = 100 + np.cumsum(_rng.normal(0, 1, 2000))
_x3 = np.cumsum(_rng.normal(0, 1, (2000, 3)), axis=0)

# The filters the code base streams: display low-pass, IMU band-pass, simulator sections.
_DESIGNS = {
    "low-pass 2nd order": sps.butter(2, 10, fs=80, output="sos"),
    "band-pass 4th order": sps.butter(4, [5, 30], btype="bandpass", fs=100, output="sos"),
    "one resonant section": sos_row((0.0, 0.05, 0.02), (1.0, -1.6, 0.81)),
}


def _low_pass(fs_hz: float, cutoff_hz: float = 10.0) -> SosFilter:
    return SosFilter.butterworth(order=2, cutoff_hz=cutoff_hz, fs_hz=fs_hz)


def _in_chunks(f: SosFilter | TrailingMean, x: np.ndarray, cuts: list[int]) -> np.ndarray:
    parts, i = [], 0
    for c in cuts:
        parts.append(f(x[i : i + c]))
        i += c
    parts.append(f(x[i:]))
    return np.concatenate(parts)


@settings(max_examples=100, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 300), min_size=1, max_size=30),
    design=st.sampled_from(sorted(_DESIGNS)),
    channels=st.sampled_from([None, 3]),
    settle=st.booleans(),
)
def test_filtering_in_chunks_equals_filtering_at_once(
    cuts: list[int], design: str, channels: int | None, settle: bool
) -> None:
    """Exactly, bit for bit: small chunks run in Python, large ones in scipy, same recursion."""
    sos = _DESIGNS[design]
    x = _x if channels is None else _x3

    def make() -> SosFilter:
        return SosFilter(sos, channels=channels, settle_on_first=settle)

    whole = make().process(x)
    assert np.array_equal(_in_chunks(make(), x, cuts), whole)


@pytest.mark.parametrize("design", sorted(_DESIGNS))
def test_python_path_gives_the_bits_of_lfilter_section_by_section(design: str) -> None:
    sos = _DESIGNS[design]
    small = max(1, SMALL_WORK // sos.shape[0])
    f = SosFilter(sos, settle_on_first=True)
    got = np.concatenate([f.process(_x[i : i + small]) for i in range(0, _x.size, small)])
    expected = _x
    for row, zi in zip(sos, sps.sosfilt_zi(sos) * _x[0], strict=True):
        expected, _ = sps.lfilter(row[:3], row[3:], expected, zi=zi)
    assert np.array_equal(got, expected)
    # the same filter as scipy's sosfilt, to rounding
    reference, _ = sps.sosfilt(sos, _x, zi=sps.sosfilt_zi(sos) * _x[0])
    np.testing.assert_allclose(got, reference, rtol=0, atol=1e-12 * np.abs(_x).max())
    lists = SosFilter(sos, settle_on_first=True)
    assert lists.process_values(_x[:7].tolist()) == expected[:7].tolist()


def test_reset_forgets_the_state_and_shapes_are_checked() -> None:
    f = _low_pass(80.0)
    first = f.process(_x[:20])
    f.process(_x[20:500])
    f.reset()
    assert np.array_equal(f.process(_x[:20]), first)
    assert f.process(np.empty(0)).shape == (0,)
    with pytest.raises(ValueError, match="shape"):
        f.process(_x3[:5])
    with pytest.raises(ValueError, match="a0 = 1"):
        SosFilter([[1.0, 0.0, 0.0, 2.0, 0.0, 0.0]])


def test_starts_at_steady_state_and_passes_dc() -> None:
    y = _low_pass(1000.0).process(np.full(50, 42.0))
    np.testing.assert_allclose(y, 42.0)
    at_rest = SosFilter(_DESIGNS["low-pass 2nd order"]).process(np.full(5, 42.0))
    assert at_rest[0] < 42.0 / 2  # from zero state the output ramps up


def test_attenuates_tremor_and_delays_about_23_ms_at_10_hz() -> None:
    fs = 1000.0
    t = np.arange(0, 4, 1 / fs)
    tremor = np.sin(2 * np.pi * 40 * t)
    y = _low_pass(fs).process(tremor)
    assert np.std(y[1000:]) < 0.1 * np.std(tremor)
    ramp = 10 * t
    lag_s = (ramp[2000:] - _low_pass(fs).process(ramp)[2000:]).mean() / 10
    assert lag_s == pytest.approx(np.sqrt(2) / (2 * np.pi * 10), rel=0.05)  # domain-science §2.3


def test_zero_phase_has_no_lag_and_bad_cutoffs_are_refused() -> None:
    fs = 200.0
    t = np.arange(0, 5, 1 / fs)
    slow = np.sin(2 * np.pi * 0.5 * t)
    y = zero_phase_low_pass(x=slow + 0.01 * np.sin(2 * np.pi * 60 * t), cutoff_hz=10, fs_hz=fs)
    assert np.max(np.abs(y[100:-100] - slow[100:-100])) < 0.01
    with pytest.raises(ValueError, match="Nyquist"):
        _low_pass(80.0, cutoff_hz=50.0)
    with pytest.raises(ValueError, match="Nyquist"):
        SosFilter.butterworth(order=2, cutoff_hz=(5.0, 60.0), fs_hz=100.0, btype="bandpass")


def test_window_means_are_the_means_of_every_full_window() -> None:
    x = _x[:40]
    expected = [x[i : i + 7].mean() for i in range(34)]
    np.testing.assert_allclose(window_means(x=x, window=7), expected, rtol=1e-12)
    cols = window_means(x=_x3[:40], window=7)
    assert cols.shape == (34, 3)
    np.testing.assert_allclose(cols[:, 1], window_means(x=_x3[:40, 1], window=7))
    assert window_means(x=x[:3], window=7).shape == (0,)
    with pytest.raises(ValueError, match="window"):
        window_means(x=x, window=0)


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 60), min_size=1, max_size=30),
    window=st.integers(1, 40),
)
def test_trailing_mean_in_chunks_equals_at_once(cuts: list[int], window: int) -> None:
    whole = TrailingMean(window)(_x[:600])
    chunked = _in_chunks(TrailingMean(window), _x[:600], cuts)
    assert np.isnan(whole[: window - 1]).all() and np.isnan(chunked[: window - 1]).all()
    np.testing.assert_allclose(chunked[window - 1 :], whole[window - 1 :], rtol=1e-12)
    np.testing.assert_allclose(whole[window - 1 :], window_means(x=_x[:600], window=window))
