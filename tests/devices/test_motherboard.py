"""Griptonite Motherboard: hex stream lines and the calibration table (device-protocols.md §6)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import motherboard as mb
from isoforce.devices.base import DeviceMessage
from isoforce.units import N_PER_KGF

TABLE = mb.EXAMPLE_CALIBRATION  # 0, 10, 20, 50 kg at 500 + 4000 counts/kg, every sensor


def line(seq: int, left: int, center: int, right: int, battery: int = 0x0F00) -> bytes:
    """A stream line built from the documented layout."""
    body = seq.to_bytes(2, "little") + battery.to_bytes(2, "little")
    for adc in (left, center, right, 0):
        body += (adc & 0xFFFFFF).to_bytes(3, "little")
    return body.hex().upper().encode() + b"\r\n"


def adc(kg: float) -> int:
    return round(500 + 4000 * kg)


def decode(*chunks: bytes) -> tuple[mb.MotherboardDecoder, list[SampleBlock], list[str]]:
    dec = mb.MotherboardDecoder()
    items = [i for n, c in enumerate(chunks) for i in dec.feed(n / 30, c)]
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    texts = [i.text for i in items if isinstance(i, DeviceMessage)]
    return dec, blocks, texts


def kg_of(blocks: list[SampleBlock]) -> list[float]:
    return [round(v / N_PER_KGF, 9) for b in blocks for v in b.column("force_n").tolist()]


def test_documented_example_line() -> None:
    assert line(7, 40_500, -500, -500) == b"0700000F349E000CFEFF0CFEFF000000\r\n"
    _, blocks, _ = decode(mb.EXAMPLES[0])
    assert kg_of(blocks) == [10.0]


def test_sum_of_three_sensors_with_center_and_right_reversed() -> None:
    _, blocks, _ = decode(TABLE, line(1, adc(5), -adc(7.5), -adc(2.25)))
    assert kg_of(blocks) == [pytest.approx(14.75)]


def test_piecewise_table_and_extrapolation() -> None:
    table = b"".join(
        f"{s},{p},{kg},{a}\r\n".encode()
        for s in range(4)
        for p, (kg, a) in enumerate(((0, 0), (10, 10_000), (20, 30_000), (40, 50_000)))
    )
    left = [5_000, 20_000, 40_000, 60_000]  # 5 kg, 15 kg, 30 kg, 50 kg (beyond the table)
    lines = [line(i, v, 0, 0) for i, v in enumerate(left)]
    _, blocks, _ = decode(table, *lines)
    assert kg_of(blocks) == pytest.approx([5.0, 15.0, 30.0, 50.0])


def test_lines_split_across_20_byte_notifications() -> None:
    stream = TABLE + b"".join(line(i, adc(i), -500, -500) for i in range(5))
    chunks = [stream[i : i + 20] for i in range(0, len(stream), 20)]
    _, blocks, _ = decode(*chunks)
    assert kg_of(blocks) == pytest.approx([0, 1, 2, 3, 4])
    t = np.concatenate([b.t_s for b in blocks])
    assert np.allclose(t, np.arange(5) / 30)  # the sample number is the clock


def test_gaps_in_sample_numbers_are_marked() -> None:
    dec, blocks, _ = decode(TABLE, line(10, 500, -500, -500), line(13, 500, -500, -500))
    assert blocks[-1].lost_before == 2 and dec.stats.samples_lost == 2
    assert blocks[-1].t_s[0] == pytest.approx(3 / 30)


def test_without_a_table_samples_are_counted_and_said_once() -> None:
    dec, blocks, texts = decode(line(1, 500, 0, 0), line(2, 500, 0, 0))
    assert blocks == [] and dec.stats.samples_lost == 2
    assert texts == ["Motherboard streams without its calibration table: samples not converted"]


def test_text_lines_become_messages_and_errors_warnings() -> None:
    dec = mb.MotherboardDecoder()
    items = dec.feed(0.0, b"Stream: 30\r\nError VAL\r\n")
    assert [(i.kind, i.text) for i in items if isinstance(i, DeviceMessage)] == [
        ("response", "Stream: 30"),
        ("warning", "Motherboard: Error VAL"),
    ]


def test_a_line_that_never_ends_is_dropped() -> None:
    dec = mb.MotherboardDecoder()
    dec.feed(0.0, b"A" * (mb.MAX_LINE_BYTES + 1))
    assert dec.stats.other["long_lines"] == 1 and dec.stats.bytes_dropped == mb.MAX_LINE_BYTES + 1


def test_profile_reads_the_table_before_streaming() -> None:
    writes = [(w.data, w.pause_s > 0) for w in mb.PROFILE.start]
    assert writes == [(b"C", True), (b"S30", False)]
    assert [w.data for w in mb.PROFILE.stop] == [b""]
