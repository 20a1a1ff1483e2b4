"""The whole IMU chain on simulated lift-offs: per-sample results and the screen's view."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.signal.imu import (
    ACC_CHANNELS,
    GYRO_CHANNELS,
    ImuProcessor,
    ImuProcessorSettings,
    MmgCalibration,
    Refusal,
    has_imu,
)
from isoforce.simulation import lift_off_sequence
from tests.signal.imu_helpers import FS_HZ, chunk_slices, simulate


def test_chunked_chain_equals_all_at_once_and_the_view_sums_it_up() -> None:
    script = lift_off_sequence(fs_hz=FS_HZ)
    out = simulate(script, placement="thigh")
    cal = MmgCalibration((0.0026, 0.015, 0.022), (0.0, 50.0, 100.0))
    whole = ImuProcessor(ImuProcessorSettings(), fs_hz=FS_HZ, calibration=cal).update(
        t_s=script.t_s, acc_g=out.acc_g, gyro_dps=out.gyro_dps
    )
    proc = ImuProcessor(ImuProcessorSettings(), fs_hz=FS_HZ, calibration=cal)
    parts = []
    for s in chunk_slices(script.t_s.size, seed=9, largest=150):
        values = np.column_stack((out.acc_g[s], out.gyro_dps[s]))
        block = SampleBlock(script.t_s[s], script.t_s[s], values, (*ACC_CHANNELS, *GYRO_CHANNELS))
        assert has_imu(block)
        parts.append(proc.update_block(block))
    np.testing.assert_array_equal(np.concatenate([p.angle_deg for p in parts]), whole.angle_deg)
    np.testing.assert_array_equal(np.concatenate([p.still for p in parts]), whole.still)
    np.testing.assert_allclose(
        np.concatenate([p.mmg.estimate_pct for p in parts]), whole.mmg.estimate_pct, atol=1e-9
    )
    assert [lift for p in parts for lift in p.lift_offs] == list(whole.lift_offs)
    assert proc.last is parts[-1]

    view = proc.view()
    assert view.t_s == pytest.approx(script.t_s[-1])
    assert view.angle_deg == pytest.approx(0.0, abs=0.5) and view.still and not view.moving
    assert view.ir_max_deg == pytest.approx(10.0, abs=0.5)  # lifts of 10° from the zero pose
    assert view.lift_offs_done == 3 and view.lift_phase == "rest"
    assert view.effort.available and view.effort.level is not None  # resting, calibrated
    assert view.effort.high_pct - view.effort.low_pct >= 15.0
    assert "IMU estimate, not measured" in view.effort.label()
    # during a lift the estimate is refused: muscle vibration is unreadable in movement
    lifting = ~whole.still & (script.t_s > 2.0)
    assert (whole.mmg.refusal[lifting] != Refusal.NONE).all()


def test_rezero_forgets_the_range_of_motion() -> None:
    script = lift_off_sequence(fs_hz=FS_HZ, count=1)
    out = simulate(script)
    proc = ImuProcessor(ImuProcessorSettings(), fs_hz=FS_HZ)
    proc.update(t_s=script.t_s, acc_g=out.acc_g, gyro_dps=out.gyro_dps)
    assert proc.view().ir_max_deg is not None
    proc.rezero()
    view = proc.view()
    assert view.ir_max_deg is None
    assert view.angle_deg is None and "zero" in view.zero_hint
