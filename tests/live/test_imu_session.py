"""An IMU session through the same factory and runner as force sessions, in virtual time."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

from isoforce.errors import ConfigError
from isoforce.live import FrameConsumer, LiveFrame, LiveSession, SessionOptions
from isoforce.live.build import open_session
from isoforce.signal.imu import ImuView


def run_session(seconds: float, **options: object) -> tuple[list[ImuView], LiveSession]:
    views: list[ImuView] = []

    class Views(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            if len(frame) and frame.imu_view is not None:
                views.append(frame.imu_view)

    session = open_session(
        SessionOptions(device="sim-imu", speed=math.inf, **options),  # type: ignore[arg-type]
        consumers=[Views()],
    )
    asyncio.run(session.run(duration_s=seconds))
    return views, session


def test_sim_imu_runs_headless_with_angle_stillness_and_lift_offs() -> None:
    views, session = run_session(36.0)
    assert session.imu is not None
    assert session.pipeline.effort_message.startswith("not force-measured")
    assert views[0].angle_deg is None and views[0].zero_hint
    angles = np.array([v.angle_deg for v in views if v.angle_deg is not None])
    assert angles.max() == pytest.approx(30.0, abs=0.5)  # the demo rotates to 30° IR
    assert any(v.moving for v in views) and any(v.still for v in views)
    assert any(v.lift_phase == "hold" and v.hold_s > 4.0 for v in views)
    last = views[-1]
    assert last.ir_max_deg == pytest.approx(30.0, abs=0.5) and last.lift_offs_done == 1
    assert last.dual is None  # IMU only: nothing to compare with
    assert not last.effort.available and "calibrate" in last.effort.reason
    assert last.angle_source.startswith("gravity")


def test_thigh_placement_and_bad_placement() -> None:
    views, _ = run_session(4.0, imu_placement="thigh")
    assert views[-1].placement == "thigh" and "Thigh" in views[-1].guidance
    with pytest.raises(ConfigError, match="placement"):
        open_session(SessionOptions(device="sim-imu", imu_placement="ankle"))


def test_force_sessions_have_no_imu() -> None:
    session = open_session(SessionOptions(device="sim", speed=math.inf))
    assert session.imu is None and session.header.imu_placement is None
