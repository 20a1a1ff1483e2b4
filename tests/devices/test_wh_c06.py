"""WH-C06 advertisement payloads (device-protocols.md §3), built from the Mito template layout."""

from __future__ import annotations

import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import wh_c06 as wh
from isoforce.devices.base import DeviceMessage
from isoforce.units import N_PER_KGF, N_PER_LBF

# Mito's raw template (19 bytes incl. company ID): 00 01 / 02 03 11 FF FF FF FF FF FF / 01 /
# WW WW / 01 F4 / 01 / TT TT; bleak strips the two company-ID bytes.
HEAD = bytes.fromhex("02 03 11 FF FF FF FF FF FF 01")


def payload(weight: bytes, unit: int = 0x01, counter: bytes = b"\x00\x07") -> bytes:
    return HEAD + weight + b"\x01\xf4" + bytes((unit,)) + counter


def force(items: list[SampleBlock | DeviceMessage]) -> float:
    (block,) = [i for i in items if isinstance(i, SampleBlock)]
    return float(block.column("force_n")[0])


def test_weight_at_offset_10_big_endian_hundredths() -> None:
    dec = wh.WhC06Decoder()
    assert force(dec.feed(1.0, payload(b"\x09\xc4"))) == 2500 * 0.01 * N_PER_KGF  # 25.00 kg
    assert dec.stats.frames_ok == 1
    assert wh.EXAMPLES == (payload(b"\x09\xc4"), payload(b"\xff\xfb"))


def test_signed_by_default_unsigned_as_option() -> None:
    data = payload(b"\xff\xfb")  # -0.05 kg after a tare
    assert force(wh.WhC06Decoder().feed(0.0, data)) == -5 * 0.01 * N_PER_KGF
    assert force(wh.WhC06Decoder(signed=False).feed(0.0, data)) == 65531 * 0.01 * N_PER_KGF


@pytest.mark.parametrize(
    ("unit", "zero_is_lb", "n_per_unit"),
    [
        (0x01, False, N_PER_KGF),
        (0xA1, False, N_PER_KGF),  # "hold" flag in the high nibble
        (0x02, False, N_PER_LBF),
        (0x00, False, N_PER_KGF),  # the safer reading of nibble 0
        (0x00, True, N_PER_LBF),  # Mito's reading
        (0xA0, True, N_PER_LBF),
    ],
)
def test_unit_nibble(unit: int, zero_is_lb: bool, n_per_unit: float) -> None:
    dec = wh.WhC06Decoder(zero_nibble_is_lb=zero_is_lb)
    assert force(dec.feed(0.0, payload(b"\x00\x64", unit))) == 100 * 0.01 * n_per_unit


def test_unit_change_is_reported_and_unknown_units_counted() -> None:
    dec = wh.WhC06Decoder()
    dec.feed(0.0, payload(b"\x00\x01", 0x01))
    items = dec.feed(0.5, payload(b"\x00\x01", 0x09))
    assert [i.kind for i in items if isinstance(i, DeviceMessage)] == ["unit"]
    assert dec.stats.other["unknown_units"] == 1


def test_short_payloads_are_dropped() -> None:
    dec = wh.WhC06Decoder()
    assert dec.feed(0.0, HEAD) == []
    assert dec.feed(0.0, b"") == []
    assert dec.stats.bytes_dropped == len(HEAD)
