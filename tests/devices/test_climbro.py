"""Climbro hangboard: the marker-switched byte stream (device-protocols.md §5)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import climbro
from isoforce.devices.base import DeviceMessage
from isoforce.units import N_PER_KGF


def run(dec: climbro.ClimbroDecoder, *chunks: bytes) -> tuple[list[float], list[str]]:
    kg: list[float] = []
    texts: list[str] = []
    for i, chunk in enumerate(chunks):
        for item in dec.feed(0.1 * i, chunk):
            if isinstance(item, SampleBlock):
                kg += (item.column("force_n") / N_PER_KGF).tolist()
            else:
                assert isinstance(item, DeviceMessage)
                texts.append(f"{item.kind}: {item.text}")
    return [round(v, 9) for v in kg], texts


def test_force_marker_then_bytes_are_kilograms() -> None:
    assert run(climbro.ClimbroDecoder(), bytes.fromhex("F5 00 19 64"))[0] == [0, 25, 100]


def test_reserved_word_f6_is_36_kg() -> None:
    assert run(climbro.ClimbroDecoder(), bytes.fromhex("F5 23 F6 25"))[0] == [35, 36, 37]


def test_mode_carries_across_notifications_and_battery_interleaves() -> None:
    dec = climbro.ClimbroDecoder()
    kg, texts = run(dec, bytes.fromhex("F5 0A 0B"), bytes.fromhex("0C F0 E6 F5 0D"), b"\x0e")
    assert kg == [10, 11, 12, 13, 14]
    assert texts == ["battery: 100 %"]  # 0xE6 = 230: full
    assert dec.stats.other["battery_bytes"] == 1


def test_battery_map_is_linear_and_clipped() -> None:
    assert climbro.battery_percent(112) == 0.0
    assert climbro.battery_percent(171) == pytest.approx(50.0)
    assert climbro.battery_percent(230) == 100.0
    assert climbro.battery_percent(0) == 0.0 and climbro.battery_percent(239) == 100.0


def test_bytes_before_a_marker_and_reserved_bytes_are_counted_not_read() -> None:
    dec = climbro.ClimbroDecoder()
    kg, _ = run(dec, bytes.fromhex("10 11 F5 12 FF F7 13"))
    assert kg == [18, 19]
    assert dec.stats.other["unsynchronised"] == 2
    assert dec.stats.other["reserved_bytes"] == 2 and dec.stats.bytes_dropped == 4


def test_samples_of_one_notification_are_spread_at_the_nominal_rate() -> None:
    dec = climbro.ClimbroDecoder()
    (block,) = dec.feed(1.0, bytes.fromhex("F5 01 02 03"))
    assert isinstance(block, SampleBlock)
    assert np.allclose(np.diff(block.t_s), 1 / climbro.NOMINAL_RATE_HZ)
