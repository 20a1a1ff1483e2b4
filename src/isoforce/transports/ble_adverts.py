"""Advertisement-only Bluetooth devices (the WH-C06 scale) as a transport: listen, never connect.

The device's reading is the manufacturer data of one company ID in its advertisements. Each
advertisement heard from the picked address becomes one chunk (the payload without the two ID
bytes, as bleak gives it), stamped with host time, in the order heard: the transport starts
listening before it waits for the first advertisement, so none is skipped or reordered.
Hearing nothing for the profile's silence timeout counts as a lost link (``DISCONNECTED``);
:meth:`BleAdvertTransport.reconnect` returns as soon as the device is heard again and raises
``NOT_FOUND`` until then.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from isoforce.core.samples import RawChunk
from isoforce.devices.base import DeviceSpec
from isoforce.devices.ble_profile import BleProfile
from isoforce.errors import TransportError, TransportErrorReason
from isoforce.transports.ble_scan import normal_address, shared_scan
from isoforce.transports.ble_stream import BleLink, BleSettings, Closed


class BleAdvertTransport(BleLink):
    """Streams one company's manufacturer data from the advertisements of one device."""

    def __init__(self, spec: DeviceSpec, profile: BleProfile, settings: BleSettings) -> None:
        if profile.company_id is None:
            raise ValueError(f"{profile.key} is not an advertisement-only device")
        super().__init__(spec, profile, settings)
        self.company_id = profile.company_id
        self._listening = False
        self._heard = asyncio.Event()

    async def open(self) -> None:
        """Find the device the settings pick and listen to it (``NOT_FOUND`` if never heard)."""
        if self.address is None:
            await self.find()
        await self._listen_until_heard(self.settings.find_timeout_s)

    async def close(self) -> None:
        """Stop listening and end :meth:`chunks`. Safe to call twice."""
        await self._unlisten()
        self._stream.put(Closed())

    async def reconnect(self) -> None:
        """Resume once the device is heard again; ``NOT_FOUND`` until then."""
        await self._unlisten()
        await self._listen_until_heard(self.settings.reconnect_find_s)

    def chunks(self) -> AsyncIterator[RawChunk]:
        """One chunk per advertisement heard; ``DISCONNECTED`` after a silence."""
        return self._stream.chunks(self._unlisten)

    async def tare(self) -> bool:
        """The scale has no remote tare (use its button, or the software tare)."""
        return False

    async def _listen_until_heard(self, timeout_s: float) -> None:
        """Listen (every advertisement from now on is queued, in order) until the first one."""
        self._stream.renew()
        self._heard = asyncio.Event()
        self._listening = True
        try:
            await shared_scan().add(self._on_advertisement)
        except BaseException:
            self._listening = False
            raise
        try:
            await asyncio.wait_for(self._heard.wait(), timeout_s)
        except TimeoutError:
            await self._unlisten()
            raise TransportError(
                TransportErrorReason.NOT_FOUND, f"{self.address}: not heard in {timeout_s:g} s"
            ) from None

    async def _unlisten(self) -> None:
        if self._listening:
            self._listening = False
            await shared_scan().remove(self._on_advertisement)

    def _on_advertisement(self, device: BLEDevice, adv: AdvertisementData) -> None:
        if normal_address(device.address) != self.address:
            return
        payload = adv.manufacturer_data.get(self.company_id)
        if payload is not None:
            self._stream.put(RawChunk(time.monotonic(), bytes(payload)))
            self._heard.set()
