"""Property tests for the BLE codecs: garbage never raises, and valid data survives any cutting."""

from __future__ import annotations

import struct
from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import Decoder, DeviceMessage
from isoforce.devices.ble_specs import BLE_DEVICE_MODULES
from isoforce.devices.forceboard import ForceBoardDecoder, SampleEncoding
from isoforce.devices.progressor import ProgressorDecoder
from isoforce.devices.witmotion_ble import WitMotionBleDecoder
from isoforce.units import N_PER_KGF, N_PER_LBF

#: Every registered BLE device's decoder, and the options the registry does not use.
DECODERS: tuple[Callable[[], Decoder], ...] = (
    *(module.PROFILE.decoder for module in BLE_DEVICE_MODULES),
    lambda: ForceBoardDecoder(encoding=SampleEncoding.QUOTED),
    lambda: WitMotionBleDecoder(frame_bytes=16),
)


def values(items: list[SampleBlock | DeviceMessage]) -> list[list[float]]:
    return [row for i in items if isinstance(i, SampleBlock) for row in i.values.tolist()]


@settings(max_examples=300, deadline=None)
@given(
    which=st.integers(0, len(DECODERS) - 1),
    chunks=st.lists(st.binary(max_size=64), max_size=12),
)
def test_garbage_never_raises(which: int, chunks: list[bytes]) -> None:
    dec: Decoder = DECODERS[which]()
    t = 0.0
    for chunk in chunks:
        t += 0.01
        for item in dec.feed(t, chunk):
            if isinstance(item, SampleBlock):
                assert item.values.shape == (len(item), len(item.channels))
                assert np.all(np.diff(item.t_s) >= 0)
    assert dec.stats.bytes_dropped >= 0


@settings(max_examples=200, deadline=None)
@given(
    records=st.lists(
        st.tuples(st.floats(-500, 500, width=32), st.integers(0, 2**32 - 1)),
        min_size=1,
        max_size=30,
    ),
    pad=st.integers(0, 6),
)
def test_progressor_records_decode_exactly(records: list[tuple[float, int]], pad: int) -> None:
    body = b"".join(struct.pack("<fI", kg, t) for kg, t in records)
    dec = ProgressorDecoder()
    got = values(dec.feed(0.0, bytes((1, len(body))) + body + b"\x00" * pad))
    assert [v[0] for v in got] == [kg * N_PER_KGF for kg, _ in records]


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(st.integers(-(2**23), 2**23 - 1), min_size=1, max_size=20))
def test_forceboard_signed_24_round_trip(counts: list[int]) -> None:
    data = len(counts).to_bytes(2, "big") + b"".join(
        (c & 0xFFFFFF).to_bytes(3, "big") for c in counts
    )
    got = values(ForceBoardDecoder().feed(0.0, data))
    assert [v[0] for v in got] == [c * N_PER_LBF for c in counts]


@settings(max_examples=200, deadline=None)
@given(
    frames=st.lists(st.lists(st.integers(-32768, 32767), min_size=9, max_size=9), max_size=12),
    cuts=st.lists(st.integers(1, 40), max_size=20),
)
def test_witmotion_any_cutting_gives_the_same_samples(
    frames: list[list[int]], cuts: list[int]
) -> None:
    stream = b"".join(b"\x55\x61" + struct.pack("<9h", *w) for w in frames)
    whole = values(WitMotionBleDecoder().feed(0.0, stream))
    dec = WitMotionBleDecoder()
    pieces: list[list[float]] = []
    at = 0
    for cut in [*cuts, len(stream)]:
        pieces += values(dec.feed(0.0, stream[at : at + cut]))
        at += cut
        if at >= len(stream):
            break
    pieces += values(dec.feed(0.0, stream[at:]))
    assert np.array_equal(np.array(whole), np.array(pieces))
    assert len(whole) == len(frames)
