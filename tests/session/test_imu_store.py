"""IMU samples and range-of-motion records in the store: schema v2, round trips, damage."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.errors import StorageError
from isoforce.session import _schema, blob
from isoforce.session.model import (
    ImuSamples,
    ReferenceRecord,
    SessionStatus,
)
from isoforce.session.store import SessionStore
from tests.session.session_helpers import as_stored, assert_same_imu, imu_samples, record, rom


def _count(store: SessionStore, table: str) -> int:
    return int(store.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# -- the data model -------------------------------------------------------------------------


def test_imu_samples_check_their_shapes() -> None:
    good = imu_samples(10)
    assert len(good) == 10 and good.duration_s == pytest.approx(9 / 400)
    with pytest.raises(ValueError, match=r"acc_g has shape \(10,\), not \(10, 3\)"):
        replace(good, acc_g=good.acc_g[:, 0])
    with pytest.raises(ValueError, match=r"angle_deg has shape \(9,\), not \(10,\)"):
        replace(good, angle_deg=good.angle_deg[:9])
    with pytest.raises(ValueError, match="still must be booleans"):
        replace(good, still=good.still.astype(np.int64))
    assert len(ImuSamples.empty()) == 0


def test_imu_samples_concat_and_part() -> None:
    whole = imu_samples(100)
    parts = [whole.part(0, 30), whole.part(30, 31), whole.part(31, 100)]
    assert_same_imu(ImuSamples.concat(parts), whole)
    assert ImuSamples.concat([whole]) is whole
    assert len(ImuSamples.concat([])) == 0


def test_rom_records_refuse_impossible_values() -> None:
    with pytest.raises(ValueError, match="'ir' or 'er'"):
        rom(direction="internal")
    for bad in (0.0, -3.0, float("nan")):
        with pytest.raises(ValueError, match="finite angle > 0"):
            rom(angle_deg=bad)


# -- schema v2 -----------------------------------------------------------------------------


def test_a_v1_store_migrates_in_place_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "isoforce.sqlite3"
    mvic = ReferenceRecord(
        MovementKey("hip-ir", Side.LEFT, Direction.PUSH, "90-90"),
        ReferenceKind.MVIC,
        120.0,
        "2026-11-20T10:00:00",
        "max-test",
    )
    with monkeypatch.context() as m:  # the store as isoforce with schema v1 wrote it
        m.setattr(_schema, "MIGRATIONS", _schema.MIGRATIONS[:1])
        with SessionStore.open(path) as old:
            assert old.schema_version == 1
            saved = replace(record(), maxima=(mvic,))
            sid = old.save_record(saved)
            tables = {r[0] for r in old.connection.execute("SELECT name FROM sqlite_master")}
            assert "imu_chunks" not in tables and "range_of_motion" not in tables
    with SessionStore.open(path) as new:
        assert new.schema_version == _schema.current_version() >= 2
        back = new.load(sid)
        assert back.samples == 500 and back.meta == saved.meta
        assert back.events == saved.events and back.gaps == saved.gaps
        assert back.imu is None and back.rom == ()
        assert [m.value_n for m in back.maxima] == [120.0]
        # the new tables work on the migrated file, for the old session too
        with new.transaction():
            new.append_imu(sid, imu_samples(50))
            new.add_rom([rom(session_id=sid)])
        again = new.load(sid)
        assert again.imu is not None and len(again.imu) == 50
        assert [r.angle_deg for r in again.rom] == [34.8]
    # opening again does not migrate twice
    with SessionStore.open(path) as s:
        assert s.schema_version == _schema.current_version() and s.load(sid).samples == 500


def test_v2_tables_check_their_values(store: SessionStore) -> None:
    sid = store.save_record(record())
    pid = store.profile_id(record().meta.profile)
    c = store.connection
    insert = (
        "INSERT INTO range_of_motion (profile_id, movement, side, direction, position, angle_deg,"
        " placement, measured_at) VALUES (?, 'hip-rotation', ?, ?, '90-90', ?, 'shank', 'x')"
    )
    for side, direction, angle in (("up", "ir", 10), ("left", "flexion", 10), ("left", "ir", 0)):
        with pytest.raises(sqlite3.IntegrityError):
            c.execute(insert, (pid, side, direction, angle))
    with pytest.raises(sqlite3.IntegrityError):
        c.execute(
            "INSERT INTO imu_chunks (session_id, seq, n, t_first_s, t_last_s, layout, data)"
            " VALUES (?, 0, 0, 0, 0, 1, x'')",
            (sid,),
        )


# -- IMU samples ---------------------------------------------------------------------------


def test_imu_round_trip_across_several_commits(store: SessionStore) -> None:
    meta = replace(record().meta, status=SessionStatus.RECORDING)
    sid = store.begin_session(meta)
    whole = imu_samples(1000, seed=3)
    cuts = [0, 1, 250, 600, 1000]
    for a, b in itertools.pairwise(cuts):
        with store.transaction():
            store.append_imu(sid, whole.part(a, b))
    with store.transaction():
        store.append_imu(sid, ImuSamples.empty())  # nothing to write: no row
    rows = store.connection.execute(
        "SELECT seq, n, t_first_s, t_last_s, length(data) FROM imu_chunks WHERE session_id = ?"
        " ORDER BY seq",
        (sid,),
    ).fetchall()
    assert [(seq, n) for seq, n, *_ in rows] == [(0, 1), (1, 249), (2, 350), (3, 400)]
    assert all(size == n * blob.IMU_BYTES_PER_SAMPLE == n * 49 for _, n, _, _, size in rows)
    assert rows[1][2] == whole.t_s[1] and rows[1][3] == whole.t_s[249]
    back = store.imu_samples(sid)
    assert_same_imu(back, as_stored(whole))
    assert back is not None
    np.testing.assert_array_equal(back.t_s, whole.t_s)  # time keeps full precision
    assert np.isnan(back.angle_deg[:100]).all() and np.isfinite(back.angle_deg[100:]).all()
    np.testing.assert_array_equal(back.still, whole.still)
    assert back.still.any() and not back.still.all()
    np.testing.assert_allclose(back.gyro_dps, whole.gyro_dps, rtol=1e-7)
    assert store.imu_size(sid) == 1000
    assert_same_imu(store.load(sid).imu, as_stored(whole))
    assert store.load(sid, samples=False).imu is None


def test_a_new_store_object_continues_the_sequence(tmp_path: Path) -> None:
    path = tmp_path / "isoforce.sqlite3"
    whole = imu_samples(300)
    with SessionStore.open(path) as a:
        sid = a.begin_session(replace(record().meta, status=SessionStatus.RECORDING))
        with a.transaction():
            a.append_imu(sid, whole.part(0, 100))
        with SessionStore.open(path) as b, b.transaction():
            b.append_imu(sid, whole.part(100, 300))
        assert_same_imu(a.imu_samples(sid), as_stored(whole))


def test_sessions_without_an_imu_have_none(store: SessionStore) -> None:
    sid = store.save_record(record())
    assert store.imu_samples(sid) is None and store.imu_size(sid) == 0
    assert store.load(sid).imu is None
    assert _count(store, "imu_chunks") == 0


def test_save_record_chunks_the_imu_and_keeps_rom(store: SessionStore) -> None:
    whole = imu_samples(1000)
    sid = store.save_record(
        replace(record(), imu=whole, rom=(rom(), rom(direction="er", angle_deg=41.25))),
        chunk_samples=256,
    )
    sizes = [r[0] for r in store.connection.execute("SELECT n FROM imu_chunks ORDER BY seq")]
    assert sizes == [256, 256, 256, 232]
    back = store.load(sid)
    assert_same_imu(back.imu, as_stored(whole))
    assert [(r.direction, r.angle_deg, r.session_id) for r in back.rom] == [
        ("ir", 34.8, sid),
        ("er", 41.25, sid),
    ]
    assert back.rom[0].detail == {"reps_deg": [33.8, 34.8]}
    assert back.rom[0] == replace(rom(), session_id=sid)


def test_a_damaged_imu_chunk_is_a_storage_error(store: SessionStore) -> None:
    sid = store.save_record(replace(record(), imu=imu_samples(100)))
    c = store.connection
    c.execute("UPDATE imu_chunks SET data = substr(data, 1, 100)")
    with pytest.raises(StorageError, match="IMU chunk holds 100 bytes, expected 4900"):
        store.load(sid)
    with pytest.raises(StorageError, match="reading IMU samples"):
        store.imu_samples(sid)
    c.execute("UPDATE imu_chunks SET data = ?, layout = 9", (bytes(4900),))
    with pytest.raises(StorageError, match="IMU chunk layout 9 is not supported"):
        store.load(sid)
    c.execute("UPDATE imu_chunks SET layout = 1, data = ?", (bytes(4899) + b"\x07",))
    with pytest.raises(StorageError, match="stillness bytes other than 0 and 1"):
        store.imu_samples(sid)
    c.execute("UPDATE imu_chunks SET data = ?", (bytes(4900),))
    assert store.imu_samples(sid) is not None  # well-formed again (zeros)


def test_delete_cascades_to_imu_and_detaches_rom(store: SessionStore) -> None:
    sid = store.save_record(replace(record(), imu=imu_samples(100), rom=(rom(),)))
    keep = store.save_record(replace(record(), imu=imu_samples(50)))
    store.delete_session(sid)
    assert _count(store, "imu_chunks") == 1
    assert store.imu_size(keep) == 50
    (kept,) = store.rom_history()
    assert kept.session_id is None and kept.angle_deg == 34.8


# -- range of motion -----------------------------------------------------------------------


def test_add_rom_and_rom_history(store: SessionStore) -> None:
    with store.transaction():
        store.add_rom([rom(at="2026-11-22T10:00:00"), rom(at="2026-11-21T09:00:00")])
        store.add_rom([rom(movement="hip-flexion")])
        store.add_rom([rom(angle_deg=20.0)], profile=replace(record().meta.profile, name="kim"))
    got = store.rom_history(movement="hip-rotation")
    assert [r.measured_at[:10] for r in got] == ["2026-11-21", "2026-11-22"]
    assert len(store.rom_history()) == 3
    assert [r.angle_deg for r in store.rom_history(profile="kim")] == [20.0]
    assert store.rom_history(movement="knee") == []
