"""Progressor data-point notifications, built with struct from device-protocols.md §1.

Each case names the rule it checks: the length byte is trusted (clones pad), every 8-byte record
is a sample, uint32 µs timestamps wrap and restart, responses and the low-power warning.
"""

from __future__ import annotations

import struct

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices import progressor as p
from isoforce.devices.base import DeviceMessage
from isoforce.units import N_PER_KGF


def weights(*records: tuple[float, int], pad: int = 0) -> bytes:
    """``01 <len>`` + ``<f32 kg><u32 µs>`` records (+ zero padding), as the device sends."""
    body = b"".join(struct.pack("<fI", kg, t_us) for kg, t_us in records)
    return bytes((1, len(body))) + body + b"\x00" * pad


def blocks(items: list[SampleBlock | DeviceMessage]) -> list[SampleBlock]:
    return [i for i in items if isinstance(i, SampleBlock)]


def f32(x: float) -> float:
    return float(np.float32(x))


def test_documented_clone_notification_with_padding() -> None:
    # device-protocols.md §1.3: 01 08 74 41 93 C2 76 BB C7 01 (00 00 00 00)
    # → code 1, length 8, -73.628 kg, 29 866 870 µs
    data = bytes.fromhex("01 08 74 41 93 C2 76 BB C7 01 00 00 00 00")
    assert p.EXAMPLES == (data,)
    dec = p.ProgressorDecoder()
    (block,) = blocks(dec.feed(5.0, data))
    kg = struct.unpack("<f", bytes.fromhex("744193C2"))[0]
    assert round(kg, 3) == -73.628
    assert block.column("force_n").tolist() == [kg * N_PER_KGF]
    assert block.t_s.tolist() == [0.0]
    assert block.t_host_s.tolist() == [5.0]
    assert dec.stats.other["padding_bytes"] == 4
    assert dec.stats.bytes_dropped == 0


def test_every_record_of_a_notification_is_a_sample() -> None:
    recs = [(10.5, 1000), (10.75, 13500), (11.0, 26000), (11.25, 38500)]
    dec = p.ProgressorDecoder()
    (block,) = blocks(dec.feed(1.0, weights(*recs)))
    assert block.column("force_n").tolist() == [f32(kg) * N_PER_KGF for kg, _ in recs]
    assert np.allclose(block.t_s, [0.0, 0.0125, 0.025, 0.0375], atol=0, rtol=1e-12)


def test_length_byte_is_trusted_over_notification_size() -> None:
    dec = p.ProgressorDecoder()
    # declared length 8 but 16 bytes of records follow: the second record is not data
    data = bytes((1, 8)) + struct.pack("<fI", 1.0, 0) + struct.pack("<fI", 2.0, 12500)
    (block,) = blocks(dec.feed(0.0, data))
    assert len(block) == 1
    assert dec.stats.bytes_dropped == 8  # non-zero trailing bytes are dropped, not padding


def test_truncated_and_partial_records_are_counted() -> None:
    dec = p.ProgressorDecoder()
    full = weights((1.0, 0), (2.0, 12500))
    assert len(blocks(dec.feed(0.0, full[:-3]))) == 1  # second record cut
    assert dec.stats.other["truncated"] == 1
    assert dec.stats.other["partial_record_bytes"] == 5
    odd = bytes((1, 11)) + struct.pack("<fI", 3.0, 25000) + b"\x01\x02\x03"
    assert len(blocks(dec.feed(0.1, odd))[0]) == 1
    assert dec.stats.other["partial_record_bytes"] == 8


def test_timestamps_unwrap_across_2_pow_32() -> None:
    dec = p.ProgressorDecoder()
    near = 2**32 - 20_000
    a = blocks(dec.feed(0.0, weights((1.0, near), (1.0, near + 12_500))))[0]
    b = blocks(dec.feed(0.0125, weights((1.0, (near + 25_000) % 2**32))))[0]
    c = blocks(dec.feed(0.025, weights((1.0, (near + 37_500) % 2**32))))[0]
    t = np.concatenate([a.t_s, b.t_s, c.t_s])
    assert np.allclose(t, [0.0, 0.0125, 0.025, 0.0375], atol=1e-12)
    assert dec.stats.other["restarts"] == 0


def test_restart_after_reconnect_continues_from_host_time() -> None:
    dec = p.ProgressorDecoder()
    blocks(dec.feed(10.0, weights((1.0, 30_000_000))))  # 30 s into a measurement
    # link lost; 2.5 s later the device is started again and counts from zero
    (block,) = blocks(dec.feed(12.5, weights((2.0, 1_000), (2.0, 13_500))))
    assert np.allclose(block.t_s, [2.5, 2.5125], atol=1e-9)
    assert dec.stats.other["restarts"] == 1


def test_responses_and_low_power_warning() -> None:
    dec = p.ProgressorDecoder()
    (low,) = dec.feed(3.0, b"\x04\x00")
    assert isinstance(low, DeviceMessage) and low.kind == "warning" and "battery" in low.text
    battery = struct.pack("<BBI", 0, 4, 3987)
    assert p.parse_battery_mv(battery) == 3987
    assert p.parse_text(b"\x00\x051.2.3") == "1.2.3"
    assert p.parse_battery_mv(b"\x01\x08" + bytes(8)) is None
    (resp,) = dec.feed(3.1, battery)
    assert isinstance(resp, DeviceMessage) and resp.kind == "response"
    assert p.is_command_response(battery) and not p.is_command_response(b"\x01\x00")


def test_nan_weights_are_skipped_and_counted() -> None:
    dec = p.ProgressorDecoder()
    (block,) = blocks(dec.feed(0.0, weights((float("nan"), 0), (4.0, 12_500))))
    assert block.column("force_n").tolist() == [4.0 * N_PER_KGF]
    assert dec.stats.non_finite == 1


def test_finding_progressor_garbage_inf_and_huge_weights_never_reach_a_block() -> None:
    """Issue 20: garbage bytes read as float32 gave inf and 1e38 kg weights to the pipeline."""
    dec = p.ProgressorDecoder()
    garbage = weights((float("inf"), 0), (-float("inf"), 1), (3.4e38, 2), (-2000.0, 3))
    assert blocks(dec.feed(0.0, garbage)) == []
    (block,) = blocks(dec.feed(0.1, weights((float("nan"), 4), (-250.0, 12_500))))
    assert block.column("force_n").tolist() == [-250.0 * N_PER_KGF]
    assert dec.stats.drops_by_reason()["non-finite value"] == 3
    assert dec.stats.drops_by_reason()["out of range"] == 2


def test_short_and_unknown_notifications_never_raise() -> None:
    dec = p.ProgressorDecoder()
    assert dec.feed(0.0, b"") == []
    assert dec.feed(0.0, b"\x01") == []
    assert dec.feed(0.0, b"\x09\x02ab") == []
    assert dec.stats.other["unknown_codes"] == 1
    assert dec.stats.bytes_dropped == 1


def test_commands_are_single_opcode_bytes() -> None:
    assert p.command(p.CMD_START_WEIGHT) == b"e"
    assert p.command(p.CMD_TARE) == b"d"
    assert p.command(p.CMD_STOP_WEIGHT) == b"f"
    assert p.command(p.CMD_GET_BATTERY_VOLTAGE) == b"o"
    # §19.1: both readings of "add calibration point"
    assert p.add_calibration_point(None) == b"i"
    assert p.add_calibration_point(10.0) == b"i" + struct.pack("<f", 10.0)
