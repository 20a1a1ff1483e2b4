"""Listening to Bluetooth LE advertisements: one shared scan, device lookup, the scan section.

BlueZ runs one discovery session per D-Bus client and answers a second ``StartDiscovery`` from
the same client with ``InProgress``; bleak uses one D-Bus connection per event loop. So every
isoforce component that needs advertisements (a connect or reconnect looking for its device,
the WH-C06 reading its scale, ``isoforce scan``) shares one :class:`SharedScan` per event loop:
the scan runs while anybody listens and each listener sees every advertisement. The filter asks
BlueZ for *every* advertisement (``DuplicateData``), which advertisement-only devices need.

Nothing here connects to anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from isoforce.devices.ble_specs import recognise
from isoforce.devices.registry import DEVICES
from isoforce.transports.ble_errors import ble_error
from isoforce.transports.discovery import Found, Section

Listener = Callable[[BLEDevice, AdvertisementData], None]
#: Default listening time of ``isoforce scan``.
DEFAULT_SCAN_S = 3.0
#: After the first device with the wanted name, listen this long for others of that name.
NAME_SETTLE_S = 0.5


class SharedScan:
    """One BleakScanner for every listener on an event loop (see the module docstring)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._scanner: BleakScanner | None = None
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        """Whether a scan is running now."""
        return self._scanner is not None

    async def add(self, listener: Listener) -> None:
        """Start delivering advertisements to ``listener`` (starts the scan if needed)."""
        async with self._lock:
            self._listeners.append(listener)
            if self._scanner is not None:
                return
            scanner = BleakScanner(self._dispatch, bluez={"filters": {"DuplicateData": True}})
            try:
                await scanner.start()
            except BaseException as exc:
                self._listeners.remove(listener)
                if isinstance(exc, Exception):
                    raise ble_error(exc, "Bluetooth scan") from exc
                raise
            self._scanner = scanner

    async def remove(self, listener: Listener) -> None:
        """Stop delivering to ``listener`` (stops the scan when nobody listens)."""
        async with self._lock:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)
            if self._listeners or self._scanner is None:
                return
            scanner, self._scanner = self._scanner, None
            with contextlib.suppress(Exception):
                await scanner.stop()

    def _dispatch(self, device: BLEDevice, adv: AdvertisementData) -> None:
        for listener in list(self._listeners):
            listener(device, adv)


_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SharedScan] = (
    weakref.WeakKeyDictionary()
)


def shared_scan() -> SharedScan:
    """The shared scan of the running event loop."""
    loop = asyncio.get_running_loop()
    scan = _SHARED.get(loop)
    if scan is None:
        scan = _SHARED[loop] = SharedScan()
    return scan


@contextlib.asynccontextmanager
async def advertisements(listener: Listener) -> AsyncIterator[None]:
    """Deliver advertisements to ``listener`` inside the ``async with`` block."""
    scan = shared_scan()
    await scan.add(listener)
    try:
        yield
    finally:
        await scan.remove(listener)


@dataclass(frozen=True, slots=True)
class Sighting:
    """A device heard advertising."""

    device: BLEDevice
    adv: AdvertisementData


def normal_address(address: str) -> str:
    """An address as BlueZ writes it: upper case with colons (``aa-bb…`` is accepted)."""
    return address.strip().upper().replace("-", ":")


async def find_device(
    *, address: str | None = None, name: str | None = None, timeout_s: float
) -> list[Sighting]:
    """Devices advertising with this address (or exactly this name) within ``timeout_s``.

    For an address, returns at the first advertisement. For a name, returns shortly after the
    first match, with every device of that name heard by then, so that the caller can refuse to
    pick one of several. Empty when nothing matched in time.
    """
    want = normal_address(address) if address else None
    seen: dict[str, Sighting] = {}
    first = asyncio.Event()

    def listen(device: BLEDevice, adv: AdvertisementData) -> None:
        if want is not None:
            hit = normal_address(device.address) == want
        else:
            hit = name is not None and name in (adv.local_name, device.name)
        if hit:
            seen[device.address] = Sighting(device, adv)
            first.set()

    async with advertisements(listen):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first.wait(), timeout_s)
        if first.is_set() and want is None:
            await asyncio.sleep(NAME_SETTLE_S)
    return list(seen.values())


@dataclass
class BleScanner:
    """The Bluetooth LE section of ``isoforce scan``: supported devices nearby, never connects.

    Unknown devices are hidden unless ``show_all``; the section notes how many were hidden.
    """

    duration_s: float = DEFAULT_SCAN_S
    show_all: bool = False
    key: str = "ble"
    title: str = "Bluetooth LE devices"

    async def scan(self) -> Section:
        """Listen for ``duration_s`` and describe what advertised."""
        heard: dict[str, Sighting] = {}

        def listen(device: BLEDevice, adv: AdvertisementData) -> None:
            old = heard.get(device.address)
            if old is None or adv.local_name or not old.adv.local_name:
                heard[device.address] = Sighting(device, adv)

        async with advertisements(listen):
            await asyncio.sleep(self.duration_s)
        found: list[Found] = []
        hidden = 0
        for s in sorted(heard.values(), key=lambda s: -s.adv.rssi):
            item = describe(s)
            if item.device is None and not self.show_all:
                hidden += 1
                continue
            found.append(item)
        notes: list[str] = []
        if not heard:
            notes.append("no Bluetooth LE devices heard; are they switched on and awake?")
        if hidden:
            notes.append(f"{hidden} other device(s) hidden; --all shows them")
        return Section(self.key, self.title, tuple(found), notes=tuple(notes))


def describe(s: Sighting) -> Found:
    """One sighting as a scan line: name and RSSI, model and what it measures, how to use it."""
    name = s.adv.local_name or s.device.name or "(no name)"
    profile = recognise(
        name=s.adv.local_name or s.device.name,
        service_uuids=s.adv.service_uuids,
        manufacturer_data=s.adv.manufacturer_data,
    )
    description = f"{name}, RSSI {s.adv.rssi} dBm"
    if profile is None:
        return Found(s.device.address, description, detail="not a device isoforce reads")
    spec = DEVICES[profile.key]
    measures = spec.capabilities.describe()
    detail = f"{spec.title}; measures {measures}, ~{spec.nominal_rate_hz:g} Hz"
    options = ("--device", spec.key, "--address", s.device.address)
    return Found(s.device.address, description, device=spec.key, detail=detail, options=options)
