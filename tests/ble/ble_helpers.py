"""Small helpers for the BLE tests: waiting on conditions, sinks that keep what they get."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np

from isoforce.export.context import SampleLabels
from isoforce.signal.pipeline import ProcessedBlock
from tests.ble.ble_fake_bluez import FakeBluez

#: The ``make_bluez`` fixture: start another fake bluetoothd (options as for ``FakeBluez``).
MakeBluez = Callable[..., Coroutine[Any, Any, FakeBluez]]


async def until(predicate: Callable[[], object], timeout_s: float, what: str) -> None:
    """Poll ``predicate`` every 10 ms; fail the test after ``timeout_s`` (never a blind sleep)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.01)


class Keep:
    """A session sink that keeps every processed sample (times, raw values, forces)."""

    def __init__(self) -> None:
        self.t_s: list[float] = []
        self.t_host_s: list[float] = []
        self.raw: list[float] = []
        self.force_n: list[float] = []
        self.lost_before: list[int] = []
        self.closed = False

    def write(self, block: ProcessedBlock, labels: SampleLabels | None = None) -> None:
        """Keep one block."""
        del labels
        self.t_s += block.t_s.tolist()
        self.t_host_s += block.t_host_s.tolist()
        self.raw += block.raw.tolist()
        self.force_n += block.force_n.tolist()
        self.lost_before.append(block.lost_before)

    def close(self) -> None:
        """Mark closed."""
        self.closed = True

    def __len__(self) -> int:
        return len(self.raw)

    def times(self) -> np.ndarray:
        """Session times as an array."""
        return np.array(self.t_s)


async def release_bleak() -> None:
    """Close bleak's BlueZ connection for the running loop (private names: recheck on upgrades).

    bleak keeps one manager and D-Bus connection per event loop and reaps those of closed loops
    only lazily; with a loop per test that would leave a socket open (a ResourceWarning).
    """
    from bleak.backends.bluezdbus import manager as bluez_manager

    mgr = bluez_manager._global_instances.pop(asyncio.get_running_loop(), None)
    bus = getattr(mgr, "_bus", None)
    if mgr is None or bus is None:
        return
    log = logging.getLogger("bleak.backends.bluezdbus.manager")
    was, log.disabled = log.disabled, True  # "D-Bus connection to BlueZ was lost"
    try:
        bus.disconnect()
        watcher = getattr(mgr, "_bus_watcher_task", None)
        if watcher is not None:
            with contextlib.suppress(Exception):
                await watcher
    finally:
        log.disabled = was
    await asyncio.sleep(0)  # let the bus finish closing in this loop
