"""isoforce's own firmware over Bluetooth LE: isoforce frames on the Nordic UART Service.

Spec (``firmware_notes/isoforce-ble.md``, device-protocols.md §14)::

    discover   service 6e400001-… (NUS) advertised **and** a name starting "isoforce"
    TX         6e400003-…  notify: isoforce frames cut into 20-byte pieces
    RX         6e400002-…  write with response: ASCII lines "s" start, "t" tare, "x" stop

The frames are those of :mod:`isoforce.devices.isoforce_frame` (the serial port's too); the
decoder reassembles them across notifications.
"""

from __future__ import annotations

from isoforce.core.effort_key import Capabilities
from isoforce.devices.base import DeviceKind, DeviceSpec
from isoforce.devices.ble_profile import (
    NUS_RX_UUID,
    NUS_SERVICE_UUID,
    NUS_TX_UUID,
    BleProfile,
    GattWrite,
)
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder

NAME_PREFIX = "isoforce"
NOMINAL_RATE_HZ = 80.0  # HX711 at 80 SPS
CMD_START = "s"
CMD_STOP = "x"
CMD_TARE = "t"

SPEC = DeviceSpec(
    key="isoforce-ble",
    title="isoforce firmware over Bluetooth (Nordic UART Service)",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=True),
    nominal_rate_hz=NOMINAL_RATE_HZ,
    force_channel="load_raw",
    notes="The ESP32 reference firmware in firmware_notes/. Needs a calibration (isoforce calibrate).",
    text_commands=True,
    calibration_hint=(
        "Calibrate the board once over USB (same firmware, same counts): 'isoforce calibrate "
        "--device isoforce-serial --port /dev/ttyUSB0 --known-kg 10 --out cal.json', then pass "
        "--calibration cal.json"
    ),
)


def command_line(command: str) -> GattWrite:
    """A command as the firmware reads it: one ASCII line written to RX, with response."""
    return GattWrite(NUS_RX_UUID, command.encode("ascii") + b"\n", response=True)


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=IsoforceFrameDecoder,
    notify_uuid=NUS_TX_UUID,
    write_uuid=NUS_RX_UUID,
    start=(command_line(CMD_START),),
    stop=(command_line(CMD_STOP),),
    tare=(command_line(CMD_TARE),),
    name_prefixes=(NAME_PREFIX,),
    service_uuids=(NUS_SERVICE_UUID,),
    requires_name=True,  # NUS alone is generic: many devices speak it
)

EXAMPLES: tuple[bytes, ...] = (
    # firmware_notes/frame-format.md, "Examples" (made by the C encoder): seq 7 and 8,
    # load_raw -123,456 and -123,400 counts, one 18-byte frame per notification
    bytes.fromhex("a55a010c070040420f000100c01dfeffd93f"),
    bytes.fromhex("a55a010c080014730f000100f81dfeff88d1"),
)
