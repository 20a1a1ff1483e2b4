"""The WitMotion UART codec, byte by byte as device-protocols.md §13 documents the frames."""

from __future__ import annotations

import random
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.samples import SampleBlock
from isoforce.devices.witmotion_uart import WitMotionDecoder, count_valid_frames, encode_frames


def frame(type_code: int, *words: int) -> bytes:
    """55 TYPE D0..D7 SUM, four int16 little-endian, SUM = low byte of the sum of bytes 0..9."""
    body = struct.pack("<BB4h", 0x55, type_code, *words)
    return body + bytes([sum(body) & 0xFF])


def group(i: int, types: tuple[int, ...] = (0x51, 0x52, 0x53)) -> bytes:
    r = random.Random(i)
    return b"".join(frame(t, *(r.randrange(-32768, 32768) for _ in range(4))) for t in types)


def decode(
    data: bytes, cuts: list[int] | None = None
) -> tuple[list[SampleBlock], WitMotionDecoder]:
    dec = WitMotionDecoder()
    out = []
    if cuts is None:
        out = dec.feed(0.0, data)
    else:
        i = 0
        for k, c in enumerate([*cuts, len(data)]):
            out += dec.feed(k * 0.001, data[i : i + c])
            i += c
            if i >= len(data):
                break
    return [b for b in out if isinstance(b, SampleBlock)], dec


def values(blocks: list[SampleBlock], names: tuple[str, ...]) -> np.ndarray:
    return np.vstack(
        [
            np.column_stack([b.column(n) if b.has(n) else np.full(len(b), np.nan) for n in names])
            for b in blocks
        ]
    )


def test_documented_scales_exactly() -> None:
    # acc 16384 → 8 g; temp 2500 → 25.00 °C; gyro 16384 → 1000 °/s; angle 16384 → 90 °
    data = (
        frame(0x51, 16384, -16384, 2048, 2500)
        + frame(0x52, 16384, -32768, 1, 0)
        + frame(0x53, 16384, -8192, 32767, 0x1234)
        + frame(0x59, 32767, -32768, 0, 16384)
    ) * 2
    blocks, dec = decode(data)
    assert dec.stats.frames_ok == 8
    b = SampleBlock.concat(blocks)
    assert len(b) == 2
    first = dict(zip(b.channels, b.values[0], strict=True))
    assert first["acc_x_g"] == 8.0 and first["acc_y_g"] == -8.0 and first["acc_z_g"] == 1.0
    assert first["temp_c"] == 25.0
    assert first["gyro_x_dps"] == 1000.0 and first["gyro_y_dps"] == -2000.0
    assert first["gyro_z_dps"] == 2000.0 / 32768
    assert first["roll_deg"] == 90.0 and first["pitch_deg"] == -45.0
    assert first["yaw_deg"] == 32767 * 180.0 / 32768
    assert first["quat_w"] == 32767 / 32768 and first["quat_x"] == -1.0
    assert first["quat_z"] == 0.5
    assert b.channels[:4] == ("acc_x_g", "acc_y_g", "acc_z_g", "temp_c")


def test_checksum_is_low_byte_of_the_sum() -> None:
    f = bytes.fromhex("5551" + "0040" + "00c0" + "0008" + "c409")
    f += bytes([sum(f) & 0xFF])
    assert f == frame(0x51, 16384, -16384, 2048, 2500)
    assert count_valid_frames(f * 3) == 3
    assert count_valid_frames(f[:-1] + bytes([(f[-1] + 1) & 0xFF])) == 0


def test_encoder_matches_the_hand_built_frames() -> None:
    words = np.array([[16384, -16384, 2048, 2500], [-1, 0, 1, 2]])
    assert encode_frames(type_code=0x51, words=words) == frame(0x51, *words[0]) + frame(
        0x51, *words[1]
    )


def test_groups_wait_for_their_last_frame_then_stream_without_delay() -> None:
    dec = WitMotionDecoder()
    assert dec.feed(0.0, group(0)) == []  # the layout is unknown until the next group starts
    out = dec.feed(0.01, group(1)[:22])
    assert sum(len(b) for b in out if isinstance(b, SampleBlock)) == 1
    out = dec.feed(0.02, group(1)[22:])  # 0x53 completes group 1: emitted at once
    assert sum(len(b) for b in out if isinstance(b, SampleBlock)) == 1


def test_garbage_lost_frames_and_stats() -> None:
    data = group(0) + b"\x01\x02\x55\x51junk" + group(1) + group(2)[:11] + group(2)[22:] + group(3)
    data += group(4)
    blocks, dec = decode(data)
    v = values(blocks, ("acc_x_g", "gyro_x_dps", "roll_deg"))
    assert v.shape == (5, 3)  # group 4 ends with the layout's last type: complete, not held
    assert np.isnan(v[2, 1]) and not np.isnan(v[2, 0]) and not np.isnan(v[2, 2])
    assert dec.stats.bytes_dropped == 8  # the garbage; the lost gyro frame left no bytes
    assert dec.stats.resyncs == 1
    assert dec.stats.checksum_errors == 1  # the "55 51" inside the garbage
    assert dec.stats.other["incomplete_samples"] == 1


def test_false_frame_from_a_truncated_one_loses_to_the_real_chain() -> None:
    # A truncated frame whose 8-bit checksum passes by chance over the next frame's bytes must
    # not swallow that frame: search for such a case, then check it is resolved.
    for seed in range(5000):
        real = group(seed, (0x51, 0x52, 0x53, 0x51, 0x52, 0x53))
        r = random.Random(seed)
        k = r.randrange(2, 11)
        head = bytes([0x55, 0x52]) + bytes(r.randrange(0, 256) for _ in range(k - 2))
        combined = head + real[: 11 - k]
        if sum(combined[:10]) & 0xFF == combined[10]:
            break
    else:
        pytest.fail("no chance checksum found")
    blocks, dec = decode(group(100) + head + real + group(101))
    assert dec.stats.bytes_dropped == k
    names = ("acc_x_g", "gyro_x_dps", "roll_deg")
    clean, _ = decode(group(100) + real + group(101))
    assert np.array_equal(values(blocks, names), values(clean, names))
    assert len(SampleBlock.concat(blocks)) == 4


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(1, 60), max_size=20))
def test_random_bytes_never_raise_and_are_counted(data: bytes, cuts: list[int]) -> None:
    _, dec = decode(data, cuts)
    s = dec.stats
    assert s.bytes_dropped + 11 * s.frames_ok + dec.pending_bytes - 11 * _held(dec) == len(data)


def _held(dec: WitMotionDecoder) -> int:
    return dec._held.shape[0]


@settings(max_examples=200, deadline=None)
@given(
    garbage=st.binary(max_size=200).map(lambda b: b.replace(b"\x55", b"\x54")),
    n=st.integers(2, 8),
    cuts=st.lists(st.integers(1, 50), max_size=30),
)
def test_valid_frames_after_garbage_are_all_recovered(
    garbage: bytes, n: int, cuts: list[int]
) -> None:
    data = garbage + b"".join(group(i) for i in range(n)) + group(99)
    blocks, dec = decode(data, cuts)
    assert dec.stats.frames_ok == 3 * (n + 1)
    assert dec.stats.bytes_dropped == len(garbage)
    got = values(blocks, ("acc_x_g", "gyro_x_dps", "roll_deg", "yaw_deg"))
    ref, _ = decode(b"".join(group(i) for i in range(n)) + group(99))
    assert np.array_equal(got, values(ref, ("acc_x_g", "gyro_x_dps", "roll_deg", "yaw_deg")))


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=1, max_size=330),
    st.integers(0, 329),
    st.lists(st.integers(1, 40), max_size=20),
)
def test_mutated_streams_never_raise(noise: bytes, at: int, cuts: list[int]) -> None:
    clean = b"".join(group(i) for i in range(10))
    at = at % len(clean)
    decode(clean[:at] + noise + clean[at + len(noise) :], cuts)


def test_chunking_does_not_change_the_result() -> None:
    rng = random.Random(3)
    data = b"".join(group(i) + (b"\x00\x13" if i % 7 == 3 else b"") for i in range(300))
    whole, _ = decode(data)
    names = ("acc_x_g", "gyro_x_dps", "roll_deg")
    for _ in range(10):
        cuts = [rng.randrange(1, 40) for _ in range(400)]
        parts, _ = decode(data, cuts)
        assert np.array_equal(values(parts, names), values(whole, names))


def test_finding_soak_last_frame_is_delivered_at_the_end_of_the_stream() -> None:
    """Issue 20: the soak test lost the last sample (2360 of 2361) when the last frame's checksum
    byte was 0x55: it may start another frame, so the decoder waited for bytes that never came."""
    acc = encode_frames(type_code=0x51, words=np.array([[1, 0, 0, 0], [2, 0, 0, 0]]))
    last = encode_frames(type_code=0x51, words=np.array([[0xAF, 0, 0, 0]]))  # checksum 0x55
    assert last[-1] == 0x55
    dec = WitMotionDecoder()
    fed = dec.feed(0.0, acc + last)
    flushed = dec.flush(0.1)
    got = [v for b in [*fed, *flushed] if isinstance(b, SampleBlock) for v in b.column("acc_x_g")]
    assert np.allclose(np.array(got) * 32768 / 16, [1, 2, 0xAF])
    assert dec.pending_bytes == 0 and dec.stats.bytes_dropped == 0
