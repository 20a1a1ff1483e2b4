"""A fake bluetoothd: owns ``org.bluez`` on a private bus so bleak's real BlueZ backend runs.

It serves the object tree BlueZ 5 exposes and bleak 3.x reads, and sends its signals in the
order bluetoothd does (checked against bleak's ``backends/bluezdbus`` code)::

    /                                           ObjectManager (GetManagedObjects, signals)
    /org/bluez/hci0                             Adapter1
    /org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF       Device1
      …/service000a                             GattService1
      …/service000a/char000b                    GattCharacteristic1
      …/service000a/char000b/desc000d           GattDescriptor1 (a CCCD for notify chars)

- discovery: while any client discovers, every in-range, unconnected peripheral advertises at
  its own interval: first an ``InterfacesAdded`` for its Device1 (with RSSI), later
  ``PropertiesChanged`` (RSSI, and the manufacturer data when it changed or a client asked
  for ``DuplicateData``). A second ``StartDiscovery`` from the same client is ``InProgress``.
- connect: ``Connected`` = true, the reply, then the GATT objects and ``ServicesResolved``.
  A peripheral out of range makes ``Connect`` hang until ``Disconnect`` (bleak's timeout).
- disconnect (either side): ``ServicesResolved`` = false, GATT objects removed, ``Connected``
  = false.
- notifications: ``StartNotify`` subscribers get ``PropertiesChanged(Value)``; a ``ReadValue``
  also signals the value, as bluetoothd does.

Not emulated: pairing agents, AcquireNotify/AcquireWrite fd passing, MTU exchange, passive
scanning, radio timing and loss. The whole fake is one dbus-fast message handler over a dict.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from dbus_fast import Message, MessageType, NameFlag, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

from tests.ble.ble_fake_gatt import GattServer
from tests.ble.ble_model import Peripheral

PROPERTIES = "org.freedesktop.DBus.Properties"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
ADAPTER = "org.bluez.Adapter1"
DEVICE = "org.bluez.Device1"
SERVICE = "org.bluez.GattService1"
CHARACTERISTIC = "org.bluez.GattCharacteristic1"
DESCRIPTOR = "org.bluez.GattDescriptor1"

FAILED = "org.bluez.Error.Failed"
IN_PROGRESS = "org.bluez.Error.InProgress"
NOT_READY = "org.bluez.Error.NotReady"
NOT_CONNECTED = "org.bluez.Error.NotConnected"
NOT_PERMITTED = "org.bluez.Error.NotPermitted"
NOT_SUPPORTED = "org.bluez.Error.NotSupported"
DOES_NOT_EXIST = "org.bluez.Error.DoesNotExist"
UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownObject"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"

#: How long an out-of-range Connect hangs before bluetoothd gives up by itself.
UNREACHABLE_CONNECT_S = 20.0
ADVERTISING_TICK_S = 0.02

Props = dict[str, Variant]
Handler = Callable[[Message], Message | Awaitable[Message]]


class FakeBluez(GattServer):
    """The fake daemon. ``adapter=False``: no adapter at all; ``powered=False``: Bluetooth off."""

    def __init__(self, *, adapter: bool = True, powered: bool = True) -> None:
        self.has_adapter = adapter
        self.powered = powered
        self.adapter_path = "/org/bluez/hci0"
        self.bus: MessageBus | None = None
        self.tree: dict[str, dict[str, Props]] = {}
        self.peripherals: dict[str, Peripheral] = {}
        self.discovering: set[str] = set()  # clients with a discovery session
        self.filters: dict[str, dict[str, Any]] = {}  # client → its discovery filter
        self.calls: list[tuple[str, str, str]] = []
        self.call_times: list[float] = []  # host monotonic time of each entry in ``calls``
        self._advertiser: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unreachable: dict[str, asyncio.Event] = {}
        self._methods: dict[tuple[str, str], Handler] = {
            (ADAPTER, "SetDiscoveryFilter"): self._set_discovery_filter,
            (ADAPTER, "StartDiscovery"): self._start_discovery,
            (ADAPTER, "StopDiscovery"): self._stop_discovery,
            (ADAPTER, "RemoveDevice"): self._remove_device,
            (DEVICE, "Connect"): self._connect,
            (DEVICE, "Disconnect"): self._disconnect_call,
            (CHARACTERISTIC, "ReadValue"): self._read_value,
            (CHARACTERISTIC, "WriteValue"): self._write_value,
            (CHARACTERISTIC, "StartNotify"): self._start_notify,
            (CHARACTERISTIC, "StopNotify"): self._stop_notify,
            (DESCRIPTOR, "ReadValue"): self._read_descriptor,
        }

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self, bus_address: str) -> FakeBluez:
        """Connect to the bus, publish the adapter, then take the name ``org.bluez``."""
        self.bus = await MessageBus(bus_address=bus_address).connect()
        self.bus.add_message_handler(self._on_message)
        rule = "type=signal,sender=org.freedesktop.DBus,member=NameOwnerChanged"
        await self.bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="AddMatch",
                signature="s",
                body=[rule],
            )
        )
        if self.has_adapter:
            self.tree[self.adapter_path] = {ADAPTER: self._adapter_props()}
        # a fake stopped just before may still hold the name for a moment: never queue behind it
        deadline = time.monotonic() + 5.0
        while await self.bus.request_name("org.bluez", NameFlag.DO_NOT_QUEUE) not in (
            RequestNameReply.PRIMARY_OWNER,
            RequestNameReply.ALREADY_OWNER,
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("another process owns org.bluez on this bus")
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        """Cancel background work and leave the bus."""
        for event in self._unreachable.values():
            event.set()
        tasks = [*self._tasks, *([self._advertiser] if self._advertiser else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._advertiser = None
        if self.bus is not None:
            self.bus.disconnect()
            with contextlib.suppress(Exception):
                await self.bus.wait_for_disconnect()
            self.bus = None

    def _adapter_props(self) -> Props:
        return {
            "Address": Variant("s", "00:1A:7D:DA:71:13"),
            "AddressType": Variant("s", "public"),
            "Name": Variant("s", "isoforce-test"),
            "Alias": Variant("s", "isoforce-test"),
            "Powered": Variant("b", self.powered),
            "PowerState": Variant("s", "on" if self.powered else "off"),
            "Discovering": Variant("b", False),
            "Discoverable": Variant("b", False),
            "Pairable": Variant("b", True),
            "UUIDs": Variant("as", []),
            "Roles": Variant("as", ["central", "peripheral"]),
        }

    # -- peripherals ------------------------------------------------------------------------------

    def add(self, p: Peripheral) -> Peripheral:
        """Put a peripheral in the world (it advertises whenever a client discovers)."""
        p.bluez = self
        p.path = f"{self.adapter_path}/dev_{p.address.replace(':', '_')}"
        self.peripherals[p.path] = p
        return p

    async def disconnect(self, p: Peripheral, *, remote: bool) -> None:
        """End a connection in bluetoothd's order (``remote``: the peripheral dropped it)."""
        del remote
        if not p.connected:
            return
        assert p.path is not None
        p.connected = False
        self._set(p.path, DEVICE, ServicesResolved=Variant("b", False))
        for service in reversed(p.services):
            for c in service.characteristics:
                c.subscribers.clear()
                for d in c.descriptors:
                    self._remove(d.path)
                self._remove(c.path)
            self._remove(service.path)
        self._set(p.path, DEVICE, Connected=Variant("b", False))
        if p.on_disconnect is not None:
            p.on_disconnect(p)

    # -- the object tree and its signals -----------------------------------------------------------

    def _signal(
        self, path: str, interface: str, member: str, signature: str, body: list[Any]
    ) -> None:
        if self.bus is not None and self.bus.connected:
            self.bus.send(Message.new_signal(path, interface, member, signature, body))

    def _add(self, path: str, interfaces: dict[str, Props]) -> None:
        self.tree.setdefault(path, {}).update(interfaces)
        self._signal("/", OBJECT_MANAGER, "InterfacesAdded", "oa{sa{sv}}", [path, interfaces])

    def _remove(self, path: str | None) -> None:
        if path is not None and path in self.tree:
            interfaces = list(self.tree.pop(path))
            self._signal("/", OBJECT_MANAGER, "InterfacesRemoved", "oas", [path, interfaces])

    def _set(self, path: str, interface: str, **props: Variant) -> None:
        self.tree[path][interface].update(props)
        self._signal(path, PROPERTIES, "PropertiesChanged", "sa{sv}as", [interface, props, []])

    # -- advertising --------------------------------------------------------------------------------

    def _device_props(self, p: Peripheral) -> Props:
        props: Props = {
            "Address": Variant("s", p.address),
            "AddressType": Variant("s", "public"),
            "Alias": Variant("s", p.name or p.address.replace(":", "-")),
            "Adapter": Variant("o", self.adapter_path),
            "Paired": Variant("b", False),
            "Bonded": Variant("b", False),
            "Trusted": Variant("b", False),
            "Blocked": Variant("b", False),
            "LegacyPairing": Variant("b", False),
            "Connected": Variant("b", False),
            "ServicesResolved": Variant("b", False),
            "UUIDs": Variant("as", list(p.advertised_uuids)),
            "RSSI": Variant("n", p.rssi),
        }
        if p.name:
            props["Name"] = Variant("s", p.name)
        if p.manufacturer_data:
            props["ManufacturerData"] = self._manufacturer(p)
        return props

    @staticmethod
    def _manufacturer(p: Peripheral) -> Variant:
        return Variant("a{qv}", {k: Variant("ay", v) for k, v in p.manufacturer_data.items()})

    def _advertise(self, p: Peripheral) -> None:
        assert p.path is not None
        if p.on_advertise is not None:
            p.on_advertise(p)
        device = self.tree.get(p.path, {}).get(DEVICE)
        if device is None:
            self._add(p.path, {DEVICE: self._device_props(p)})
            return
        changes: Props = {"RSSI": Variant("n", p.rssi)}
        if p.manufacturer_data:
            fresh = self._manufacturer(p)
            old = device.get("ManufacturerData")
            duplicates = any(self.filters.get(c, {}).get("DuplicateData") for c in self.discovering)
            if duplicates or old is None or old.value != fresh.value:
                changes["ManufacturerData"] = fresh
        self._set(p.path, DEVICE, **changes)

    async def _advertising(self) -> None:
        while True:
            now = time.monotonic()
            for p in list(self.peripherals.values()):
                if p.advertising and not p.connected and now >= p.next_advert_s:
                    p.next_advert_s = now + p.advertising_interval_s
                    self._advertise(p)
            await asyncio.sleep(ADVERTISING_TICK_S)

    def _discovery_changed(self) -> None:
        on = bool(self.discovering)
        if self.tree[self.adapter_path][ADAPTER]["Discovering"].value != on:
            self._set(self.adapter_path, ADAPTER, Discovering=Variant("b", on))
        if on and self._advertiser is None:
            for p in self.peripherals.values():
                p.next_advert_s = 0.0
            self._advertiser = asyncio.ensure_future(self._advertising())
        elif not on and self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None

    # -- method dispatch ------------------------------------------------------------------------------

    def _on_message(self, msg: Message) -> Message | bool:
        if msg.message_type == MessageType.SIGNAL:
            if msg.member == "NameOwnerChanged" and msg.sender == "org.freedesktop.DBus":
                name, _old, new = msg.body
                if not new and name.startswith(":"):
                    self._client_left(name)
            return False
        if msg.message_type != MessageType.METHOD_CALL:
            return False
        path, interface, member = msg.path or "", msg.interface or "", msg.member or ""
        self.calls.append((path, interface, member))
        self.call_times.append(time.monotonic())
        if interface == OBJECT_MANAGER and member == "GetManagedObjects":
            return Message.new_method_return(msg, "a{oa{sa{sv}}}", [self.tree])
        if interface == PROPERTIES:
            return self._properties(msg)
        if interface == INTROSPECTABLE:
            children = sorted(
                {
                    p[len(path) :].strip("/").split("/")[0]
                    for p in self.tree
                    if p.startswith(path.rstrip("/") + "/")
                }
            )
            xml = "<node>" + "".join(f'<node name="{c}"/>' for c in children if c) + "</node>"
            return Message.new_method_return(msg, "s", [xml])
        handler = self._methods.get((interface, member))
        if handler is None or interface not in self.tree.get(path, {}):
            raise DBusError(UNKNOWN_METHOD, f'Method "{member}" on "{interface}" does not exist')
        result = handler(msg)
        if isinstance(result, Message):
            return result
        self._spawn(self._reply_later(msg, result))
        return True

    async def _reply_later(self, msg: Message, pending: Awaitable[Message]) -> None:
        try:
            reply = await pending
        except DBusError as exc:
            reply = Message.new_error(msg, exc.type, exc.text)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in the fake: tell the caller rather than hang it
            reply = Message.new_error(msg, FAILED, f"fake bluetoothd: {exc!r}")
        if self.bus is not None and self.bus.connected:
            self.bus.send(reply)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _properties(self, msg: Message) -> Message:
        interfaces = self.tree.get(msg.path or "")
        if interfaces is None:
            raise DBusError(UNKNOWN_OBJECT, f"no object {msg.path}")
        props = interfaces.get(msg.body[0])
        if props is None:
            raise DBusError(INVALID_ARGS, f"no interface {msg.body[0]}")
        if msg.member == "GetAll":
            return Message.new_method_return(msg, "a{sv}", [props])
        if msg.member == "Get":
            if msg.body[1] not in props:
                raise DBusError(INVALID_ARGS, f"no property {msg.body[1]}")
            return Message.new_method_return(msg, "v", [props[msg.body[1]]])
        if msg.member == "Set" and msg.body[1] in ("Trusted", "Powered", "Alias"):
            self._set(msg.path or "", msg.body[0], **{msg.body[1]: msg.body[2]})
            return Message.new_method_return(msg)
        raise DBusError("org.freedesktop.DBus.Error.PropertyReadOnly", "read-only")

    def _client_left(self, name: str) -> None:
        self.filters.pop(name, None)
        if name in self.discovering:
            self.discovering.discard(name)
            self._discovery_changed()
        for p in self.peripherals.values():
            for service in p.services:
                for c in service.characteristics:
                    c.subscribers.discard(name)

    # -- Adapter1 -------------------------------------------------------------------------------------

    def _set_discovery_filter(self, msg: Message) -> Message:
        self.filters[msg.sender or ""] = {k: v.value for k, v in msg.body[0].items()}
        return Message.new_method_return(msg)

    def _start_discovery(self, msg: Message) -> Message:
        if not self.tree[self.adapter_path][ADAPTER]["Powered"].value:
            raise DBusError(NOT_READY, "Resource Not Ready")
        sender = msg.sender or ""
        if sender in self.discovering:
            raise DBusError(IN_PROGRESS, "Operation already in progress")
        self.discovering.add(sender)
        self._discovery_changed()
        return Message.new_method_return(msg)

    def _stop_discovery(self, msg: Message) -> Message:
        if msg.sender not in self.discovering:
            raise DBusError(FAILED, "No discovery started")
        self.discovering.discard(msg.sender or "")
        self._discovery_changed()
        return Message.new_method_return(msg)

    async def _remove_device(self, msg: Message) -> Message:
        p = self.peripherals.get(msg.body[0])
        if p is None or msg.body[0] not in self.tree:
            raise DBusError(DOES_NOT_EXIST, "Does Not Exist")
        await self.disconnect(p, remote=False)
        self._remove(p.path)
        return Message.new_method_return(msg)

    # -- Device1 --------------------------------------------------------------------------------------

    def _peripheral(self, msg: Message) -> Peripheral:
        p = self.peripherals.get(msg.path or "")
        if p is None:
            raise DBusError(UNKNOWN_OBJECT, f"no device {msg.path}")
        return p

    async def _connect(self, msg: Message) -> Message:
        p = self._peripheral(msg)
        if p.connected:
            return Message.new_method_return(msg)
        p.connect_attempts += 1
        if p.connect_delay_s:
            await asyncio.sleep(p.connect_delay_s)
        if p.fail_connects:
            p.fail_connects -= 1
            name, text = p.connect_error or (FAILED, "Software caused connection abort")
            raise DBusError(name, text)
        if not p.advertising:  # out of range: the controller keeps trying in vain
            cancel = self._unreachable.setdefault(p.address, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(cancel.wait(), UNREACHABLE_CONNECT_S)
            self._unreachable.pop(p.address, None)
            raise DBusError(FAILED, "Operation was cancelled" if cancel.is_set() else "Timeout")
        assert p.path is not None
        p.connected = True
        p.connects += 1
        self._set(p.path, DEVICE, Connected=Variant("b", True))
        if p.on_connect is not None:
            p.on_connect(p)
        self._spawn(self._resolve(p))
        return Message.new_method_return(msg)

    async def _disconnect_call(self, msg: Message) -> Message:
        p = self._peripheral(msg)
        pending = self._unreachable.get(p.address)
        if pending is not None:  # cancels a connection attempt that is still trying
            pending.set()
            return Message.new_method_return(msg)
        if not p.connected:
            raise DBusError(NOT_CONNECTED, "Not Connected")
        await self.disconnect(p, remote=False)
        return Message.new_method_return(msg)
