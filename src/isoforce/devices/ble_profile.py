"""How isoforce talks to a Bluetooth LE device, as data: the types each device module fills in.

A device module (``progressor``, ``forceboard``, ...) declares its :class:`BleProfile` at its
top; the BLE transport (``transports/ble.py``) reads it to know which characteristic to
subscribe to, what to write to start, stop and tare, and which questions (battery, firmware)
to ask after connecting; the scanner (``ble_specs.recognise``) matches adverts against it.
This module imports no device module, so every device module can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from isoforce.devices.base import Decoder, DeviceSpec

#: Nordic UART Service: generic, so a profile using it also needs a name (``requires_name``).
NUS_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # central writes (commands)
NUS_TX_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # peripheral notifies (frames)
#: Standard Battery Level (0x180F / 0x2A19) and Device Information strings (0x180A).
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"
DEVICE_INFO_SERVICE_UUID = "0000180a-0000-1000-8000-00805f9b34fb"
SERIAL_NUMBER_UUID = "00002a25-0000-1000-8000-00805f9b34fb"
FIRMWARE_REVISION_UUID = "00002a26-0000-1000-8000-00805f9b34fb"
#: A streaming GATT device silent for this long while connected counts as lost.
GATT_SILENCE_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class GattWrite:
    """One write to a characteristic; ``pause_s`` is waited after it (settle time)."""

    char_uuid: str
    data: bytes
    response: bool = True
    pause_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Query:
    """A question asked after connecting: write ``ask`` (or read ``read_uuid``), parse the answer.

    For notify answers, ``answers`` picks the notification that answers (it is then not passed
    to the decoder); ``parse`` turns the answer into text, or None if it is not understood.
    """

    key: str
    parse: Callable[[bytes], str | None]
    ask: GattWrite | None = None
    answers: Callable[[bytes], bool] | None = None
    read_uuid: str | None = None


def parse_battery_percent(value: bytes) -> int | None:
    """Battery level (0–100 %) from the standard Battery Level characteristic."""
    return value[0] if len(value) >= 1 else None


def battery_percent_text(value: bytes) -> str | None:
    """The Battery Level characteristic as text ("87 %"), None when empty."""
    pct = parse_battery_percent(value)
    return f"{pct} %" if pct is not None else None


def utf8_text(value: bytes) -> str | None:
    """A Device Information string characteristic as text, None when empty."""
    text = value.decode("utf-8", "replace").rstrip("\x00").strip()
    return text or None


#: Read the standard battery level after connecting.
BATTERY_QUERY = Query("battery", battery_percent_text, read_uuid=BATTERY_LEVEL_UUID)


def battery_volts_query(
    volts: Callable[[bytes], float | None], ask: GattWrite, answers: Callable[[bytes], bool]
) -> Query:
    """Ask a device for its battery voltage with a command; its answer reads "4.10 V".

    For devices without the standard Battery Level (:data:`BATTERY_QUERY`): ``volts`` reads the
    voltage from the answering notification (None when it holds none), ``answers`` picks it.
    """

    def text(notification: bytes) -> str | None:
        value = volts(notification)
        return f"{value:.2f} V" if value is not None else None

    return Query("battery", text, ask=ask, answers=answers)


@dataclass(frozen=True, slots=True)
class RateSetting:
    """How to read and set a device's output rate (read first: writes may wear its flash)."""

    read: Query
    current_hz: Callable[[bytes], float | None]
    commands: Callable[[float], tuple[GattWrite, ...]]


@dataclass(frozen=True, slots=True)
class BleProfile:
    """How isoforce talks to one kind of BLE device.

    ``notify_uuid`` is None for advertisement-only devices, whose data is the manufacturer data
    of ``company_id``; such an advert counts only when that data holds at least
    ``min_advert_bytes``. ``notify_service_uuid`` names the service holding ``notify_uuid``
    when a device repeats that characteristic UUID in several services (the Entralpi).
    """

    key: str
    decoder: Callable[[], Decoder]
    notify_uuid: str | None
    write_uuid: str | None = None
    write_response: bool = True
    start: tuple[GattWrite, ...] = ()
    stop: tuple[GattWrite, ...] = ()
    tare: tuple[GattWrite, ...] = ()
    queries: tuple[Query, ...] = ()
    rate: RateSetting | None = None
    company_id: int | None = None
    min_advert_bytes: int = 0
    silence_timeout_s: float | None = GATT_SILENCE_TIMEOUT_S
    name_prefixes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    service_uuids: tuple[str, ...] = ()
    requires_name: bool = False
    notify_service_uuid: str | None = None


class BleDeviceModule(Protocol):
    """What a BLE device module declares at its top, read by ``ble_specs`` and the tests.

    ``EXAMPLES`` are valid data notifications (or manufacturer data, for an advertising
    device) taken from the device's documentation, each carrying one sample; a comment beside
    each says where it comes from. The decoder fuzz test starts from them.
    """

    SPEC: DeviceSpec
    PROFILE: BleProfile
    EXAMPLES: tuple[bytes, ...]
