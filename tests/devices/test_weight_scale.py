"""Bluetooth SIG Weight Scale: Weight Measurement and Feature (device-protocols.md §15)."""

from __future__ import annotations

import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import weight_scale as ws
from isoforce.devices.base import DeviceMessage
from isoforce.units import N_PER_KGF, N_PER_LBF


def force(data: bytes) -> float | None:
    dec = ws.WeightScaleDecoder()
    blocks = [b for b in dec.feed(0.0, data) if isinstance(b, SampleBlock)]
    return float(blocks[0].column("force_n")[0]) if blocks else None


def test_si_and_imperial_resolutions() -> None:
    assert force(bytes.fromhex("00 8813")) == pytest.approx(25.0 * N_PER_KGF)  # 5000 × 0.005
    assert force(bytes.fromhex("01 1027")) == pytest.approx(100.0 * N_PER_LBF)  # 10000 × 0.01


@pytest.mark.parametrize(
    ("flags", "optional"),
    [
        (0x02, "EA07 0C 05 10 1E 00"),  # time stamp
        (0x04, "03"),  # user 3
        (0x08, "F000 B400"),  # BMI, height
        (0x0E, "EA07 0C 05 10 1E 00 FF F000 B400"),  # all of them
    ],
)
def test_optional_fields_are_skipped_by_their_flags(flags: int, optional: str) -> None:
    data = bytes((flags,)) + bytes.fromhex("E803") + bytes.fromhex(optional)
    assert force(data) == pytest.approx(5.0 * N_PER_KGF)
    assert force(data[:-1]) is None  # shorter than its flags announce


def test_unsuccessful_measurement_is_a_message_not_a_weight() -> None:
    dec = ws.WeightScaleDecoder()
    (item,) = dec.feed(0.0, bytes.fromhex("00 FFFF"))
    assert isinstance(item, DeviceMessage) and "unsuccessful" in item.text
    assert dec.stats.other["unsuccessful"] == 1


def test_short_measurements_are_dropped_and_counted() -> None:
    dec = ws.WeightScaleDecoder()
    assert dec.feed(0.0, b"\x00\x01") == [] and dec.feed(0.0, b"") == []
    assert dec.stats.bytes_dropped == 2 and dec.stats.resyncs == 1


def test_feature_resolution() -> None:
    assert ws.parse_feature((4 << 3).to_bytes(4, "little")) == "0.05 kg / 0.1 lb"
    assert ws.parse_feature((7 << 3 | 1).to_bytes(4, "little")) == "0.005 kg / 0.01 lb"
    assert ws.parse_feature(bytes(4)) == "resolution not specified"
    assert ws.parse_feature(b"\x01") is None


def test_profile_indicates_and_never_counts_a_quiet_scale_as_lost() -> None:
    assert ws.PROFILE.notify_uuid == ws.MEASUREMENT_UUID and ws.PROFILE.silence_timeout_s is None
    assert not ws.SPEC.experimental  # every fact is the SIG specification's
