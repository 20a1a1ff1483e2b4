"""A store you can trust over years (issue 20, deliver 7): check, online backup, recover.

The damage is done as the attacker did it: pages overwritten in the middle of the file. Which
pages belong to which session is read from SQLite's ``dbstat`` before the damage, so the test
knows exactly which sessions are undamaged and checks that each of them is salvaged whole.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from isoforce.errors import StorageError
from isoforce.live import SessionOptions
from isoforce.recording import StoreWriter
from isoforce.session.maintenance import backup_store, check_store, recover_store
from isoforce.session.model import SessionStatus
from isoforce.session.store import SessionStore
from tests.session.session_helpers import channel, force_frames, header, record

SESSIONS = 5
DAMAGED = 3
SAMPLES = 20_000  # about 1 MB of samples a session: long overflow chains


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_store(path: Path) -> dict[int, tuple[int, int]]:
    """SESSIONS sessions, one transaction each; the pages each one added (first, last)."""
    pages: dict[int, tuple[int, int]] = {}
    with SessionStore.open(path) as store:
        for k in range(SESSIONS):
            before = int(store.connection.execute("PRAGMA page_count").fetchone()[0])
            sid = store.save_record(record(channels=(channel(SAMPLES, seed=k),)))
            store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            after = int(store.connection.execute("PRAGMA page_count").fetchone()[0])
            pages[sid] = (before + 1, after)
    return pages


def overflow_pages(path: Path) -> set[int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'sample_chunks' AND pagetype = 'overflow'"
        ).fetchall()
    return {int(r[0]) for r in rows}


def damage(path: Path, pages: list[int]) -> None:
    """Overwrite whole pages with garbage, as a failing disk or a stray write would."""
    with sqlite3.connect(path) as conn:
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    with path.open("r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\xa5" * size)


def test_finding_store_recover_salvages_every_undamaged_session_after_mid_file_damage(
    tmp_path: Path,
) -> None:
    """Issue 20: there was no way to salvage a damaged store. ``recover`` now copies every
    undamaged session, whole, into a new store and names the one it lost."""
    path = tmp_path / "store" / "isoforce.sqlite3"
    try:
        pages = build_store(path)
        overflow = overflow_pages(path)
    except sqlite3.OperationalError as exc:  # SQLite built without dbstat
        pytest.skip(f"needs SQLite's dbstat table: {exc}")
    first, last = pages[DAMAGED]
    middle = (first + last) // 2
    hit = [p for p in range(middle - 2, middle + 2) if p in overflow]
    assert len(hit) == 4  # the middle of one long chain: only session DAMAGED owns these
    with SessionStore.open(path) as store:
        originals = {sid: store.load(sid) for sid in pages}
    damage(path, hit)

    report = check_store(path)
    assert not report.ok and report.problems

    target = tmp_path / "recovered.sqlite3"
    result = recover_store(path, target)
    assert set(result.lost) == {DAMAGED}
    assert sorted(result.saved) == [sid for sid in pages if sid != DAMAGED]
    assert check_store(target).ok
    with SessionStore.open(target) as fresh:
        for old, new in result.saved.items():
            got, want = fresh.load(new), originals[old]
            assert got.meta.uuid == want.meta.uuid
            assert got.samples == want.samples == SAMPLES
            for a, b in zip(got.channels, want.channels, strict=True):
                np.testing.assert_array_equal(a.force_n, b.force_n)
                np.testing.assert_array_equal(a.lost_before, b.lost_before)
            assert got.events == want.events and got.gaps == want.gaps


def test_a_damaged_store_is_never_written_to(tmp_path: Path) -> None:
    path = tmp_path / "store" / "isoforce.sqlite3"
    try:
        pages = build_store(path)
        overflow = overflow_pages(path)
    except sqlite3.OperationalError as exc:
        pytest.skip(f"needs SQLite's dbstat table: {exc}")
    first, last = pages[DAMAGED]
    damage(path, [p for p in range((first + last) // 2, last) if p in overflow][:2])
    before = sha(path)
    with SessionStore.open(path) as store:
        assert len(store.sessions()) == SESSIONS  # reading still works where it can
        with pytest.raises(StorageError, match=r"is damaged.*run 'isoforce store check'"):
            store.save_record(record())
        writer = StoreWriter(store, SessionOptions())
        with pytest.raises(StorageError, match="isoforce store recover"):
            writer.on_start(header())
    assert sha(path) == before


def test_finding_store_backup_during_a_recording_passes_store_check(tmp_path: Path) -> None:
    """Issue 20: there was no way to check or back up a store. A ``backup`` taken half way
    through a recording passes ``check`` and holds exactly what was committed."""
    path = tmp_path / "store" / "isoforce.sqlite3"
    backup = tmp_path / "backup" / "copy.sqlite3"
    backup.parent.mkdir()
    clock = FakeClock()
    with SessionStore.open(path) as store:
        writer = StoreWriter(store, SessionOptions(), commit_interval_s=0.2, clock=clock)
        writer.on_start(header())
        sid = writer.session_id
        assert sid is not None
        frames = force_frames(40)
        for frame in frames[:20]:
            clock.now += 0.1
            writer.on_frame(frame)
        committed = writer.samples
        assert committed > 0
        # another writer is half way through a transaction while the backup runs
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE sessions SET position = 'uncommitted' WHERE id = ?", (sid,))
        report = backup_store(path, backup)
        other.execute("ROLLBACK")
        other.close()
        for frame in frames[20:]:  # the recording goes on
            clock.now += 0.1
            writer.on_frame(frame)
        writer.flush()
    assert report.ok, report.problems
    assert backup.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(backup) as conn:
        n, position, status = conn.execute(
            "SELECT (SELECT SUM(n) FROM sample_chunks WHERE session_id = ?), position, status "
            "FROM sessions WHERE id = ?",
            (sid, sid),
        ).fetchone()
    assert n == committed  # the last commit before the backup, nothing half-written
    assert position != "uncommitted" and status == SessionStatus.RECORDING.value
    assert check_store(path).ok


def test_backup_refuses_to_overwrite_the_store_itself(tmp_path: Path) -> None:
    path = tmp_path / "store" / "isoforce.sqlite3"
    SessionStore.open(path).close()
    with pytest.raises(StorageError, match="another file"):
        backup_store(path, path)
