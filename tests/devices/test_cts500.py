"""CTS500 / CTS-300 frames (device-protocols.md §7): checksummed 6- and 7-byte frames, kg / 100."""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices import cts500
from isoforce.devices.base import DeviceMessage
from isoforce.units import N_PER_KGF


def weight(counts: int, kind: int = 0x01) -> bytes:
    """``05 XX W3 W2 W1 W0 SUM`` built here with int.to_bytes (not with the decoder's helpers)."""
    body = bytes((0x05, kind)) + (counts & 0xFFFFFFFF).to_bytes(4, "big")
    return body + bytes((sum(body) % 256,))


def forces(items: list[SampleBlock | DeviceMessage]) -> list[float]:
    return [v for i in items if isinstance(i, SampleBlock) for v in i.column("force_n").tolist()]


def test_documented_example_and_commands() -> None:
    assert cts500.EXAMPLES == (weight(2500),)
    assert forces(cts500.Cts500Decoder().feed(0.0, weight(2500))) == [25.0 * N_PER_KGF]
    # 05 OP 00 00 00 SUM: tare A6, start AA, stop AB (both sources)
    assert cts500.command(0xA6).hex() == "05a6000000ab"
    assert [w.data.hex() for w in cts500.PROFILE.start + cts500.PROFILE.stop] == [
        "05aa000000af",
        "05ab000000b0",
    ]


def test_split_merged_and_resynchronised() -> None:
    dec = cts500.Cts500Decoder()
    stream = weight(100) + weight(-250) + b"\x05\x01\x99" + weight(12345)
    got: list[float] = []
    for i in range(0, len(stream), 4):  # every frame cut somewhere
        got += forces(dec.feed(i * 0.01, stream[i : i + 4]))
    assert got == [1.0 * N_PER_KGF, -2.5 * N_PER_KGF, 123.45 * N_PER_KGF]
    assert dec.stats.frames_ok == 3 and dec.stats.bytes_dropped == 3


def test_bad_checksum_is_counted_and_skipped() -> None:
    dec = cts500.Cts500Decoder()
    bad = bytearray(weight(500))
    bad[-1] ^= 0xFF
    assert forces(dec.feed(0.0, bytes(bad) + weight(600))) == [6.0 * N_PER_KGF]
    assert dec.stats.checksum_errors == 1


def test_acknowledgements_and_typed_responses() -> None:
    dec = cts500.Cts500Decoder()
    ack = cts500.command(0xAA)
    battery = bytes((0x05, 0x80, 0xC4, 0x00, 0x01, 0x9A))  # 0x019A = 410 → 4.10 V
    battery += bytes((sum(battery) % 256,))
    items = dec.feed(0.0, ack + battery + weight(1))
    assert forces(items) == [0.01 * N_PER_KGF]
    assert [i.kind for i in items if isinstance(i, DeviceMessage)] == ["response"]
    assert dec.stats.other["acks"] == 1
    assert cts500.parse_battery_v(battery) == 4.1
    assert cts500.parse_battery_v(weight(1)) is None


def test_long_runs_decode_at_once_like_one_by_one() -> None:
    counts = np.random.default_rng(1).integers(-5000, 50_000, 500)
    stream = b"".join(weight(int(c)) for c in counts)
    whole = forces(cts500.Cts500Decoder().feed(0.0, stream))
    assert whole == [c * 0.01 * N_PER_KGF for c in counts.tolist()]


def test_garbage_weights_are_refused() -> None:
    dec = cts500.Cts500Decoder()
    assert forces(dec.feed(0.0, weight(0x7FFFFFFF) + weight(5))) == [0.05 * N_PER_KGF]
    assert dec.stats.out_of_range == 1


def test_recognised_by_name_only_with_its_generic_service() -> None:
    from isoforce.devices.ble_specs import recognise

    ffe0 = ["0000ffe0-0000-1000-8000-00805f9b34fb"]
    for name in ("CTS500", "CTS-300"):
        profile = recognise(name=name, service_uuids=ffe0)
        assert profile is not None and profile.key == "cts500"
    assert recognise(name="HMSoft", service_uuids=ffe0) is None  # any HM-10 module
    assert recognise(name="CTS500", service_uuids=[]) is None
