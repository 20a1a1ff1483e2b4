"""The session store: one SQLite file (WAL) holding profiles, sensors, sessions and samples.

Opened with :meth:`SessionStore.open`; by default the file is ``isoforce.sqlite3`` in the data
directory (``--data-dir``, ``$ISOFORCE_DATA_DIR``, else the platform's user data dir). The
journal is WAL with ``synchronous=NORMAL``: a commit survives the process being killed at any
moment (SIGKILL, crash); only an OS crash or power cut may lose the last commits. Samples are
stored as one blob per channel per commit (:mod:`isoforce.session.blob`), IMU samples likewise
in ``imu_chunks``; range-of-motion records sit next to the reference maxima. Opening recovers
sessions whose recording process died (status ``recording`` without a live lock →
``interrupted``). Every database error reaches callers as :class:`~isoforce.errors.StorageError`
with a message for the user. One store object must not be used by two threads at once.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from isoforce.errors import StorageError
from isoforce.paths import data_dir, make_store_private
from isoforce.session import _schema, blob, queries
from isoforce.session._athletes import AthleteRecords
from isoforce.session._errors import CHECK_OR_RECOVER, storage_error
from isoforce.session._writes import SessionWrites, iso_to_unix, now_iso
from isoforce.session.athletes import DEFAULT_ATHLETE, TorqueBasis, torque_basis
from isoforce.session.history import (
    DEFAULT_ASYMMETRY,
    AsymmetrySettings,
    History,
    build_history,
)
from isoforce.session.lock import RecordingLock, is_alive
from isoforce.session.model import (
    ChannelData,
    ImuSamples,
    ReferenceRecord,
    RomRecord,
    SessionInfo,
    SessionMeta,
    SessionRecord,
    SessionStatus,
)

__all__ = [
    "SessionNotFoundError",
    "SessionStore",
    "iso_to_unix",
    "now_iso",
    "storage_error",
    "store_path",
]

STORE_FILENAME = "isoforce.sqlite3"
_log = logging.getLogger(__name__)
T = TypeVar("T")
INTERRUPTED_REASON = "recording process ended without closing (crash, kill or power loss)"


class SessionNotFoundError(StorageError, LookupError):
    """No session with that id (or alias) exists in the store."""


def store_path(override: str | Path | None = None) -> Path:
    """Where the store lives for a ``--data-dir`` override (or the default data dir)."""
    return data_dir(override) / STORE_FILENAME


class SessionStore(SessionWrites, AthleteRecords):
    """A connection to one store file, with the queries and writes isoforce needs."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self.lock_dir = path.with_name(path.name + "-locks")
        self._locks: dict[int, RecordingLock] = {}
        self._next_seq: dict[tuple[int, str], int] = {}
        self._next_imu_seq: dict[int, int] = {}
        self.notes: list[str] = []
        """What opening did that the user should know (permissions tightened)."""
        self._intact = False

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        data_dir: str | Path | None = None,
        recover: bool = True,
        create: bool = True,
    ) -> SessionStore:
        """Open (creating or migrating if needed) the store at ``path`` or in ``data_dir``.

        ``create=False`` is for commands that only read: where no store exists yet, an empty one
        is opened in memory, so that reading leaves no file or folder behind.
        """
        path = Path(path) if path is not None else store_path(data_dir)
        if not create and not path.exists():
            store = cls(sqlite3.connect(":memory:", isolation_level=None), path)
            with store.guard("opening an empty session store"):
                store._setup(wal=False)
            return store
        try:
            notes = make_store_private(path)
        except OSError as exc:
            raise StorageError(
                f"cannot create the data directory {path.parent}: {exc.strerror or exc}"
            ) from None
        try:
            conn = sqlite3.connect(
                str(path), timeout=10.0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise storage_error(exc, path, "opening the session store") from None
        store = cls(conn, path)
        store.notes = notes
        for note in notes:
            _log.warning("%s", note)
        try:
            with store.guard("opening the session store"):
                store._setup()
            if recover:
                store.recover_interrupted()
        except BaseException:
            conn.close()
            raise
        return store

    def _setup(self, *, wal: bool = True) -> None:
        """Check, tune and if needed create or migrate the schema; ``wal``: a file's journal."""
        c = self._conn
        c.execute("PRAGMA busy_timeout = 10000")
        app_id = int(c.execute("PRAGMA application_id").fetchone()[0])
        version = int(c.execute("PRAGMA user_version").fetchone()[0])
        tables = int(c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        if app_id not in (0, _schema.APPLICATION_ID) or (app_id == 0 and tables):
            raise StorageError(f"{self.path} is an SQLite file but not an isoforce session store")
        current = _schema.current_version()
        if version > current:
            raise StorageError(
                f"{self.path} was written by a newer isoforce (store schema v{version}); this "
                f"version reads up to v{current}. Upgrade isoforce, or use another --data-dir."
            )
        if wal:
            mode = str(c.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode != "wal":
                raise StorageError(f"{self.path}: the file system does not support WAL ({mode})")
        c.execute("PRAGMA synchronous = NORMAL")
        c.execute("PRAGMA foreign_keys = ON")
        if version < current:
            with self.transaction("upgrading the session store"):
                for step in _schema.MIGRATIONS[version:]:
                    step(c)
                c.execute(f"PRAGMA user_version = {current:d}")
                c.execute(f"PRAGMA application_id = {_schema.APPLICATION_ID:d}")

    @property
    def schema_version(self) -> int:
        """The store's schema version (``PRAGMA user_version``)."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Release recording locks and close the connection."""
        for lock in self._locks.values():
            lock.release()
        self._locks.clear()
        self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection (tests and benchmarks only)."""
        return self._conn

    # -- errors and transactions ------------------------------------------------------------

    @contextlib.contextmanager
    def guard(self, doing: str) -> Iterator[None]:
        """Turn database and blob errors raised inside into :class:`StorageError`."""
        try:
            yield
        except (sqlite3.Error, blob.BlobError) as exc:
            raise storage_error(exc, self.path, doing) from None

    @contextlib.contextmanager
    def transaction(self, doing: str = "saving") -> Iterator[None]:
        """One atomic write: everything inside is committed together or not at all."""
        if self._conn.in_transaction:
            yield
            return
        with self.guard(doing):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise

    def ensure_intact(self) -> None:
        """Refuse to write a session into a damaged file (one ``quick_check`` per store object).

        Opening stays cheap (reads need no check); the writes that add a session (a recording,
        an import) pay one quick check first, so a damaged store is never written to.
        """
        if self._intact:
            return
        with self.guard("checking the session store"):
            result = str(self._conn.execute("PRAGMA quick_check(1)").fetchone()[0])
        if result != "ok":
            first = " ".join(result.replace("*** in database main ***", "").split())
            raise StorageError(f"{self.path} is damaged ({first}); {CHECK_OR_RECOVER}")
        self._intact = True

    def begin_session(self, meta: SessionMeta) -> int:
        """Start a recording: insert the session as ``recording`` and hold its lock."""
        self.ensure_intact()
        token = uuidlib.uuid4().hex
        try:
            lock = RecordingLock.acquire(self.lock_dir, token)
        except OSError as exc:
            raise StorageError(
                f"cannot create a recording lock in {self.lock_dir}: {exc.strerror or exc}"
            ) from None
        try:
            with self.transaction("starting a session"):
                session_id = self._insert_session(
                    _with_status(meta, SessionStatus.RECORDING), lock_token=token
                )
        except BaseException:
            lock.release()
            raise
        self._locks[session_id] = lock
        return session_id

    def release(self, session_id: int) -> None:
        """Drop this process's recording lock on a session (after its final status is saved)."""
        lock = self._locks.pop(session_id, None)
        if lock is not None:
            lock.release()

    def recover_interrupted(self) -> list[int]:
        """Mark sessions whose recording process died as ``interrupted``; returns their ids."""
        with self.guard("recovering interrupted sessions"):
            rows = self._conn.execute(
                "SELECT id, lock_token FROM sessions WHERE status = 'recording'"
            ).fetchall()
            dead = [
                int(sid)
                for sid, token in rows
                if sid not in self._locks and not is_alive(self.lock_dir, token)
            ]
            if not dead:
                return []
            with self.transaction("recovering interrupted sessions"):
                for sid in dead:
                    self._conn.execute(
                        """UPDATE sessions SET status = 'interrupted', stopped_by = ?,
                               lock_token = NULL,
                               samples = (SELECT COALESCE(SUM(n), 0) FROM sample_chunks
                                          WHERE session_id = sessions.id),
                               duration_s = COALESCE((SELECT MAX(t_last_s) - MIN(t_first_s)
                                          FROM sample_chunks WHERE session_id = sessions.id), 0)
                           WHERE id = ? AND status = 'recording'""",
                        (INTERRUPTED_REASON, sid),
                    )
        return dead

    def save_record(
        self,
        record: SessionRecord,
        *,
        imported_from: str | None = None,
        content_sha256: str | None = None,
        chunk_samples: int = 65536,
    ) -> int:
        """Store a whole session (an import) in one transaction; nothing is kept on failure."""
        meta = record.meta
        self.ensure_intact()
        with self.transaction("saving the imported session"):
            sid = self._insert_session(
                meta,
                summary=record.summary,
                imported_from=imported_from,
                content_sha256=content_sha256,
                samples=record.samples,
                duration_s=record.duration_s,
            )
            for ch in record.channels:
                for start in range(0, len(ch), chunk_samples):
                    part = ch.part(start, start + chunk_samples)
                    self.append_samples(sid, ch.name, part.columns(), part.lost_before)
            self.add_steps(sid, record.steps)
            self.add_events(sid, record.events)
            self.add_gaps(sid, record.gaps)
            if record.imu is not None:
                for start in range(0, len(record.imu), chunk_samples):
                    self.append_imu(sid, record.imu.part(start, start + chunk_samples))
            self.add_maxima([_with_session(r, sid) for r in record.maxima], profile=meta.profile)
            self.add_rom([replace(r, session_id=sid) for r in record.rom], profile=meta.profile)
        return sid

    def delete_session(self, session_id: int) -> None:
        """Remove a session and everything recorded with it (maxima and ROM records stay)."""
        with self.transaction("deleting a session"):
            self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # -- reading (see queries.py) -----------------------------------------------------------

    def sessions(
        self, *, limit: int | None = None, profile: str | None = None
    ) -> list[SessionInfo]:
        """Sessions, newest first: all, or one athlete's (``profile``)."""
        with self.guard("listing sessions"):
            return queries.list_sessions(self._conn, limit=limit, profile=profile)

    def _found(self, read: Callable[[sqlite3.Connection, int], T | None], session_id: int) -> T:
        """What ``read`` finds about a session; :class:`SessionNotFoundError` if it is absent."""
        with self.guard("reading a session"):
            found = read(self._conn, session_id)
        if found is None:
            raise SessionNotFoundError(f"no session {session_id} in {self.path}")
        return found

    def session_athlete(self, session_id: int) -> str:
        """The name of the athlete a session belongs to; :class:`SessionNotFoundError` if absent."""
        return self._found(queries.session_profile, session_id)

    def torque_basis(self, session_id: int, meta: SessionMeta) -> TorqueBasis | None:
        """The session's athlete's lever arm at its position and body mass (None: no lever arm).

        A body mass the session recorded stands in when the athlete has none.
        """
        athlete = self.athlete(self.session_athlete(session_id))
        if athlete.body_mass_kg is None and meta.profile.body_mass_kg is not None:
            athlete = replace(athlete, body_mass_kg=meta.profile.body_mass_kg)
        return torque_basis(athlete, meta.position)

    def session_info(self, session_id: int) -> SessionInfo:
        """One session's list entry; :class:`SessionNotFoundError` if absent."""
        return self._found(queries.session_info, session_id)

    def resolve(self, spec: str, *, profile: str | None = None) -> list[int]:
        """Session ids for ``12``, ``latest``, ``latest-1`` (the one before) or ``all``.

        With ``profile``, ``latest`` and ``all`` are that athlete's, and a numbered session of
        another athlete is refused (:class:`SessionNotFoundError` saying whose it is).
        """
        with self.guard("finding sessions"):
            ids = queries.resolve(self._conn, spec, profile)
        if ids is None:
            named = profile not in (None, DEFAULT_ATHLETE)
            whose = f" for athlete {profile!r}" if named else ""
            if not self.sessions(limit=1, profile=profile):
                raise SessionNotFoundError(
                    f"no sessions{whose} in {self.path} yet: 'isoforce record' or "
                    "'isoforce drill run' saves one"
                )
            raise SessionNotFoundError(f"no session {spec!r}{whose} in {self.path}")
        if profile is not None:
            for sid in ids:
                owner = self.session_athlete(sid)
                if owner != profile:
                    raise SessionNotFoundError(
                        f"session {sid} belongs to athlete {owner!r}, not {profile!r}"
                    )
        return ids

    def find_by_content(self, sha256: str) -> int | None:
        """The session imported from a file with this SHA-256, if any."""
        row = self._conn.execute(
            "SELECT id FROM sessions WHERE content_sha256 = ?", (sha256,)
        ).fetchone()
        return int(row[0]) if row else None

    def find_by_uuid(self, uuid: str) -> int | None:
        """The session with this uuid, if any."""
        row = self._conn.execute("SELECT id FROM sessions WHERE uuid = ?", (uuid,)).fetchone()
        return int(row[0]) if row else None

    def meta(self, session_id: int) -> SessionMeta:
        """A session's metadata."""
        return self._found(queries.meta, session_id)

    def channel_sizes(self, session_id: int) -> list[tuple[str, int]]:
        """Each channel's name and sample count."""
        with self.guard("reading samples"):
            return queries.channel_sizes(self._conn, session_id)

    def channel(
        self, session_id: int, name: str, *, only: Collection[str] | None = None
    ) -> ChannelData:
        """One channel's samples (the columns ``only`` names, if given; ``t_s`` always).

        Reads straight into arrays of the channel's length: no batches to join.
        """
        with self.guard("reading samples"):
            total = queries.channel_size(self._conn, session_id, name)
            if total is None:
                raise StorageError(f"session {session_id} has no channel {name!r}")
            return queries.channel(self._conn, session_id, name, total, only=only)

    def iter_chunks(
        self, session_id: int, channel: str | None = None, *, rows: int = 0
    ) -> Iterator[ChannelData]:
        """Stored samples in commit order, in batches of at least ``rows`` (bounded memory)."""
        with self.guard("reading samples"):
            yield from queries.iter_chunks(self._conn, session_id, channel, rows=rows)

    def imu_size(self, session_id: int) -> int:
        """How many IMU samples a session holds (0 without an IMU)."""
        with self.guard("reading IMU samples"):
            return queries.imu_size(self._conn, session_id)

    def imu_samples(self, session_id: int) -> ImuSamples | None:
        """A session's IMU samples in time order (None when it has none)."""
        with self.guard("reading IMU samples"):
            return queries.imu_samples(self._conn, session_id)

    def iter_imu(self, session_id: int, *, rows: int = 0) -> Iterator[ImuSamples]:
        """Stored IMU samples in time order, in batches of at least ``rows`` (bounded memory)."""
        with self.guard("reading IMU samples"):
            yield from queries.iter_imu_chunks(self._conn, session_id, rows=rows)

    def load(self, session_id: int, *, samples: bool = True) -> SessionRecord:
        """A whole session, with its sample arrays (force and IMU) unless ``samples`` is False."""
        meta = self.meta(session_id)
        with self.guard("reading a session"):
            return queries.load(self._conn, session_id, meta, samples=samples)

    def reference_history(
        self, *, movement: str | None = None, profile: str = "default"
    ) -> list[ReferenceRecord]:
        """All stored maxima (oldest first), optionally of one movement."""
        with self.guard("reading the history"):
            return queries.maxima(self._conn, movement=movement, profile=profile)

    def rom_history(
        self, *, movement: str | None = None, profile: str = "default"
    ) -> list[RomRecord]:
        """All stored range-of-motion records (oldest first), optionally of one movement."""
        with self.guard("reading the history"):
            return queries.rom(self._conn, movement=movement, profile=profile)

    def history(
        self,
        *,
        movement: str | None = None,
        profile: str = "default",
        settings: AsymmetrySettings = DEFAULT_ASYMMETRY,
    ) -> History:
        """Maxima and end-range angles over time, and left/right comparisons.

        See :mod:`isoforce.session.history`.
        """
        records = self.reference_history(movement=movement, profile=profile)
        rom = self.rom_history(movement=movement, profile=profile)
        return build_history(records, movement=movement, settings=settings, rom=rom)


def _with_status(meta: SessionMeta, status: SessionStatus) -> SessionMeta:
    return replace(meta, status=status)


def _with_session(record: ReferenceRecord, session_id: int) -> ReferenceRecord:
    return replace(record, session_id=session_id)
