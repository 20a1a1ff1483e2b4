"""Small helpers for the BLE tests: waiting on conditions, consumers that keep what they get,
a device that walks away and comes back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
import pytest

from isoforce.core.samples import RawChunk, SampleBlock
from isoforce.devices.base import Decoder
from isoforce.devices.registry import device_spec, new_decoder
from isoforce.errors import TransportError, TransportErrorReason
from isoforce.live import FrameConsumer, LinkChange, LinkEvent, LiveFrame, SessionOutcome
from isoforce.transports.ble import BleTransport, ble_transport_for
from isoforce.transports.ble_stream import BleSettings
from tests.ble.ble_emulators import Emulator
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


class Keep(FrameConsumer):
    """A session consumer that keeps every sample (times, raw values, forces) and link change."""

    def __init__(self) -> None:
        self.t_s: list[float] = []
        self.t_host_s: list[float] = []
        self.raw: list[float] = []
        self.force_n: list[float] = []
        self.lost_before: list[int] = []
        self.links: list[tuple[float, LinkEvent]] = []
        self.closed = False

    def on_frame(self, frame: LiveFrame) -> None:
        """Keep one frame."""
        self.links += [(time.monotonic(), e) for e in frame.link_events]
        if not len(frame):
            return
        c = frame.columns
        self.t_s += c["t_s"].tolist()
        self.t_host_s += c["t_host_s"].tolist()
        self.raw += c["raw"].tolist()
        self.force_n += c["force_n"].tolist()
        self.lost_before.append(int(c["lost_before"][0]))

    def on_end(self, outcome: SessionOutcome) -> None:
        """Mark closed."""
        del outcome
        self.closed = True

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def last_t_s(self) -> float:
        """Time of the last sample kept (0 before any)."""
        return self.t_s[-1] if self.t_s else 0.0

    def changes(self) -> list[LinkChange]:
        """The link changes seen, in order."""
        return [e.change for _, e in self.links]

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


async def take(transport: BleTransport, n: int, into: list[RawChunk]) -> list[RawChunk]:
    """Append the transport's chunks to ``into`` until it holds ``n``; returns ``into``."""
    async for chunk in transport.chunks():
        into.append(chunk)
        if len(into) >= n:
            break
    return into


def emulator_transport(key: str, emu: Emulator) -> BleTransport:
    """The BLE transport for device ``key`` at the emulator's address (quick to give up a find)."""
    settings = BleSettings(address=emu.periph.address, reconnect_find_s=0.3)
    transport = ble_transport_for(device_spec(key), settings)
    assert isinstance(transport, BleTransport)
    return transport


def decode_chunks(key: str, chunks: list[RawChunk]) -> tuple[SampleBlock, Decoder]:
    """Everything device ``key``'s own decoder makes of ``chunks`` (flushed), and the decoder."""
    decoder = new_decoder(key)
    items = [i for c in chunks for i in decoder.feed(c.t_host_s, c.data)] + decoder.flush(9e9)
    return SampleBlock.concat([i for i in items if isinstance(i, SampleBlock)]), decoder


async def walk_away_and_reconnect(
    transport: BleTransport, emu: Emulator, n: int = 12
) -> tuple[list[RawChunk], list[RawChunk]]:
    """The chunks before and after a walk-away, on an open transport.

    ``n`` chunks arrive; the device walks away (the link is lost: ``DISCONNECTED``, and a
    reconnect finds nothing: ``NOT_FOUND``); it comes back, the transport reconnects and ``n``
    more chunks arrive. Everything received before the loss is in the first list.
    """
    before = await take(transport, n, [])
    await emu.periph.walk_away()
    with pytest.raises(TransportError) as lost:
        await take(transport, 10_000, before)
    assert lost.value.reason is TransportErrorReason.DISCONNECTED
    with pytest.raises(TransportError) as gone:
        await transport.reconnect()
    assert gone.value.reason is TransportErrorReason.NOT_FOUND
    emu.periph.come_back()
    await transport.reconnect()
    return before, await take(transport, n, [])
