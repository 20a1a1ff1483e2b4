"""Read queries of the session store, as functions of an open connection.

:class:`~isoforce.session.store.SessionStore` wraps these (and turns database errors into
``StorageError``); they are separate to keep each module small.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator
from dataclasses import replace

from isoforce.core.batching import regroup
from isoforce.core.effort_key import Side
from isoforce.session import blob
from isoforce.session.codec import (
    maximum_from_dict,
    meta_from_dict,
    rom_from_dict,
    step_from_dict,
)
from isoforce.session.model import (
    ChannelData,
    EventRecord,
    GapRecord,
    ImuSamples,
    ReferenceRecord,
    RomRecord,
    SessionInfo,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
    StepRecord,
)

_INFO_COLUMNS = (
    "id, uuid, kind, status, started_at, meta, drill_name, movement, side, position, samples,"
    " duration_s, stopped_by, imported_from"
)


def _info(row: tuple[object, ...]) -> SessionInfo:
    (sid, uuid, kind, status, started, meta, drill, movement, side, position) = row[:10]
    samples, duration, stopped, imported = row[10:]
    doc = json.loads(str(meta))
    device = doc.get("device", {}).get("key", "")
    imu = (doc.get("options") or {}).get("imu_device")
    if imu:  # a paired IMU (--imu): both devices, as they were given
        device = f"{device}+{imu}"
    return SessionInfo(
        id=int(str(sid)),
        uuid=str(uuid),
        kind=SessionKind(kind),
        status=SessionStatus(status),
        started_at=str(started),
        device=str(device),
        drill=None if drill is None else str(drill),
        movement=None if movement is None else str(movement),
        side=None if side is None else Side(side),
        position=None if position is None else str(position),
        samples=int(str(samples)),
        duration_s=float(str(duration)),
        stopped_by=str(stopped),
        imported_from=None if imported is None else str(imported),
    )


#: Sessions of one athlete (by name), for a WHERE clause with one parameter.
_OF_PROFILE = "profile_id = (SELECT id FROM profiles WHERE name = ?)"


def list_sessions(
    conn: sqlite3.Connection, *, limit: int | None, profile: str | None = None
) -> list[SessionInfo]:
    """Sessions, newest first: all of them, or one athlete's (``profile``)."""
    where, args = (f" WHERE {_OF_PROFILE}", (profile,)) if profile is not None else ("", ())
    sql = f"SELECT {_INFO_COLUMNS} FROM sessions{where} ORDER BY started_unix DESC, id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit):d}"
    return [_info(r) for r in conn.execute(sql, args)]


def session_profile(conn: sqlite3.Connection, session_id: int) -> str | None:
    """The name of the athlete a session belongs to (None if there is no such session)."""
    row = conn.execute(
        "SELECT p.name FROM sessions s LEFT JOIN profiles p ON p.id = s.profile_id WHERE s.id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        return None
    return "default" if row[0] is None else str(row[0])


def session_info(conn: sqlite3.Connection, session_id: int) -> SessionInfo | None:
    """One session's list entry."""
    row = conn.execute(f"SELECT {_INFO_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
    found = row.fetchone()
    return None if found is None else _info(found)


def resolve(conn: sqlite3.Connection, spec: str, profile: str | None = None) -> list[int] | None:
    """Ids for ``N``, ``latest``, ``latest-K`` or ``all``; None if nothing matches.

    With ``profile``, ``latest`` and ``all`` count only that athlete's sessions (a number is
    one session whoever it belongs to).
    """
    text = spec.strip().lower()
    where, of = (f" WHERE {_OF_PROFILE}", (profile,)) if profile is not None else ("", ())
    if text == "all":
        ids = [int(r[0]) for r in conn.execute(f"SELECT id FROM sessions{where} ORDER BY id", of)]
        return ids or None
    if text.startswith("latest"):
        rest = text[len("latest") :]
        back = 0
        if rest:
            if not rest.startswith("-") or not rest[1:].isdigit():
                return None
            back = int(rest[1:])
        row = conn.execute(
            f"SELECT id FROM sessions{where} ORDER BY started_unix DESC, id DESC LIMIT 1 OFFSET ?",
            (*of, back),
        ).fetchone()
        return None if row is None else [int(row[0])]
    if text.isdigit():
        row = conn.execute("SELECT id FROM sessions WHERE id = ?", (int(text),)).fetchone()
        return None if row is None else [int(row[0])]
    return None


def meta(conn: sqlite3.Connection, session_id: int) -> SessionMeta | None:
    """Metadata with the live columns (status, end) taking precedence over the JSON copy."""
    row = conn.execute(
        "SELECT meta, status, ended_at, stopped_by FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    if row is None:
        return None
    base = meta_from_dict(json.loads(row[0]))
    return replace(
        base, status=SessionStatus(row[1]), ended_at=row[2], stopped_by=str(row[3] or "")
    )


def channel_sizes(conn: sqlite3.Connection, session_id: int) -> list[tuple[str, int]]:
    """Each channel's name and sample count, in the order channels first appeared."""
    rows = conn.execute(
        "SELECT channel, SUM(n) FROM sample_chunks WHERE session_id = ? GROUP BY channel"
        " ORDER BY MIN(id)",
        (session_id,),
    )
    return [(str(c), int(n)) for c, n in rows]


def channel_size(conn: sqlite3.Connection, session_id: int, name: str) -> int | None:
    """How many samples one channel holds (None: the session has no such channel)."""
    row = conn.execute(
        "SELECT SUM(n) FROM sample_chunks WHERE session_id = ? AND channel = ?",
        (session_id, name),
    ).fetchone()
    return None if row[0] is None else int(row[0])


def iter_chunks(
    conn: sqlite3.Connection, session_id: int, channel: str | None = None, *, rows: int = 0
) -> Iterator[ChannelData]:
    """Stored samples in commit order, in batches of at least ``rows`` samples of one channel.

    ``rows=0`` gives one batch per stored chunk; each channel's samples are in time order.
    """
    sql = "SELECT channel, n, layout, data, lost FROM sample_chunks WHERE session_id = ?"
    args: tuple[object, ...] = (session_id,)
    if channel is not None:
        sql += " AND channel = ?"
        args = (session_id, channel)
    # one channel: the (session, channel, seq) index gives time order without sorting blobs
    order = " ORDER BY seq" if channel is not None else " ORDER BY id"
    stored = conn.execute(sql + order, args)
    for batch in regroup(stored, rows=rows, size=lambda r: int(r[1]), key=lambda r: str(r[0])):
        yield blob.channel_from_rows(
            str(batch[0][0]),
            [(int(n), int(layout), data, lost) for _, n, layout, data, lost in batch],
        )


def channel(
    conn: sqlite3.Connection,
    session_id: int,
    name: str,
    total: int,
    *,
    only: Collection[str] | None = None,
) -> ChannelData:
    """One channel's ``total`` samples in time order; only the columns ``only`` names, if given.

    The arrays are allocated once and filled group by group of stored chunks (no batches to
    join).
    """
    rows = conn.execute(
        "SELECT n, layout, data, lost FROM sample_chunks WHERE session_id = ? AND channel = ?"
        " ORDER BY seq",
        (session_id, name),
    )
    return blob.channel_from_rows(name, rows, total, only=only)


def channels(conn: sqlite3.Connection, session_id: int) -> list[ChannelData]:
    """Every channel's samples, in the order channels first appeared."""
    return [channel(conn, session_id, n, total) for n, total in channel_sizes(conn, session_id)]


def events(conn: sqlite3.Connection, session_id: int) -> list[EventRecord]:
    """A session's events in time order."""
    rows = conn.execute(
        "SELECT t_s, kind, step_index, text, value, data FROM events WHERE session_id = ?"
        " ORDER BY t_s, id",
        (session_id,),
    )
    return [
        EventRecord(
            t_s=float(t),
            kind=str(kind),
            step_index=int(step),
            text=str(text),
            value=None if value is None else float(value),
            data=None if data is None else json.loads(data),
        )
        for t, kind, step, text, value, data in rows
    ]


def gaps(conn: sqlite3.Connection, session_id: int) -> list[GapRecord]:
    """A session's link gaps in time order."""
    rows = conn.execute(
        "SELECT start_t_s, end_t_s, samples_lost FROM gaps WHERE session_id = ?"
        " ORDER BY start_t_s, id",
        (session_id,),
    )
    return [
        GapRecord(float(a), None if b is None else float(b), None if c is None else int(c))
        for a, b, c in rows
    ]


def steps(conn: sqlite3.Connection, session_id: int) -> list[StepRecord]:
    """A session's step scores in step order."""
    rows = conn.execute(
        "SELECT step_index, label, kind, direction, started_t_s, ended_t_s, ended_by, score"
        " FROM step_results WHERE session_id = ? ORDER BY step_index",
        (session_id,),
    )
    return [
        step_from_dict(
            {
                "step_index": i,
                "label": label,
                "kind": kind,
                "direction": direction,
                "started_t_s": a,
                "ended_t_s": b,
                "ended_by": ended,
                "score": json.loads(score),
            },
            f"step {i}",
        )
        for i, label, kind, direction, a, b, ended, score in rows
    ]


_MAXIMUM_COLUMNS = (
    "movement", "side", "direction", "position", "kind", "value_n", "measured_at",
    "source_drill", "detail", "session_id",
)  # fmt: skip
_ROM_COLUMNS = (
    "movement", "side", "position", "direction", "angle_deg", "placement", "measured_at",
    "source_drill", "detail", "session_id",
)  # fmt: skip


def _history_docs(
    conn: sqlite3.Connection,
    table: str,
    columns: tuple[str, ...],
    *,
    movement: str | None,
    profile: str,
    session_id: int | None,
) -> Iterator[tuple[dict[str, object], int | None]]:
    """Rows of a per-profile history table (maxima, range of motion) as dicts, oldest first.

    Filtered by movement, profile or session; each comes with its row's session id.
    """
    sql = (
        f"SELECT {', '.join('x.' + c for c in columns)} FROM {table} x"
        " JOIN profiles p ON p.id = x.profile_id WHERE p.name = ?"
    )
    args: list[object] = [profile]
    if movement is not None:
        sql += " AND x.movement = ?"
        args.append(movement)
    if session_id is not None:
        sql += " AND x.session_id = ?"
        args.append(session_id)
    sql += " ORDER BY x.measured_at, x.id"
    for row in conn.execute(sql, args):
        doc = dict(zip(columns, row, strict=True))
        doc["detail"] = json.loads(str(doc["detail"]))
        sid = doc.pop("session_id")
        yield doc, None if sid is None else int(str(sid))


def maxima(
    conn: sqlite3.Connection,
    *,
    movement: str | None = None,
    profile: str = "default",
    session_id: int | None = None,
) -> list[ReferenceRecord]:
    """Stored maxima, oldest first, filtered by movement, profile or session."""
    docs = _history_docs(
        conn,
        "reference_maxima",
        _MAXIMUM_COLUMNS,
        movement=movement,
        profile=profile,
        session_id=session_id,
    )
    return [maximum_from_dict(doc, "maximum", sid) for doc, sid in docs]


def imu_size(conn: sqlite3.Connection, session_id: int) -> int:
    """How many IMU samples a session holds."""
    row = conn.execute(
        "SELECT COALESCE(SUM(n), 0) FROM imu_chunks WHERE session_id = ?", (session_id,)
    ).fetchone()
    return int(row[0])


def imu_samples(conn: sqlite3.Connection, session_id: int) -> ImuSamples | None:
    """A session's IMU samples in time order (None when it has none)."""
    total = imu_size(conn, session_id)
    if total == 0:
        return None
    rows = conn.execute(
        "SELECT n, layout, data FROM imu_chunks WHERE session_id = ? ORDER BY seq", (session_id,)
    )
    return blob.imu_from_rows(rows, total)


def iter_imu_chunks(
    conn: sqlite3.Connection, session_id: int, *, rows: int = 0
) -> Iterator[ImuSamples]:
    """A session's IMU samples in time order, in batches of at least ``rows`` samples."""
    sql = "SELECT n, layout, data FROM imu_chunks WHERE session_id = ? ORDER BY seq"
    stored = conn.execute(sql, (session_id,))
    for batch in regroup(stored, rows=rows, size=lambda r: int(r[0])):
        yield blob.imu_from_rows([(int(n), int(layout), data) for n, layout, data in batch])


def rom(
    conn: sqlite3.Connection,
    *,
    movement: str | None = None,
    profile: str = "default",
    session_id: int | None = None,
) -> list[RomRecord]:
    """Stored range-of-motion records, oldest first, filtered by movement, profile or session."""
    docs = _history_docs(
        conn,
        "range_of_motion",
        _ROM_COLUMNS,
        movement=movement,
        profile=profile,
        session_id=session_id,
    )
    return [rom_from_dict(doc, "range of motion", sid) for doc, sid in docs]


def load(
    conn: sqlite3.Connection, session_id: int, session_meta: SessionMeta, *, samples: bool = True
) -> SessionRecord:
    """A whole session (without sample arrays, force or IMU, when ``samples`` is False)."""
    row = conn.execute(
        "SELECT summary, imported_from, profile_id FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    profile = conn.execute("SELECT name FROM profiles WHERE id = ?", (row[2],)).fetchone()
    profile_name = str(profile[0]) if profile else "default"
    return SessionRecord(
        meta=session_meta,
        channels=tuple(channels(conn, session_id)) if samples else (),
        steps=tuple(steps(conn, session_id)),
        summary=None if row[0] is None else json.loads(row[0]),
        events=tuple(events(conn, session_id)),
        gaps=tuple(gaps(conn, session_id)),
        maxima=tuple(maxima(conn, profile=profile_name, session_id=session_id)),
        session_id=session_id,
        imported_from=row[1],
        imu=imu_samples(conn, session_id) if samples else None,
        rom=tuple(rom(conn, profile=profile_name, session_id=session_id)),
    )
