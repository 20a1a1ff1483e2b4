"""Short blocks (up to SMALL_BLOCK samples) run on plain floats: the bits of the array path.

A BLE sensor notifies one sample at a time; the engine, the guide and the target queries then
skip numpy. Whatever cut of a stream into blocks (1 sample, a few, many) gives the same targets,
labels, events and scores, to the bit, as one long block through the array path.
"""

from __future__ import annotations

import itertools
import math
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from isoforce.core.effort_key import Direction
from isoforce.core.samples import SMALL_BLOCK
from isoforce.drills import DrillEngine, DrillEvent, EngineSettings, EventKind, load_builtin
from isoforce.drills import engine as engine_module
from isoforce.drills._runtime import _clip, _minimum
from isoforce.drills.model import Drill
from isoforce.drills.phase_clock import phase_clock
from isoforce.live.guide import DrillGuide, SimulatedPainReporter
from tests.drills.test_properties import FAST, actions, drills, feed_blocks

FS_HZ = 20.0
sizes = st.lists(st.integers(1, SMALL_BLOCK + 4), min_size=1, max_size=12)


def stream(
    drill: Drill, seed: int, extra_s: float, *, repeats: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Sample times (some repeated when ``repeats``) and efforts near the drill's targets."""
    n = int((drill.duration_s + extra_s) * FS_HZ) + 1
    rng = np.random.default_rng(seed)
    dt = np.full(n, 1.0 / FS_HZ)
    if repeats:
        dt[rng.random(n) < 0.1] = 0.0
    t = np.cumsum(dt) - dt[0]
    nominal = DrillEngine(drill, start_t_s=0.5).targets_at(t)
    effort = nominal + rng.normal(0.0, 6.0, n)
    effort[rng.random(n) < 0.05] = np.nan
    effort[rng.random(n) < 0.01] = np.inf
    return t, effort


def cut(n: int, block_sizes: list[int], at: set[int]) -> list[int]:
    """Block bounds: the sizes over and over, and a bound at each control's sample."""
    bounds = {0}
    total = 0
    for size in itertools.cycle(block_sizes):
        total += size
        if total >= n:
            break
        bounds.add(total)
    return sorted({0, n, *bounds, *at})


def feed(
    drill: Drill,
    t: np.ndarray,
    effort: np.ndarray,
    block_sizes: list[int],
    acts: list[tuple[float, str]],
) -> tuple[list[np.ndarray], list[DrillEvent], DrillEngine]:
    """Run ``drill`` over the stream in blocks, with control actions between blocks."""
    engine = DrillEngine(drill, EngineSettings(pain_hold_s=1.0, cramp_rest_s=1.0), start_t_s=0.5)
    n = t.size
    at = {min(int(f * n), n - 1): name for f, name in acts}
    bounds = cut(n, block_sizes, set(at))
    columns, events = feed_blocks(engine, t, effort, bounds, at, after_block=assert_clock_as_walked)
    return columns, events, engine


def assert_clock_as_walked(engine: DrillEngine, t_s: float) -> None:
    """The phase clock (its walk ahead kept while the drill stands) is the one walked anew."""
    now = engine._pause_t if engine.status.value == "paused" else t_s
    fresh = phase_clock(engine._ahead(), now) if engine.current_step is not None else None
    assert repr(engine.phase_clock(t_s)) == repr(fresh)


def assert_same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def assert_same_run(
    x: tuple[list[np.ndarray], list[DrillEvent], DrillEngine],
    y: tuple[list[np.ndarray], list[DrillEvent], DrillEngine],
) -> None:
    """Two runs of :func:`feed` gave the same columns (bit for bit), events and result."""
    (columns_x, events_x, engine_x), (columns_y, events_y, engine_y) = x, y
    for a, b in zip(columns_x, columns_y, strict=True):
        assert_same_bits(a, b)
    assert repr(events_x) == repr(events_y)
    assert repr(engine_x.result()) == repr(engine_y.result())


@FAST
@given(drill=drills(), acts=actions, block_sizes=sizes, seed=st.integers(0, 2**16))
def test_short_blocks_give_the_bits_of_one_block(
    drill: Drill, acts: list[tuple[float, str]], block_sizes: list[int], seed: int
) -> None:
    t, effort = stream(drill, seed, 2.0 + len(acts) * 4.0, repeats=False)
    assert_same_run(
        feed(drill, t, effort, [t.size], acts), feed(drill, t, effort, block_sizes, acts)
    )


@FAST
@given(drill=drills(), acts=actions, block_sizes=sizes, seed=st.integers(0, 2**16))
def test_short_path_gives_the_bits_of_the_array_path(
    drill: Drill, acts: list[tuple[float, str]], block_sizes: list[int], seed: int
) -> None:
    # The same cut with the short path off: also with repeated sample times, where a long
    # block orders the band crossings at one time differently from one-sample blocks.
    t, effort = stream(drill, seed, 2.0 + len(acts) * 4.0, repeats=True)
    short = feed(drill, t, effort, block_sizes, acts)
    with patch.object(engine_module, "SMALL_BLOCK", 0):
        arrays = feed(drill, t, effort, block_sizes, acts)
    assert_same_run(short, arrays)


@FAST
@given(
    drill=drills(),
    acts=actions,
    upto=st.floats(0.0, 1.0),
    times=st.lists(
        st.integers(-20, 2000).map(lambda k: k / FS_HZ) | st.floats(-5.0, 100.0),
        max_size=SMALL_BLOCK,
    ),
)
def test_short_target_queries_give_the_bits_of_the_array_path(
    drill: Drill, acts: list[tuple[float, str]], upto: float, times: list[float]
) -> None:
    # stop the drill anywhere (also in a pain hold, a cramp rest or a pause) and look ahead
    t, effort = stream(drill, 0, 2.0 + len(acts) * 4.0, repeats=False)
    stop = int(upto * t.size)
    _, _, engine = feed(drill, t[:stop] if stop else t[:1], effort[: max(stop, 1)], [7], acts)
    short = np.array(times)
    padded = np.concatenate([short, np.zeros(SMALL_BLOCK + 1)])  # long: the array path
    assert_same_bits(engine.targets_at(short), engine.targets_at(padded)[: short.size])
    assert_same_bits(engine.phases_at(short), engine.phases_at(padded)[: short.size])
    target = DrillGuide(engine).target_fn({Direction.PUSH: 0.7, Direction.PULL: 1.3})
    assert_same_bits(target(short), target(padded)[: short.size])


@given(
    x=st.floats(allow_nan=True) | st.sampled_from([0.0, -0.0, math.inf, -math.inf]),
    lo=st.floats(allow_nan=False) | st.sampled_from([0.0, -0.0]),
    hi=st.floats(allow_nan=False) | st.sampled_from([0.0, -0.0, math.inf]),
)
def test_float_clip_and_minimum_match_numpy(x: float, lo: float, hi: float) -> None:
    assume(lo <= hi)
    np_clip = np.clip(np.array([x]), lo, hi)
    assert_same_bits(np.array([_clip(x, lo, hi)]), np_clip)
    assert_same_bits(np.array([_minimum(x, hi)]), np.minimum(np.array([x]), hi))


def guide_run(
    name: str, block_sizes: list[int], seed: int, *, keys: bool
) -> tuple[list[np.ndarray], list[DrillEvent], str]:
    """A built-in drill through :class:`DrillGuide`, with a simulated person's keys if ``keys``."""
    drill = load_builtin(name)
    guide = DrillGuide(DrillEngine(drill, start_t_s=0.5))
    if keys:
        guide.pain_reporter = SimulatedPainReporter(threshold_pct=25.0, fs_hz=FS_HZ)
    t, effort = stream(drill, seed, 20.0, repeats=False)
    effort[np.isinf(effort)] = np.nan  # the person's trailing mean takes finite efforts
    outs: list[list[np.ndarray]] = [[] for _ in range(4)]
    for a, b in itertools.pairwise(cut(t.size, block_sizes, set())):
        g = guide.guide(t[a:b], effort[a:b])
        for k, arr in enumerate((g.target_pct, g.step, g.phase, g.rep)):
            outs[k].append(arr)
    return [np.concatenate(o) for o in outs], guide.events, repr(guide.engine.result())


@pytest.mark.parametrize(("name", "seed"), [("pails-rails-hip", 1), ("tension-drill", 2)])
def test_guide_gives_the_same_for_any_cut_of_a_builtin(name: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    whole, events_a, result_a = guide_run(name, [10**9], seed, keys=False)
    for block_sizes in ([1], [1, 2, 3, 4], rng.integers(1, 60, 30).tolist()):
        parts, events_b, result_b = guide_run(name, block_sizes, seed, keys=False)
        for a, b in zip(whole, parts, strict=True):
            assert_same_bits(a, b)
        assert repr(events_a) == repr(events_b)
        assert result_a == result_b


@pytest.mark.parametrize(("name", "seed"), [("pails-rails-hip", 3), ("tension-drill", 4)])
def test_guide_with_keys_gives_the_bits_of_the_array_path(name: str, seed: int) -> None:
    # the simulated person looks for a key to press from the start of each block, so only
    # the same cut compares: short blocks through the short path and through the array path
    block_sizes = np.random.default_rng(seed).integers(1, SMALL_BLOCK + 4, 30).tolist()
    short, events_a, result_a = guide_run(name, block_sizes, seed, keys=True)
    assert any(e.kind is EventKind.PAIN_MARKED for e in events_a)
    with patch.object(engine_module, "SMALL_BLOCK", 0):
        arrays, events_b, result_b = guide_run(name, block_sizes, seed, keys=True)
    for a, b in zip(short, arrays, strict=True):
        assert_same_bits(a, b)
    assert repr(events_a) == repr(events_b)
    assert result_a == result_b
