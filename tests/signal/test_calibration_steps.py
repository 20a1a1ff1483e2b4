"""The shared calibration steps (CLI and TUI), the check, the saved file, and the peak hold."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from isoforce.errors import CalibrationError
from isoforce.recording.calibration_file import (
    calibration_path,
    save_calibration,
    saved_calibration,
)
from isoforce.signal.calibration import UNCALIBRATED, calibrate_with_weight, check_with_weight
from isoforce.signal.peak_hold import PeakHold
from isoforce.units import STANDARD_GRAVITY_M_S2

RNG = np.random.default_rng(3)


def _window(mean: float, sd: float, n: int = 80) -> np.ndarray:
    return mean + RNG.normal(0.0, sd, n)


def test_known_weight_from_two_quiet_windows_and_its_check() -> None:
    counts_per_n = 50.0
    load = 10 * STANDARD_GRAVITY_M_S2 * counts_per_n
    cal = calibrate_with_weight(
        empty_raw=_window(84_000, 20), loaded_raw=_window(84_000 + load, 20), mass_kg=10
    )
    assert 1 / cal.n_per_raw == pytest.approx(counts_per_n, rel=0.01)
    check = check_with_weight(raw=_window(84_000 + load / 2, 20), calibration=cal, mass_kg=5)
    assert check.error_pct == pytest.approx(0.0, abs=1.0)
    assert "5 kg reads" in check.text() and "expected 49.0 N" in check.text()


def test_a_swinging_weight_or_too_few_samples_is_refused() -> None:
    with pytest.raises(CalibrationError, match="not quiet"):
        calibrate_with_weight(
            empty_raw=_window(84_000, 20), loaded_raw=_window(88_900, 2000), mass_kg=10
        )
    with pytest.raises(CalibrationError, match="only 3 samples"):
        calibrate_with_weight(
            empty_raw=_window(84_000, 20, 3), loaded_raw=_window(88_900, 20), mass_kg=10
        )
    with pytest.raises(CalibrationError, match="positive"):
        check_with_weight(raw=_window(0, 0.1), calibration=UNCALIBRATED, mass_kg=0)


def test_a_saved_calibration_comes_back_and_a_bad_file_is_one_line(tmp_path: Path) -> None:
    data = str(tmp_path)
    assert saved_calibration(data, "hx711") is None
    cal = calibrate_with_weight(empty_raw=_window(1000, 5), loaded_raw=_window(5903, 5), mass_kg=10)
    path = save_calibration(data, "hx711", cal)
    assert path == calibration_path(data, "hx711") and (path.stat().st_mode & 0o077) == 0
    assert saved_calibration(data, "hx711") == cal
    path.write_text("[1, 2]")
    with pytest.raises(CalibrationError, match="not a calibration file"):
        saved_calibration(data, "hx711")


def test_the_peak_hold_keeps_the_largest_force_either_way_until_reset() -> None:
    peak = PeakHold()
    assert math.isnan(peak.force_n)
    peak.update(np.array([0.0, 0.1]), np.array([10.0, np.nan]), np.array([4.0, np.nan]))
    peak.update(np.array([0.2, 0.3]), np.array([-30.0, 20.0]), np.array([-17.0, 8.0]))
    peak.update(np.array([0.4]), np.array([np.nan]), np.array([np.nan]))
    assert (peak.force_n, peak.effort_pct, peak.t_s) == (-30.0, -17.0, 0.2)
    peak.reset()
    assert math.isnan(peak.force_n)
