"""BLE benchmarks: the Bluetooth path's CPU share and notification-to-sample latency at 80 Hz.

The project's BLE test harness (``tests/ble``) runs in its own process: a private dbus-daemon
and the fake bluetoothd with an emulated Progressor streaming one 8-byte record per
notification at 80 Hz. This process runs the real path, bleak's BlueZ backend → the BLE
transport → the Progressor decoder → the force pipeline (``open_session``, no UI), so its
CPU time is the BLE path's cost. Baseline in the same run: a bare ``BleakClient`` subscribed to
the same stream with a callback that does nothing (bleak and dbus-fast alone).

Latency: the emulator logs the host monotonic time of every notification it sends (CLOCK_
MONOTONIC is shared by all processes on the machine); here each sample's time is taken when
the pipeline has processed it. Baseline: the same from notification to bleak's callback.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the BLE test harness imports as tests.ble.*
ADDRESS = "C0:FF:EE:00:01:01"
DATA_UUID = "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"
CONTROL_UUID = "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"
Row = Any


async def _release_bleak() -> None:
    from tests.ble.ble_helpers import release_bleak

    await release_bleak()


async def _isoforce_path(seconds: float) -> tuple[float, float, int, list[float], list[float]]:
    """CPU s, wall s, first measured sample, per-sample processed and host arrival times."""
    from isoforce.live import FrameConsumer, LiveFrame, SessionOptions
    from isoforce.live.build import open_session

    done: list[float] = []
    arrived: list[float] = []

    class Stamp(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            now = time.monotonic()
            done.extend([now] * len(frame))
            arrived.extend(frame.columns["t_host_s"].tolist())

    session = open_session(
        SessionOptions(device="progressor", address=ADDRESS), consumers=[Stamp()]
    )
    stop = asyncio.Event()
    run = asyncio.ensure_future(session.run(stop=stop))
    while len(done) < 80:  # connected and streaming
        await asyncio.sleep(0.05)
    start = len(done)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    stop.set()
    end = len(done)
    await run
    await _release_bleak()
    return cpu, wall, start, done[:end], arrived[:end]


async def _bare_bleak(seconds: float) -> tuple[float, float, int, list[float]]:
    """The same stream into a do-nothing bleak callback: CPU, wall, callback times."""
    from bleak import BleakClient, BleakScanner

    seen: list[float] = []
    device = await BleakScanner.find_device_by_address(ADDRESS, timeout=10)
    assert device is not None, "emulated Progressor not found"
    async with BleakClient(device) as client:
        await client.start_notify(DATA_UUID, lambda _c, _d: seen.append(time.monotonic()))
        await client.write_gatt_char(CONTROL_UUID, b"\x65", response=True)
        while len(seen) < 80:
            await asyncio.sleep(0.05)
        start = len(seen)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        end = len(seen)
        await client.write_gatt_char(CONTROL_UUID, b"\x66", response=True)
    await _release_bleak()
    return cpu, wall, start, seen[:end]


def _latencies_ms(received: list[float], sent: list[float], start: int) -> np.ndarray:
    """Latency of samples ``start`` … : nothing is lost, so the i-th received is the i-th sent."""
    n = min(len(received), len(sent))
    return (np.array(received[start:n]) - np.array(sent[start:n])) * 1000


def bench_ble(quick: bool, row: Callable[..., Row]) -> list[Row]:
    """CPU share and latency of the BLE path at 80 Hz, against bare bleak."""
    if shutil.which("dbus-daemon") is None:
        print("  (dbus-daemon not installed: BLE benchmarks skipped)", file=sys.stderr)
        return []
    from tests.ble.ble_bus import PrivateBus, bus_environment, fake_bluetoothctl
    from tests.ble.ble_fake_run import FakeBluezProcess

    seconds = 10.0 if quick else 30.0
    bin_dir = fake_bluetoothctl(Path(tempfile.mkdtemp(prefix="isoforce-bench-bin-")))
    saved = dict(os.environ)
    rows: list[Row] = []
    try:
        with PrivateBus() as bus:
            assert bus.address is not None
            os.environ.update(bus_environment(bus.address, bin_dir))
            ledger = bin_dir / "ours.json"
            with FakeBluezProcess(bus.address, ["progressor"], ledger=ledger) as fake:
                cpu, wall, start, done, arrived = asyncio.run(_isoforce_path(seconds))
            sent = fake.ledger_data()[ADDRESS]["t_wall_s"]
            base_ledger = bin_dir / "bare.json"
            with FakeBluezProcess(bus.address, ["progressor"], ledger=base_ledger) as fake:
                base_cpu, base_wall, base_start, seen = asyncio.run(_bare_bleak(seconds))
            base_sent = fake.ledger_data()[ADDRESS]["t_wall_s"]
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(bin_dir, ignore_errors=True)
    ours = _latencies_ms(done, sent, start)
    bleak_only = _latencies_ms(seen, base_sent, base_start)
    to_callback = _latencies_ms(arrived, sent, start)
    rate = (len(done) - start) / wall
    rows.append(
        row(
            f"BLE path CPU (bleak → decoder → pipeline), Progressor at {rate:.0f} Hz",
            100 * cpu / wall,
            "% of one core",
            100 * base_cpu / base_wall,
            "bare bleak, do-nothing callback",
            "≤ 5 %",
            False,
        )
    )
    for q in (50, 99):
        rows.append(
            row(
                f"BLE notification → processed sample, p{q}",
                float(np.percentile(ours, q)),
                "ms",
                float(np.percentile(bleak_only, q)),
                "notification → bare bleak callback",
                "p99 ≤ 5 ms" if q == 99 else "",
                False,
            )
        )
    rows.append(
        row(
            "BLE notification → isoforce's callback (host stamp), p99",
            float(np.percentile(to_callback, 99)),
            "ms",
            None,
            "",
            "",
            False,
        )
    )
    return rows
