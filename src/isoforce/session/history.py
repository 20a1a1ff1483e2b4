"""History of reference maxima and left/right asymmetry, computed from stored maxima (pure).

Per (movement, side, direction, position) and kind (MVIC, pain-free max) the maxima form a
series over time. Asymmetry compares matched measurements: per day, the left and the right
session measured closest in time to each other (the same movement, direction, position and
kind), never values pooled over the day. Pain-limited values (a max the pain key lowered, a
max test with pain marked) are left out of the pairing and counted, so the table can say so.
It reports both the LSI (weaker / stronger × 100) and the signed difference
((right − left) / stronger × 100, positive = right stronger), as domain-science.md §2.5 asks.

A difference is only *flagged* when (domain-science.md §2.5 and §3):

1. it is larger than the trial-to-trial variability of the two sessions compared: the noise of
   a difference of two trials, ``√(CV_left² + CV_right²)`` with each session's own CV (SD /
   mean of its trials, ≥ 2 trials needed — without trials the noise is unknown and nothing is
   flagged);
2. it is at least ``min_flag_pct`` (15 % by default: per-session hip strength MDCs of 9–31 %
   mean a smaller single difference can be noise [M30]); and
3. it persists: the same side is stronger beyond both limits on ``min_sessions`` (2) paired
   days in a row. Anything else is shown as information, not as a warning.

Range of motion (end-range angles measured by the IMU) forms series per (movement, side,
position, direction), and left and right are compared per day (each side's furthest angle that
day) as a plain difference in degrees, without a flag rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.session.model import ROM_DIRECTIONS, ReferenceRecord, RomRecord
from isoforce.signal.metrics import limb_symmetry


@dataclass(frozen=True, slots=True)
class AsymmetrySettings:
    """When a left/right difference becomes a flag (see the module docstring)."""

    min_flag_pct: float = 15.0
    min_sessions: int = 2

    def __post_init__(self) -> None:
        if not (self.min_flag_pct >= 0 and math.isfinite(self.min_flag_pct)):
            raise ValueError(f"min_flag_pct must be >= 0, got {self.min_flag_pct}")
        if self.min_sessions < 1:
            raise ValueError(f"min_sessions must be >= 1, got {self.min_sessions}")


DEFAULT_ASYMMETRY = AsymmetrySettings()


@dataclass(frozen=True, slots=True)
class MaxPoint:
    """One measured maximum in a series."""

    measured_at: str
    value_n: float
    session_id: int | None
    source_drill: str
    trial_cv_pct: float | None
    """Trial-to-trial CV of this measurement (None with fewer than 2 trials)."""


@dataclass(frozen=True, slots=True)
class MaxSeries:
    """Maxima of one kind for one movement key, oldest first."""

    key: MovementKey
    kind: ReferenceKind
    points: tuple[MaxPoint, ...]

    @property
    def latest(self) -> MaxPoint:
        """The most recent measurement."""
        return self.points[-1]

    @property
    def change_pct(self) -> float | None:
        """Latest versus first, in % of the first (None with one point)."""
        if len(self.points) < 2:
            return None
        first = self.points[0].value_n
        return (self.points[-1].value_n - first) / first * 100.0


@dataclass(frozen=True, slots=True)
class AsymmetryPoint:
    """Left versus right on one day."""

    date: str
    left_n: float
    right_n: float
    lsi_pct: float
    diff_pct: float
    """Signed: (right − left) / stronger × 100; positive means the right side is stronger."""
    noise_pct: float | None
    """The difference trial-to-trial variability alone would explain (None if unknown)."""
    exceeds: bool
    """Larger than both the noise and ``min_flag_pct`` (needs a known noise)."""
    persisting: int
    """Paired days in a row, up to this one, that exceed with the same stronger side."""
    flagged: bool
    pain_limited: int = 0
    """Values of that day left out because pain limited them."""


@dataclass(frozen=True, slots=True)
class AsymmetrySeries:
    """Left/right comparisons over time for one movement, direction, position and kind."""

    movement: str
    direction: Direction
    position: str
    kind: ReferenceKind
    points: tuple[AsymmetryPoint, ...]


#: How the history names rotation directions.
ROM_DIRECTION_NAMES = {"ir": "internal rotation", "er": "external rotation"}


@dataclass(frozen=True, slots=True)
class RomKey:
    """What a range-of-motion series measures: movement, side, position and direction."""

    movement: str
    side: Side
    position: str
    direction: str

    def label(self) -> str:
        """A short human label like ``hip-rotation left @ 90-90``."""
        return f"{self.movement} {self.side.value} @ {self.position}"

    @property
    def direction_name(self) -> str:
        """``internal rotation`` or ``external rotation``."""
        return ROM_DIRECTION_NAMES.get(self.direction, self.direction)


@dataclass(frozen=True, slots=True)
class RomPoint:
    """One measured end-range angle in a series."""

    measured_at: str
    angle_deg: float
    session_id: int | None
    source_drill: str
    placement: str

    @property
    def date(self) -> str:
        """The day it was measured (``YYYY-MM-DD``)."""
        return _date(self.measured_at)


@dataclass(frozen=True, slots=True)
class RomSeries:
    """End-range angles for one :class:`RomKey`, oldest first."""

    key: RomKey
    points: tuple[RomPoint, ...]

    @property
    def latest(self) -> RomPoint:
        """The most recent measurement."""
        return self.points[-1]

    @property
    def change_deg(self) -> float | None:
        """Latest minus first, in degrees (None with one point)."""
        if len(self.points) < 2:
            return None
        return self.points[-1].angle_deg - self.points[0].angle_deg


@dataclass(frozen=True, slots=True)
class RomSidesPoint:
    """Left versus right end range on one day (each side's furthest angle that day)."""

    date: str
    left_deg: float
    right_deg: float

    @property
    def diff_deg(self) -> float:
        """Right minus left, in degrees (positive: the right side rotates further)."""
        return self.right_deg - self.left_deg


@dataclass(frozen=True, slots=True)
class RomSidesSeries:
    """Left/right end range over time for one movement, position and direction."""

    movement: str
    position: str
    direction: str
    points: tuple[RomSidesPoint, ...]

    @property
    def direction_name(self) -> str:
        """``internal rotation`` or ``external rotation``."""
        return ROM_DIRECTION_NAMES.get(self.direction, self.direction)


@dataclass(frozen=True, slots=True)
class History:
    """Everything the history view shows: strength first, then range of motion."""

    series: tuple[MaxSeries, ...]
    asymmetry: tuple[AsymmetrySeries, ...]
    rom: tuple[RomSeries, ...] = ()
    rom_sides: tuple[RomSidesSeries, ...] = ()

    def flags(self) -> list[tuple[AsymmetrySeries, AsymmetryPoint]]:
        """Every flagged comparison."""
        return [(s, p) for s in self.asymmetry for p in s.points if p.flagged]

    @property
    def empty(self) -> bool:
        """Whether nothing is stored: no maxima and no range of motion."""
        return not self.series and not self.rom


def trial_cv_pct(trials_n: Sequence[float]) -> float | None:
    """Coefficient of variation (sample SD / mean × 100) of trial values; None for < 2 trials."""
    values = np.asarray([v for v in trials_n if math.isfinite(v)], dtype=np.float64)
    if values.size < 2 or values.mean() <= 0:
        return None
    return float(values.std(ddof=1) / values.mean() * 100.0)


def _date(measured_at: str) -> str:
    return measured_at[:10]


def build_history(
    records: Iterable[ReferenceRecord],
    *,
    movement: str | None = None,
    settings: AsymmetrySettings = DEFAULT_ASYMMETRY,
    rom: Iterable[RomRecord] = (),
) -> History:
    """Series per movement key and kind, and asymmetry per movement/direction/position/kind.

    ``rom`` records become end-range series and left/right comparisons (:func:`rom_history`).
    """
    recs = sorted(
        (r for r in records if movement is None or r.key.movement == movement),
        key=lambda r: (r.measured_at, r.value_n),
    )
    grouped: dict[tuple[MovementKey, ReferenceKind], list[ReferenceRecord]] = {}
    for r in recs:
        grouped.setdefault((r.key, r.kind), []).append(r)
    series = tuple(
        MaxSeries(
            key=key,
            kind=kind,
            points=tuple(
                MaxPoint(
                    r.measured_at, r.value_n, r.session_id, r.source_drill, trial_cv_pct(r.trials_n)
                )
                for r in rs
            ),
        )
        for (key, kind), rs in sorted(
            grouped.items(), key=lambda kv: (kv[0][0].label(), kv[0][1].value)
        )
    )
    pairs: dict[tuple[str, Direction, str, ReferenceKind], list[ReferenceRecord]] = {}
    for r in recs:
        pairs.setdefault((r.key.movement, r.key.direction, r.key.position, r.kind), []).append(r)
    asymmetry = []
    for (mov, direction, position, kind), rs in sorted(
        pairs.items(), key=lambda kv: (kv[0][0], kv[0][1].value, kv[0][2], kv[0][3].value)
    ):
        points = asymmetry_points(rs, settings=settings)
        if points:
            asymmetry.append(AsymmetrySeries(mov, direction, position, kind, points))
    rom_series, rom_sides = rom_history(rom, movement=movement)
    return History(series=series, asymmetry=tuple(asymmetry), rom=rom_series, rom_sides=rom_sides)


def _direction_order(direction: str) -> int:
    return ROM_DIRECTIONS.index(direction) if direction in ROM_DIRECTIONS else len(ROM_DIRECTIONS)


def rom_history(
    records: Iterable[RomRecord], *, movement: str | None = None
) -> tuple[tuple[RomSeries, ...], tuple[RomSidesSeries, ...]]:
    """End-range series per :class:`RomKey`, and daily left/right comparisons.

    Series are ordered by movement, side, position and direction (internal rotation first);
    within a series, by time.
    """
    recs = sorted(
        (r for r in records if movement is None or r.movement == movement),
        key=lambda r: (r.measured_at, r.angle_deg),
    )
    grouped: dict[RomKey, list[RomRecord]] = {}
    for r in recs:
        grouped.setdefault(RomKey(r.movement, r.side, r.position, r.direction), []).append(r)
    series = tuple(
        RomSeries(
            key,
            tuple(
                RomPoint(r.measured_at, r.angle_deg, r.session_id, r.source_drill, r.placement)
                for r in rs
            ),
        )
        for key, rs in sorted(
            grouped.items(),
            key=lambda kv: (
                kv[0].movement,
                kv[0].side.value,
                kv[0].position,
                _direction_order(kv[0].direction),
            ),
        )
    )
    days: dict[tuple[str, str, str], dict[str, dict[Side, float]]] = {}
    for r in recs:
        day = days.setdefault((r.movement, r.position, r.direction), {}).setdefault(
            _date(r.measured_at), {}
        )
        day[r.side] = max(day.get(r.side, 0.0), r.angle_deg)
    sides = []
    for (mov, position, direction), by_day in sorted(
        days.items(), key=lambda kv: (kv[0][0], kv[0][1], _direction_order(kv[0][2]))
    ):
        points = tuple(
            RomSidesPoint(date, both[Side.LEFT], both[Side.RIGHT])
            for date, both in sorted(by_day.items())
            if Side.LEFT in both and Side.RIGHT in both
        )
        if points:
            sides.append(RomSidesSeries(mov, position, direction, points))
    return series, tuple(sides)


def asymmetry_points(
    records: Sequence[ReferenceRecord], *, settings: AsymmetrySettings = DEFAULT_ASYMMETRY
) -> tuple[AsymmetryPoint, ...]:
    """Daily left/right comparisons of records of one movement, direction, position and kind.

    Per day: the left and right records measured closest in time (the later pair on a tie),
    pain-limited ones left out; the noise from those two sessions' own trials.
    """
    days: dict[str, dict[Side, list[ReferenceRecord]]] = {}
    limited: dict[str, int] = {}
    for r in records:
        day = _date(r.measured_at)
        if pain_limited(r):
            limited[day] = limited.get(day, 0) + 1
            continue
        days.setdefault(day, {}).setdefault(r.key.side, []).append(r)
    out: list[AsymmetryPoint] = []
    run, run_side = 0, None
    for day in sorted(days):
        sides = days[day]
        if Side.LEFT not in sides or Side.RIGHT not in sides:
            continue
        left_rec, right_rec = matched_pair(sides[Side.LEFT], sides[Side.RIGHT])
        left, right = left_rec.value_n, right_rec.value_n
        sym = limb_symmetry(left=left, right=right)
        cv_l = trial_cv_pct(left_rec.trials_n)
        cv_r = trial_cv_pct(right_rec.trials_n)
        noise = None if cv_l is None or cv_r is None else math.hypot(cv_l, cv_r)
        exceeds = (
            noise is not None
            and abs(sym.diff_pct) > noise
            and abs(sym.diff_pct) >= settings.min_flag_pct
        )
        if exceeds and sym.stronger is not None and sym.stronger is run_side:
            run += 1
        elif exceeds:
            run, run_side = 1, sym.stronger
        else:
            run, run_side = 0, None
        out.append(
            AsymmetryPoint(
                date=day,
                left_n=left,
                right_n=right,
                lsi_pct=sym.lsi_pct,
                diff_pct=sym.diff_pct,
                noise_pct=noise,
                exceeds=exceeds,
                persisting=run,
                flagged=exceeds and run >= settings.min_sessions,
                pain_limited=limited.get(day, 0),
            )
        )
    return tuple(out)


def pain_limited(record: ReferenceRecord) -> bool:
    """Whether pain limited this value (``detail.pain_limited``, or a max the pain key lowered)."""
    detail = record.detail or {}
    return bool(detail.get("pain_limited")) or detail.get("found_by") == "lowered by pain"


def matched_pair(
    left: Sequence[ReferenceRecord], right: Sequence[ReferenceRecord]
) -> tuple[ReferenceRecord, ReferenceRecord]:
    """The left and right records measured closest in time (the later pair on a tie)."""
    pairs = [(a, b) for a in left for b in right]
    return min(
        pairs,
        key=lambda p: (
            abs(_seconds(p[0].measured_at) - _seconds(p[1].measured_at)),
            -max(_seconds(p[0].measured_at), _seconds(p[1].measured_at)),
        ),
    )


def _seconds(measured_at: str) -> float:
    """Seconds since the epoch of an ISO 8601 time (naive times read as UTC, for ordering)."""
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(measured_at)
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()
