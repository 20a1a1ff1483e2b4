"""Vernier Go Direct packets (device-protocols.md §11, godirect-py): commands and measurements."""

from __future__ import annotations

import struct

from isoforce.core.samples import SampleBlock
from isoforce.devices import vernier_gdx as gdx
from isoforce.devices.base import DeviceMessage


def measurement(values: list[list[float]], mask: int = 0b10) -> bytes:
    """A NORMAL_REAL32 packet: one row per round, one float per sensor in ``mask``."""
    floats = b"".join(struct.pack("<f", v) for row in values for v in row)
    packet = bytearray((0x20, 9 + len(floats), 0x01, 0, 0x06))
    packet += struct.pack("<Hb", mask, len(values)) + b"\x00" + floats
    packet[3] = (sum(packet) - packet[3]) % 256
    return bytes(packet)


def forces(items: list[SampleBlock | DeviceMessage]) -> list[float]:
    return [v for i in items if isinstance(i, SampleBlock) for v in i.column("force_n").tolist()]


def test_documented_example() -> None:
    assert gdx.EXAMPLES == (measurement([[12.5]]),)
    assert forces(gdx.VernierGdxDecoder().feed(0.0, gdx.EXAMPLES[0])) == [12.5]


def test_commands_have_length_counter_and_checksum() -> None:
    init, period, start = gdx.START_COMMANDS
    assert init[:5] == bytes((0x58, 25, 0xFE, init[3], 0x1A)) and len(init) == 25
    assert sum(init[:3] + init[4:]) % 256 == init[3]
    assert period.hex() == "580ffdb51bff001027000000000000"  # 10 000 µs
    assert start[4] == 0x18 and start[5:11] == b"\xff\x01\x02\x00\x00\x00"  # sensor 1
    pieces = [w.data for w in gdx.PROFILE.start]
    assert max(map(len, pieces)) <= 20 and b"".join(pieces) == init + period + start
    assert all(not w.response for w in gdx.PROFILE.start)


def test_several_sensors_and_rounds_take_sensor_one() -> None:
    # mask 0b111: sensors 0, 1, 2 — force is the middle column
    data = measurement([[9.0, 1.5, -3.0], [9.0, -2.25, -3.0]], mask=0b111)
    assert forces(gdx.VernierGdxDecoder().feed(0.0, data)) == [1.5, -2.25]


def test_reassembled_across_notifications_and_responses_skipped() -> None:
    dec = gdx.VernierGdxDecoder()
    response = bytearray((0x58, 6, 0xFE, 0, 0x1A, 0x00))  # an answer naming its command
    response[3] = (sum(response)) % 256
    stream = bytes(response) + measurement([[1.0], [2.0], [3.0]]) + measurement([[4.0]])
    got: list[float] = []
    for i in range(0, len(stream), 7):
        got += forces(dec.feed(i * 0.01, stream[i : i + 7]))
    assert got == [1.0, 2.0, 3.0, 4.0]
    assert dec.stats.other["responses"] == 1 and dec.stats.bytes_dropped == 0


def test_other_types_and_missing_force_are_counted() -> None:
    dec = gdx.VernierGdxDecoder()
    start_time = bytes((0x20, 9, 0x01, 0, 0x0C, 0, 0, 0, 0))
    assert dec.feed(0.0, start_time + measurement([[1.0]], mask=0b100)) == []
    assert dec.stats.other["other_types"] == 1 and dec.stats.other["no_force"] == 1


def test_garbage_before_a_packet_costs_at_most_that_packet() -> None:
    dec = gdx.VernierGdxDecoder()
    got = forces(dec.feed(0.0, b"\x00 \x00\x00\x18" + measurement([[7.0]]) + measurement([[8.0]])))
    assert got[-1] == 8.0 and dec.stats.bytes_dropped >= 5
    assert forces(dec.feed(0.1, measurement([[float("nan")], [5e6], [3.0]]))) == [3.0]
    assert dec.stats.non_finite == 1 and dec.stats.out_of_range == 1


def test_recognised_by_name_prefix() -> None:
    from isoforce.devices.ble_specs import recognise

    for name in ("GDX-FOR 071000U9", "GDX-HD 151000C1"):
        profile = recognise(name=name)
        assert profile is not None and profile.key == "vernier-gdx"
