"""The recorder sink: commits on time, saves drill context, results, maxima and gaps."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.errors import StorageError
from isoforce.live import SessionOptions
from isoforce.recording import StoreWriter
from isoforce.session.exporter import export_csv, export_json, sidecar_bytes
from isoforce.session.model import SessionStatus
from isoforce.session.store import SessionStore
from tests.session.session_helpers import FakeClock, force_frames, header, run_drill, run_record


def _exported(store: SessionStore, sid: int) -> tuple[bytes, ...]:
    """The session as the CSV, sidecar and JSON Lines exports, and its stored sample chunks."""
    csv_out, json_out = io.BytesIO(), io.BytesIO()
    export_csv(store, sid, csv_out)
    export_json(store, sid, json_out)
    chunks = store.connection.execute(
        "SELECT * FROM sample_chunks WHERE session_id = ? ORDER BY rowid", (sid,)
    ).fetchall()
    return (
        csv_out.getvalue(),
        sidecar_bytes(store, sid),
        json_out.getvalue(),
        repr(chunks).encode(),
    )


def _committed(store: SessionStore, sid: int) -> int:
    row = store.connection.execute(
        "SELECT COALESCE(SUM(n), 0) FROM sample_chunks WHERE session_id = ?", (sid,)
    ).fetchone()
    return int(row[0])


def test_commits_once_the_oldest_queued_sample_is_interval_old(store: SessionStore) -> None:
    clock = FakeClock()
    rec = StoreWriter(store, SessionOptions(), commit_interval_s=0.2, clock=clock)
    rec.on_start(header())
    assert rec.session_id is not None
    frames = force_frames(10)
    rec.on_frame(frames[0])
    clock.now = 0.1
    rec.on_frame(frames[1])
    assert _committed(store, rec.session_id) == 0
    clock.now = 0.2
    rec.on_frame(frames[2])  # the first queued sample is now 0.2 s old
    assert _committed(store, rec.session_id) == 30
    clock.now = 0.35
    rec.on_frame(frames[3])
    assert _committed(store, rec.session_id) == 30
    rec.flush()  # the end of the run commits the rest
    assert _committed(store, rec.session_id) == 40
    assert store.session_info(rec.session_id).status is SessionStatus.RECORDING
    assert store.session_info(rec.session_id).samples == 40


def test_commit_interval_over_half_a_second_is_refused(store: SessionStore) -> None:
    with pytest.raises(ValueError, match=r"\(0, 0\.5\]"):
        StoreWriter(store, SessionOptions(), commit_interval_s=0.6)


def test_tension_drill_saves_context_scores_and_pain_free_max(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", pain_at=60)
    rec = store.load(run.session_id)
    info = store.session_info(run.session_id)
    assert info.status is SessionStatus.COMPLETE
    assert info.stopped_by == "drill finished"
    assert rec.samples == run.result.samples
    ch = rec.channels[0]
    assert np.all(np.diff(ch.t_s) > 0)
    assert rec.meta.drill is not None and rec.meta.drill.toml and "staircase" in rec.meta.drill.toml
    assert rec.meta.labels.step_names[1].startswith("staircase")
    assert set(np.unique(ch.step)) - {-1} == set(range(len(rec.meta.labels.step_names)))
    assert np.isfinite(ch.target_pct).all()
    kinds = [e.kind for e in rec.events]
    assert kinds.count("step_started") == len(run.session.guide.engine.plan)
    assert "pain_marked" in kinds and "drill_finished" in kinds
    assert [s.step_index for s in rec.steps] == list(range(22))  # push, then pull
    assert rec.steps[1].ended_by == "pain"
    # nothing stored: the staircase climbs 20 N at a time on the 100 N scale (the same as on a
    # real sensor); the athlete hurts above 60 % of its 250 N (150 N): pressed in the 160 N level,
    # the target drops 10 % or 10 points below the force then, about 140 N, and it is better
    assert rec.summary is not None
    push_found, pull_found = rec.summary["pain_free_found"]
    assert push_found["direction"] == "push" and push_found["how"] == "pain"
    assert push_found["level_pct"] == pytest.approx(140.0, abs=6.0)
    assert sorted(rec.meta.options["open_staircases"]) == ["pull", "push"]
    found, pull = rec.maxima  # one per direction, each from its own staircase
    assert found.kind is ReferenceKind.PAIN_FREE
    assert found.value_n == pytest.approx(push_found["level_pct"])
    # the simulated athlete pulls 170 N at most and no pain there: the pull plateau
    assert pull.kind is ReferenceKind.PAIN_FREE and pull.key.direction is Direction.PULL
    assert pull.value_n == pytest.approx(170.0, rel=0.08) and pull.detail["found_by"] == "plateau"
    assert pull_found["direction"] == "pull" and pull.value_n == pytest.approx(
        pull_found["level_pct"]
    )
    assert found.detail["reference_n"] == 100.0 and found.detail["found_by"] == "pain"
    assert found.key.side is Side.LEFT and found.key.direction is Direction.PUSH
    assert found.key.movement == "hip-ir" and found.key.position == "90-90"
    assert found.detail["by_pain"] is True


def test_max_test_saves_an_mvic_per_direction_with_its_trials(store: SessionStore) -> None:
    run = run_drill(store, "max-test", pain_at=None, side=Side.RIGHT, rate_hz=100)
    push, pull = store.load(run.session_id).maxima
    assert (push.key.direction, pull.key.direction) == (Direction.PUSH, Direction.PULL)
    result = run.session.guide.engine.result()
    for mvic in (push, pull):
        assert mvic.kind is ReferenceKind.MVIC and mvic.key.side is Side.RIGHT
        trials = mvic.detail["trials_n"]
        assert len(trials) == 3
        assert mvic.value_n == pytest.approx(max(trials))
        assert mvic.detail["peak_n"] >= mvic.detail["best_0_5s_n"] >= mvic.value_n
    # the best 1 s mean over every trial is the push MVIC here: the simulated person is
    # stronger pushing; effort % divides by the drill's provisional reference
    assert result.max_effort is not None and result.max_effort.best_1s is not None
    reference_n = push.detail["reference_n"]
    assert push.value_n == pytest.approx(result.max_effort.best_1s * reference_n / 100)
    assert pull.value_n < push.value_n


def test_unknown_side_saves_the_session_but_no_maxima(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", side=None)
    assert store.load(run.session_id).maxima == ()
    assert store.reference_history() == []


def test_link_drop_is_a_gap_with_events_never_filled(store: SessionStore) -> None:
    run = run_record(store, duration_s=6.0, drops=((2.0, 1.0),))
    rec = store.load(run.session_id)
    (gap,) = rec.gaps
    assert gap.start_t_s == pytest.approx(2.0 - 1 / 80, abs=1e-6)
    assert gap.end_t_s == pytest.approx(3.0, abs=1e-6)
    assert gap.samples_lost == 80
    kinds = [e.kind for e in rec.events]
    assert kinds == ["link_lost", "link_restored"]
    ch = rec.channels[0]
    dt = np.diff(ch.t_s)
    assert dt.max() == pytest.approx(1.0 + 1 / 80, abs=1e-6)
    assert ch.lost_before.sum() == 80


def test_abandon_marks_interrupted(store: SessionStore) -> None:
    run = run_drill(store, "tension-drill", finish=False)
    run.recorder.abandon("error: device exploded")
    info = store.session_info(run.session_id)
    assert info.status is SessionStatus.INTERRUPTED
    assert info.stopped_by == "error: device exploded"


def test_full_disk_while_recording_never_looks_complete(tmp_path: Path) -> None:
    path = tmp_path / "isoforce.sqlite3"
    store = SessionStore.open(path)
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages + 1000}")  # ~4 MB of 9 MB
    with pytest.raises(StorageError, match="disk is full"):
        run_drill(store, "tension-drill", rate_hz=1000)
    sid = store.sessions()[0].id
    kept = _committed(store, sid)
    store.close()
    with SessionStore.open(path) as again:
        info = again.session_info(sid)
        assert info.status is SessionStatus.INTERRUPTED
        assert info.samples == kept > 0


def test_finding_full_store_disk_keeps_what_fit_and_the_session_goes_on_into_the_file(
    tmp_path: Path,
) -> None:
    """Issue 20: the session that hit a full disk kept 0 of its samples. Now what was recorded up
    to the last chunk that fit is kept and the session is marked interrupted with the reason; a
    recording into --out goes on; a session recorded before the fault stays byte-identical."""
    import asyncio

    from isoforce.drills.loader import load_builtin
    from isoforce.live import FrameConsumer, LiveFrame
    from isoforce.live.build import open_session

    path = tmp_path / "isoforce.sqlite3"
    store = SessionStore.open(path)
    earlier = run_record(store, duration_s=3.0).session_id  # a session recorded before the fault
    before = _exported(store, earlier)
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages + 1000}")  # ~4 MB of 9 MB
    options = SessionOptions(speed=float("inf"), rate_hz=1000.0, pain_threshold_pct=60.0)
    session = open_session(options, drill=load_builtin("tension-drill"))
    into_file: list[int] = []

    class File(FrameConsumer):  # what --out gets
        def on_frame(self, frame: LiveFrame) -> None:
            into_file.append(len(frame))

    writer = StoreWriter(store, options, side=Side.LEFT, keep_going=True)
    session.add(writer)
    session.add(File())
    outcome = asyncio.run(session.run())
    assert outcome.stopped_by == "drill finished" and not outcome.error
    assert sum(into_file) == outcome.samples  # the file got every sample
    assert writer.failure is not None and "disk is full" in str(writer.failure)
    assert writer.session_id is not None
    kept = _committed(store, writer.session_id)
    assert 0 < kept < outcome.samples
    store.close()
    with SessionStore.open(path) as again:
        info = again.session_info(writer.session_id)
        assert info.status is SessionStatus.INTERRUPTED
        assert info.samples == kept
        assert "disk is full" in info.stopped_by
        assert _exported(again, earlier) == before  # the earlier session byte-identical
        assert again.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
