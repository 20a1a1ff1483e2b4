"""Entralpi force plate: the documented weight bytes (device-protocols.md §4)."""

from __future__ import annotations

import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import entralpi
from isoforce.units import N_PER_KGF


def forces(dec: entralpi.EntralpiDecoder, *chunks: bytes) -> list[float]:
    out: list[float] = []
    for i, chunk in enumerate(chunks):
        for item in dec.feed(0.1 * i, chunk):
            assert isinstance(item, SampleBlock)
            out += item.column("force_n").tolist()
    return out


def test_documented_example_is_12_30_kg() -> None:
    assert forces(entralpi.EntralpiDecoder(), bytes.fromhex("04CE")) == [
        pytest.approx(12.30 * N_PER_KGF)
    ]


def test_big_endian_unsigned_and_extra_bytes_counted() -> None:
    dec = entralpi.EntralpiDecoder()
    got = forces(dec, b"\x00\x01", b"\xff\xff", b"\x27\x10\xaa\xbb")
    assert got == pytest.approx([0.01 * N_PER_KGF, 655.35 * N_PER_KGF, 100.0 * N_PER_KGF])
    assert dec.stats.other["extra_bytes"] == 2 and dec.stats.bytes_dropped == 0


def test_short_notifications_are_dropped_and_counted() -> None:
    dec = entralpi.EntralpiDecoder()
    assert forces(dec, b"", b"\x04") == []
    assert dec.stats.bytes_dropped == 1 and dec.stats.resyncs == 1


def test_spec_is_experimental_and_subscribes_in_the_uart_service() -> None:
    assert entralpi.SPEC.experimental and "EXPERIMENTAL" in entralpi.SPEC.notes
    assert entralpi.PROFILE.notify_service_uuid == entralpi.UART_SERVICE_UUID
    assert not entralpi.PROFILE.tare  # software tare only
