"""Weiheng WH-C06 hanging scale ("MAT Muscle Meter"): weight in its advertisements only.

The scale has no GATT data path: it broadcasts the current reading in the manufacturer-specific
data of its advertisements (device-protocols.md §3: hangtime-grip-connect, Grip Gains
Companion, and the Mito firmware that emulates the scale). Layout of the manufacturer data for
company ID 0x0100 *after* the two ID bytes (bleak strips them; iOS keeps them, +2)::

    offset  size  field
    0       10    unknown (a Mito template fills 02 03 11 FF FF FF FF FF FF 01)
    10      2     weight, big-endian, 0.01 of the display unit
    12      2     unknown (constant 01 F4 in the template)
    14      1     low nibble: display unit; high nibble: "stable/hold" flag (unverified)
    15      2     counter or timestamp (unverified)

Conflicts (§19.4) and the readings chosen here, the safer ones:

- *Signedness*: Grip Gains reads a signed int16 (negative after tare), hangtime-grip-connect
  an unsigned one. Default signed: an unsigned reading would turn -0.05 kg into 655 kg.
  ``signed=False`` selects the other reading.
- *Unit nibble*: Grip Gains: 1 kg, 2 lb, 3 stone, 4 jin; Mito writes 0 for lb and 1 for kg.
  Both agree on 1 = kg and Grip Gains defines 2 = lb. Nibble 0 is read as **kg** by default:
  if it really means lb, force is over- rather than under-reported (a too-high effort reading
  makes the user ease off). ``zero_nibble_is_lb=True`` selects Mito's reading. Unknown
  nibbles are read as kg and counted.

**Rate**: one reading per advertisement the host hears, about 2 per second and irregular
(both apps treat 10 s without advertisements as a lost scale). There is no device clock; each
reading is stamped with its host arrival time. Good for slow holds, not for rate of force
development. The scale has no remote tare: use its button, or isoforce's software tare.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BleProfile
from isoforce.units import N_PER_KGF, N_PER_LBF

COMPANY_ID = 0x0100
LOCAL_NAME = "IF_B7"
WEIGHT_OFFSET = 10
WEIGHT_BYTES = 2
UNIT_OFFSET = 14
#: Manufacturer data must reach the unit byte.
MIN_PAYLOAD_BYTES = UNIT_OFFSET + 1
WEIGHT_STEP = 0.01  # of the display unit
NOMINAL_RATE_HZ = 2.0
#: Both apps declare the scale lost after this long without an advertisement.
SILENCE_TIMEOUT_S = 10.0

UNIT_KG = 1
UNIT_LB = 2
UNIT_STONE = 3
UNIT_JIN = 4
STONE_KG = 14 * 0.45359237
JIN_KG = 0.5
NEWTONS_PER_UNIT: dict[int, float] = {
    UNIT_KG: N_PER_KGF,
    UNIT_LB: N_PER_LBF,
    UNIT_STONE: STONE_KG * N_PER_KGF,
    UNIT_JIN: JIN_KG * N_PER_KGF,
}


SPEC = force_spec(
    "wh-c06",
    "WH-C06 hanging scale (advertisements only, about 2 readings/s)",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "Broadcasts its reading about twice a second: fine for slow holds, too slow for rate "
        "of force development. No remote tare (use its button or isoforce's software tare)."
    ),
)

PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: WhC06Decoder(),  # defined below
    notify_uuid=None,
    company_id=COMPANY_ID,
    min_advert_bytes=MIN_PAYLOAD_BYTES,
    silence_timeout_s=SILENCE_TIMEOUT_S,
    names=(LOCAL_NAME,),
)

EXAMPLES: tuple[bytes, ...] = (
    # Mito's template (02 03 11 FF FF FF FF FF FF 01) holding 25.00 kg (09 C4), then 01 F4,
    # unit 01 = kg, counter 00 07 (tests/devices/test_wh_c06.py, test_ble_specs.py)
    bytes.fromhex("0203 11FF FFFF FFFF FF01 09C4 01F4 01 0007"),
    # the same after a tare: -0.05 kg (FF FB, signed)
    bytes.fromhex("0203 11FF FFFF FFFF FF01 FFFB 01F4 01 0007"),
)


class WhC06Decoder(HostTimedDecoder):
    """Decodes one manufacturer-data payload (company 0x0100, ID stripped) per ``feed``."""

    COUNTERS = ("unknown_units",)
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def __init__(
        self,
        *,
        signed: bool = True,
        zero_nibble_is_lb: bool = False,
        nominal_rate_hz: float = NOMINAL_RATE_HZ,
    ) -> None:
        super().__init__(nominal_rate_hz=nominal_rate_hz)
        self.signed = signed
        self.zero_nibble_is_lb = zero_nibble_is_lb
        self.unit_nibble: int | None = None
        """The unit nibble of the latest reading."""

    def newtons_per_unit(self, unit_byte: int) -> float:
        """Newtons per display unit for a unit byte (see the module notes on nibble 0)."""
        nibble = unit_byte & 0x0F
        if nibble == 0 and self.zero_nibble_is_lb:
            nibble = UNIT_LB
        per_unit = NEWTONS_PER_UNIT.get(nibble)
        if per_unit is None:
            if nibble != 0:
                self.stats.other["unknown_units"] += 1
            per_unit = N_PER_KGF
        return per_unit

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one advertisement's manufacturer data."""
        if len(data) < MIN_PAYLOAD_BYTES:
            return self._refuse(len(data))
        raw = data[WEIGHT_OFFSET : WEIGHT_OFFSET + WEIGHT_BYTES]
        steps = int.from_bytes(raw, "big", signed=self.signed)
        unit = data[UNIT_OFFSET]
        force_n = steps * WEIGHT_STEP * self.newtons_per_unit(unit)
        out: list[SampleBlock | DeviceMessage] = []
        if self.unit_nibble is not None and unit & 0x0F != self.unit_nibble:
            out.append(DeviceMessage(t_host_s, "unit", f"scale unit nibble now {unit & 0x0F}"))
        self.unit_nibble = unit & 0x0F
        self.stats.frames_ok += 1
        block = self._force_block(t_host_s, np.array([force_n]))
        return out if block is None else [*out, block]
