"""Keeping a store over years: check it, back it up while it is in use, salvage a damaged one.

None of these writes to the store it reads: the store is opened read-only, so a damaged file is
never made worse. ``backup_store`` uses SQLite's online backup API in one step, which copies a
consistent snapshot (the last commit) while a recording goes on in another connection (WAL:
readers never block the writer). ``recover_store`` reads every session it can, one by one,
into a new store and says which it could not read and why.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from isoforce.errors import StorageError
from isoforce.session import _schema, blob, queries
from isoforce.session.athletes import Athlete
from isoforce.session.store import SessionStore

#: Tables whose rows belong to a session; a row whose session is gone is an orphan.
SESSION_TABLES = ("sample_chunks", "imu_chunks", "step_results", "events", "gaps")
#: At most this many integrity problems are listed.
MAX_PROBLEMS = 50
#: Without a readable session list, ids are probed one by one up to this many misses in a row.
PROBE_MISSES = 1000


@dataclass(frozen=True)
class CheckReport:
    """What ``isoforce store check`` found: ``ok`` when ``problems`` is empty."""

    path: Path
    schema_version: int | None
    sessions: int | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the store passed every check."""
        return not self.problems


@dataclass
class RecoverReport:
    """What ``isoforce store recover`` salvaged (old id → new id) and what it lost (id → why)."""

    source: Path
    target: Path
    saved: dict[int, int] = field(default_factory=dict)
    lost: dict[int, str] = field(default_factory=dict)
    unlisted: bool = False
    """True when the session list itself was damaged and ids were probed one by one."""


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``path`` (a missing file is a StorageError, never created)."""
    if not path.is_file():
        raise StorageError(f"no store at {path}")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10.0, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open {path}: {exc}") from None
    try:
        yield conn
    finally:
        conn.close()


def check_store(path: Path) -> CheckReport:
    """Integrity (``PRAGMA integrity_check``), schema version and orphan rows of a store."""
    problems: list[str] = []
    version: int | None = None
    count: int | None = None
    with read_only(path) as conn:
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            return CheckReport(path, None, None, (f"not readable as SQLite: {exc}",))
        if app_id != _schema.APPLICATION_ID:
            problems.append(f"not an isoforce store (application id {app_id})")
        current = _schema.current_version()
        if version != current:
            problems.append(f"schema v{version}; this isoforce writes v{current}")
        try:
            rows = conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})").fetchall()
        except sqlite3.DatabaseError as exc:
            rows = [(f"integrity check stopped: {exc}",)]
        for (row,) in rows:
            lines = str(row).replace("*** in database main ***", "").splitlines()
            problems += [line.strip() for line in lines if line.strip() not in ("", "ok")]
        with contextlib.suppress(sqlite3.DatabaseError):
            count = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
            for table in SESSION_TABLES:
                orphans = int(
                    conn.execute(
                        f"SELECT count(*) FROM {table} WHERE session_id NOT IN "
                        "(SELECT id FROM sessions)"
                    ).fetchone()[0]
                )
                if orphans:
                    problems.append(f"{orphans} orphan row(s) in {table} (their session is gone)")
    return CheckReport(path, version, count, tuple(problems))


def backup_store(path: Path, target: Path) -> CheckReport:
    """Copy the store at ``path`` to ``target`` (online, consistent), then check the copy.

    The copy is written beside ``target`` and renamed into place when complete; it is private
    (0600) like the store, since it holds the same health data.
    """
    if target.exists() and target.samefile(path):
        raise StorageError("the backup must go to another file than the store")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        with read_only(path) as source:
            dest = sqlite3.connect(str(tmp))
            try:
                source.backup(dest)  # pages=-1: one step, one snapshot
                dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                dest.close()
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise StorageError(f"backing up {path}: {exc}; run 'isoforce store check'") from None
    except OSError as exc:
        raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return check_store(target)


def _session_ids(conn: sqlite3.Connection, report: RecoverReport) -> list[int]:
    """Every session id: listed if the table reads, else probed one by one."""
    try:
        return [int(r[0]) for r in conn.execute("SELECT id FROM sessions ORDER BY id")]
    except sqlite3.DatabaseError:
        report.unlisted = True
    ids: list[int] = []
    sid, misses = 1, 0
    while misses < PROBE_MISSES:
        try:
            found = conn.execute("SELECT id FROM sessions WHERE id = ?", (sid,)).fetchone()
        except sqlite3.DatabaseError as exc:
            report.lost[sid] = f"unreadable ({exc})"
            found = None
        if found is not None:
            ids.append(sid)
            misses = 0
        elif sid not in report.lost:
            misses += 1
        sid += 1
    return ids


def _copy_athletes(conn: sqlite3.Connection, fresh: SessionStore) -> None:
    """Copy the athletes (body mass, side, lever arms, remembered choices) that can be read."""
    try:
        rows = conn.execute(
            "SELECT name, body_mass_kg, dominant_side, lever_arms_m, remembered FROM profiles"
        ).fetchall()
    except sqlite3.DatabaseError:
        return  # a store from before athletes (or a damaged table): sessions bring their names
    for name, mass, side, levers, remembered in rows:
        try:
            athlete = Athlete(
                str(name),
                None if mass is None else float(mass),
                None if side is None else str(side),
                {str(k): float(v) for k, v in json.loads(levers or "{}").items()},
                {str(k): str(v) for k, v in json.loads(remembered or "{}").items()},
            )
        except (ValueError, TypeError, AttributeError):
            continue
        if fresh.find_athlete(athlete.name) is None:
            fresh.add_athlete(athlete)
        else:  # the default athlete, which every store has
            fresh.update_athlete(
                athlete.name,
                body_mass_kg=athlete.body_mass_kg,
                dominant_side=athlete.dominant_side,
                lever_arms_m=athlete.lever_arms_m,
            )
            fresh.remember(athlete.name, athlete.remembered)


def recover_store(path: Path, target: Path) -> RecoverReport:
    """Read every session of ``path`` that can be read into a new store at ``target``."""
    if target.exists():
        raise StorageError(f"{target} exists; recover into a new file")
    report = RecoverReport(path, target)
    with read_only(path) as conn, SessionStore.open(target, recover=False) as fresh:
        _copy_athletes(conn, fresh)
        for sid in _session_ids(conn, report):
            try:
                meta = queries.meta(conn, sid)
                if meta is None:
                    report.lost[sid] = "its metadata is unreadable"
                    continue
                record = queries.load(conn, sid, meta)
            except (sqlite3.DatabaseError, blob.BlobError, ValueError, KeyError) as exc:
                report.lost[sid] = f"unreadable ({exc})"
                continue
            report.saved[sid] = fresh.save_record(record, imported_from=record.imported_from)
    return report
