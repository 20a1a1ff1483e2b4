"""The set of Bluetooth LE devices isoforce reads, and how to recognise one from its advert.

Each device module declares its ``SPEC``, ``PROFILE`` and ``EXAMPLES`` at its top (see
:class:`~isoforce.devices.ble_profile.BleDeviceModule`); this module only lists the modules,
in the order ``isoforce devices`` shows them and :func:`recognise` tries them. A new BLE
device is its module plus one entry in :data:`BLE_DEVICE_MODULES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from isoforce.devices import (
    activ5,
    climbro,
    cts500,
    entralpi,
    forceboard,
    frez_dyno,
    isoforce_ble,
    motherboard,
    movesense,
    progressor,
    vernier_gdx,
    weight_scale,
    wh_c06,
    witmotion_ble,
)
from isoforce.devices.base import DeviceSpec
from isoforce.devices.ble_profile import BleDeviceModule, BleProfile

BLE_DEVICE_MODULES: tuple[BleDeviceModule, ...] = (
    progressor,
    forceboard,
    wh_c06,
    witmotion_ble,
    isoforce_ble,
    entralpi,
    climbro,
    motherboard,
    frez_dyno,
    weight_scale,  # after the Entralpi, which reuses the 0x181D service UUID
    cts500,
    activ5,
    vernier_gdx,
    movesense,
)
BLE_DEVICES: tuple[DeviceSpec, ...] = tuple(m.SPEC for m in BLE_DEVICE_MODULES)
BLE_PROFILES: dict[str, BleProfile] = {m.PROFILE.key: m.PROFILE for m in BLE_DEVICE_MODULES}


def _named(profile: BleProfile, name: str) -> bool:
    return name in profile.names or any(name.startswith(p) for p in profile.name_prefixes)


def recognise(
    *,
    name: str | None,
    service_uuids: Sequence[str] = (),
    manufacturer_data: Mapping[int, bytes] | None = None,
) -> BleProfile | None:
    """The supported device an advertisement belongs to, or None.

    Recognised by name (exact or prefix), advertised service UUID, or, for an advertising
    device (the WH-C06), by manufacturer data of its company that reaches
    ``min_advert_bytes``; company IDs are often borrowed (the WH-C06's 0x0100 belongs to
    another firm), so a device with another name is not taken for it.
    """
    uuids = {u.lower() for u in service_uuids}
    for profile in BLE_PROFILES.values():
        if profile.company_id is not None:
            payload = (manufacturer_data or {}).get(profile.company_id)
            if (
                payload is not None
                and len(payload) >= profile.min_advert_bytes
                and name in (None, "", *profile.names)
            ):
                return profile
            continue
        named = name is not None and _named(profile, name)
        advertised = bool(uuids.intersection(profile.service_uuids))
        if (named and advertised) if profile.requires_name else (named or advertised):
            return profile
    return None
