"""Force at angle: the IMU's angle at each force sample, peak push and pull per band."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.session.force_angle import angle_at, bands_text, force_at_angle


def test_angle_is_interpolated_between_imu_samples_and_missing_outside_or_across_gaps() -> None:
    imu_t = np.array([0.0, 0.01, 0.02, 0.5, 0.51])  # a 0.48 s IMU gap after 0.02 s
    angle = np.array([np.nan, 10.0, 20.0, 30.0, 40.0])
    got = angle_at(
        t_s=np.array([-0.1, 0.005, 0.015, 0.2, 0.505, 0.6]), imu_t_s=imu_t, angle_deg=angle
    )
    assert np.isnan(got[0]) and np.isnan(got[1])  # before the IMU; next to the zero-pose NaN
    assert got[2] == pytest.approx(15.0) and got[4] == pytest.approx(35.0)
    assert np.isnan(got[3]) and np.isnan(got[5])  # across the gap; after the last IMU sample


def test_peak_push_and_pull_per_band() -> None:
    t = np.arange(0, 4, 0.0125)
    imu_t = np.arange(-0.1, 4.1, 0.005)
    angle = 40 * imu_t / 4 - 5  # sweeps from -5 to +35 degrees
    force = np.where(t < 2, 100 * np.sin(np.pi * t / 2), -50 * np.sin(np.pi * (t - 2) / 2))
    bands = force_at_angle(t_s=t, force_n=force, imu_t_s=imu_t, angle_deg=angle)
    assert [b.low_deg for b in bands] == [-10.0, 0.0, 10.0, 20.0, 30.0]
    assert sum(b.samples for b in bands) == len(t)
    by = {b.low_deg: b for b in bands}
    assert by[0.0].peak_push_n == pytest.approx(100.0, abs=0.1)  # t = 1 s is at 5°
    assert by[0.0].peak_push_t_s == pytest.approx(1.0)
    assert by[20.0].peak_pull_n == pytest.approx(50.0, abs=0.1)  # t = 3 s is at 25°
    assert by[-10.0].peak_pull_n is None
    first = bands_text(bands)[0]
    assert first[0] == "-10° to +0°" and first[3] == "—"  # no pull before 2 s


def test_no_angle_no_band() -> None:
    t = np.arange(10) / 80
    imu_nan = np.full(20, np.nan)
    assert force_at_angle(t_s=t, force_n=t, imu_t_s=np.arange(20) / 100, angle_deg=imu_nan) == ()
    with pytest.raises(ValueError, match="band"):
        force_at_angle(t_s=t, force_n=t, imu_t_s=t, angle_deg=t, band_deg=0)
