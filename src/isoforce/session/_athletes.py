"""The store's athletes (the ``profiles`` table), as a mixin of ``SessionStore``.

Each athlete is one ``profiles`` row: name, body mass, dominant side, lever arm per position
and remembered choices (JSON columns since schema v3). The ``default`` athlete always exists;
any other must be added first, so a typo in ``--athlete`` is an error, never a new athlete.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from isoforce.errors import AthleteNameError
from isoforce.session._writes import now_iso
from isoforce.session.athletes import DEFAULT_ATHLETE, REMEMBERED, Athlete, check_name

_COLUMNS = (
    "p.name, p.body_mass_kg, p.dominant_side, p.lever_arms_m, p.remembered, p.created_at,"
    " (SELECT count(*) FROM sessions s WHERE s.profile_id = p.id)"
)


def _athlete(row: tuple[Any, ...]) -> Athlete:
    name, mass, dominant, levers, remembered, created, count = row
    return Athlete(
        name=str(name),
        body_mass_kg=None if mass is None else float(mass),
        dominant_side=None if dominant is None else str(dominant),
        lever_arms_m={str(k): float(v) for k, v in json.loads(levers or "{}").items()},
        remembered={str(k): str(v) for k, v in json.loads(remembered or "{}").items()},
        created_at=str(created),
        sessions=int(count),
    )


class AthleteRecords:
    """List, add, edit and look up athletes; remember their last choices."""

    _conn: sqlite3.Connection

    def guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        """Implemented by the store."""
        raise NotImplementedError

    def transaction(self, doing: str = "saving") -> contextlib.AbstractContextManager[None]:
        """Implemented by the store."""
        raise NotImplementedError

    def athletes(self) -> list[Athlete]:
        """Every athlete, the default first, then by name."""
        with self.guard("listing athletes"):
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM profiles p ORDER BY p.name != ?, p.name COLLATE NOCASE",
                (DEFAULT_ATHLETE,),
            ).fetchall()
        return [_athlete(r) for r in rows]

    def find_athlete(self, name: str) -> Athlete | None:
        """The athlete of that name, or None."""
        with self.guard("reading an athlete"):
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM profiles p WHERE p.name = ?", (name,)
            ).fetchone()
        return None if row is None else _athlete(row)

    def athlete(self, name: str = DEFAULT_ATHLETE) -> Athlete:
        """The athlete of that name; :class:`AthleteNameError` naming the known ones if absent."""
        found = self.find_athlete(name)
        if found is not None:
            return found
        if name == DEFAULT_ATHLETE:
            return Athlete(DEFAULT_ATHLETE)
        known = ", ".join(a.name for a in self.athletes())
        raise AthleteNameError(
            f"no athlete {name!r}: add it with 'isoforce athlete add {name}'"
            + (f" (known: {known})" if known else "")
        )

    def add_athlete(self, athlete: Athlete) -> Athlete:
        """Add a new athlete; :class:`AthleteNameError` if the name is taken."""
        name = check_name(athlete.name)
        with self.transaction("adding an athlete"):
            if self._conn.execute("SELECT 1 FROM profiles WHERE name = ?", (name,)).fetchone():
                raise AthleteNameError(
                    f"athlete {name!r} exists already: change it with 'isoforce athlete set'"
                )
            self._conn.execute(
                "INSERT INTO profiles (name, body_mass_kg, dominant_side, created_at,"
                " lever_arms_m, remembered) VALUES (?,?,?,?,?,?)",
                (
                    name,
                    athlete.body_mass_kg,
                    athlete.dominant_side,
                    now_iso(),
                    json.dumps(dict(athlete.lever_arms_m), sort_keys=True),
                    json.dumps(dict(athlete.remembered), sort_keys=True),
                ),
            )
        return self.athlete(name)

    def update_athlete(
        self,
        name: str,
        *,
        body_mass_kg: float | None = None,
        dominant_side: str | None = None,
        lever_arms_m: Mapping[str, float] | None = None,
    ) -> Athlete:
        """Change what is given (lever arms are merged per position); the athlete must exist.

        The default athlete is created on its first change.
        """
        current = self.athlete(name)
        levers = {**current.lever_arms_m, **(lever_arms_m or {})}
        with self.transaction("changing an athlete"):
            self._ensure(name)
            self._conn.execute(
                "UPDATE profiles SET body_mass_kg = ?, dominant_side = ?, lever_arms_m = ?"
                " WHERE name = ?",
                (
                    current.body_mass_kg if body_mass_kg is None else body_mass_kg,
                    current.dominant_side if dominant_side is None else dominant_side,
                    json.dumps(levers, sort_keys=True),
                    name,
                ),
            )
        return self.athlete(name)

    def remember(self, name: str, choices: Mapping[str, str | None]) -> None:
        """Keep the choices a run used (``None`` leaves a remembered value as it is)."""
        given = {k: v for k, v in choices.items() if k in REMEMBERED and v is not None}
        if not given:
            return
        current = self.athlete(name)
        merged = {**current.remembered, **given}
        if merged == dict(current.remembered):
            return
        with self.transaction("remembering an athlete's choices"):
            self._ensure(name)
            self._conn.execute(
                "UPDATE profiles SET remembered = ? WHERE name = ?",
                (json.dumps(merged, sort_keys=True), name),
            )

    def _ensure(self, name: str) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)", (name, now_iso())
        )
