"""The store's SQL schema and its migrations, versioned with ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes a store from schema version ``i`` to ``i + 1``; a new store runs them
all. Never edit a released migration: add a new one and bump nothing else (the current
version is ``len(MIGRATIONS)``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

#: ``PRAGMA application_id`` of isoforce stores ("ISOF"), so other SQLite files are refused.
APPLICATION_ID = 0x49534F46

_V1 = """
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body_mass_kg REAL,
    dominant_side TEXT CHECK (dominant_side IN ('left', 'right')),
    created_at TEXT NOT NULL
);
CREATE TABLE sensors (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    serial TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    capabilities TEXT NOT NULL DEFAULT '',
    UNIQUE (key, serial)
);
CREATE TABLE calibrations (
    id INTEGER PRIMARY KEY,
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('record', 'drill', 'import')),
    status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted')),
    profile_id INTEGER REFERENCES profiles (id),
    sensor_id INTEGER REFERENCES sensors (id),
    calibration_id INTEGER REFERENCES calibrations (id),
    started_at TEXT NOT NULL,
    started_unix REAL NOT NULL,
    ended_at TEXT,
    stopped_by TEXT NOT NULL DEFAULT '',
    drill_name TEXT,
    movement TEXT,
    side TEXT CHECK (side IN ('left', 'right')),
    position TEXT,
    rate_hz REAL,
    samples INTEGER NOT NULL DEFAULT 0,
    duration_s REAL NOT NULL DEFAULT 0,
    meta TEXT NOT NULL,
    summary TEXT,
    imported_from TEXT,
    content_sha256 TEXT,
    lock_token TEXT
);
CREATE INDEX sessions_by_start ON sessions (started_unix);
CREATE INDEX sessions_recording ON sessions (status) WHERE status = 'recording';
CREATE UNIQUE INDEX sessions_by_content ON sessions (content_sha256)
    WHERE content_sha256 IS NOT NULL;
CREATE TABLE step_results (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    step_index INTEGER NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT,
    started_t_s REAL NOT NULL,
    ended_t_s REAL NOT NULL,
    ended_by TEXT NOT NULL,
    score TEXT NOT NULL,
    PRIMARY KEY (session_id, step_index)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    t_s REAL NOT NULL,
    kind TEXT NOT NULL,
    step_index INTEGER NOT NULL DEFAULT -1,
    text TEXT NOT NULL DEFAULT '',
    value REAL,
    data TEXT
);
CREATE INDEX events_by_session ON events (session_id, t_s);
CREATE TABLE gaps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    start_t_s REAL NOT NULL,
    end_t_s REAL,
    samples_lost INTEGER
);
CREATE INDEX gaps_by_session ON gaps (session_id);
CREATE TABLE reference_maxima (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id),
    movement TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    position TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('mvic', 'pain_free')),
    value_n REAL NOT NULL CHECK (value_n > 0),
    measured_at TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    source_drill TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX maxima_by_key ON reference_maxima
    (profile_id, movement, side, direction, position, kind, measured_at);
CREATE INDEX maxima_by_session ON reference_maxima (session_id);
CREATE TABLE sample_chunks (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    seq INTEGER NOT NULL,
    n INTEGER NOT NULL CHECK (n > 0),
    t_first_s REAL NOT NULL,
    t_last_s REAL NOT NULL,
    layout INTEGER NOT NULL,
    data BLOB NOT NULL,
    lost BLOB,
    UNIQUE (session_id, channel, seq)
);
"""


# v2: IMU samples (one blob per commit, like sample_chunks) and range-of-motion records (the
# end-range angles the IMU measured, next to the strength maxima in the history).
_V2 = """
CREATE TABLE imu_chunks (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    n INTEGER NOT NULL CHECK (n > 0),
    t_first_s REAL NOT NULL,
    t_last_s REAL NOT NULL,
    layout INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (session_id, seq)
);
CREATE TABLE range_of_motion (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id),
    movement TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    direction TEXT NOT NULL CHECK (direction IN ('ir', 'er')),
    position TEXT NOT NULL,
    angle_deg REAL NOT NULL CHECK (angle_deg > 0),
    placement TEXT NOT NULL,
    measured_at TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    source_drill TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX rom_by_key ON range_of_motion
    (profile_id, movement, side, position, direction, measured_at);
CREATE INDEX rom_by_session ON range_of_motion (session_id);
"""


# v3: athletes. Each profile (athlete) keeps its lever arm per position (JSON object, metres)
# and the choices it last used (side, movement, position, device; JSON object), and the
# default athlete always exists, so an old store's data stays under "default".
_V3 = """
ALTER TABLE profiles ADD COLUMN lever_arms_m TEXT NOT NULL DEFAULT '{}';
ALTER TABLE profiles ADD COLUMN remembered TEXT NOT NULL DEFAULT '{}';
INSERT OR IGNORE INTO profiles (name, created_at)
    VALUES ('default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
CREATE INDEX sessions_by_profile ON sessions (profile_id, started_unix)
"""


def _to_v1(conn: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            conn.execute(statement)


def _to_v2(conn: sqlite3.Connection) -> None:
    for statement in _V2.split(";"):
        if statement.strip():
            conn.execute(statement)


def _to_v3(conn: sqlite3.Connection) -> None:
    for statement in _V3.split(";"):
        if statement.strip():
            conn.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_to_v1, _to_v2, _to_v3]
"""Step ``i`` migrates schema ``i`` to ``i + 1``."""


def current_version() -> int:
    """The schema version this isoforce writes."""
    return len(MIGRATIONS)
