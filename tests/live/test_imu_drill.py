"""Drills with an IMU, end to end on the simulators: range of motion, stillness in holds,
lift-offs scored live, and dual mode reporting the effort estimate's error (issue 8)."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace
from pathlib import Path

import pytest

from isoforce.core.effort_key import Side
from isoforce.drills import load_builtin
from isoforce.errors import ConfigError
from isoforce.live import LiveSession, SessionOptions
from isoforce.live.build import open_session
from isoforce.recording import StoreWriter
from isoforce.session.store import SessionStore
from isoforce.signal.imu import MmgCalibration
from isoforce.simulation.limb import LimbFollower, LimbSettings
from isoforce.transports.sim import SimTransport


def run_drill(name: str, device: str, **options: object) -> LiveSession:
    session = open_session(
        SessionOptions(device=device, speed=math.inf, **options),  # type: ignore[arg-type]
        drill=load_builtin(name),
    )
    result = asyncio.run(session.run())
    assert result.stopped_by == "drill finished"
    return session


@pytest.mark.parametrize("placement", ["shank", "thigh"])
def test_hip_rom_measures_both_end_ranges_within_a_degree(placement: str) -> None:
    session = run_drill("hip-rom", "sim-imu", imu_placement=placement, seed=3)
    assert session.guide is not None and session.guide.imu_scorer is not None
    truth = LimbSettings()
    summary = session.guide.imu_scorer.summary()
    assert summary.placement == placement
    assert summary.ir_deg == pytest.approx(truth.ir_end_range_deg, abs=1.0)
    assert summary.er_deg == pytest.approx(truth.er_end_range_deg, abs=1.0)
    rom = session.guide.imu_scorer.scores[1].rom
    assert rom is not None and len(rom.reps) == 6
    assert all(r.end_range_deg is not None for r in rom.reps)


def test_a_rom_drill_on_a_device_without_an_imu_is_refused_clearly() -> None:
    with pytest.raises(ConfigError, match="needs an IMU"):
        open_session(SessionOptions(device="sim"), drill=load_builtin("hip-rom"))


def test_the_seeds_sequence_in_dual_mode_scores_lift_offs_and_stillness() -> None:
    session = run_drill("pails-rails-hip", "sim-dual", seed=2)
    assert session.guide is not None and session.guide.imu_scorer is not None
    scorer = session.guide.imu_scorer
    plan = session.guide.engine.plan
    lift = next(s.lift_off for s in scorer.scores.values() if s.lift_off is not None)
    assert lift is not None and lift.detected == 3 and lift.complete
    held = lift.reps[-1]
    assert held.hold_target_s == 5.0 and held.hold_s is not None and held.hold_s >= 4.5
    assert all(r.off_block for r in lift.reps)  # the cell read ~0 while the leg was up
    for index, score in scorer.scores.items():
        if plan[index].step.traits.isometric:
            assert score.stillness is not None and score.stillness.moving_s == 0.0, plan[index]
    assert len(scorer.scores) == len(plan)


def test_a_hold_that_leaks_into_movement_is_recorded_as_moving() -> None:
    session = open_session(
        SessionOptions(device="sim-dual", speed=math.inf, seed=4),
        drill=load_builtin("pails-rails-hip"),
    )
    transport = session.transport
    assert isinstance(transport, SimTransport)
    # this person's leg creeps (1.2 °/s, under the gyro threshold) when pushing above 80 % of
    # max: from the end of the ramp to 100 % through most of the 100 % hold
    creep = replace(LimbSettings(), creep_above_pct=80.0, creep_deg=20.0, creep_speed_dps=1.2)
    transport.limb = LimbFollower(creep)
    asyncio.run(session.run())
    assert session.guide is not None and session.guide.imu_scorer is not None
    scores = session.guide.imu_scorer.scores
    plan = session.guide.engine.plan
    moving = [s.stillness.moving_s if s.stillness else math.nan for _, s in sorted(scores.items())]
    labels = [p.label for p in plan]
    assert moving[labels.index("hold push 100 % 20 s")] > 5.0
    assert moving[labels.index("ramp push 50→100 %")] > 0.5
    # the first holds (50 %) stay still; the pull hold after the 100 % one starts with the leg
    # coming back from its creep, which is movement too
    assert moving[labels.index("hold push 50 % 20 s")] == 0.0
    assert moving[labels.index("hold pull 50 % 20 s")] == 0.0
    assert moving[labels.index("hold push 100 % 20 s") + 1] > 0.5
    summary = session.guide.imu_scorer.summary()
    assert summary.steps_with_movement >= 1 and summary.moving_s > 1.0


def test_dual_mode_reports_the_estimate_error_against_the_load_cell() -> None:
    # a calibration against the simulated cell, as 'isoforce imu calibrate --device sim-dual'
    calibration = MmgCalibration(
        rms_g=(0.0026, 0.0152, 0.0235), effort_pct=(0.0, 50.0, 98.0), source="load cell"
    )
    session = run_drill("pails-rails-hip", "sim-dual", seed=5, imu_calibration=calibration)
    assert session.guide is not None and session.guide.imu_scorer is not None
    summary = session.guide.imu_scorer.summary()
    assert summary.calibrated and summary.dual is not None
    assert summary.dual.n > 50_000
    assert summary.dual.rmse_pct < 15.0 and summary.dual.in_band_fraction > 0.8


def test_a_recorded_rom_drill_keeps_imu_scores_and_adds_end_ranges_to_the_history(
    tmp_path: Path,
) -> None:
    options = SessionOptions(device="sim-imu", speed=math.inf, seed=6)
    drill = load_builtin("hip-rom")
    with SessionStore.open(data_dir=tmp_path) as store:
        session = open_session(options, drill=drill)
        recorder = StoreWriter(store, options, side=Side.LEFT)
        session.add(recorder)
        result = asyncio.run(session.run())
        assert [r.direction for r in recorder.rom_saved] == ["ir", "er"]
        assert recorder.session_id is not None
        record = store.load(recorder.session_id)
        history = store.history()
    rom_step = record.steps[1].score["imu"]
    assert isinstance(rom_step, dict) and rom_step["rom"]["ir_deg"] == pytest.approx(36.0, abs=1)
    assert record.steps[0].score["imu"]["stillness"]["moving_s"] == 0.0
    assert record.summary is not None and record.summary["imu"]["er_deg"] == pytest.approx(
        42, abs=1
    )
    assert record.imu is not None and len(record.imu) == result.samples
    series = {s.key.direction: s for s in history.rom}
    assert set(series) == {"ir", "er"}
    assert series["er"].key.side is Side.LEFT and series["er"].key.position == "90-90"
    assert series["er"].latest.angle_deg == pytest.approx(42.0, abs=1.0)
    assert series["er"].latest.placement == "shank"
