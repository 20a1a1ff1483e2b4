"""What a peripheral looks like to the fake bluetoothd: services, characteristics, faults.

Tests (and the device emulators) describe a peripheral with these classes and drive it:
``notify()`` sends a notification, ``drop_link()`` is a peripheral-side link loss,
``walk_away()`` / ``come_back()`` stop and resume advertising (out of range and back),
``fail_connects`` and ``connect_error`` make connection attempts fail. The fake fills in the
D-Bus paths and runtime state when the peripheral is added and connected.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.ble.ble_fake_bluez import FakeBluez

SIG_BASE = "-0000-1000-8000-00805f9b34fb"
CCCD = "00002902" + SIG_BASE


def full_uuid(uuid: str) -> str:
    """A 16- or 32-bit UUID on the Bluetooth SIG base; 128-bit UUIDs unchanged (lower case)."""
    u = uuid.lower()
    if len(u) == 4:
        return f"0000{u}{SIG_BASE}"
    if len(u) == 8:
        return f"{u}{SIG_BASE}"
    return u


WriteHook = Callable[["Characteristic", bytes, str], Awaitable[None] | None]
ReadHook = Callable[["Characteristic"], bytes | None]


@dataclass
class Descriptor:
    """A GATT descriptor (the fake adds a CCCD to every notifying characteristic)."""

    uuid: str
    value: bytes = b""
    flags: tuple[str, ...] = ("read",)
    path: str | None = None


@dataclass
class Characteristic:
    """A GATT characteristic; ``writes`` records every write as ``(data, "request"|"command")``."""

    uuid: str
    flags: tuple[str, ...]
    value: bytes = b""
    on_write: WriteHook | None = None
    on_read: ReadHook | None = None
    descriptors: list[Descriptor] = field(default_factory=list)
    path: str | None = None
    subscribers: set[str] = field(default_factory=set)
    writes: list[tuple[bytes, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.uuid = full_uuid(self.uuid)
        notifies = "notify" in self.flags or "indicate" in self.flags
        if notifies and all(d.uuid != CCCD for d in self.descriptors):
            self.descriptors.append(Descriptor(CCCD, b"\x00\x00", ("read", "write")))


@dataclass
class Service:
    """A primary GATT service."""

    uuid: str
    characteristics: list[Characteristic] = field(default_factory=list)
    path: str | None = None

    def __post_init__(self) -> None:
        self.uuid = full_uuid(self.uuid)


@dataclass
class Sent:
    """One notification the fake put on the bus: when (host monotonic), what, to how many."""

    t_s: float
    data: bytes
    subscribers: int


class Peripheral:
    """A BLE peripheral as BlueZ would show it. Call its actions from the fake's event loop."""

    def __init__(
        self,
        address: str,
        name: str | None,
        services: list[Service] | None = None,
        *,
        rssi: int = -55,
        manufacturer_data: dict[int, bytes] | None = None,
        advertised_uuids: list[str] | None = None,
        advertising_interval_s: float = 0.1,
        mtu: int = 23,
    ) -> None:
        self.address = address.upper()
        self.name = name
        self.services = services or []
        self.rssi = rssi
        self.manufacturer_data = dict(manufacturer_data or {})
        uuids = (
            advertised_uuids if advertised_uuids is not None else [s.uuid for s in self.services]
        )
        self.advertised_uuids = [full_uuid(u) for u in uuids]
        self.advertising_interval_s = advertising_interval_s
        self.mtu = mtu
        # behaviour and faults
        self.advertising = True
        self.connect_error: tuple[str, str] | None = None
        self.fail_connects = 0  # the next N connection attempts fail with connect_error
        self.connect_delay_s = 0.0
        self.on_connect: Callable[[Peripheral], None] | None = None
        self.on_disconnect: Callable[[Peripheral], None] | None = None
        self.on_advertise: Callable[[Peripheral], None] | None = None
        # runtime, owned by the fake
        self.bluez: FakeBluez | None = None
        self.path: str | None = None
        self.connected = False
        self.connects = 0
        self.connect_attempts = 0
        self.advertised_at: float | None = None  # host time advertising last resumed
        self.next_advert_s = 0.0
        self.sent: list[Sent] = []
        self.record_sent = False

    def char(self, uuid: str) -> Characteristic:
        """The characteristic with this UUID."""
        wanted = full_uuid(uuid)
        for service in self.services:
            for c in service.characteristics:
                if c.uuid == wanted:
                    return c
        raise KeyError(wanted)

    def notify(self, uuid: str, data: bytes) -> bool:
        """Notify subscribers of ``uuid``; False when not connected or nobody subscribed."""
        assert self.bluez is not None, "add the peripheral to a FakeBluez first"
        c = self.char(uuid)
        sent = self.bluez.notify(self, c, bytes(data))
        if sent and self.record_sent:
            self.sent.append(Sent(time.monotonic(), bytes(data), len(c.subscribers)))
        return sent

    async def drop_link(self) -> None:
        """The link drops from the peripheral's side (supervision timeout, reset...)."""
        assert self.bluez is not None
        await self.bluez.disconnect(self, remote=True)

    async def walk_away(self) -> None:
        """Out of range: the link drops and the device is no longer heard advertising."""
        self.advertising = False
        await self.drop_link()

    def come_back(self) -> None:
        """Back in range: advertising again from now on."""
        self.advertising = True
        self.advertised_at = time.monotonic()
        self.next_advert_s = 0.0


def maybe_await(result: Any) -> Awaitable[Any] | None:
    """``result`` if it is awaitable (hooks may be plain functions or coroutines)."""
    return result if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future) else None
