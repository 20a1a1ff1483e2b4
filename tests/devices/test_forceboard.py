"""Force Board notifications (device-protocols.md §2): u16 BE count + 3-byte samples in lbf."""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices import forceboard as fb
from isoforce.devices.base import DeviceMessage
from isoforce.devices.ble_profile import parse_battery_percent
from isoforce.units import N_PER_LBF


def note(*samples: bytes, count: int | None = None) -> bytes:
    n = len(samples) if count is None else count
    return n.to_bytes(2, "big") + b"".join(samples)


def blocks(items: list[SampleBlock | DeviceMessage]) -> list[SampleBlock]:
    return [i for i in items if isinstance(i, SampleBlock)]


def test_quoted_formula_and_pounds_to_newtons() -> None:
    # "byte1·32768 + byte2·256 + byte3": 00 01 2C = 300 lbf, 00 00 05 = 5 lbf
    dec = fb.ForceBoardDecoder()
    (block,) = blocks(dec.feed(2.0, note(b"\x00\x01\x2c", b"\x00\x00\x05", b"\x00\x7f\xff")))
    assert block.column("force_n").tolist() == [300 * N_PER_LBF, 5 * N_PER_LBF, 32767 * N_PER_LBF]
    assert block.t_host_s[-1] == 2.0 and np.all(np.diff(block.t_host_s) > 0)
    assert dec.stats.frames_ok == 1 and dec.stats.other["high_byte_samples"] == 0
    assert fb.EXAMPLES == (note(b"\x00\x01\x2c"), note(b"\x00\x00\x05"))


def test_readings_differ_only_with_the_top_byte_and_are_flagged() -> None:
    signed = fb.ForceBoardDecoder()
    quoted = fb.ForceBoardDecoder(encoding=fb.SampleEncoding.QUOTED)
    data = note(b"\xff\xff\xfe", b"\x01\x00\x00")  # -2 (after tare) and a top byte of 1
    s_items = signed.feed(0.0, data)
    q_items = quoted.feed(0.0, data)
    assert blocks(s_items)[0].column("force_n").tolist() == [-2 * N_PER_LBF, 65536 * N_PER_LBF]
    assert blocks(q_items)[0].column("force_n").tolist() == [
        (255 * 32768 + 255 * 256 + 254) * N_PER_LBF,
        32768 * N_PER_LBF,
    ]
    warnings = [i for i in s_items if isinstance(i, DeviceMessage)]
    assert len(warnings) == 1 and warnings[0].kind == "warning"
    assert signed.stats.other["high_byte_samples"] == 1
    assert not [i for i in signed.feed(0.1, data) if isinstance(i, DeviceMessage)]  # once


def test_count_header_is_trusted() -> None:
    dec = fb.ForceBoardDecoder()
    (block,) = blocks(dec.feed(0.0, note(b"\x00\x00\x01", b"\x00\x00\x02", count=1)))
    assert block.column("force_n").tolist() == [1 * N_PER_LBF]
    assert dec.stats.bytes_dropped == 3
    (block,) = blocks(dec.feed(0.1, note(b"\x00\x00\x03", count=4)))
    assert len(block) == 1 and dec.stats.samples_lost == 3
    assert dec.feed(0.2, note(count=0)) == []
    assert dec.feed(0.3, b"\x00") == []


def test_lbf_per_count_option() -> None:
    dec = fb.ForceBoardDecoder(lbf_per_count=0.1)
    (block,) = blocks(dec.feed(0.0, note(b"\x00\x00\x0a")))
    assert np.isclose(block.column("force_n")[0], 1.0 * N_PER_LBF)


def test_commands() -> None:
    assert fb.mode_command(fb.MODE_STREAM) == b"\x04"
    assert fb.mode_command(fb.MODE_IDLE) == b"\x07"
    assert parse_battery_percent(b"\x57") == 87
    assert parse_battery_percent(b"") is None
