"""The isoforce frame codec, byte by byte as firmware_notes/frame-format.md specifies it."""

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.samples import SampleBlock
from isoforce.devices import isoforce_frame
from isoforce.devices.isoforce_frame import (
    CRC_TABLE,
    IsoforceFrameDecoder,
    crc16_ccitt,
    crc16_rows,
    encode_frames,
    frame_bytes,
    mask_for,
)


def _frame_by_hand(seq: int, t_us: int, raw: int) -> bytes:
    """One load-cell frame assembled field by field from the documented layout."""
    payload = struct.pack("<HIHi", seq, t_us, 0x0001, raw)
    body = bytes([0x01, len(payload)]) + payload
    return b"\xa5\x5a" + body + struct.pack("<H", crc16_ccitt(body))


def _decode_all(
    data: bytes, cuts: list[int] | None = None
) -> tuple[SampleBlock | None, IsoforceFrameDecoder]:
    dec = IsoforceFrameDecoder()
    out = []
    if cuts is None:
        out = dec.feed(0.0, data)
    else:
        i = 0
        for c in [*cuts, len(data)]:
            out += dec.feed(0.0, data[i : i + c])
            i += c
            if i >= len(data):
                break
    blocks = [b for b in out if isinstance(b, SampleBlock)]
    return (SampleBlock.concat(blocks) if blocks else None), dec


def test_crc_check_value() -> None:
    # CRC-16/CCITT-FALSE catalogue check value
    assert crc16_ccitt(b"123456789") == 0x29B1


def test_encoder_matches_hand_assembled_bytes() -> None:
    frame = _frame_by_hand(7, 1_000_000, -123_456)
    assert len(frame) == frame_bytes(mask_for(("load_raw",))) == 18
    enc = encode_frames(
        seq=np.array([7]),
        t_us=np.array([1_000_000]),
        names=("load_raw",),
        values=np.array([[-123_456.0]]),
    )
    assert enc == frame


def test_known_frame_decodes_exactly() -> None:
    frame = bytes.fromhex("a55a010c070040420f000100c01dfeff")
    frame += struct.pack("<H", crc16_ccitt(frame[2:]))
    block, dec = _decode_all(frame)
    assert block is not None
    assert block.channels == ("load_raw",)
    assert block.column("load_raw")[0] == -123_456
    assert dec.stats.frames_ok == 1 and dec.stats.bytes_dropped == 0


def test_all_channels_round_trip_with_their_scales() -> None:
    names = (
        "load_raw",
        "acc_x_g",
        "acc_y_g",
        "acc_z_g",
        "gyro_x_dps",
        "gyro_y_dps",
        "gyro_z_dps",
        "force_n",
    )
    rng = np.random.default_rng(1)
    values = np.column_stack(
        [
            rng.integers(-(2**23), 2**23, 50).astype(float),
            *(rng.normal(0, 1, (50, 3)).T),
            *(rng.normal(0, 100, (50, 3)).T),
            rng.normal(0, 300, 50),
        ]
    )
    data = encode_frames(seq=np.arange(50), t_us=np.arange(50) * 1000, names=names, values=values)
    block, _ = _decode_all(data)
    assert block is not None and block.channels == names
    np.testing.assert_array_equal(block.column("load_raw"), values[:, 0])
    np.testing.assert_allclose(block.values[:, 1:4], values[:, 1:4], atol=0.5e-6)
    np.testing.assert_allclose(block.values[:, 4:7], values[:, 4:7], atol=0.5e-3)
    np.testing.assert_allclose(block.column("force_n"), values[:, 7], atol=0.5e-3)


def test_bad_crc_is_counted_and_the_next_frame_recovered() -> None:
    frames = [_frame_by_hand(i, i * 12_500, 1000 + i) for i in range(3)]
    bad = bytearray(frames[1])
    bad[12] ^= 0xFF
    block, dec = _decode_all(frames[0] + bytes(bad) + frames[2])
    assert block is not None
    np.testing.assert_array_equal(block.column("load_raw"), [1000, 1002])
    assert dec.stats.checksum_errors == 1
    assert dec.stats.samples_lost == 1  # the sequence number shows the hole
    assert dec.stats.bytes_dropped == len(bad)


def test_sequence_gap_marks_the_block_and_wrap_is_not_a_gap() -> None:
    seqs = [65534, 65535, 0, 1, 5]
    data = b"".join(_frame_by_hand(s, i * 1000, i) for i, s in enumerate(seqs))
    dec = IsoforceFrameDecoder()
    blocks = [b for b in dec.feed(0.0, data[: 18 * 4]) if isinstance(b, SampleBlock)]
    later = [b for b in dec.feed(0.0, data[18 * 4 :]) if isinstance(b, SampleBlock)]
    assert blocks[0].lost_before == 0
    assert later[0].lost_before == 3
    assert dec.stats.samples_lost == 3


def test_device_time_wraps_into_monotonic_seconds() -> None:
    t_us = (2**32 - 20_000) + np.arange(10) * 12_500
    data = encode_frames(
        seq=np.arange(10), t_us=t_us, names=("load_raw",), values=np.zeros((10, 1))
    )
    block, _ = _decode_all(data, cuts=[37, 5, 60])
    assert block is not None
    np.testing.assert_allclose(block.t_s, np.arange(10) * 0.0125, atol=1e-9)


def test_a_partial_frame_waits_for_its_tail() -> None:
    frame = _frame_by_hand(1, 2, 3)
    dec = IsoforceFrameDecoder()
    assert dec.feed(0.0, frame[:9]) == []
    assert dec.pending_bytes == 9
    out = dec.feed(0.0, frame[9:])
    assert len(out) == 1 and dec.pending_bytes == 0


_names = ("load_raw", "truth_target_pct")
_n = 64
_values = np.column_stack([np.arange(_n) * 1000.0 - 5000, np.linspace(-50, 90, _n)])
_stream_frames = [
    encode_frames(
        seq=np.array([i]), t_us=np.array([i * 12_500]), names=_names, values=_values[i : i + 1]
    )
    for i in range(_n)
]


@settings(max_examples=200, deadline=None)
@given(
    garbage=st.lists(st.binary(max_size=30), min_size=_n, max_size=_n),
    cuts=st.lists(st.integers(1, 200), max_size=40),
)
def test_valid_frames_after_garbage_are_all_recovered(
    garbage: list[bytes], cuts: list[int]
) -> None:
    # garbage that happens to contain a full valid frame is vanishingly unlikely; garbage may
    # however end in a sync prefix, which must not swallow the real frame that follows
    data = b"".join(g + f for g, f in zip(garbage, _stream_frames, strict=True))
    block, dec = _decode_all(data, cuts=cuts)
    assert block is not None
    np.testing.assert_array_equal(block.column("load_raw"), _values[:, 0])
    assert dec.stats.frames_ok == _n
    assert dec.stats.bytes_dropped == sum(len(g) for g in garbage)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600), cuts=st.lists(st.integers(1, 100), max_size=10))
def test_random_bytes_never_raise(data: bytes, cuts: list[int]) -> None:
    _, dec = _decode_all(data, cuts=cuts)
    assert dec.stats.bytes_dropped + dec.pending_bytes <= len(data)


@settings(max_examples=200, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(0, 18 * 20 - 1), st.integers(1, 255)), max_size=8))
def test_mutated_streams_never_raise_and_keep_untouched_frames(
    flips: list[tuple[int, int]],
) -> None:
    data = bytearray(b"".join(_frame_by_hand(i, i * 1000, i * 10) for i in range(20)))
    for pos, x in flips:
        data[pos] ^= x
    touched = {pos // 18 for pos, _ in flips}
    block, _ = _decode_all(bytes(data))
    got = set() if block is None else set(block.column("load_raw").astype(int).tolist())
    for i in range(20):
        if i not in touched and not ({i - 1, i + 1} & touched):
            assert i * 10 in got


def _frame_with(mask: int, values: tuple[int, ...], seq: int = 0) -> bytes:
    """A checksummed sample frame whose mask need not match the number of values it carries."""
    payload = struct.pack(f"<HIH{len(values)}i", seq, 1000 * seq, mask, *values)
    body = bytes([0x01, len(payload)]) + payload
    return b"\xa5\x5a" + body + struct.pack("<H", crc16_ccitt(body))


def test_finding_checksummed_frame_with_wrong_sample_count_is_skipped_not_raised() -> None:
    """Issue 20: a frame with a valid CRC whose mask names more channels than its payload holds
    raised ``ValueError: cannot reshape array`` and ended a live recording."""
    good = [_frame_by_hand(s, 1000 * s, s) for s in range(3)]
    liar = _frame_with(0x0003, (5,), seq=9)  # two channels announced, one value sent
    also = _frame_with(0x0001, (5, 6), seq=9)  # one channel announced, two values sent
    block, dec = _decode_all(good[0] + liar + good[1] + also + also + good[2])
    assert block is not None and block.column("load_raw").tolist() == [0.0, 1.0, 2.0]
    assert dec.stats.bad_lengths == 3 and dec.stats.checksum_errors == 0
    assert dec.stats.bytes_dropped == len(liar) + 2 * len(also)
    assert dec.stats.drops_by_reason()["bad length"] == 3


def _table_crc(data: bytes) -> int:
    """The CRC by the book: one table step per byte."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ int(CRC_TABLE[((crc >> 8) ^ byte) & 0xFF])
    return crc


@given(data=st.lists(st.binary(min_size=30, max_size=30), min_size=1, max_size=40))
def test_crc_of_rows_and_of_bytes_agree_with_the_table(
    data: list[bytes],
) -> None:
    rows = np.frombuffer(b"".join(data), dtype=np.uint8).reshape(len(data), 30)
    expected = [_table_crc(d) for d in data]
    assert [crc16_ccitt(d) for d in data] == expected
    assert crc16_rows(rows).tolist() == expected  # one C call per row
    with pytest.MonkeyPatch.context() as m:
        m.setattr(isoforce_frame, "_FEW_CRC_ROWS", 0)
        assert crc16_rows(rows).tolist() == expected  # column-wise numpy


#: Values the encoder takes: any size (saturating), infinities, halves to round to even.
_ENCODABLE = st.floats(-1e290, 1e290) | st.sampled_from(
    [0.5, -0.5, 1.5, 2.5e-3, -2.5e-6, 2.0**31, -(2.0**31) - 0.5, 2.0**31 - 0.5, np.inf, -np.inf]
)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 20),
    names=st.permutations(("force_n", "load_raw", "acc_x_g", "gyro_z_dps", "truth_force_n")),
    k=st.integers(0, 5),
    data=st.data(),
)
def test_few_frames_encode_to_the_bytes_of_the_array_path(
    n: int, names: tuple[str, ...], k: int, data: st.DataObject
) -> None:
    names = tuple(names[:k])
    values = np.array(
        data.draw(st.lists(st.lists(_ENCODABLE, min_size=k, max_size=k), min_size=n, max_size=n)),
        dtype=np.float64,
    ).reshape(n, k)
    seq = np.array(data.draw(st.lists(st.integers(-(2**20), 2**20), min_size=n, max_size=n)))
    t_us = np.array(data.draw(st.lists(st.integers(0, 2**40), min_size=n, max_size=n)))
    layout, order = isoforce_frame._encoding(names)
    few = isoforce_frame._encode_few(layout, order, seq.tolist(), t_us.tolist(), values.tolist())
    assert few == isoforce_frame._encode_many(layout, order, seq, t_us, values)
    assert encode_frames(seq=seq, t_us=t_us, names=names, values=values) == few


def test_a_nan_is_encoded_by_the_array_path() -> None:
    values = np.array([[np.nan, 1.0]])
    seq, t_us = np.array([3]), np.array([4])
    layout, order = isoforce_frame._encoding(_names)
    with np.errstate(invalid="ignore"):  # numpy warns of the cast it makes
        expected = isoforce_frame._encode_many(layout, order, seq, t_us, values)
        assert encode_frames(seq=seq, t_us=t_us, names=_names, values=values) == expected


def _blocks(out: list[SampleBlock | object]) -> list[tuple[object, ...]]:
    return [
        (b.t_s.tobytes(), b.t_host_s.tobytes(), b.values.tobytes(), b.channels, b.lost_before)
        if isinstance(b, SampleBlock)
        else b
        for b in out
    ]


@st.composite
def _damaged_streams(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    """Runs of frames of two masks, with sequence gaps, wraps, flipped bytes and garbage."""
    parts = []
    seq, t_us = draw(st.integers(0, 2**16 - 1)), draw(st.integers(0, 2**32 - 1))
    for _ in range(draw(st.integers(1, 6))):
        names = draw(st.sampled_from([_names, ("load_raw",), ("acc_x_g", "gyro_z_dps")]))
        n = draw(st.sampled_from([1, 2, 3, 40, 70]))
        seq += draw(st.sampled_from([0, 0, 1, 5]))
        steps = np.full(n, draw(st.sampled_from([1_000, 12_500, 2**31])), dtype=np.int64)
        frames = bytearray(
            encode_frames(
                seq=seq + np.arange(n),
                t_us=t_us + np.cumsum(steps),
                names=names,
                values=np.arange(n * len(names), dtype=np.float64).reshape(n, -1) - 7.25,
            )
        )
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(frames) - 1))
            frames[at] ^= draw(st.integers(1, 255))
        parts.append(draw(st.binary(max_size=8)) + bytes(frames))
        seq, t_us = seq + n, t_us + int(steps.sum())
    stream = b"".join(parts)
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    return stream, cuts


@settings(max_examples=150, deadline=None)
@given(stream_cuts=_damaged_streams())
def test_frame_by_frame_decoding_gives_the_bits_of_the_array_path(
    stream_cuts: tuple[bytes, list[int]],
) -> None:
    stream, cuts = stream_cuts
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    results = []
    for few, few_crc in ((10**6, 10**6), (0, 0), (2, 1)):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(isoforce_frame, "_FEW_ROWS", few)
            m.setattr(isoforce_frame, "_FEW_CRC_ROWS", few_crc)
            dec = IsoforceFrameDecoder()
            out = [item for i, c in enumerate(chunks) for item in dec.feed(0.5 * i, c)]
            out += dec.flush(99.0)
            results.append((_blocks(out), dec.stats, dec.pending_bytes))
    assert results[0] == results[1] == results[2]
    whole = IsoforceFrameDecoder().feed(0.0, stream)  # any cut gives the same samples
    assert _samples(whole) == _samples(results[0][0])


def _samples(out: list[object]) -> list[tuple[object, ...]]:
    """Every sample of decoded blocks (or of their :func:`_blocks` form): time, channels, values."""
    rows: list[tuple[object, ...]] = []
    for item in out:
        if isinstance(item, SampleBlock):
            item = _blocks([item])[0]
        if isinstance(item, tuple):
            t_s = np.frombuffer(item[0], dtype=np.float64)
            values = np.frombuffer(item[2], dtype=np.float64).reshape(len(t_s), -1)
            rows += [(t, item[3], v.tobytes()) for t, v in zip(t_s.tolist(), values, strict=True)]
    return rows
