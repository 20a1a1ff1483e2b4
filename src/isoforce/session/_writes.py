"""The write half of the session store: inserts and updates, as a mixin of ``SessionStore``.

Methods here run inside the caller's transaction (``SessionStore.transaction``) unless noted;
they never commit on their own.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.session import blob
from isoforce.session.codec import (
    event_to_dict,
    maximum_to_dict,
    meta_to_dict,
    rom_to_dict,
    step_to_dict,
)
from isoforce.session.model import (
    EventRecord,
    GapRecord,
    ImuSamples,
    IntArray,
    Labels,
    ProfileInfo,
    ReferenceRecord,
    RomRecord,
    SessionMeta,
    SessionStatus,
    StepRecord,
)


def now_iso() -> str:
    """The local time now, ISO 8601 with milliseconds and UTC offset."""
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def iso_to_unix(text: str) -> float:
    """Seconds since the epoch of an ISO time (no offset = this machine's local time)."""
    return dt.datetime.fromisoformat(text).timestamp()


DEFAULT_PROFILE = ProfileInfo()


class SessionWrites:
    """Inserts and updates of sessions, samples, events, scores, maxima and ROM records."""

    _conn: sqlite3.Connection
    _next_seq: dict[tuple[int, str], int]
    _next_imu_seq: dict[int, int]

    def meta(self, session_id: int) -> SessionMeta:
        """A session's metadata (implemented by the store)."""
        raise NotImplementedError

    # -- profiles, sensors, calibrations ----------------------------------------------------

    def profile_id(self, profile: ProfileInfo) -> int:
        """The id of a profile by name, created on first use."""
        c = self._conn
        row = c.execute("SELECT id FROM profiles WHERE name = ?", (profile.name,)).fetchone()
        if row:
            return int(row[0])
        cur = c.execute(
            "INSERT INTO profiles (name, body_mass_kg, dominant_side, created_at) VALUES (?,?,?,?)",
            (profile.name, profile.body_mass_kg, profile.dominant_side, now_iso()),
        )
        return int(cur.lastrowid or 0)

    def _sensor_id(self, meta: SessionMeta) -> int:
        d = meta.device
        c = self._conn
        c.execute(
            "INSERT OR IGNORE INTO sensors (key, serial, title, capabilities) VALUES (?,?,?,?)",
            (d.key, d.serial, d.title, d.capabilities),
        )
        row = c.execute(
            "SELECT id FROM sensors WHERE key = ? AND serial = ?", (d.key, d.serial)
        ).fetchone()
        return int(row[0])

    def _calibration_id(self, sensor_id: int, calibration: Mapping[str, Any]) -> int:
        data = json.dumps(calibration, sort_keys=True)
        c = self._conn
        row = c.execute(
            "SELECT id FROM calibrations WHERE sensor_id = ? AND data = ?", (sensor_id, data)
        ).fetchone()
        if row:
            return int(row[0])
        cur = c.execute(
            "INSERT INTO calibrations (sensor_id, created_at, data) VALUES (?,?,?)",
            (sensor_id, now_iso(), data),
        )
        return int(cur.lastrowid or 0)

    # -- writing sessions -------------------------------------------------------------------

    def _insert_session(self, meta: SessionMeta, **extra: Any) -> int:
        sensor = self._sensor_id(meta)
        cal = self._calibration_id(sensor, meta.calibration) if meta.calibration else None
        cur = self._conn.execute(
            """INSERT INTO sessions (uuid, kind, status, profile_id, sensor_id, calibration_id,
                   started_at, started_unix, ended_at, stopped_by, drill_name, movement, side,
                   position, rate_hz, meta, summary, imported_from, content_sha256, lock_token,
                   samples, duration_s)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                meta.uuid,
                meta.kind.value,
                meta.status.value,
                self.profile_id(meta.profile),
                sensor,
                cal,
                meta.started_at,
                iso_to_unix(meta.started_at),
                meta.ended_at,
                meta.stopped_by,
                meta.drill.name if meta.drill else None,
                meta.movement,
                meta.side.value if meta.side else None,
                meta.position,
                meta.rate_hz,
                json.dumps(meta_to_dict(meta)),
                json.dumps(extra.get("summary")) if extra.get("summary") is not None else None,
                extra.get("imported_from"),
                extra.get("content_sha256"),
                extra.get("lock_token"),
                int(extra.get("samples", 0)),
                float(extra.get("duration_s", 0.0)),
            ),
        )
        return int(cur.lastrowid or 0)

    def append_samples(
        self,
        session_id: int,
        channel: str,
        columns: Mapping[str, NDArray[np.generic]],
        lost_before: IntArray,
    ) -> None:
        """Add one chunk of samples of a channel (inside the caller's transaction)."""
        n = int(np.asarray(columns["t_s"]).shape[0])
        if n == 0:
            return
        key = (session_id, channel)
        if key not in self._next_seq:
            row = self._conn.execute(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM sample_chunks "
                "WHERE session_id = ? AND channel = ?",
                key,
            ).fetchone()
            self._next_seq[key] = int(row[0])
        seq = self._next_seq[key]
        t = np.asarray(columns["t_s"], dtype=np.float64)
        self._conn.execute(
            "INSERT INTO sample_chunks (session_id, channel, seq, n, t_first_s, t_last_s, layout,"
            " data, lost) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                session_id,
                channel,
                seq,
                n,
                float(t[0]),
                float(t[-1]),
                blob.LAYOUT,
                blob.pack_samples(columns),
                blob.pack_lost(lost_before),
            ),
        )
        self._next_seq[key] = seq + 1

    def append_imu(self, session_id: int, samples: ImuSamples) -> None:
        """Add one chunk of IMU samples (inside the caller's transaction); empty is a no-op."""
        n = len(samples)
        if n == 0:
            return
        if session_id not in self._next_imu_seq:
            row = self._conn.execute(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM imu_chunks WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            self._next_imu_seq[session_id] = int(row[0])
        seq = self._next_imu_seq[session_id]
        self._conn.execute(
            "INSERT INTO imu_chunks (session_id, seq, n, t_first_s, t_last_s, layout, data)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                session_id,
                seq,
                n,
                float(samples.t_s[0]),
                float(samples.t_s[-1]),
                blob.IMU_LAYOUT,
                blob.pack_imu(samples),
            ),
        )
        self._next_imu_seq[session_id] = seq + 1

    def set_progress(self, session_id: int, *, samples: int, duration_s: float) -> None:
        """Record how much a running session holds so far."""
        self._conn.execute(
            "UPDATE sessions SET samples = ?, duration_s = ? WHERE id = ?",
            (samples, duration_s, session_id),
        )

    def set_labels(self, session_id: int, labels: Labels) -> None:
        """Store the step and phase names behind a session's label codes."""
        meta = self.meta(session_id)
        doc = meta_to_dict(meta)
        doc["labels"] = {
            "step_names": list(labels.step_names),
            "phase_names": list(labels.phase_names),
        }
        self._conn.execute(
            "UPDATE sessions SET meta = ? WHERE id = ?", (json.dumps(doc), session_id)
        )

    def add_events(self, session_id: int, events: Iterable[EventRecord]) -> None:
        """Append events (pain, steps, link changes, notes)."""
        self._conn.executemany(
            "INSERT INTO events (session_id, t_s, kind, step_index, text, value, data)"
            " VALUES (?,?,?,?,?,?,?)",
            [
                (
                    session_id,
                    e.t_s,
                    e.kind,
                    e.step_index,
                    e.text,
                    e.value,
                    json.dumps(event_to_dict(e)["data"]) if e.data is not None else None,
                )
                for e in events
            ],
        )

    def add_gaps(self, session_id: int, gaps: Iterable[GapRecord]) -> None:
        """Append link gaps."""
        self._conn.executemany(
            "INSERT INTO gaps (session_id, start_t_s, end_t_s, samples_lost) VALUES (?,?,?,?)",
            [(session_id, g.start_t_s, g.end_t_s, g.samples_lost) for g in gaps],
        )

    def add_steps(self, session_id: int, steps: Iterable[StepRecord]) -> None:
        """Store step scores (replacing any earlier score of the same step)."""
        self._conn.executemany(
            "INSERT OR REPLACE INTO step_results (session_id, step_index, label, kind, direction,"
            " started_t_s, ended_t_s, ended_by, score) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    session_id,
                    s.step_index,
                    s.label,
                    s.kind,
                    s.direction,
                    s.started_t_s,
                    s.ended_t_s,
                    s.ended_by,
                    json.dumps(step_to_dict(s)["score"]),
                )
                for s in steps
            ],
        )

    def add_maxima(
        self, records: Iterable[ReferenceRecord], *, profile: ProfileInfo = DEFAULT_PROFILE
    ) -> None:
        """Store reference maxima (MVIC, pain-free max) for the history."""
        pid = self.profile_id(profile)
        self._conn.executemany(
            "INSERT INTO reference_maxima (profile_id, movement, side, direction, position, kind,"
            " value_n, measured_at, session_id, source_drill, detail)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    pid,
                    r.key.movement,
                    r.key.side.value,
                    r.key.direction.value,
                    r.key.position,
                    r.kind.value,
                    r.value_n,
                    r.measured_at,
                    r.session_id,
                    r.source_drill,
                    json.dumps(maximum_to_dict(r)["detail"]),
                )
                for r in records
            ],
        )

    def add_rom(
        self, records: Iterable[RomRecord], *, profile: ProfileInfo = DEFAULT_PROFILE
    ) -> None:
        """Store range-of-motion records (end-range angles) for the history."""
        records = list(records)
        if not records:
            return
        pid = self.profile_id(profile)
        self._conn.executemany(
            "INSERT INTO range_of_motion (profile_id, movement, side, direction, position,"
            " angle_deg, placement, measured_at, session_id, source_drill, detail)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    pid,
                    r.movement,
                    r.side.value,
                    r.direction,
                    r.position,
                    r.angle_deg,
                    r.placement,
                    r.measured_at,
                    r.session_id,
                    r.source_drill,
                    json.dumps(rom_to_dict(r)["detail"]),
                )
                for r in records
            ],
        )

    def finish_session(
        self,
        session_id: int,
        *,
        status: SessionStatus,
        stopped_by: str,
        ended_at: str | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> None:
        """Set the final status (inside the caller's transaction with the last samples)."""
        self._conn.execute(
            "UPDATE sessions SET status = ?, stopped_by = ?, ended_at = ?, summary = ?,"
            " lock_token = NULL WHERE id = ?",
            (
                status.value,
                stopped_by,
                ended_at or now_iso(),
                json.dumps(summary) if summary is not None else None,
                session_id,
            ),
        )
