"""Bluetooth LE devices as a transport, over bleak: connect, stream notifications, reconnect.

One transport serves every supported BLE device; what differs (which characteristic streams,
what starts, stops and tares it, what to ask after connecting) is the device's
:class:`~isoforce.devices.ble_profile.BleProfile`. Advertisement-only devices (the WH-C06 scale)
use :class:`BleAdvertTransport`, which never connects and streams manufacturer data instead.

Lifecycle (the contract every transport shares, ``transports/base.py``):

- :meth:`BleTransport.open` finds the device the user picked (by address, or by a name that
  exactly one device advertises: never anything else), connects with retries and a timeout,
  subscribes, asks its battery and firmware, sets its output rate if asked, and starts it.
- Notification callbacks only stamp a copy of the bytes with the host's monotonic clock and
  queue it; :meth:`BleTransport.chunks` yields them in order. Answers to the transport's own
  questions are taken out of the stream.
- When the link drops (or a streaming device goes silent) ``chunks()`` first yields every
  notification that arrived, then raises ``TransportError(DISCONNECTED)``.
  :meth:`BleTransport.reconnect` raises ``NOT_FOUND`` while the device is not advertising and
  reconnects (subscribe, start) as soon as it is heard again; the runner keeps calling it.
- :meth:`BleTransport.close` stops the device (best effort) and disconnects cleanly.

Failures are typed (``transports/ble_errors.py``): Bluetooth off, no adapter, permission
denied, not found, timeout, connection failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice

from isoforce.core.samples import RawChunk
from isoforce.devices.base import DeviceSpec
from isoforce.devices.ble_profile import BleProfile, GattWrite, Query
from isoforce.devices.ble_specs import BLE_PROFILES
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.transports.base import Transport
from isoforce.transports.ble_errors import ble_error
from isoforce.transports.ble_scan import find_device
from isoforce.transports.ble_stream import BleLink, BleSettings, Closed, Lost

R = TransportErrorReason


class BleTransport(BleLink):
    """Streams notifications from one connected BLE device (see the module docstring)."""

    def __init__(self, spec: DeviceSpec, profile: BleProfile, settings: BleSettings) -> None:
        if profile.notify_uuid is None:
            raise ValueError(f"{profile.key} streams by advertisement: use BleAdvertTransport")
        super().__init__(spec, profile, settings)
        self.connects = 0
        self._client: BleakClient | None = None
        self._closing = False
        self._pending: list[tuple[Callable[[bytes], bool], asyncio.Future[bytes]]] = []

    @property
    def is_connected(self) -> bool:
        """Whether a link to the device is up."""
        return self._client is not None and self._client.is_connected

    # -- lifecycle ------------------------------------------------------------------------------

    async def open(self) -> None:
        """Find the device, connect (with retries), ask about it, set it up and start it."""
        self._closing = False
        device = await self.find()
        await self._connect(device, attempts=self.settings.connect_attempts)
        try:
            for query in self.profile.queries:
                self.info[query.key] = await self.query(query) or "unknown"
            await self._set_rate()
            await self._run(self.profile.start)
        except BaseException:
            await self._drop_client()
            raise

    async def close(self) -> None:
        """Stop the device (best effort), disconnect, end :meth:`chunks`. Safe to call twice."""
        self._closing = True
        if self.is_connected:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._run(self.profile.stop), self.settings.query_timeout_s)
        await self._drop_client()
        self._stream.put(Closed())

    async def reconnect(self) -> None:
        """Connect again to the same device; ``NOT_FOUND`` while it is not advertising."""
        await self._drop_client()
        if self.address is None:
            await self.open()
            return
        found = await find_device(address=self.address, timeout_s=self.settings.reconnect_find_s)
        if not found:
            raise TransportError(R.NOT_FOUND, f"{self.address} is not advertising yet")
        await self._connect(found[0].device, attempts=1)
        try:
            await self._run(self.profile.start)
        except BaseException:
            await self._drop_client()
            raise

    def chunks(self) -> AsyncIterator[RawChunk]:
        """Notifications in arrival order; ``DISCONNECTED`` after the last one before a drop."""
        return self._stream.chunks(self._drop_client)

    # -- commands -------------------------------------------------------------------------------

    async def send(self, data: bytes) -> None:
        """Write raw bytes to the device's command characteristic."""
        if self.profile.write_uuid is None:
            return
        await self._write(GattWrite(self.profile.write_uuid, data, self.profile.write_response))

    async def tare(self) -> bool:
        """Ask the device to zero itself; False if it has no tare (use the software tare)."""
        if not self.profile.tare:
            return False
        await self._run(self.profile.tare)
        return True

    async def query(self, query: Query) -> str | None:
        """Ask one question (battery, firmware, a register); None if unanswered in time."""
        try:
            if query.read_uuid is not None:
                value = await self._client_or_lost().read_gatt_char(query.read_uuid)
                return query.parse(bytes(value))
            if query.ask is None or query.answers is None:
                return None
            answer = await self.request(query.ask, query.answers)
        except TimeoutError:
            return None
        return query.parse(answer)

    async def request(self, write: GattWrite, answers: Callable[[bytes], bool]) -> bytes:
        """Write, then wait for the first notification ``answers`` accepts (kept out of chunks)."""
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        pending = (answers, future)
        self._pending.append(pending)
        try:
            await self._write(write)
            return await asyncio.wait_for(future, self.settings.query_timeout_s)
        finally:
            self._pending.remove(pending)

    # -- internals ------------------------------------------------------------------------------

    def _client_or_lost(self) -> BleakClient:
        if self._client is None or not self._client.is_connected:
            raise TransportError(R.DISCONNECTED, f"{self.address}: not connected")
        return self._client

    async def _write(self, write: GattWrite) -> None:
        client = self._client_or_lost()
        try:
            await client.write_gatt_char(write.char_uuid, write.data, response=write.response)
        except Exception as exc:
            raise ble_error(exc, f"{self.address}: write") from exc
        if write.pause_s:
            await asyncio.sleep(write.pause_s)

    async def _run(self, writes: tuple[GattWrite, ...]) -> None:
        for write in writes:
            await self._write(write)

    async def _set_rate(self) -> None:
        """Set the output rate where the device has one, only if it differs (a save wears flash)."""
        setting, rate = self.profile.rate, self.settings.rate_hz
        if setting is None or rate is None:
            return
        try:
            commands = setting.commands(rate)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        current: float | None = None
        ask, answers = setting.read.ask, setting.read.answers
        if ask is not None and answers is not None:
            with contextlib.suppress(TimeoutError):
                current = setting.current_hz(await self.request(ask, answers))
        if current is not None and abs(current - rate) < 1e-9:
            self.info["rate"] = f"{rate:g} Hz (already set)"
            return
        await self._run(commands)
        was = f"{current:g} Hz" if current is not None else "unknown"
        self.info["rate"] = f"{rate:g} Hz (set and saved; was {was})"

    async def _connect(self, device: BLEDevice, *, attempts: int) -> None:
        last: BaseException | None = None
        for attempt in range(max(1, attempts)):
            if attempt:
                await asyncio.sleep(self.settings.retry_pause_s)
            client = BleakClient(
                device,
                disconnected_callback=self._on_disconnect,
                timeout=self.settings.connect_timeout_s,
            )
            try:
                await client.connect()
                self._stream.renew()
                self._client = client
                await client.start_notify(self._notify_target(client), self._on_notify)
            except Exception as exc:
                last = exc
                self._client = None
                with contextlib.suppress(Exception):
                    await client.disconnect()
                continue
            self.connects += 1
            return
        assert last is not None
        where = f"{self.address} ({attempts} attempt{'s' if attempts > 1 else ''})"
        raise ble_error(last, where, connecting=True) from last

    def _notify_target(self, client: BleakClient) -> BleakGATTCharacteristic | str:
        """The characteristic to subscribe to: by UUID, or inside its service when repeated."""
        uuid = self.profile.notify_uuid or ""
        service_uuid = self.profile.notify_service_uuid
        if service_uuid is None:
            return uuid
        service = client.services.get_service(service_uuid)
        char = service.get_characteristic(uuid) if service is not None else None
        if char is None:
            raise TransportError(R.CONNECT_FAILED, f"no characteristic {uuid} in {service_uuid}")
        return char

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), self.settings.connect_timeout_s)

    def _on_notify(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        t_host_s = time.monotonic()
        payload = bytes(data)
        for answers, future in self._pending:
            if not future.done() and answers(payload):
                future.set_result(payload)
                return
        self._stream.put(RawChunk(t_host_s, payload))

    def _on_disconnect(self, client: BleakClient) -> None:
        if client is self._client and not self._closing:
            self._stream.put(Lost())


def ble_transport_for(spec: DeviceSpec, settings: BleSettings) -> Transport:
    """The transport for a registered BLE device: connected, or listening to advertisements."""
    profile = BLE_PROFILES[spec.key]
    if profile.notify_uuid is None:
        from isoforce.transports.ble_adverts import BleAdvertTransport

        return BleAdvertTransport(spec, profile, settings)
    return BleTransport(spec, profile, settings)
