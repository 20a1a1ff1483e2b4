"""The live pipeline: short blocks (plain floats) and long blocks (numpy) give the same bits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.effort_key import Capabilities, Direction
from isoforce.core.samples import SMALL_BLOCK, SampleBlock
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortModel, EffortReference, NotMeasured
from isoforce.signal.pipeline import ForcePipeline, PipelineSettings

_FS_HZ = 80.0
_N = 400
_rng = np.random.default_rng(11)
_T = np.arange(_N) / _FS_HZ
# swings through zero, so both the push and the pull maximum apply
_RAW = 84_000 + 2250 * (60 * np.sin(_T) + _rng.normal(0, 0.5, _N))

_REFERENCES = {
    "both": EffortReference(push_max_n=250, pull_max_n=170),
    "push only": EffortReference(push_max_n=250),
    "none": EffortReference(),
}
_CAPABILITIES = {
    "both": Capabilities(push=True, pull=True),
    "compression": Capabilities(push=True, pull=False),
}


def _pipeline(reference: str, capabilities: str, raw_channel: str | None) -> ForcePipeline:
    settings = PipelineSettings(
        raw_channel=raw_channel,
        calibration=Calibration(n_per_raw=1 / 2250, offset_raw=84_000),
        capabilities=_CAPABILITIES[capabilities],
        fs_hz=_FS_HZ,
    )
    return ForcePipeline(settings, reference=_REFERENCES[reference])


def _block(start: int, stop: int) -> SampleBlock:
    t = _T[start:stop]
    return SampleBlock(t_s=t, t_host_s=t, values=_RAW[start:stop, None], channels=("load_raw",))


@settings(max_examples=80, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=60),
    reference=st.sampled_from(sorted(_REFERENCES)),
    capabilities=st.sampled_from(sorted(_CAPABILITIES)),
    direction=st.sampled_from([None, Direction.PUSH, Direction.PULL]),
    raw_channel=st.sampled_from(["load_raw", None]),
)
def test_any_blocking_gives_the_bits_of_one_block(
    sizes: list[int],
    reference: str,
    capabilities: str,
    direction: Direction | None,
    raw_channel: str | None,
) -> None:
    whole_pipe = _pipeline(reference, capabilities, raw_channel)
    whole_pipe.direction = direction
    whole = whole_pipe.process(_block(0, _N))
    assert _N > SMALL_BLOCK
    pipe = _pipeline(reference, capabilities, raw_channel)
    pipe.direction = direction
    parts, i = [], 0
    for size in sizes:
        if i >= _N:
            break
        parts.append(pipe.process(_block(i, i + size)))
        i += size
    n = min(i, _N)
    for name in ("raw", "force_n", "display_force_n", "effort_pct"):
        got = np.concatenate([getattr(p, name) for p in parts])
        np.testing.assert_array_equal(got, getattr(whole, name)[:n], err_msg=name)
    assert {p.missing for p in parts} == {whole.missing}
    assert pipe.effort_message == whole_pipe.effort_message


def test_short_block_arrays_are_float() -> None:
    pipe = _pipeline("both", "both", "load_raw")
    out = pipe.process(_block(0, 10))
    assert out.samples == 10
    for arr in (out.force_n, out.display_force_n, out.effort_pct):
        assert arr.dtype == np.float64 and arr.shape == (10,)
    assert out.missing is None and pipe.effort_message == ""
    empty = pipe.process(_block(10, 10))
    assert empty.samples == 0 and empty.display_force_n.shape == (0,)


@pytest.mark.parametrize("direction", [None, Direction.PUSH, Direction.PULL])
def test_effort_on_plain_floats_matches_arrays(direction: Direction | None) -> None:
    force = np.array([-120.0, -0.0, 0.0, 3.5, 240.0, np.nan])
    for reference in _REFERENCES.values():
        for capabilities in _CAPABILITIES.values():
            model = EffortModel(reference=reference, capabilities=capabilities)
            result = model.compute(force_n=force, direction=direction)
            # the short block's one loop on plain floats (raw reads as newtons here)
            pipe = ForcePipeline(
                PipelineSettings(
                    raw_channel="load_raw",
                    calibration=Calibration(n_per_raw=1.0, offset_raw=0.0),
                    capabilities=capabilities,
                    fs_hz=_FS_HZ,
                ),
                reference=reference,
            )
            pipe.direction = direction
            t = np.arange(force.size) / _FS_HZ
            block = SampleBlock(t_s=t, t_host_s=t, values=force[:, None], channels=("load_raw",))
            assert force.size <= SMALL_BLOCK
            out = pipe.process(block)
            values, missing = out.effort_pct, out.missing
            np.testing.assert_array_equal(values, result.effort_pct)
            assert missing is result.missing
            assert missing is None or isinstance(missing, NotMeasured)
