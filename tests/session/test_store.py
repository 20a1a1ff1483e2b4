"""The SQLite session store on real files: schema, migrations, round trips, recovery, errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from isoforce.errors import StorageError
from isoforce.session import _schema
from isoforce.session.model import ARRAY_FIELDS, SessionMeta, SessionStatus
from isoforce.session.store import SessionNotFoundError, SessionStore
from tests.session.session_helpers import channel, record


def _same_channels(a: tuple, b: tuple) -> None:
    assert [c.name for c in a] == [c.name for c in b]
    for x, y in zip(a, b, strict=True):
        for name in ARRAY_FIELDS:
            np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)


def test_new_store_is_wal_versioned_and_marked(store: SessionStore) -> None:
    c = store.connection
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.schema_version == _schema.current_version() >= 1
    assert c.execute("PRAGMA application_id").fetchone()[0] == _schema.APPLICATION_ID
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "profiles",
        "sensors",
        "calibrations",
        "sessions",
        "step_results",
        "events",
        "gaps",
        "reference_maxima",
        "sample_chunks",
    } <= tables


def test_default_location_follows_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISOFORCE_DATA_DIR", str(tmp_path / "env"))
    with SessionStore.open() as s:
        assert s.path == tmp_path / "env" / "isoforce.sqlite3"
    with SessionStore.open(data_dir=tmp_path / "flag") as s:
        assert s.path == tmp_path / "flag" / "isoforce.sqlite3"
    assert s.path.exists()


def test_save_and_load_round_trip_every_field(store: SessionStore) -> None:
    rec = record(channels=(channel(700, name="load"), channel(300, name="load2", seed=1)))
    sid = store.save_record(rec, chunk_samples=128)
    back = store.load(sid)
    assert back.meta == rec.meta
    assert back.events == rec.events
    assert back.gaps == rec.gaps
    assert back.session_id == sid
    _same_channels(back.channels, rec.channels)
    info = store.session_info(sid)
    assert info.samples == 1000
    assert info.status is SessionStatus.COMPLETE
    assert store.channel_sizes(sid) == [("load", 700), ("load2", 300)]
    chunks = list(store.iter_chunks(sid, "load"))
    assert len(chunks) == 6 and sum(len(c) for c in chunks) == 700


def test_samples_are_chunked_blobs_not_rows(store: SessionStore) -> None:
    sid = store.save_record(record(channels=(channel(10_000),)), chunk_samples=4096)
    rows = store.connection.execute(
        "SELECT n, length(data) FROM sample_chunks WHERE session_id = ?", (sid,)
    ).fetchall()
    assert [n for n, _ in rows] == [4096, 4096, 1808]
    assert all(size == n * 53 for n, size in rows)


def test_resolve_aliases(store: SessionStore) -> None:
    a = store.save_record(record())
    later = replace(record().meta, started_at="2024-05-02T10:00:00.000+02:00")
    b = store.save_record(replace(record(), meta=later))
    assert store.resolve("latest") == [b]
    assert store.resolve("latest-1") == [a]
    assert store.resolve("all") == [a, b]
    assert store.resolve(str(a)) == [a]
    for bad in ("latest-2", "99", "yesterday", "latest+1"):
        with pytest.raises(SessionNotFoundError):
            store.resolve(bad)
    assert [i.id for i in store.sessions()] == [b, a]


def test_newer_schema_refuses_to_open(tmp_path: Path) -> None:
    path = tmp_path / "isoforce.sqlite3"
    SessionStore.open(path).close()
    with sqlite3.connect(path) as c:
        c.execute(f"PRAGMA user_version = {_schema.current_version() + 1}")
    v = _schema.current_version()
    with pytest.raises(StorageError, match=rf"newer isoforce.*v{v + 1}.*reads up to v{v}"):
        SessionStore.open(path)


def test_migrations_run_in_order_and_keep_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "isoforce.sqlite3"
    with SessionStore.open(path) as s:
        sid = s.save_record(record())

    def add_notes_table(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE extra_notes (id INTEGER PRIMARY KEY, text TEXT)")

    monkeypatch.setattr(_schema, "MIGRATIONS", [*_schema.MIGRATIONS, add_notes_table])
    with SessionStore.open(path) as s:
        assert s.schema_version == len(_schema.MIGRATIONS)
        assert s.connection.execute("SELECT count(*) FROM extra_notes").fetchone()[0] == 0
        assert s.load(sid).samples == 500


def test_other_sqlite_files_and_garbage_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    with pytest.raises(StorageError, match="not an isoforce session store"):
        SessionStore.open(other)
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="damaged or not an isoforce store"):
        SessionStore.open(garbage)


def test_a_file_where_the_data_dir_should_be(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file, not a folder")
    with pytest.raises(StorageError, match="cannot create the data directory"):
        SessionStore.open(data_dir=blocker)


def test_dead_recording_is_marked_interrupted_live_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "isoforce.sqlite3"
    writer = SessionStore.open(path)
    meta = replace(record().meta, status=SessionStatus.RECORDING)
    sid = writer.begin_session(meta)
    with writer.transaction():
        ch = channel(200)
        writer.append_samples(
            sid, "load", {n: getattr(ch, n) for n in ARRAY_FIELDS}, ch.lost_before
        )
    # a second process-like opener sees the lock held: the session is live
    with SessionStore.open(path) as reader:
        assert reader.session_info(sid).status is SessionStatus.RECORDING
    # the recorder dies without finishing: its lock goes away
    writer._locks.pop(sid).release()
    with SessionStore.open(path) as reader:
        info = reader.session_info(sid)
        assert info.status is SessionStatus.INTERRUPTED
        assert info.samples == 200
        assert info.duration_s == pytest.approx(1.99)
        assert "crash" in info.stopped_by
    writer.close()


def test_full_disk_during_import_keeps_nothing(store: SessionStore) -> None:
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages + 5}")
    with pytest.raises(StorageError, match="disk is full"):
        store.save_record(record(channels=(channel(20_000),)), chunk_samples=1000)
    store.connection.execute("PRAGMA max_page_count = 1073741823")
    assert store.sessions() == []
    assert store.connection.execute("SELECT count(*) FROM sample_chunks").fetchone()[0] == 0


def test_delete_cascades(store: SessionStore) -> None:
    sid = store.save_record(record())
    store.delete_session(sid)
    c = store.connection
    for table in ("sample_chunks", "events", "gaps"):
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    with pytest.raises(SessionNotFoundError):
        store.meta(sid)


def test_meta_type_is_plain_data() -> None:
    meta = record().meta
    assert isinstance(meta, SessionMeta)
    with pytest.raises(AttributeError):
        meta.uuid = "x"  # type: ignore[misc]


def test_a_damaged_sample_chunk_is_a_storage_error(store: SessionStore) -> None:
    sid = store.save_record(record())
    store.connection.execute("UPDATE sample_chunks SET data = substr(data, 1, 100)")
    with pytest.raises(StorageError, match="sample chunk holds 100 bytes, expected"):
        store.load(sid)
    store.connection.execute("UPDATE sample_chunks SET layout = 7")
    with pytest.raises(StorageError, match="layout 7 is not supported"):
        list(store.iter_chunks(sid))
