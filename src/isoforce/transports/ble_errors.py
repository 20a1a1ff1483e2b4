"""Bluetooth failures as typed errors: bleak and D-Bus exceptions → ``TransportError(reason)``.

Callers branch on :class:`~isoforce.errors.TransportErrorReason`; the mapping below uses only
exception types, bleak's reason enum and D-Bus error *names* (stable identifiers, not prose).
"""

from __future__ import annotations

import asyncio

from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
)
from dbus_fast.errors import AuthError

from isoforce.errors import TransportError, TransportErrorReason

R = TransportErrorReason

#: What to tell the user for each reason, after the device's address.
HINTS: dict[TransportErrorReason, str] = {
    R.ADAPTER_OFF: "Bluetooth is switched off; turn it on (e.g. 'bluetoothctl power on')",
    R.NO_ADAPTER: "no Bluetooth adapter or BlueZ service found; is bluetoothd running?",
    R.PERMISSION_DENIED: (
        "not allowed to use Bluetooth; add your user to the 'bluetooth' group or check the "
        "D-Bus policy for org.bluez"
    ),
    R.NOT_FOUND: "device not found; is it switched on, near, and not connected to a phone?",
    R.TIMEOUT: "the device did not answer in time; move closer and try again",
    R.CONNECT_FAILED: "the connection attempt failed; switch the device off and on",
}

_NOT_AVAILABLE = {
    BleakBluetoothNotAvailableReason.NO_BLUETOOTH: R.NO_ADAPTER,
    BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE: R.NO_ADAPTER,
    BleakBluetoothNotAvailableReason.POWERED_OFF: R.ADAPTER_OFF,
    BleakBluetoothNotAvailableReason.DENIED_BY_USER: R.PERMISSION_DENIED,
    BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM: R.PERMISSION_DENIED,
    BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN: R.PERMISSION_DENIED,
}

_DBUS = {
    "org.freedesktop.DBus.Error.ServiceUnknown": R.NO_ADAPTER,
    "org.freedesktop.DBus.Error.NameHasNoOwner": R.NO_ADAPTER,
    "org.freedesktop.DBus.Error.AccessDenied": R.PERMISSION_DENIED,
    "org.freedesktop.DBus.Error.AuthFailed": R.PERMISSION_DENIED,
    "org.bluez.Error.NotAuthorized": R.PERMISSION_DENIED,
    "org.bluez.Error.NotReady": R.ADAPTER_OFF,
    "org.freedesktop.DBus.Error.UnknownObject": R.NOT_FOUND,
    "org.bluez.Error.DoesNotExist": R.NOT_FOUND,
    "org.freedesktop.DBus.Error.NoReply": R.TIMEOUT,
    "org.freedesktop.DBus.Error.Timeout": R.TIMEOUT,
}


def reason_for(exc: BaseException, *, connecting: bool = False) -> TransportErrorReason:
    """The reason a bleak/D-Bus/OS exception stands for (``connecting``: during a connect)."""
    fallback = R.CONNECT_FAILED if connecting else R.IO
    if isinstance(exc, TransportError):
        return exc.reason
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return _NOT_AVAILABLE.get(exc.reason, R.NO_ADAPTER)
    if isinstance(exc, BleakDeviceNotFoundError):
        return R.NOT_FOUND
    if isinstance(exc, BleakDBusError):
        return _DBUS.get(exc.dbus_error, fallback)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return R.TIMEOUT
    if isinstance(exc, (AuthError, PermissionError)):
        return R.PERMISSION_DENIED
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)):
        return R.NO_ADAPTER  # no system bus socket: no BlueZ here
    if isinstance(exc, (BleakError, OSError, EOFError)):
        return fallback
    return fallback


def ble_error(exc: BaseException, where: str, *, connecting: bool = False) -> TransportError:
    """A :class:`TransportError` for ``exc``: the reason, where, what happened and what to do."""
    if isinstance(exc, TransportError):
        return exc
    reason = reason_for(exc, connecting=connecting)
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return TransportError(reason, f"{where}: {exc.args[0]}")  # bleak's words are clear
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)):
        what = f"no D-Bus system bus ({exc.strerror or exc})"
    else:
        what = str(exc) or type(exc).__name__
    hint = HINTS.get(reason)
    detail = f"{where}: {what}" + (f" ({hint})" if hint else "")
    return TransportError(reason, detail)
