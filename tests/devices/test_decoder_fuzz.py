"""Property tests for every decoder: bytes never raise, nothing impossible comes out, and a decoder
finds its feet within one frame after garbage.

The normal suite runs a bounded number of examples per decoder; set ``ISOFORCE_FUZZ_EXAMPLES``
(e.g. 100000) for the long run that docs/reliability.md reports. The nastiest inputs found are
kept under ``fuzz_corpus/`` (one chunk per line, in hex) and replayed here on every run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoforce.core.samples import SampleBlock
from isoforce.devices.registry import DECODERS
from tests.devices.decoder_catalogue import BY_NAME, CODECS, Codec, check_items, column, run

LONG_RUN = "ISOFORCE_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("ISOFORCE_FUZZ_EXAMPLES", "60"))
CORPUS = Path(__file__).parent / "fuzz_corpus"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The long run takes minutes per decoder, past the suite's per-test timeout (pyproject.toml).
# pytest-timeout stops a test by raising pytest's Failed inside it, which Hypothesis takes for a
# failure of whatever input was running; that input passes when replayed, so the run ends as a
# FlakyFailure naming an innocent input. A long run is therefore never timed out.
pytestmark = [pytest.mark.timeout(0)] if LONG_RUN else []
codecs = pytest.mark.parametrize("codec", CODECS, ids=[c.name for c in CODECS])


@st.composite
def damaged_streams(draw: st.DrawFn, codec: Codec) -> list[bytes]:
    """Valid frames with bytes flipped, inserted, deleted or repeated, cut anywhere if streaming."""
    lo, hi = codec.value_range
    frames = codec.frames(draw(st.lists(st.integers(lo, hi), min_size=1, max_size=12)))
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(frames) - 1))
        frame = bytearray(frames[i])
        at = draw(st.integers(0, len(frame)))
        how = draw(st.sampled_from(("flip", "insert", "delete", "repeat")))
        if how == "flip" and at < len(frame):
            frame[at] = draw(st.integers(0, 255))
        elif how == "insert":
            frame[at:at] = draw(st.binary(min_size=1, max_size=24))
        elif how == "delete":
            del frame[at : at + draw(st.integers(1, 8))]
        else:
            frame[at:at] = frame[:at]
        frames[i] = bytes(frame)
    if not codec.streaming:
        return frames
    stream = b"".join(frames)
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    return [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]


def any_bytes(codec: Codec) -> st.SearchStrategy[list[bytes]]:
    """Random chunks, or a valid stream damaged; the second finds far more of the hard cases."""
    return st.one_of(st.lists(st.binary(max_size=96), max_size=10), damaged_streams(codec))


def test_every_registered_decoder_is_fuzzed() -> None:
    fuzzed = {type(c.make()) for c in CODECS}
    assert {type(make()) for make in DECODERS.values()} <= fuzzed


@codecs
def test_any_bytes_never_raise_nor_give_impossible_samples(
    codec: Codec, capsys: pytest.CaptureFixture[str]
) -> None:
    tally = {"inputs": 0, "chunks": 0, "bytes": 0, "samples": 0, "refused": 0}

    @FUZZ
    @given(chunks=any_bytes(codec))
    def check(chunks: list[bytes]) -> None:
        dec, items = run(codec, chunks)  # raises on an exception or an impossible sample
        tally["inputs"] += 1
        tally["chunks"] += len(chunks)
        tally["bytes"] += sum(map(len, chunks))
        tally["samples"] += sum(len(b) for b in items if isinstance(b, SampleBlock))
        tally["refused"] += dec.stats.non_finite + dec.stats.out_of_range

    start_s = time.perf_counter()
    check()
    if LONG_RUN:  # the figures docs/reliability.md reports (every input passed the invariant)
        wall_s = time.perf_counter() - start_s
        with capsys.disabled():
            figures = " ".join(f"{k}={v}" for k, v in tally.items())
            print(f"\nFUZZ {codec.name} {figures} exceptions=0 non_finite=0 wall_s={wall_s:.1f}")


@codecs
def test_recovers_within_one_frame_after_garbage(codec: Codec) -> None:
    lo, hi = codec.value_range

    @FUZZ
    @given(
        garbage=st.lists(st.binary(min_size=1, max_size=64), min_size=1, max_size=4),
        values=st.lists(st.integers(lo, hi), min_size=2, max_size=10),
    )
    def check(garbage: list[bytes], values: list[int]) -> None:
        frames = codec.frames(values)
        _, clean = run(codec, frames)
        expected = column(codec, clean)
        n = len(values) * codec.samples_per_frame
        assert len(expected) == n, f"{codec.name}: the valid stream itself failed"
        chunks = [b"".join(garbage), b"".join(frames)] if codec.streaming else garbage + frames
        _, items = run(codec, chunks)
        got = column(codec, items)
        frames_kept = len(values) - 1 if codec.streaming else len(values)  # at most one lost
        keep = frames_kept * codec.samples_per_frame
        assert len(got) >= keep
        assert np.array_equal(got[len(got) - keep :], expected[n - keep :])

    check()


@codecs
def test_any_cutting_gives_the_same_samples(codec: Codec) -> None:
    if not codec.streaming:
        pytest.skip("one notification per feed: nothing to cut")
    lo, hi = codec.value_range

    @FUZZ
    @given(
        values=st.lists(st.integers(lo, hi), min_size=1, max_size=10),
        cuts=st.lists(st.integers(0, 400), max_size=10),
    )
    def check(values: list[int], cuts: list[int]) -> None:
        stream = b"".join(codec.frames(values))
        bounds = sorted({min(c, len(stream)) for c in cuts})
        pieces = [stream[a:b] for a, b in zip([0, *bounds], [*bounds, len(stream)], strict=True)]
        _, whole = run(codec, [stream])
        _, cut = run(codec, pieces)
        n = len(values) * codec.samples_per_frame
        assert column(codec, cut) == column(codec, whole) and len(column(codec, cut)) == n

    check()


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*/*.hex"))


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_case(path: Path) -> None:
    """A kept nasty input: it must decode under the invariant, as many samples as it says."""
    codec = BY_NAME[path.parent.name]
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    expect = [ln for ln in path.read_text().splitlines() if ln.startswith("# expect samples:")]
    chunks = [bytes.fromhex(ln) for ln in lines if ln]
    _, items = run(codec, chunks)
    if expect:
        assert len(column(codec, items)) == int(expect[0].split(":")[1])


def test_finding_witmotion_magnetometer_counts_are_bounded_per_channel() -> None:
    """The 100,000-input run drew a valid magnetometer frame from random bytes: raw counts are
    int16, bounded by ±32768, not by the gyro's ±2000 once applied to every channel."""
    codec = BY_NAME["witmotion-uart"]
    frame = bytes.fromhex("55541012163976aab5f9e8")
    _, items = run(codec, [frame])
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    assert blocks[0].column("mag_x_raw").tolist() == [4624.0]
    assert blocks[0].column("mag_z_raw").tolist() == [-21898.0]
    # each channel keeps its own bound: 20 g is out of range for the accelerometer
    bad = SampleBlock(
        t_s=np.zeros(1), t_host_s=np.zeros(1), values=np.array([[20.0]]), channels=("acc_x_g",)
    )
    with pytest.raises(AssertionError, match="out of range"):
        check_items(codec, [bad])
