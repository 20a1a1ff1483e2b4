"""Week-over-week progression per movement key, and the next session's suggestion (pure).

Per movement key (movement, side, direction, position) and ISO week (Monday to Sunday, by the
local date a session started or a max was measured), a :class:`WeekRow` gathers:

- the pain-free max at the end of the week (its latest value), and how many times pain
  lowered it that week;
- the MVIC (the week's best);
- hold quality: the drill sessions' holds in that direction, their mean time in band and RMSE;
- pain: every pain mark (and drop for pinching) in that direction, with its level and date.

The suggestion for the next session comes from :func:`isoforce.drills.progression.suggest`
under the user's :class:`~isoforce.drills.progression_rule.ProgressionRule`. Records come in
from the store's edge (:mod:`isoforce.session.progress_store`); nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind
from isoforce.drills.progression import (
    HoldResult,
    PainMark,
    Suggestion,
    TrainingSession,
    short_date,
    suggest,
)
from isoforce.drills.progression_rule import ProgressionRule
from isoforce.session.history import pain_limited
from isoforce.session.model import (
    JsonDict,
    ReferenceRecord,
    SessionRecord,
    StepRecord,
    movement_key,
)

_SAME_TIME_S = 1e-6


@dataclass(frozen=True, slots=True)
class WeekRow:
    """One ISO week of one movement key."""

    week: str
    """``2026-W48``."""
    monday: str
    sunday: str
    pain_free_max_n: float | None
    lowered_by_pain: int
    mvic_n: float | None
    sessions: int
    holds: int
    in_band_pct: float | None
    rmse_pct: float | None
    hold_target_pct: float | None
    """The last working hold target of the week (% of the pain-free max)."""
    pains: tuple[str, ...]
    """Each pain of the week as ``50 % on 3 Dec`` (or ``pinching …``)."""

    @property
    def dates(self) -> str:
        """``23–29 Nov 2026`` (or ``30 Nov–6 Dec 2026``)."""
        mon, sun = dt.date.fromisoformat(self.monday), dt.date.fromisoformat(self.sunday)
        first = f"{mon.day}" if mon.month == sun.month else f"{mon.day} {mon:%b}"
        return f"{first}–{sun.day} {sun:%b} {sun.year}"

    def as_dict(self) -> JsonDict:
        """JSON-ready form."""
        return {
            "week": self.week,
            "monday": self.monday,
            "sunday": self.sunday,
            "pain_free_max_n": self.pain_free_max_n,
            "pain_free_max_lowered_by_pain": self.lowered_by_pain,
            "mvic_n": self.mvic_n,
            "sessions": self.sessions,
            "holds": self.holds,
            "in_band_pct": self.in_band_pct,
            "rmse_pct": self.rmse_pct,
            "hold_target_pct": self.hold_target_pct,
            "pains": list(self.pains),
        }


@dataclass(frozen=True, slots=True)
class KeyProgress:
    """Weeks and the suggestion of one movement key."""

    key: MovementKey
    weeks: tuple[WeekRow, ...]
    pain_free_max_n: float | None
    """The latest stored pain-free max (None if none)."""
    suggestion: Suggestion
    last_session_at: str | None
    last_drill: str | None = None
    """The drill of the last training session (the one the suggestion's target comes from)."""

    def as_dict(self) -> JsonDict:
        """JSON-ready form."""
        return {
            "movement": self.key.movement,
            "side": self.key.side.value,
            "direction": self.key.direction.value,
            "position": self.key.position,
            "pain_free_max_n": self.pain_free_max_n,
            "last_session_at": self.last_session_at,
            "last_drill": self.last_drill,
            "weeks": [w.as_dict() for w in self.weeks],
            "suggestion": self.suggestion.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class Progress:
    """Progression of every movement key of one athlete."""

    profile: str
    rule: ProgressionRule
    keys: tuple[KeyProgress, ...]

    def as_dict(self) -> JsonDict:
        """JSON-ready form."""
        return {
            "profile": self.profile,
            "rule": self.rule.as_dict(),
            "keys": [k.as_dict() for k in self.keys],
        }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _hold(step: StepRecord, target_pct: float | None) -> HoldResult:
    metrics = step.score.get("metrics")
    m = metrics if isinstance(metrics, dict) else {}
    frac = _number(m.get("in_band_fraction"))
    return HoldResult(
        label=step.label,
        target_pct=target_pct,
        in_band_pct=None if frac is None else frac * 100.0,
        rmse_pct=_number(m.get("rmse")),
        completed=step.ended_by == "completed",
    )


def _direction_of(value: object) -> Direction | None:
    return next((d for d in Direction if d.value == value), None)


def _pains(record: SessionRecord) -> list[tuple[Direction | None, PainMark]]:
    """Every pain mark of a session with its direction (None: not in a loaded step)."""
    summary = record.summary or {}
    steps = {s.step_index: _direction_of(s.direction) for s in record.steps}
    raw_drops = summary.get("drops")
    drops = [d for d in raw_drops if isinstance(d, dict)] if isinstance(raw_drops, list) else []
    raw_pains = summary.get("pains")
    pains = [p for p in raw_pains if isinstance(p, dict)] if isinstance(raw_pains, list) else []
    out: list[tuple[Direction | None, PainMark]] = []
    for p in pains:
        t_s = _number(p.get("t_s"))
        target = _number(p.get("target_pct"))
        step = p.get("step_index")
        direction = steps.get(step) if isinstance(step, int) else None
        if direction is None and target:
            direction = Direction.PUSH if target > 0 else Direction.PULL
        drop = next(
            (
                d
                for d in drops
                if t_s is not None
                and (dt_s := _number(d.get("t_s"))) is not None
                and abs(dt_s - t_s) < _SAME_TIME_S
            ),
            None,
        )
        painful = abs(target) if target else None
        if drop is not None:
            painful = _number(drop.get("painful_pct")) or painful
        out.append(
            (
                direction,
                PainMark(
                    painful_pct=painful,
                    dropped_to_pct=None if drop is None else _number(drop.get("level_pct")),
                    reference_n=_reference_n(record, direction, drop),
                ),
            )
        )
    for d in drops:
        if d.get("cause") == "pinching":
            direction = _direction_of(d.get("direction"))
            out.append(
                (
                    direction,
                    PainMark(
                        _number(d.get("painful_pct")),
                        _number(d.get("level_pct")),
                        cause="pinching",
                        reference_n=_reference_n(record, direction, d),
                    ),
                )
            )
    return out


def _reference_n(
    record: SessionRecord, direction: Direction | None, drop: Mapping[str, object] | None
) -> float | None:
    """The maximum a pain's % is of: the session's, of the drop's kind (pain-free max if none)."""
    if direction is None:
        return None
    kind = drop.get("reference") if drop is not None else None
    values = record.meta.references.get(kind if isinstance(kind, str) else "pain_free") or {}
    return _number(values.get(f"{direction.value}_max_n"))


def training_sessions(
    record: SessionRecord, targets: Mapping[int, float]
) -> dict[MovementKey, TrainingSession]:
    """A drill session per movement key it trained: its holds and pain in each direction.

    ``targets`` maps step index → nominal target (% of the pain-free max) of the drill as run.
    A pain outside any loaded step counts for every direction the session held. Sessions
    without a movement or side (imports, recordings) give nothing.
    """
    meta = record.meta
    if meta.drill is None or meta.movement is None or meta.side is None:
        return {}
    pains = _pains(record)
    out: dict[MovementKey, TrainingSession] = {}
    for direction in Direction:
        holds = tuple(
            _hold(s, targets.get(s.step_index))
            for s in record.steps
            if s.kind == "hold" and s.direction == direction.value
        )
        marks = tuple(m for d, m in pains if d is direction or (d is None and holds))
        if not holds and not marks:
            continue
        key = movement_key(meta.movement, meta.side, direction, meta.position)
        out[key] = TrainingSession(
            session_id=record.session_id,
            started_at=meta.started_at,
            drill=meta.drill.name,
            holds=holds,
            pains=marks,
        )
    return out


def iso_week(iso_time: str) -> tuple[str, dt.date]:
    """``(2026-W48, Monday of it)`` for the local date of an ISO time."""
    day = dt.date.fromisoformat(iso_time[:10])
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - dt.timedelta(days=weekday - 1)


def _mean(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else None


def _pain_text(session: TrainingSession, mark: PainMark) -> str:
    level = "" if mark.painful_pct is None else f" at {round(mark.painful_pct, 1):g} %"
    if level and mark.reference_n:
        level += f" of {mark.reference_n:.0f} N"  # that session's max, not today's
    return f"{mark.cause}{level} on {short_date(session.started_at)}"


def _weeks(
    maxima: Sequence[ReferenceRecord], sessions: Sequence[TrainingSession]
) -> tuple[WeekRow, ...]:
    weeks: dict[str, dt.date] = {}
    for when in [r.measured_at for r in maxima] + [s.started_at for s in sessions]:
        name, monday = iso_week(when)
        weeks[name] = monday
    rows = []
    for name, monday in sorted(weeks.items(), key=lambda kv: kv[1]):
        in_week = [r for r in maxima if iso_week(r.measured_at)[0] == name]
        free = [r for r in in_week if r.kind is ReferenceKind.PAIN_FREE]
        mvic = [r.value_n for r in in_week if r.kind is ReferenceKind.MVIC]
        held = [s for s in sessions if iso_week(s.started_at)[0] == name]
        holds = [h for s in held for h in s.holds]
        targets = [s.working_target_pct for s in held if s.working_target_pct is not None]
        rows.append(
            WeekRow(
                week=name,
                monday=monday.isoformat(),
                sunday=(monday + dt.timedelta(days=6)).isoformat(),
                pain_free_max_n=free[-1].value_n if free else None,
                lowered_by_pain=sum(1 for r in free if pain_limited(r)),
                mvic_n=max(mvic) if mvic else None,
                sessions=len(held),
                holds=len(holds),
                in_band_pct=_mean(h.in_band_pct for h in holds),
                rmse_pct=_mean(h.rmse_pct for h in holds),
                hold_target_pct=targets[-1] if targets else None,
                pains=tuple(_pain_text(s, p) for s in held for p in s.pains),
            )
        )
    return tuple(rows)


def build_progress(
    maxima: Iterable[ReferenceRecord],
    sessions: Iterable[tuple[MovementKey, TrainingSession]],
    *,
    rule: ProgressionRule,
    profile: str = "default",
    movement: str | None = None,
) -> Progress:
    """Weeks and a suggestion for every movement key with maxima or training sessions.

    ``maxima`` and ``sessions`` are one athlete's (``profile``); ``movement`` keeps one movement.
    Keys are sorted by their label; maxima and sessions by time.
    """
    by_key_max: dict[MovementKey, list[ReferenceRecord]] = {}
    for r in sorted(maxima, key=lambda r: r.measured_at):
        if movement is None or r.key.movement == movement:
            by_key_max.setdefault(r.key, []).append(r)
    by_key_sessions: dict[MovementKey, list[TrainingSession]] = {}
    for key, s in sorted(sessions, key=lambda ks: ks[1].started_at):
        if movement is None or key.movement == movement:
            by_key_sessions.setdefault(key, []).append(s)
    keys = []
    for key in sorted({*by_key_max, *by_key_sessions}, key=lambda k: k.label()):
        recs = by_key_max.get(key, [])
        held = by_key_sessions.get(key, [])
        free = [r for r in recs if r.kind is ReferenceKind.PAIN_FREE]
        pain_free_n = free[-1].value_n if free else None
        trained = [s for s in held if s.working_target_pct is not None]
        keys.append(
            KeyProgress(
                key=key,
                weeks=_weeks(recs, held),
                pain_free_max_n=pain_free_n,
                suggestion=suggest(held, rule=rule, pain_free_max_n=pain_free_n),
                last_session_at=trained[-1].started_at if trained else None,
                last_drill=trained[-1].drill if trained else None,
            )
        )
    return Progress(profile=profile, rule=rule, keys=tuple(keys))
