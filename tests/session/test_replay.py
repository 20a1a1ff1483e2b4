"""Replay: a stored session goes back through decoder, pipeline and drill engine unchanged."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import numpy as np
import pytest

from isoforce.devices.base import DeviceSpec
from isoforce.devices.registry import device_spec
from isoforce.errors import ConfigError, TransportError
from isoforce.runner.factory import SessionOptions, build_session
from isoforce.runner.replay import build_replay_session, replay_source
from isoforce.session.store import SessionStore
from isoforce.transports.clock import Clock
from isoforce.transports.replay import ReplaySource, ReplayTransport
from tests.session.session_helpers import channel, record, run_drill, run_record

FAST = SessionOptions(device="replay", speed=float("inf"))


def _collect(session) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    parts: dict[str, list[np.ndarray]] = {
        "t": [],
        "raw": [],
        "force": [],
        "effort": [],
        "target": [],
    }

    def keep(block, guidance) -> None:  # type: ignore[no-untyped-def]
        parts["t"].append(block.t_s.copy())
        parts["raw"].append(block.raw.copy())
        parts["force"].append(block.force_n.copy())
        parts["effort"].append(block.effort_pct.copy())
        parts["target"].append(block.target_pct.copy())

    session.runner.on_block = keep
    asyncio.run(session.runner.run())
    return {k: np.concatenate(v) for k, v in parts.items()}


def test_drill_replay_reproduces_samples_and_scores(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", pain_at=60)
    session, record = build_replay_session(FAST, store=store, session_id=run.session_id)
    got = _collect(session)
    ch = record.channels[0]
    n = got["t"].shape[0]
    assert n == len(ch) == run.result.samples
    np.testing.assert_array_equal(got["t"], ch.t_s)
    np.testing.assert_array_equal(got["raw"], ch.raw)
    np.testing.assert_array_equal(got["force"], ch.force_n)
    np.testing.assert_array_equal(got["effort"], ch.effort_pct)
    np.testing.assert_array_equal(got["target"], ch.target_pct)
    replayed = session.guide.engine.result()
    original = run.session.guide.engine.result()
    assert replayed.step_scores == original.step_scores
    assert replayed.pains == original.pains
    assert replayed.pain_free_max_pct == original.pain_free_max_pct == 60.0


def test_link_drops_replay_as_drops(store: SessionStore) -> None:
    run = run_record(store, duration_s=5.0, drops=((1.5, 0.5),))
    session, _ = build_replay_session(FAST, store=store, session_id=run.session_id)
    links = []
    session.runner.on_link = links.append
    got = _collect(session)
    assert [e.kind for e in links] == ["lost", "restored"]
    (gap,) = session.runner.result.gaps
    (orig,) = run.result.gaps
    assert (gap.start_t_s, gap.end_t_s, gap.samples_lost) == (
        orig.start_t_s,
        orig.end_t_s,
        orig.samples_lost,
    )
    assert session.runner.result.decode.samples_lost == run.result.decode.samples_lost == 40
    assert got["t"].shape[0] == run.result.samples


def test_factory_selects_replay_as_a_device(store: SessionStore) -> None:
    run = run_record(store, duration_s=1.0)
    options = SessionOptions(
        device="replay",
        speed=float("inf"),
        replay_session=run.session_id,
        data_dir=str(store.path.parent),
    )
    session = build_session(options)
    assert session.spec.key == "replay" and session.guide is None
    got = _collect(session)
    assert got["t"].shape[0] == run.result.samples
    with pytest.raises(ConfigError, match="replay needs a session"):
        build_session(SessionOptions(device="replay"))


def test_real_time_pacing_runs_on_the_clock() -> None:
    t = np.arange(40) / 200.0
    source = ReplaySource(t, (84_000 + t * 0)[:, None], ("load_raw",), np.zeros(40, dtype=np.int64))
    clock = Clock(speed=20.0)
    transport = ReplayTransport(replay_spec_for_test(), source, clock=clock)

    async def go() -> tuple[int, float]:
        await transport.open()
        chunks = [c async for c in transport.chunks()]
        return len(chunks), clock.now()

    count, now = asyncio.run(go())
    assert count == 8  # 5-sample chunks of 25 ms at 200 Hz
    assert now >= t[-1]  # it waited for the clock to reach the last sample
    assert transport.progress == 1.0


def replay_spec_for_test() -> DeviceSpec:
    return device_spec("sim")


def test_replay_needs_samples(store: SessionStore) -> None:
    sid = store.save_record(record(channels=(channel(0),)))
    with pytest.raises(ConfigError, match="no samples"):
        replay_source(store.load(sid))


def test_closed_replay_refuses_to_stream() -> None:
    source = ReplaySource(
        np.arange(3.0), np.zeros((3, 1)), ("load_raw",), np.zeros(3, dtype=np.int64)
    )
    transport = ReplayTransport(replay_spec_for_test(), source)

    async def go() -> None:
        async for _ in transport.chunks():
            pass

    with pytest.raises(TransportError, match="not open"):
        asyncio.run(go())


def test_pure_session_modules_load_no_io() -> None:
    code = (
        "import sys, importlib\n"
        "for m in ('isoforce.session.model', 'isoforce.session.history', 'isoforce.session.codec',"
        " 'isoforce.session.blob', 'isoforce.session.results', 'isoforce.export.session_csv',"
        " 'isoforce.export.tindeq_csv', 'isoforce.export.csv_reader'):\n"
        "    importlib.import_module(m)\n"
        "print(','.join(m for m in ('sqlite3', 'asyncio', 'textual', 'bleak', 'serial') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
