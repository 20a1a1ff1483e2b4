"""A load cell and an IMU at once, both over Bluetooth, in one session with one time base.

The Progressor (device clock) and the WitMotion IMU (host-timed, connected 0.8 s later) both
see the same event at the same wall-clock moment: the athlete starts pushing and the shank
tilts. On their own timelines the event sits ~0.8 s apart; on the session timeline it must
coincide to within a sample interval or two.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.runner.companion import MultiSensorRunner, companion_for
from isoforce.runner.factory import SessionOptions, build_session
from isoforce.units import N_PER_KGF
from tests.ble.ble_emulators import ProgressorEmu, WitMotionEmu
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import Keep

EVENT_AFTER_S = 2.5


@pytest.mark.asyncio
async def test_load_cell_and_imu_share_the_session_clock(bluez: FakeBluez) -> None:
    event_at = time.monotonic() + EVENT_AFTER_S

    def push(_t: float) -> float:  # kg, stepping at the same wall-clock moment as the tilt
        return 30.0 if time.monotonic() >= event_at else 0.0

    def tilt(_t: float) -> float:  # degrees
        return 45.0 if time.monotonic() >= event_at else 0.0

    gauge = ProgressorEmu(profile=push)
    imu = WitMotionEmu(tilt=tilt)
    imu.periph.connect_delay_s = 0.8  # the IMU joins later: its own zero is later
    bluez.add(gauge.periph)
    bluez.add(imu.periph)
    keep = Keep()
    session = build_session(
        SessionOptions(device="progressor", address=gauge.periph.address), sinks=[keep]
    )
    companion = companion_for("witmotion-ble", address=imu.periph.address)
    imu_blocks: list[SampleBlock] = []
    native_imu_t: list[float] = []
    decode = companion.decoder.feed

    def feed_and_note(t_host_s: float, data: bytes) -> list:  # type: ignore[type-arg]
        items = decode(t_host_s, data)
        native_imu_t.extend(t for b in items if isinstance(b, SampleBlock) for t in b.t_s)
        return items

    companion.decoder.feed = feed_and_note  # type: ignore[method-assign]
    runner = MultiSensorRunner(
        session.runner, [companion], on_companion_block=lambda _k, b: imu_blocks.append(b)
    )
    result = await asyncio.wait_for(runner.run(duration_s=EVENT_AFTER_S + 1.5), 20)

    assert result.stopped_by == "duration reached"
    assert companion.error is None and not companion.gaps
    imu_t = np.concatenate([b.t_s for b in imu_blocks])
    roll = np.concatenate([b.column("roll_deg") for b in imu_blocks])
    assert companion.samples == len(imu_t) and len(imu_t) > 50 * 2  # 50 Hz for > 2 s
    assert np.all(np.diff(imu_t) > 0)
    force_t = keep.times()
    t_push = force_t[np.flatnonzero(np.array(keep.raw) > 15 * N_PER_KGF)[0]]
    i_tilt = int(np.flatnonzero(roll > 20.0)[0])
    t_tilt = imu_t[i_tilt]
    print(f"push at {t_push:.4f} s, tilt at {t_tilt:.4f} s (session time)")
    assert abs(t_push - t_tilt) < 0.04  # one force (12.5 ms) + one IMU (20 ms) interval
    # on the IMU's own timeline the same moment is ~0.8 s earlier: the mapping did the work
    native = native_imu_t[len(native_imu_t) - len(imu_t) + i_tilt]
    assert t_tilt - native > 0.6
    assert session.transport.is_connected is False and not imu.periph.connected
