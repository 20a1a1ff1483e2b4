"""Fixtures for the BLE tests: a private system bus, a fake bluetoothd per test, emulators.

- ``system_bus`` (once for this package): a private ``dbus-daemon`` and a stand-in
  ``bluetoothctl``; ``DBUS_SYSTEM_BUS_ADDRESS`` and ``PATH`` point at them until the last BLE
  test has run, then the daemon is stopped and the environment restored, also after failures.
- ``bluez``: a fresh :class:`FakeBluez` on that bus in the test's own event loop. Teardown
  closes bleak's per-loop BlueZ connection (bleak keeps one per event loop and only reaps it
  lazily: with a loop per test it would leak a socket, a ResourceWarning under ``-W error``)
  and then stops the fake. ``make_bluez(**options)`` makes more (Bluetooth off, no adapter).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.ble.ble_bus import PrivateBus, dbus_daemon_path, fake_bluetoothctl
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import MakeBluez, release_bleak


@pytest.fixture(scope="package")
def system_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBus]:
    """A private system bus for every BLE test in this package."""
    if dbus_daemon_path() is None:
        pytest.skip("dbus-daemon is not installed (Debian package dbus-daemon)")
    bin_dir = fake_bluetoothctl(tmp_path_factory.mktemp("ble-bin"))
    with PrivateBus() as bus, pytest.MonkeyPatch.context() as mp:
        assert bus.address is not None
        mp.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
        mp.setenv("PATH", str(bin_dir), prepend=":")
        yield bus


@pytest.fixture(scope="package")
def bin_dir(system_bus: PrivateBus) -> Path:
    """The directory holding the stand-in ``bluetoothctl`` (first on PATH)."""
    import os

    return Path(os.environ["PATH"].split(":", 1)[0])


@pytest_asyncio.fixture
async def make_bluez(system_bus: PrivateBus) -> AsyncIterator[MakeBluez]:
    """Start fake bluetoothds on the private bus (stopped, with bleak's connection, at the end)."""
    made: list[FakeBluez] = []

    async def make(**options: Any) -> FakeBluez:
        assert system_bus.address is not None
        fake = await FakeBluez(**options).start(system_bus.address)
        made.append(fake)
        return fake

    try:
        yield make
    finally:
        await release_bleak()
        for fake in made:
            await fake.stop()


@pytest_asyncio.fixture
async def bluez(make_bluez: MakeBluez) -> FakeBluez:
    """A powered adapter with no devices yet (add emulated peripherals with ``bluez.add``)."""
    return await make_bluez()
