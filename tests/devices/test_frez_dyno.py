"""Frez Dyno protocol v1: 74-byte notifications, the documented tare (device-protocols.md §8)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import frez_dyno as fd
from isoforce.devices.base import DeviceMessage


def packet(raw: list[int], t_ms: list[int]) -> bytes:
    """A notification built with struct from the documented layout (not the module's helper)."""
    return b"\x01\x00" + b"".join(struct.pack("<iI", r, t) for r, t in zip(raw, t_ms, strict=True))


def decode(dec: fd.FrezDynoDecoder, *packets: bytes, flush: bool = False) -> list[SampleBlock]:
    items = [i for n, p in enumerate(packets) for i in dec.feed(0.036 * n, p)]
    items += dec.flush(1.0) if flush else []
    return [i for i in items if isinstance(i, SampleBlock)]


def stream(raw: list[int], *, start_ms: int = 0) -> list[bytes]:
    return [
        packet(raw[i : i + 9], [start_ms + 4 * k for k in range(i, i + 9)])
        for i in range(0, len(raw), 9)
    ]


def test_example_matches_the_documented_layout() -> None:
    assert fd.EXAMPLES[0] == packet(list(range(1000, 1009)), list(range(0, 36, 4)))
    assert len(fd.EXAMPLES[0]) == 74


def test_tare_is_the_mean_of_the_first_100_samples_and_every_sample_comes_out() -> None:
    raw = [5000 + (k % 3) for k in range(99)] + [6000] * 9 + [7000] * 9  # 117 = 13 packets
    dec = fd.FrezDynoDecoder()
    blocks = decode(dec, *stream(raw))
    assert dec.tare_raw == pytest.approx(np.mean(raw[:100]))
    values = np.concatenate([b.column("load_raw") for b in blocks])
    assert values.size == 117
    assert np.allclose(values, np.array(raw) - np.mean(raw[:100]))
    t = np.concatenate([b.t_s for b in blocks])
    assert np.allclose(t, np.arange(117) * 0.004)  # device time: 250 Hz


def test_fewer_than_100_samples_are_tared_on_what_arrived_at_the_end() -> None:
    dec = fd.FrezDynoDecoder()
    assert decode(dec, *stream([10, 20] * 9)) == []
    (block,) = [i for i in dec.flush(1.0) if isinstance(i, SampleBlock)]
    assert dec.tare_raw == 15 and block.column("load_raw").tolist() == [-5, 5] * 9


def test_signed_raw_values() -> None:
    dec = fd.FrezDynoDecoder(tare_samples=1)
    (block,) = decode(dec, packet([-100, -50, 0, 50, 100, 2**31 - 1, -(2**31), 0, 0], [0] * 9))
    assert block.column("load_raw")[:5].tolist() == [0, 50, 100, 150, 200]


def test_wrong_length_or_header_is_dropped_and_counted() -> None:
    dec = fd.FrezDynoDecoder(tare_samples=1)
    good = fd.EXAMPLES[0]
    assert decode(dec, good[:-1], good + b"\x00", b"\x02\x00" + good[2:]) == []
    assert dec.stats.bad_lengths == 2 and dec.stats.other["bad_headers"] == 1
    assert dec.stats.bytes_dropped == 73 + 75 + 74


def test_a_restarted_clock_keeps_its_samples() -> None:
    dec = fd.FrezDynoDecoder(tare_samples=1)
    first = decode(dec, *stream([0] * 18, start_ms=60_000))
    items = dec.feed(5.0, packet([0] * 9, [4 * k for k in range(9)]))  # a new start: from 0 ms
    (after,) = [i for i in items if isinstance(i, SampleBlock)]
    assert after.t_s[0] > first[-1].t_s[-1] and len(after) == 9
    assert dec.stats.other["time_not_increasing"] == 1


def test_needs_its_coefficient_as_a_calibration() -> None:
    assert fd.SPEC.n_per_count is None and fd.SPEC.force_channel == "load_raw"
    assert "never guesses" in fd.SPEC.calibration_hint and fd.SPEC.experimental
    assert [w.data for w in fd.PROFILE.start + fd.PROFILE.stop] == [b"\x01\x00", b"\x02\x00"]
    assert not any(isinstance(i, DeviceMessage) for i in fd.FrezDynoDecoder().feed(0.0, b""))
