"""The C frame encoder (firmware_notes/) and the Python decoder/encoder agree byte for byte."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices.isoforce_frame import (
    CHANNELS,
    IsoforceFrameDecoder,
    channels_in,
    encode_frames,
    encode_text,
)
from tests.firmware.firmware_build import HOST_TEST, LIBRARY, compile_c

FRAMES = 1200


@pytest.fixture(scope="module")
def frame_tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("c") / "frame_tool"
    return compile_c(out, HOST_TEST / "frame_tool.c", LIBRARY / "isoforce_frame.c")


def read_vectors(text: str) -> list[tuple[int, int, int, list[int]]]:
    rows = []
    for line in text.splitlines():
        seq, t_us, mask, *values = (int(v) for v in line.split())
        rows.append((seq, t_us, mask, values))
    return rows


def test_self_check(frame_tool: Path) -> None:
    res = subprocess.run([frame_tool, "check"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "ok"


def test_c_frames_decode_exactly_in_python(frame_tool: Path, tmp_path: Path) -> None:
    vec_path = tmp_path / "vectors.txt"
    data = subprocess.run(
        [frame_tool, "emit", str(FRAMES), "7", str(vec_path)], capture_output=True, check=True
    ).stdout
    vectors = read_vectors(vec_path.read_text())
    assert len(vectors) == FRAMES
    dec = IsoforceFrameDecoder()
    rng = random.Random(1)
    blocks: list[SampleBlock] = []
    i = 0
    while i < len(data):
        n = rng.randint(1, 200)
        blocks += [b for b in dec.feed(0.0, data[i : i + n]) if isinstance(b, SampleBlock)]
        i += n
    assert dec.stats.frames_ok == FRAMES
    assert dec.stats.bytes_dropped == 0 and dec.stats.checksum_errors == 0
    # values: every frame, every channel, exactly (int32 steps times the channel's scale)
    rows = [(b, k) for b in blocks for k in range(len(b))]
    assert len(rows) == FRAMES
    for (block, k), (_seq, _t, mask, values) in zip(rows, vectors, strict=True):
        wire = channels_in(mask)
        assert block.channels == tuple(c.name for c in wire)
        scales = np.array([c.scale for c in wire])
        assert np.rint(block.values[k] / scales).astype(np.int64).tolist() == values
    # sequence gaps are counted as lost samples; device time unwraps across 2^32 µs
    seqs = np.array([v[0] for v in vectors])
    gaps = (np.diff(seqs) - 1) % 65536
    assert dec.stats.samples_lost == int(gaps.sum()) > 0
    assert np.any(np.diff(seqs) < 0), "the run should wrap the 16-bit sequence number"
    t_us = np.array([v[1] for v in vectors], dtype=np.int64)
    unwrapped = t_us + np.cumsum(np.concatenate([[0], np.diff(t_us) < 0])) * 2**32
    t_s = np.concatenate([b.t_s for b in blocks])
    assert np.array_equal(t_s, (unwrapped - unwrapped[0]).astype(np.float64) * 1e-6)
    # and Python's encoder produces the very same bytes for the same vectors
    again = b"".join(_python_frame(v) for v in vectors if _encodable(v[2]))
    c_bytes = b"".join(
        f for f, v in zip(_split(data, vectors), vectors, strict=True) if _encodable(v[2])
    )
    assert again == c_bytes


_KNOWN_BITS = sum(1 << c.bit for c in CHANNELS)


def _encodable(mask: int) -> bool:
    return mask & ~_KNOWN_BITS == 0  # Python's encoder names channels; reserved bits have none


def _python_frame(vector: tuple[int, int, int, list[int]]) -> bytes:
    seq, t_us, mask, values = vector
    wire = channels_in(mask)
    physical = np.array([[v * c.scale for v, c in zip(values, wire, strict=True)]])
    return encode_frames(
        seq=np.array([seq]),
        t_us=np.array([t_us]),
        names=tuple(c.name for c in wire),
        values=physical.reshape(1, len(wire)),
    )


def _split(data: bytes, vectors: list[tuple[int, int, int, list[int]]]) -> list[bytes]:
    out, pos = [], 0
    for _seq, _t, mask, _values in vectors:
        size = 14 + 4 * bin(mask).count("1")
        out.append(data[pos : pos + size])
        pos += size
    assert pos == len(data)
    return out


def test_python_frames_encode_identically_in_c(frame_tool: Path) -> None:
    rng = np.random.default_rng(5)
    known = [c.bit for c in CHANNELS]
    lines, expected = [], []
    for _ in range(FRAMES):
        bits = rng.choice(known, size=int(rng.integers(0, len(known) + 1)), replace=False)
        mask = int(sum(1 << int(b) for b in bits))
        values = [int(v) for v in rng.integers(-(2**31), 2**31, size=bin(mask).count("1"))]
        vector = (int(rng.integers(0, 65536)), int(rng.integers(0, 2**32)), mask, values)
        lines.append(" ".join(str(x) for x in (*vector[:3], *values)))
        expected.append(_python_frame(vector))
    res = subprocess.run(
        [frame_tool, "encode"], input="\n".join(lines).encode(), capture_output=True, check=True
    )
    assert res.stdout == b"".join(expected)


@pytest.mark.parametrize("text", ["ok tare 5000", "", "é ünïcode", "x" * 80])
def test_text_frames_match(frame_tool: Path, text: str) -> None:
    res = subprocess.run([frame_tool, "text", text], capture_output=True, check=True)
    assert res.stdout == encode_text(text)
