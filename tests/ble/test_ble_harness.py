"""The harness itself: the fake bluetoothd behaves like BlueZ where isoforce relies on it, and
the private bus never outlives the tests."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakDBusError

from isoforce.transports.ble_scan import advertisements
from tests.ble.ble_bus import PrivateBus
from tests.ble.ble_emulators import ProgressorEmu
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import until
from tests.paths import python_env


@pytest.mark.asyncio
async def test_one_discovery_per_client_and_the_shared_scan(bluez: FakeBluez) -> None:
    bluez.add(ProgressorEmu().periph)
    # BlueZ refuses a second StartDiscovery from the same D-Bus client (bleak uses one per loop)
    async with BleakScanner():
        with pytest.raises(BleakDBusError) as busy:
            await BleakScanner().start()
        assert busy.value.dbus_error == "org.bluez.Error.InProgress"
    # isoforce's shared scan lets any number of listeners hear the same advertisements
    heard: dict[str, int] = {"a": 0, "b": 0}

    def listener(key: str) -> object:
        def hear(_d: BLEDevice, _a: AdvertisementData) -> None:
            heard[key] += 1

        return hear

    async with advertisements(listener("a")), advertisements(listener("b")):  # type: ignore[arg-type]
        await until(lambda: heard["a"] >= 3 and heard["b"] >= 3, 5, "advertisements")
    starts = [c for c in bluez.calls if c[2] == "StartDiscovery"]
    assert len(starts) == 3  # the failed one above, then one for both listeners
    assert not bluez.discovering


@pytest.mark.asyncio
async def test_disconnect_order_and_read_quirk(bluez: FakeBluez) -> None:
    emu = ProgressorEmu()
    p = bluez.add(emu.periph)
    dropped = asyncio.Event()
    async with BleakScanner():
        await until(lambda: p.path in bluez.tree, 5, "advertisement")
    client = BleakClient(p.address, disconnected_callback=lambda _c: dropped.set(), timeout=5)
    await client.connect()
    gatt = [path for path in bluez.tree if path.startswith(f"{p.path}/")]
    assert len(gatt) == 4  # the service, its two characteristics, the data CCCD
    got: list[bytes] = []
    await client.start_notify(emu.data.uuid, lambda _c, d: got.append(bytes(d)))
    await client.write_gatt_char(emu.control.uuid, b"\x6f", response=True)
    await until(lambda: got, 2, "the battery answer")
    await p.drop_link()
    await asyncio.wait_for(dropped.wait(), 5)
    assert not client.is_connected
    assert not [path for path in bluez.tree if path.startswith(f"{p.path}/")]
    await client.disconnect()  # releases bleak's per-connection bus after a remote drop
    assert got == [b"\x00\x04" + (3987).to_bytes(4, "little")]


def test_private_bus_stops_and_cleans_up(system_bus: PrivateBus) -> None:
    del system_bus  # only for its skip when dbus-daemon is missing
    bus = PrivateBus()
    address = bus.start()
    folder = Path(address.split("path=")[1].split(",")[0]).parent
    assert folder.is_dir()
    bus.stop()
    assert not folder.exists() and bus.address is None
    bus.stop()  # twice is fine


def test_private_bus_dies_with_a_killed_parent(system_bus: PrivateBus) -> None:
    del system_bus  # only for its skip when dbus-daemon is missing
    script = (
        "import time; from tests.ble.ble_bus import PrivateBus; "
        "b = PrivateBus(); b.start(); print(b._proc.pid, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env=python_env()
    )
    try:
        assert parent.stdout is not None
        daemon_pid = int(parent.stdout.readline())
        pidfd = os.pidfd_open(daemon_pid)  # running, and watched
    finally:
        parent.kill()  # SIGKILL: no cleanup code runs in the parent
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    exited = select.select([pidfd], [], [], 5.0)[0]  # readable once the daemon has exited
    os.close(pidfd)
    if not exited:
        os.kill(daemon_pid, signal.SIGKILL)
        pytest.fail("dbus-daemon outlived its parent")
