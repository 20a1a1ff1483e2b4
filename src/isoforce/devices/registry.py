"""The devices isoforce knows, as declarative specs, and the codec each one speaks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from isoforce.core.effort_key import Capabilities
from isoforce.devices.base import Decoder, DeviceKind, DeviceSpec, imu_spec, push_only
from isoforce.devices.ble_specs import BLE_DEVICES, BLE_PROFILES
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from isoforce.devices.serial_specs import SERIAL_DEVICES, SERIAL_PROFILES

#: Simulated HX711-class load cell: ~2250 counts per newton around a mid-scale zero.
SIM_N_PER_COUNT = 1.0 / 2250.0
SIM_OFFSET_COUNTS = 84_000.0

SIM_LOAD = DeviceSpec(
    key="sim",
    title="Simulated load cell (virtual athlete)",
    transport=DeviceKind.SIM,
    capabilities=Capabilities(push=True, pull=True),
    nominal_rate_hz=80.0,
    force_channel="load_raw",
    n_per_count=SIM_N_PER_COUNT,
    offset_counts=SIM_OFFSET_COUNTS,
    notes="S-beam cell with a strap: measures push (PAILs) and pull (RAILs). No hardware needed.",
)

SIM_LOAD_PUSH_ONLY = push_only(
    SIM_LOAD, "sim-push", "Simulated compression-only cell (virtual athlete)"
)

SIM_IMU = imu_spec(
    "sim-imu",
    "Simulated IMU on the shank",
    DeviceKind.SIM,
    nominal_rate_hz=400.0,
    notes="Accelerometer + gyro: angle, stillness and an effort *estimate* only.",
)

SIM_DUAL = replace(
    SIM_LOAD,
    key="sim-dual",
    title="Simulated load cell + IMU on the shank (virtual athlete)",
    capabilities=Capabilities(push=True, pull=True, imu=True),
    nominal_rate_hz=400.0,
    notes=(
        "Dual mode: the cell measures, the IMU adds angle, stillness and an effort estimate "
        "whose error against the cell is reported per session."
    ),
)

DEVICES: dict[str, DeviceSpec] = {
    spec.key: spec
    for spec in (
        SIM_LOAD,
        SIM_LOAD_PUSH_ONLY,
        SIM_IMU,
        SIM_DUAL,
        *SERIAL_DEVICES,
        *BLE_DEVICES,
    )
}

DECODERS: dict[str, Callable[[], Decoder]] = {
    "sim": IsoforceFrameDecoder,
    "sim-push": IsoforceFrameDecoder,
    "sim-imu": IsoforceFrameDecoder,
    "sim-dual": IsoforceFrameDecoder,
    **{key: profile.decoder for key, profile in SERIAL_PROFILES.items()},
    **{key: profile.decoder for key, profile in BLE_PROFILES.items()},
}


def device_spec(key: str) -> DeviceSpec:
    """Look a device up by key; ``KeyError`` lists the known keys."""
    try:
        return DEVICES[key]
    except KeyError:
        raise KeyError(f"unknown device {key!r}; known: {', '.join(sorted(DEVICES))}") from None


def new_decoder(key: str) -> Decoder:
    """A fresh decoder for the device with this key."""
    return DECODERS[device_spec(key).key]()
