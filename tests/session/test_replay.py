"""Replay: a stored session goes back through decoder, pipeline and drill engine unchanged."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import numpy as np
import pytest

from isoforce.devices.base import DeviceSpec
from isoforce.devices.registry import device_spec
from isoforce.drills.scoring import EndReason
from isoforce.errors import ConfigError, TransportError
from isoforce.live import DrillCommand, FrameConsumer, LinkChange, LiveFrame, LiveSession
from isoforce.live.build import open_replay
from isoforce.recording import stored_drill
from isoforce.session.model import SessionRecord
from isoforce.session.store import SessionStore
from isoforce.transports.pacing import Clock
from isoforce.transports.replay import ReplaySource, ReplayTransport
from isoforce.transports.replay_plan import replay_plan
from tests.session.session_helpers import channel, imu_samples, record, run_drill, run_record

COLUMNS = {
    "t": "t_s",
    "raw": "raw",
    "force": "force_n",
    "effort": "effort_pct",
    "target": "target_pct",
}


class Collect(FrameConsumer):
    def __init__(self) -> None:
        self.frames: list[LiveFrame] = []

    def on_frame(self, frame: LiveFrame) -> None:
        self.frames.append(frame)


def replay(
    store: SessionStore, session_id: int, *, drill: bool = True
) -> tuple[LiveSession, SessionRecord]:
    """A replay of a stored session, as 'isoforce replay' builds it."""
    record = store.load(session_id)
    found = stored_drill(record) if drill else None
    return open_replay(record, speed=float("inf"), drill=found), record


def _collect(session: LiveSession, keep: Collect | None = None) -> dict[str, np.ndarray]:
    keep = keep or Collect()
    session.add(keep)
    asyncio.run(session.run())
    return {
        k: np.concatenate([f.columns[name] for f in keep.frames]) for k, name in COLUMNS.items()
    }


def test_drill_replay_reproduces_samples_and_scores(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", pain_at=60)
    session, record = replay(store, run.session_id)
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
    # the staircase ran open-ended in newtons (nothing stored): the replay runs it the same way
    assert replayed.pain_free_found == original.pain_free_found
    push = original.pain_free_found[0]
    assert push.level_pct == pytest.approx(140.0, abs=6.0)  # pain in the 160 N push level
    assert replayed.drops == original.drops and original.drops[0].answer == "better"


def test_a_replay_presses_skip_and_pause_where_the_athlete_did(store: SessionStore) -> None:
    """Without them the replayed drill would still run the skipped step, on the next one's
    samples, and run on through a pause: other targets, other scores."""
    keys = (
        (10.0, DrillCommand.SKIP),  # the stretch: a get-ready, then the ramp
        (30.0, DrillCommand.PAUSE),
        (36.0, DrillCommand.PAUSE),  # resume
        (100.0, DrillCommand.SKIP),
    )
    run = run_drill(store, "pails-rails-hip", pain_at=None, keys=keys)
    session, record = replay(store, run.session_id)
    got = _collect(session)
    np.testing.assert_array_equal(got["target"], record.channels[0].target_pct)
    replayed = session.guide.engine.result()  # type: ignore[union-attr]
    original = run.session.guide.engine.result()  # type: ignore[union-attr]
    ended = [s.ended_by for s in original.step_scores]
    assert ended.count(EndReason.SKIPPED) == 2
    assert replayed.step_scores == original.step_scores


def test_a_pain_key_in_a_pause_resumes_it_in_a_replay_as_it_did_live(store: SessionStore) -> None:
    """The pain key resumes the pause itself: the resume is not pressed again as a key of its
    own (which would put the pain mark a sample later, at another effort)."""
    keys = ((30.0, DrillCommand.PAUSE), (33.0, DrillCommand.PAIN), (40.0, DrillCommand.BETTER))
    run = run_drill(store, "pails-rails-hip", pain_at=None, keys=keys)
    session, record = replay(store, run.session_id)
    assert [key for _, key in replay_plan(record).key_presses] == ["pause", "pain", "better"]
    got = _collect(session)
    np.testing.assert_array_equal(got["target"], record.channels[0].target_pct)
    replayed = session.guide.engine.result()  # type: ignore[union-attr]
    original = run.session.guide.engine.result()  # type: ignore[union-attr]
    assert replayed.pains == original.pains and len(original.pains) == 1
    assert replayed.step_scores == original.step_scores


def test_link_drops_replay_as_drops(store: SessionStore) -> None:
    run = run_record(store, duration_s=5.0, drops=((1.5, 0.5),))
    session, _ = replay(store, run.session_id)
    keep = Collect()
    got = _collect(session, keep)
    links = [e.change for f in keep.frames for e in f.link_events]
    assert links == [LinkChange.LOST, LinkChange.RESTORED]
    assert session.outcome is not None
    (gap,) = session.outcome.gaps
    (orig,) = run.result.gaps
    assert (gap.start_t_s, gap.end_t_s, gap.samples_lost) == (
        orig.start_t_s,
        orig.end_t_s,
        orig.samples_lost,
    )
    assert session.outcome.decode.samples_lost == run.result.decode.samples_lost == 40
    assert got["t"].shape[0] == run.result.samples


def test_imu_sessions_replay_through_the_runner(store: SessionStore) -> None:
    """An IMU-only session runs as a device without force; a session of separate sensors
    (IMU samples at other times than force samples) still plays its force back."""
    run = run_record(store, device="sim-imu", rate_hz=400.0, duration_s=0.5)
    session, _ = replay(store, run.session_id)
    spec = session.header.spec
    assert spec.force_channel is None and spec.capabilities.imu
    got = _collect(session)
    assert got["t"].shape[0] == run.result.samples and np.isnan(got["force"]).all()

    sid = store.save_record(record(channels=(channel(300),), imu=imu_samples(400)))
    session, rec = replay(store, sid)
    got = _collect(session)
    np.testing.assert_array_equal(got["raw"], rec.channels[0].raw)
    np.testing.assert_allclose(got["t"], rec.channels[0].t_s, rtol=0, atol=0.5e-6)


def test_a_replay_without_its_drill_plays_the_samples_only(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", pain_at=60)
    session, _ = replay(store, run.session_id, drill=False)
    assert session.header.spec.key == "replay" and session.guide is None
    got = _collect(session)
    assert got["t"].shape[0] == run.result.samples


def test_a_sim_dual_recording_replays_force_and_imu_through_the_live_path(
    store: SessionStore,
) -> None:
    run = run_record(store, device="sim-dual", rate_hz=400.0, duration_s=4.0)
    session, record = replay(store, run.session_id)
    keep = Collect()
    got = _collect(session, keep)
    assert record.imu is not None
    np.testing.assert_array_equal(got["raw"], record.channels[0].raw)
    np.testing.assert_array_equal(got["force"], record.channels[0].force_n)
    imu = [f.imu for f in keep.frames if f.imu is not None]
    angle = np.concatenate([s.angle_deg for s in imu])
    still = np.concatenate([s.still for s in imu])
    # the live IMU chain ran again on the replayed accelerometer and gyro: same angles
    # (to float32, as the store keeps them) and the same stillness
    np.testing.assert_allclose(angle, record.imu.angle_deg, rtol=0, atol=1e-3, equal_nan=True)
    np.testing.assert_array_equal(still, record.imu.still)


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
        replay_plan(store.load(sid))


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


def test_a_replay_runs_the_drill_as_it_ran_with_its_cycles_and_open_staircases() -> None:
    from isoforce.core.effort_key import Direction
    from isoforce.drills import load_builtin
    from isoforce.drills.choices import cycles_of
    from isoforce.drills.open_scale import opened_directions
    from isoforce.recording.lifecycle import as_run

    ere = as_run(load_builtin("end-range-expansion"), {"drill_cycles": 3})
    assert cycles_of(ere) == 3
    tension = as_run(load_builtin("tension-drill"), {"open_staircases": ["push", "bogus"]})
    assert opened_directions(tension) == {Direction.PUSH}
    # options of an older isoforce (neither key) or a drill file changed since: as it is now
    assert as_run(load_builtin("pails-rails-hip"), {"drill_cycles": 4}) == load_builtin(
        "pails-rails-hip"
    )


def _sources(session: LiveSession) -> dict[tuple[str, str], str]:
    return {(c.kind.value, c.direction.value): c.source.value for c in session.header.chosen}


def test_a_replay_reads_in_newtons_where_the_run_measured_a_max_nobody_knew(
    store: SessionStore,
) -> None:
    """A first max test ran on a 100 N stand-in for each MVIC (effort in N, never a % of it):
    the session keeps which references were stand-ins and its replay says the same, while a
    maximum that was known is replayed 'as recorded'."""
    run = run_drill(store, "max-test", pain_at=None)
    record = store.load(run.session_id)
    assert record.meta.options["provisional_references"] == ["mvic:pull", "mvic:push"]
    session, _ = replay(store, run.session_id)
    sources = _sources(session)
    assert sources[("mvic", "push")] == sources[("mvic", "pull")] == "provisional"
    assert sources[("pain_free", "push")] == "recorded"


def test_an_older_session_without_the_stand_ins_reads_its_open_staircases_in_newtons(
    store: SessionStore,
) -> None:
    run = run_drill(store, "tension-drill", pain_at=None)
    record = store.load(run.session_id)
    assert record.meta.options.pop("provisional_references") == [
        "pain_free:pull",
        "pain_free:push",
    ]
    session = open_replay(record, speed=float("inf"), drill=stored_drill(record))
    sources = _sources(session)
    assert sources[("pain_free", "push")] == sources[("pain_free", "pull")] == "provisional"
