"""Any scale with the Bluetooth SIG Weight Scale Service: Weight Measurement indications.

Spec (device-protocols.md §15, confidence A: the GATT Specification Supplement §3.252/§3.253
as implemented by StanfordSpezi/SpeziBluetooth)::

    discover     service 0x181D advertised
    measurement  0x2A9D  indicate (required)
    feature      0x2A9E  read, uint32 LE: bit 0 time stamp, bit 1 multiple users, bit 2 BMI,
                 bits 3–6 weight resolution (0 unspecified, 1 0.5 kg, 2 0.2, 3 0.1, 4 0.05,
                 5 0.02, 6 0.01, 7 0.005 kg; in pounds 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01)

    measurement = [flags u8][weight u16 LE][time stamp: 7 bytes, if flag bit 1]
                  [user ID u8, if bit 2][BMI u16 + height u16, if bit 3]
    flag bit 0:   0 = SI, weight × 0.005 kg; 1 = imperial, weight × 0.01 lb

Scales indicate one measurement per weighing (most wait until the reading is stable), so this
is a slow, irregular device: fine for a held load, useless for rate of force development.
Readings are stamped with host arrival time; the optional time stamp (1 s resolution) is not
used. ``0xFFFF`` is read as "measurement unsuccessful" (a special value of the Weight Scale
specification as recalled here, not in the design notes: unverified) and counted, never read
as 327.675 kg. A measurement shorter than its flags announce is counted and dropped. Entralpi
plates reuse the 0x181D service UUID with their own payload: they are recognised by name first
(``ble_specs`` tries the Entralpi before this profile).
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BATTERY_QUERY, BleProfile, Query
from isoforce.units import N_PER_KGF, N_PER_LBF

SERVICE_UUID = "0000181d-0000-1000-8000-00805f9b34fb"
MEASUREMENT_UUID = "00002a9d-0000-1000-8000-00805f9b34fb"
FEATURE_UUID = "00002a9e-0000-1000-8000-00805f9b34fb"

FLAG_IMPERIAL = 0x01
FLAG_TIME_STAMP = 0x02
FLAG_USER_ID = 0x04
FLAG_BMI_HEIGHT = 0x08
KG_PER_COUNT = 0.005
LB_PER_COUNT = 0.01
UNSUCCESSFUL = 0xFFFF
HEAD_BYTES = 3  # flags + weight
OPTIONAL_BYTES = ((FLAG_TIME_STAMP, 7), (FLAG_USER_ID, 1), (FLAG_BMI_HEIGHT, 4))
#: Weight resolution codes of the feature (bits 3–6): kg and lb steps.
RESOLUTIONS: dict[int, tuple[float, float]] = {
    1: (0.5, 1.0),
    2: (0.2, 0.5),
    3: (0.1, 0.2),
    4: (0.05, 0.1),
    5: (0.02, 0.05),
    6: (0.01, 0.02),
    7: (0.005, 0.01),
}
#: One indication per weighing; an assumption for spacing, scales publish no rate.
NOMINAL_RATE_HZ = 1.0

SPEC = force_spec(
    "sig-weight-scale",
    "Bluetooth SIG Weight Scale (service 0x181D): one reading per weighing",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "Standard scales: one indicated reading per weighing (0.005 kg or 0.01 lb steps → N), "
        "host-timed: for slow holds only. Source: Bluetooth Weight Scale Service "
        "(device-protocols.md §15)."
    ),
)


def parse_feature(value: bytes) -> str | None:
    """The Weight Scale Feature as text: its weight resolution, None if too short."""
    if len(value) < 4:
        return None
    code = (int.from_bytes(value[:4], "little") >> 3) & 0x0F
    steps = RESOLUTIONS.get(code)
    return "resolution not specified" if steps is None else f"{steps[0]:g} kg / {steps[1]:g} lb"


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: WeightScaleDecoder(),  # defined below
    notify_uuid=MEASUREMENT_UUID,
    queries=(BATTERY_QUERY, Query("resolution", parse_feature, read_uuid=FEATURE_UUID)),
    silence_timeout_s=None,  # quiet between weighings; a lost link still shows
    service_uuids=(SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §15: flags 00 (SI, nothing optional), weight 0x1388 = 5000 × 0.005
    # = 25 kg (tests/devices/test_weight_scale.py)
    bytes.fromhex("00 8813"),
    # flags 03: imperial with a time stamp (2026-12-05 16:30:00), 0x2710 × 0.01 = 100 lb
    bytes.fromhex("03 1027 EA07 0C 05 10 1E 00"),
)


def measurement_bytes(flags: int) -> int:
    """How long a measurement with these flags is."""
    return HEAD_BYTES + sum(size for bit, size in OPTIONAL_BYTES if flags & bit)


class WeightScaleDecoder(HostTimedDecoder):
    """Decodes one Weight Measurement indication per ``feed``; never raises.

    ``stats.other`` counts ``unsuccessful`` measurements (0xFFFF) and ``extra_bytes``.
    """

    COUNTERS = ("unsuccessful", "extra_bytes")
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one measurement."""
        if len(data) < HEAD_BYTES or len(data) < measurement_bytes(data[0]):
            self.stats.bad_lengths += 1 if len(data) >= HEAD_BYTES else 0
            return self._refuse(len(data))
        flags, counts = data[0], int.from_bytes(data[1:3], "little")
        self.stats.other["extra_bytes"] += len(data) - measurement_bytes(flags)
        self.stats.frames_ok += 1
        if counts == UNSUCCESSFUL:
            self.stats.other["unsuccessful"] += 1
            return [
                DeviceMessage(t_host_s, "warning", "the scale reports an unsuccessful weighing")
            ]
        per_count_n = (
            LB_PER_COUNT * N_PER_LBF if flags & FLAG_IMPERIAL else KG_PER_COUNT * N_PER_KGF
        )
        block = self._force_block(t_host_s, np.array([counts * per_count_n]))
        return [] if block is None else [block]
