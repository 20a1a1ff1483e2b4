"""Two sensors in one session on the harness: a Progressor over Bluetooth LE + a WitMotion on a pty.

The force device is the Progressor emulator on the fake bluetoothd (bleak's real BlueZ
backend); the IMU is the WitMotion UART emulator writing into a pseudo-terminal (real pyserial),
``--device progressor --imu witmotion`` as :func:`open_session` wires it. The session is
recorded into a real SQLite store, exported (CSV + ``.imu.csv``, JSON Lines) and replayed.

The skew between the two streams is measured against the truth: both emulators note the host
monotonic time each sample was sent (the Progressor's ledger; the WitMotion model below, which
also numbers its samples in the gyro's x word so each recorded IMU sample is matched to its
send time). On one timeline every sample's session time minus its send time is the same
constant; the skew of an IMU sample is its value minus the force samples' median.
``-s`` prints the numbers docs/devices.md quotes.
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from isoforce.live import LiveFrame, SessionOptions
from isoforce.live.build import open_replay, open_session
from isoforce.recording import StoreWriter
from isoforce.session import exporter
from isoforce.session.store import SessionStore
from tests.ble.ble_emulators import ProgressorEmu, hold_profile
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import Keep, until
from tests.export.json_lines import document
from tests.serial_devices.serial_device_models import WitMotionUart
from tests.serial_devices.serial_emulators import Emulator, PtyLink

SECONDS = 8.0
WIT_HZ = 200.0
#: One gyro step of the WitMotion protocol (°/s per count: 2000 / 32768).
GYRO_DPS_PER_COUNT = 2000.0 / 32768.0


@dataclass
class NumberedWit(WitMotionUart):
    """A still WitMotion (1 g on z) whose gyro x word numbers the sample; notes send times."""

    sent_at: dict[int, float] = field(default_factory=dict)

    def words(self, i: int, type_code: int) -> tuple[int, int, int, int]:
        if type_code == 0x51:
            return (0, 0, 2048, 0)  # 1 g on z (32768 counts = 16 g)
        if type_code == 0x52:
            return (i % 32768, 0, 0, 0)
        return (0, 0, 0, 0)

    def frames(self, i: int) -> list[tuple[bytes, object]]:
        self.sent_at[i] = time.monotonic()
        return super().frames(i)


class Frames(Keep):
    """Keeps the force samples (``Keep``) and each frame's IMU samples."""

    def __init__(self) -> None:
        super().__init__()
        self.imu = 0

    def on_frame(self, frame: LiveFrame) -> None:
        super().on_frame(frame)
        self.imu += len(frame.imu) if frame.imu is not None else 0


@pytest.mark.asyncio
async def test_progressor_over_ble_and_witmotion_on_a_pty_share_one_timeline(
    bluez: FakeBluez, store: SessionStore, tmp_path: Path
) -> None:
    gauge = ProgressorEmu(profile=hold_profile(20.0, period_s=3.0))
    bluez.add(gauge.periph)
    wit = NumberedWit(rate_hz=WIT_HZ)
    link = PtyLink(tmp_path)
    imu_emu = Emulator(link, wit)
    imu_emu.pause()  # starts sending once the session has opened its port
    options = SessionOptions(
        device="progressor",
        address=gauge.periph.address,
        imu_device="witmotion",
        imu_port=str(link.path),
        imu_baud=115200,
    )
    keep = Frames()
    session = open_session(options, consumers=[keep])
    writer = StoreWriter(store, options)
    session.add(writer)
    with imu_emu:
        run = asyncio.ensure_future(session.run(duration_s=SECONDS))
        try:
            await until(lambda: len(keep) > 0, 20, "the first force samples")
            imu_emu.resume()
            outcome = await asyncio.wait_for(run, SECONDS + 20)
        finally:
            if not run.done():
                run.cancel()
    assert not outcome.error and outcome.stopped_by == "duration reached"
    assert writer.session_id is not None
    record = store.load(writer.session_id)
    force, imu = record.channels[0], record.imu
    assert imu is not None
    # every force sample the gauge delivered in the session's 8 s, in order, none lost
    sent = [e for e in gauge.ledger if e.delivered and e.k >= gauge.start_k]
    assert len(force) == round(SECONDS * 80) and not force.lost_before.any()
    # every IMU sample from the first on, numbered 0.. in order (the tail after the force
    # device's last sample is not part of the session)
    numbers = np.rint(imu.gyro_dps[:, 0] / GYRO_DPS_PER_COUNT).astype(np.int64)
    first = int(numbers[0])
    assert np.array_equal(numbers, np.arange(first, first + len(imu)))
    assert len(imu) >= (SECONDS - 1.0) * WIT_HZ and keep.imu == len(imu)
    assert record.meta.options["imu_device"] == "witmotion"

    # skew: session time minus send time, IMU against force
    force_lag_s = force.t_s - np.array([e.t_wall_s for e in sent[: len(force)]])
    imu_lag_s = imu.t_s - np.array([wit.sent_at[int(n)] for n in numbers])
    base_s = float(np.median(force_lag_s))
    skew_ms = (imu_lag_s - base_s) * 1e3
    settled = imu.t_s > 1.0
    abs_ms = np.abs(skew_ms[settled])
    paired = session.paired
    assert paired is not None and paired.offset_s is not None
    print(
        f"\nskew IMU vs force over {SECONDS:.0f} s: median {np.median(skew_ms):+.2f} ms, "
        f"after 1 s: median {np.median(skew_ms[settled]):+.2f} ms, p95 |skew| "
        f"{np.percentile(abs_ms, 95):.2f} ms, max {abs_ms.max():.2f} ms; first second max "
        f"{np.abs(skew_ms[~settled]).max():.2f} ms; force send jitter (p95-p5) "
        f"{np.ptp(np.percentile(force_lag_s, [5, 95])) * 1e3:.2f} ms; "
        f"IMU offset {paired.offset_s * 1e3:.1f} ms"
    )
    assert abs(np.median(skew_ms[settled])) < 20.0
    assert np.percentile(abs_ms, 95) < 40.0

    # export keeps both: the force CSV, the IMU CSV, and JSON Lines with both tables
    csv_out, imu_out, json_out = io.BytesIO(), io.BytesIO(), io.BytesIO()
    assert exporter.export_csv(store, writer.session_id, csv_out) == len(force)
    assert exporter.export_imu_csv(store, writer.session_id, imu_out) == len(imu)
    exporter.export_json(store, writer.session_id, json_out)
    doc = document(json_out.getvalue())
    assert doc["channels"][0]["samples"] == len(force) and doc["imu"]["samples"] == len(imu)

    # the replay plays both streams back at their stored times
    again = Frames()
    await open_replay(record, speed=float("inf"), consumers=[again]).run()
    assert np.allclose(again.t_s, force.t_s, atol=1e-6) and again.imu == len(imu)
