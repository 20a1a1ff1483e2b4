"""The GATT half of the fake bluetoothd: the service tree of a connected peripheral and the
``GattCharacteristic1`` / ``GattDescriptor1`` methods bleak calls.

Mixed into :class:`ble_fake_bluez.FakeBluez`, whose object tree and signal helpers it uses.
Paths and handles follow BlueZ (bleak parses the handle from the path's last four hex digits
and finds the device by cutting the characteristic path).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from dbus_fast import Message, Variant
from dbus_fast.errors import DBusError

from tests.ble.ble_model import Characteristic, Peripheral, maybe_await

if TYPE_CHECKING:
    from tests.ble.ble_fake_bluez import Props

PROPERTIES = "org.freedesktop.DBus.Properties"
DEVICE = "org.bluez.Device1"
SERVICE = "org.bluez.GattService1"
CHARACTERISTIC = "org.bluez.GattCharacteristic1"
DESCRIPTOR = "org.bluez.GattDescriptor1"
NOT_CONNECTED = "org.bluez.Error.NotConnected"
NOT_PERMITTED = "org.bluez.Error.NotPermitted"
NOT_SUPPORTED = "org.bluez.Error.NotSupported"


class GattServer:
    """GATT objects and methods; the host class provides ``tree``, ``peripherals``, ``_add``,
    ``_set`` and ``_signal`` (see :class:`ble_fake_bluez.FakeBluez`)."""

    tree: dict[str, dict[str, Props]]
    peripherals: dict[str, Peripheral]

    def _add(self, path: str, interfaces: dict[str, Props]) -> None:
        raise NotImplementedError

    def _set(self, path: str, interface: str, **props: Variant) -> None:
        raise NotImplementedError

    def _signal(
        self, path: str, interface: str, member: str, signature: str, body: list[Any]
    ) -> None:
        raise NotImplementedError

    def notify(self, p: Peripheral, c: Characteristic, data: bytes) -> bool:
        """Signal a new value to the characteristic's subscribers."""
        if not p.connected or c.path is None or not c.subscribers:
            return False
        c.value = data
        self.tree[c.path][CHARACTERISTIC]["Value"] = Variant("ay", data)
        self._signal(c.path, PROPERTIES, "PropertiesChanged", "sa{sv}as",
                     [CHARACTERISTIC, {"Value": Variant("ay", data)}, []])  # fmt: skip
        return True

    async def _resolve(self, p: Peripheral) -> None:
        await asyncio.sleep(0)  # after the Connect reply, as bluetoothd
        if not p.connected or p.path is None:
            return
        handle = 0x000A
        for service in p.services:
            service.path = f"{p.path}/service{handle:04x}"
            self._add(service.path, {SERVICE: {
                "UUID": Variant("s", service.uuid), "Device": Variant("o", p.path),
                "Primary": Variant("b", True), "Handle": Variant("q", handle)}})  # fmt: skip
            handle += 1
            for c in service.characteristics:
                c.path = f"{service.path}/char{handle:04x}"
                self._add(c.path, {CHARACTERISTIC: {
                    "UUID": Variant("s", c.uuid), "Service": Variant("o", service.path),
                    "Value": Variant("ay", c.value), "Notifying": Variant("b", False),
                    "Flags": Variant("as", list(c.flags)), "MTU": Variant("q", p.mtu),
                    "Handle": Variant("q", handle)}})  # fmt: skip
                handle += 2
                for d in c.descriptors:
                    d.path = f"{c.path}/desc{handle:04x}"
                    self._add(d.path, {DESCRIPTOR: {
                        "UUID": Variant("s", d.uuid), "Characteristic": Variant("o", c.path),
                        "Value": Variant("ay", d.value), "Flags": Variant("as", list(d.flags)),
                        "Handle": Variant("q", handle)}})  # fmt: skip
                    handle += 1
            handle = (handle + 0x10) & ~0xF
        self._set(p.path, DEVICE, ServicesResolved=Variant("b", True))

    def _characteristic(self, msg: Message) -> tuple[Peripheral, Characteristic]:
        for p in self.peripherals.values():
            for service in p.services:
                for c in service.characteristics:
                    if c.path == msg.path and p.connected:
                        return p, c
        raise DBusError(NOT_CONNECTED, "Not Connected")

    def _read_value(self, msg: Message) -> Message:
        _p, c = self._characteristic(msg)
        if "read" not in c.flags:
            raise DBusError(NOT_PERMITTED, "Read not permitted")
        if c.on_read is not None:
            fresh = c.on_read(c)
            if fresh is not None:
                c.value = bytes(fresh)
        assert c.path is not None
        self._set(c.path, CHARACTERISTIC, Value=Variant("ay", c.value))
        return Message.new_method_return(msg, "ay", [c.value])

    async def _write_value(self, msg: Message) -> Message:
        _p, c = self._characteristic(msg)
        data = bytes(msg.body[0])
        kind = msg.body[1].get("type", Variant("s", "request")).value
        needed = "write" if kind == "request" else "write-without-response"
        if needed not in c.flags:
            raise DBusError(NOT_PERMITTED, "Write not permitted")
        c.writes.append((data, kind))
        if c.on_write is not None:
            pending = maybe_await(c.on_write(c, data, kind))
            if pending is not None:
                await pending
        return Message.new_method_return(msg)

    def _start_notify(self, msg: Message) -> Message:
        _p, c = self._characteristic(msg)
        if "notify" not in c.flags and "indicate" not in c.flags:
            raise DBusError(NOT_SUPPORTED, "Operation is not supported")
        first = not c.subscribers
        c.subscribers.add(msg.sender or "")
        if first and c.path is not None:
            self._set(c.path, CHARACTERISTIC, Notifying=Variant("b", True))
        return Message.new_method_return(msg)

    def _stop_notify(self, msg: Message) -> Message:
        _p, c = self._characteristic(msg)
        c.subscribers.discard(msg.sender or "")
        if not c.subscribers and c.path is not None:
            self._set(c.path, CHARACTERISTIC, Notifying=Variant("b", False))
        return Message.new_method_return(msg)

    def _read_descriptor(self, msg: Message) -> Message:
        for p in self.peripherals.values():
            for service in p.services:
                for c in service.characteristics:
                    for d in c.descriptors:
                        if d.path == msg.path and p.connected:
                            return Message.new_method_return(msg, "ay", [d.value])
        raise DBusError(NOT_CONNECTED, "Not Connected")
