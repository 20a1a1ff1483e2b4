"""What both BLE transports share: settings, picking the device, and the chunk queue.

:class:`ChunkStream` is where callbacks put stamped copies of received bytes; it yields them in
order and turns a loss marker or a silence into ``TransportError(DISCONNECTED)`` only after
everything received before the loss has been yielded. :class:`BleLink` is the part of a BLE
transport that does not depend on how bytes arrive (notifications or advertisements): the
device it reads, the settings, the address once found, and the stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from bleak.backends.device import BLEDevice

from isoforce.core.samples import RawChunk
from isoforce.devices.base import DeviceSpec
from isoforce.devices.ble_profile import BleProfile
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.transports.base import Transport
from isoforce.transports.ble_scan import Sighting, find_device, normal_address

R = TransportErrorReason


@dataclass(frozen=True, slots=True)
class BleSettings:
    """Which device and how patiently to talk to it.

    Give ``address`` (preferred) or ``name``. ``silence_timeout_s`` overrides the profile's
    watchdog (None: use the profile's). ``rate_hz`` is the output rate to set on devices that
    have one (WitMotion); None leaves the device as it is.
    """

    address: str | None = None
    name: str | None = None
    find_timeout_s: float = 8.0
    connect_timeout_s: float = 10.0
    connect_attempts: int = 3
    retry_pause_s: float = 0.5
    reconnect_find_s: float = 1.5
    query_timeout_s: float = 2.0
    silence_timeout_s: float | None = None
    rate_hz: float | None = None


class Closed:
    """Queue marker: the transport was closed; the stream ends."""


class Lost:
    """Queue marker: the link dropped; everything queued before it was received."""


QueueItem = RawChunk | Lost | Closed


async def resolve(settings: BleSettings, *, timeout_s: float) -> Sighting:
    """The one device the settings pick, heard advertising now; typed errors otherwise.

    A name must be advertised by exactly one device: isoforce never guesses which to use.
    """
    if settings.address is None and not settings.name:
        raise ConfigError("Bluetooth devices need --address (or --ble-name); see 'isoforce scan'")
    wanted = settings.address or f"a device named {settings.name!r}"
    found = await find_device(address=settings.address, name=settings.name, timeout_s=timeout_s)
    if not found:
        raise TransportError(R.NOT_FOUND, f"{wanted}: not heard in {timeout_s:g} s")
    if len(found) > 1:
        listed = ", ".join(sorted(s.device.address for s in found))
        raise ConfigError(
            f"several devices are named {settings.name!r} ({listed}); pick one with --address"
        )
    return found[0]


class Silent:
    """Queue marker: nothing arrived for the silence timeout."""


class ChunkStream:
    """The queue between callbacks and ``chunks()``, with a silence watchdog.

    The watchdog is a timer re-armed from the time of the latest item, not a timeout around
    every ``get()``: at 80 notifications/s that would cost a task and a timer per sample.
    """

    def __init__(self, where: str, silence_s: float | None) -> None:
        self.where = where
        self.silence_s = silence_s
        self.queue: asyncio.Queue[QueueItem | Silent] = asyncio.Queue()
        self._last_put_s = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def renew(self) -> None:
        """A fresh queue for a new connection (stale markers are dropped)."""
        self.queue = asyncio.Queue()

    def put(self, item: QueueItem) -> None:
        """Queue a chunk or a marker (callbacks call this; it never blocks)."""
        self._last_put_s = time.monotonic()
        self.queue.put_nowait(item)

    def _watch(self) -> None:
        assert self.silence_s is not None
        quiet_s = time.monotonic() - self._last_put_s
        if quiet_s >= self.silence_s:
            self._timer = None
            self.queue.put_nowait(Silent())
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.silence_s - quiet_s, self._watch)

    async def chunks(self, on_silence: Callable[[], Awaitable[None]]) -> AsyncIterator[RawChunk]:
        """Queued chunks in order; DISCONNECTED at a loss marker or after ``silence_s``."""
        if self.silence_s is not None:
            self._last_put_s = time.monotonic()
            self._timer = asyncio.get_running_loop().call_later(self.silence_s, self._watch)
        try:
            while True:
                item = await self.queue.get()
                if isinstance(item, Silent):
                    await on_silence()
                    raise TransportError(
                        R.DISCONNECTED, f"{self.where}: silent for {self.silence_s:g} s"
                    )
                if isinstance(item, Closed):
                    return
                if isinstance(item, Lost):
                    raise TransportError(R.DISCONNECTED, f"{self.where}: link lost")
                yield item
        finally:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


class BleLink(Transport):
    """Base of the BLE transports: which device, how patiently, and the queue of its chunks.

    ``address`` is the settings' address (normalised) until :meth:`find` hears the device;
    ``info`` is what the device said about itself (battery, firmware, rate). Chunks are
    stamped with the host's monotonic clock.
    """

    def __init__(self, spec: DeviceSpec, profile: BleProfile, settings: BleSettings) -> None:
        self.spec = spec
        self.profile = profile
        self.settings = settings
        self.address = normal_address(settings.address) if settings.address else None
        self.info: dict[str, str] = {}
        silence_s = settings.silence_timeout_s or profile.silence_timeout_s
        self._stream = ChunkStream(self.address or str(settings.name), silence_s)

    async def find(self) -> BLEDevice:
        """The device the settings pick, heard now; its address is kept (``NOT_FOUND`` if not)."""
        sighting = await resolve(self.settings, timeout_s=self.settings.find_timeout_s)
        self.address = normal_address(sighting.device.address)
        self._stream.where = self.address
        return sighting.device
