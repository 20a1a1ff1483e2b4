"""The Bluetooth LE devices isoforce reads: specs, GATT profiles and how to recognise them.

Everything here is data and pure functions. The BLE transport (``transports/ble.py``) reads a
:class:`BleProfile` to know which characteristic to subscribe to, what to write to start, stop
and tare, and which questions (battery, firmware) to ask after connecting; the scanner calls
:func:`recognise` on what a device advertises. UUIDs and bytes come from the codec modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from isoforce.core.effort_key import Capabilities
from isoforce.devices import forceboard, progressor, wh_c06, witmotion_ble
from isoforce.devices.base import Decoder, DeviceKind, DeviceSpec
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder

NUS_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # central writes (commands)
NUS_TX_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # peripheral notifies (frames)
ISOFORCE_NAME_PREFIX = "isoforce"
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
    of ``company_id``.
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
    silence_timeout_s: float | None = GATT_SILENCE_TIMEOUT_S
    name_prefixes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    service_uuids: tuple[str, ...] = ()
    requires_name: bool = False


def _progressor_write(opcode: int, *, response: bool = True) -> GattWrite:
    return GattWrite(progressor.CONTROL_UUID, progressor.command(opcode), response=response)


def _battery_mv(data: bytes) -> str | None:
    mv = progressor.parse_battery_mv(data)
    return f"{mv / 1000:.2f} V" if mv is not None else None


def _battery_percent(data: bytes) -> str | None:
    pct = forceboard.parse_battery_percent(data)
    return f"{pct} %" if pct is not None else None


def _wit_register(reg: int) -> Query:
    def answers(data: bytes) -> bool:
        return witmotion_ble.find_register_reply(data, reg) is not None

    def parse(data: bytes) -> str | None:
        reply = witmotion_ble.find_register_reply(data, reg)
        return witmotion_ble.describe_register(reply) if reply is not None else None

    ask = GattWrite(witmotion_ble.WRITE_UUID, witmotion_ble.read_register(reg), response=False)
    key = {witmotion_ble.REG_BATTERY: "battery", witmotion_ble.REG_VERSION: "firmware"}
    return Query(key.get(reg, f"register {reg:#04x}"), parse, ask=ask, answers=answers)


def _wit_rate_hz(data: bytes) -> float | None:
    reply = witmotion_ble.find_register_reply(data, witmotion_ble.REG_RRATE)
    return witmotion_ble.rate_hz(reply.values[0]) if reply is not None else None


def _wit_rate_commands(rate_hz: float) -> tuple[GattWrite, ...]:
    return tuple(
        GattWrite(
            witmotion_ble.WRITE_UUID, data, response=False, pause_s=witmotion_ble.COMMAND_GAP_S
        )
        for data in witmotion_ble.set_rate_commands(rate_hz)
    )


def _nus(line: str) -> GattWrite:
    return GattWrite(NUS_RX_UUID, line.encode("ascii") + b"\n", response=True)


PROGRESSOR_PROFILE = BleProfile(
    key="progressor",
    decoder=progressor.ProgressorDecoder,
    notify_uuid=progressor.DATA_UUID,
    write_uuid=progressor.CONTROL_UUID,
    start=(_progressor_write(progressor.CMD_START_WEIGHT),),
    stop=(_progressor_write(progressor.CMD_STOP_WEIGHT),),
    tare=(_progressor_write(progressor.CMD_TARE),),
    queries=(
        Query(
            "battery",
            _battery_mv,
            ask=_progressor_write(progressor.CMD_GET_BATTERY_VOLTAGE),
            answers=progressor.is_command_response,
        ),
        Query(
            "firmware",
            progressor.parse_text,
            ask=_progressor_write(progressor.CMD_GET_APP_VERSION),
            answers=progressor.is_command_response,
        ),
    ),
    name_prefixes=(progressor.NAME_PREFIX,),
    service_uuids=(progressor.SERVICE_UUID,),
)

FORCEBOARD_PROFILE = BleProfile(
    key="forceboard",
    decoder=forceboard.ForceBoardDecoder,
    notify_uuid=forceboard.DATA_UUID,
    write_uuid=forceboard.MODE_UUID,
    start=(GattWrite(forceboard.MODE_UUID, forceboard.mode_command(forceboard.MODE_STREAM)),),
    stop=(GattWrite(forceboard.MODE_UUID, forceboard.mode_command(forceboard.MODE_IDLE)),),
    tare=(GattWrite(forceboard.TARE_UUID, bytes((forceboard.TARE_VALUE,))),),
    queries=(Query("battery", _battery_percent, read_uuid=forceboard.BATTERY_LEVEL_UUID),),
    names=(forceboard.NAME,),
    service_uuids=(forceboard.FORCE_SERVICE_UUID,),
)

WH_C06_PROFILE = BleProfile(
    key="wh-c06",
    decoder=wh_c06.WhC06Decoder,
    notify_uuid=None,
    company_id=wh_c06.COMPANY_ID,
    silence_timeout_s=wh_c06.SILENCE_TIMEOUT_S,
    names=(wh_c06.LOCAL_NAME,),
)

WITMOTION_BLE_PROFILE = BleProfile(
    key="witmotion-ble",
    decoder=witmotion_ble.WitMotionBleDecoder,
    notify_uuid=witmotion_ble.NOTIFY_UUID,
    write_uuid=witmotion_ble.WRITE_UUID,
    write_response=False,
    queries=(_wit_register(witmotion_ble.REG_BATTERY), _wit_register(witmotion_ble.REG_VERSION)),
    rate=RateSetting(
        read=_wit_register(witmotion_ble.REG_RRATE),
        current_hz=_wit_rate_hz,
        commands=_wit_rate_commands,
    ),
    name_prefixes=(witmotion_ble.NAME_MARKER,),
    service_uuids=(witmotion_ble.SERVICE_UUID,),
)

ISOFORCE_BLE_PROFILE = BleProfile(
    key="isoforce-ble",
    decoder=IsoforceFrameDecoder,
    notify_uuid=NUS_TX_UUID,
    write_uuid=NUS_RX_UUID,
    start=(_nus("s"),),
    stop=(_nus("x"),),
    tare=(_nus("t"),),
    name_prefixes=(ISOFORCE_NAME_PREFIX,),
    service_uuids=(NUS_SERVICE_UUID,),
    requires_name=True,  # NUS alone is generic: many devices speak it
)

PROGRESSOR = DeviceSpec(
    key="progressor",
    title="Tindeq Progressor or open clone (Crimpdeq, Hangman) over Bluetooth",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=False),
    nominal_rate_hz=progressor.NOMINAL_RATE_HZ,
    force_channel="force_n",
    n_per_count=1.0,
    notes=(
        "Tension gauge with its own calibration (kg → N). Measures the direction its strap "
        "is rigged for. Tare, battery and firmware version over Bluetooth."
    ),
)
FORCEBOARD = DeviceSpec(
    key="forceboard",
    title="PitchSix Force Board over Bluetooth",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=False),
    nominal_rate_hz=forceboard.NOMINAL_RATE_HZ,
    force_channel="force_n",
    n_per_count=1.0,
    notes="Reports pounds-force (→ N); its sample rate is not published. Tare over Bluetooth.",
)
WH_C06 = DeviceSpec(
    key="wh-c06",
    title="WH-C06 hanging scale (advertisements only, about 2 readings/s)",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=False),
    nominal_rate_hz=wh_c06.NOMINAL_RATE_HZ,
    force_channel="force_n",
    n_per_count=1.0,
    notes=(
        "Broadcasts its reading about twice a second: fine for slow holds, too slow for rate "
        "of force development. No remote tare (use its button or isoforce's software tare)."
    ),
)
WITMOTION_BLE = DeviceSpec(
    key="witmotion-ble",
    title="WitMotion Bluetooth 5.0 IMU (BWT901BLE5.0, WT901BLECL, WT901BLE68)",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=False, pull=False, imu=True),
    nominal_rate_hz=witmotion_ble.SESSION_RATE_HZ,
    force_channel=None,
    notes="Acceleration, angular rate and angles; isoforce sets 50 Hz output when it connects.",
)
ISOFORCE_BLE = DeviceSpec(
    key="isoforce-ble",
    title="isoforce firmware over Bluetooth (Nordic UART Service)",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=True),
    nominal_rate_hz=80.0,
    force_channel="load_raw",
    notes="The ESP32 reference firmware in firmware_notes/. Needs a calibration (isoforce calibrate).",
)

BLE_DEVICES: tuple[DeviceSpec, ...] = (PROGRESSOR, FORCEBOARD, WH_C06, WITMOTION_BLE, ISOFORCE_BLE)
BLE_PROFILES: dict[str, BleProfile] = {
    p.key: p
    for p in (
        PROGRESSOR_PROFILE,
        FORCEBOARD_PROFILE,
        WH_C06_PROFILE,
        WITMOTION_BLE_PROFILE,
        ISOFORCE_BLE_PROFILE,
    )
}


def _named(profile: BleProfile, name: str) -> bool:
    return name in profile.names or any(name.startswith(p) for p in profile.name_prefixes)


def recognise(
    *,
    name: str | None,
    service_uuids: Sequence[str] = (),
    manufacturer_data: Mapping[int, bytes] | None = None,
) -> BleProfile | None:
    """The supported device an advertisement belongs to, or None.

    Recognised by name (exact or prefix), advertised service UUID, or, for the WH-C06, by
    manufacturer data of company 0x0100 that reaches the unit byte (that company ID belongs to
    another firm, so a named device other than ``IF_B7`` is not taken for a scale).
    """
    uuids = {u.lower() for u in service_uuids}
    for profile in BLE_PROFILES.values():
        if profile.company_id is not None:
            payload = (manufacturer_data or {}).get(profile.company_id)
            if (
                payload is not None
                and len(payload) >= wh_c06.MIN_PAYLOAD_BYTES
                and name in (None, "", *profile.names)
            ):
                return profile
            continue
        named = name is not None and _named(profile, name)
        advertised = bool(uuids.intersection(profile.service_uuids))
        if (named and advertised) if profile.requires_name else (named or advertised):
            return profile
    return None
