"""Movesense GSP data notifications (GATT SensorData Protocol): IMU6 records, PART2, responses."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import movesense as ms
from isoforce.devices.base import DeviceMessage
from isoforce.units import STANDARD_GRAVITY_M_S2

Vec = tuple[float, float, float]


def record(ts_ms: int, acc: list[Vec], gyro: list[Vec], ref: int = 0x63, kind: int = 2) -> bytes:
    """``<kind> <ref> <u32 ms> <acc xyz × N> <gyro xyz × N>`` with struct, little-endian."""
    body = struct.pack("<I", ts_ms) + b"".join(struct.pack("<3f", *v) for v in acc + gyro)
    return bytes((kind, ref)) + body


def blocks(items: list[SampleBlock | DeviceMessage]) -> list[SampleBlock]:
    return [i for i in items if isinstance(i, SampleBlock)]


def test_documented_example_and_commands() -> None:
    assert ms.EXAMPLES == (record(1000, [(0.0, 0.0, 9.80665)], [(10.0, -20.0, 0.5)]),)
    (block,) = blocks(ms.MovesenseDecoder().feed(0.0, ms.EXAMPLES[0]))
    assert block.channels == ms.CHANNELS
    assert np.allclose(block.values, [[0, 0, 1, 10, -20, 0.5]])
    assert ms.subscribe("/Meas/IMU6/208") == b"\x01\x63/Meas/IMU6/208"
    assert ms.unsubscribe() == b"\x02\x63"
    assert [w.data for w in ms.PROFILE.start] == [b"\x02\x63", b"\x01\x63/Meas/IMU6/208"]
    with pytest.raises(ValueError, match="13, 26, 52"):
        ms.imu6_path(100)


def test_samples_follow_the_sensor_clock_at_the_rate() -> None:
    dec = ms.MovesenseDecoder(rate_hz=208)
    acc = [(0.0, float(i), 0.0) for i in range(4)]
    gyro = [(float(i), 0.0, 0.0) for i in range(4)]
    (first,) = blocks(dec.feed(5.0, record(10_000, acc, gyro)))
    (second,) = blocks(dec.feed(5.1, record(10_019, acc, gyro)))
    assert first.column("acc_y_g").tolist() == [i / STANDARD_GRAVITY_M_S2 for i in range(4)]
    assert first.column("gyro_x_dps").tolist() == [0.0, 1.0, 2.0, 3.0]
    assert np.allclose(first.t_s, np.arange(4) / 208)
    assert second.t_s[0] == pytest.approx(0.019)
    assert np.all(np.diff(np.concatenate([first.t_s, second.t_s])) > 0)


def test_part2_completes_a_split_record() -> None:
    dec = ms.MovesenseDecoder()
    whole = record(500, [(1.0, 2.0, 3.0)] * 3, [(4.0, 5.0, 6.0)] * 3)
    cut = 50  # not a whole number of samples after the 6-byte head
    assert dec.feed(0.0, whole[:cut]) == []
    (block,) = blocks(dec.feed(0.01, bytes((3, 0x63)) + whole[cut:]))
    assert len(block) == 3 and block.column("gyro_z_dps").tolist() == [6.0] * 3
    assert dec.feed(0.02, bytes((3, 0x63)) + whole[cut:]) == []  # a PART2 with nothing before
    assert dec.stats.other["orphan_parts"] == 1


def test_responses_other_references_and_garbage() -> None:
    dec = ms.MovesenseDecoder()
    (msg,) = dec.feed(0.0, b"\x01\x63\x00\xc8")
    assert isinstance(msg, DeviceMessage) and msg.text == "reference 99: status 200"
    assert dec.feed(0.0, record(1, [(0, 0, 1)], [(0, 0, 0)], ref=7)) == []
    assert dec.stats.other["other_references"] == 1
    bad = record(2, [(float("nan"), 0, 1), (999.0, 0, 0)], [(0, 0, 0), (0, 0, 0)])
    assert blocks(dec.feed(0.1, bad)) == []
    assert dec.stats.non_finite == 1 and dec.stats.out_of_range == 1
    assert dec.feed(0.2, b"\x09") == [] and dec.stats.bytes_dropped == 1


def test_recognised_by_name_or_gsp_service() -> None:
    from isoforce.devices.ble_specs import recognise

    by_name = recognise(
        name="Movesense 204730000081", service_uuids=["0000fe06-0000-1000-8000-00805f9b34fb"]
    )
    by_service = recognise(name=None, service_uuids=[ms.SERVICE_UUID])
    assert by_name is not None and by_service is not None
    assert by_name.key == by_service.key == "movesense"
