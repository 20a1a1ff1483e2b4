"""Reading CSV exports of the Tindeq Progressor app (pure; no file access).

What the app writes, as seen in real exports (docs/data.md lists the files studied):

- A free-form metadata header whose keys depend on the test: endurance tests give ``date,
  tag, comment, unit, max, avg, duration, mvc`` and a target zone; RFD tests give
  ``intervalTime (ms), IntervalThreshold, rfdInterval, rfd2080``. Dates are ``YYYY-DD-MM
  hh:mm:ss`` (day before month). An empty line or a lone ``,`` ends the header.
- Repeaters write one ``data_set_N.csv`` per set whose header is a small table: ``,Avg,Rep 1…``
  then ``Avg,…`` and ``Peak,…`` rows (kg), then ``,``. Some sets have no header at all.
- A ``repeaters.csv`` variant concatenates the sets with a pandas index column: ``,time,weight``.
- ``info.csv`` holds only the session settings (reps, work and pause durations, sets, mvc).
- Samples follow a ``time,weight`` line: seconds and kilograms (``unit`` ``SI``).

Every problem raises :class:`~isoforce.export.formats.FileFormatError` naming file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.sample_checks import expected
from isoforce.core.samples import FloatArray
from isoforce.core.schema import FORCE, T_S
from isoforce.export.formats import FileFormatError
from isoforce.units import N_PER_KGF, N_PER_LBF

#: A jump in time larger than this many median sample intervals starts a new set.
SET_BREAK_INTERVALS = 10.0
_KG_UNITS = {"si", "kg", "metric", ""}
_LB_UNITS = {"lb", "lbs", "imperial", "us"}


class NoSamplesError(FileFormatError):
    """The file is a Tindeq settings file (``info.csv``): it holds no samples."""


@dataclass(frozen=True, slots=True)
class RepStat:
    """A per-rep figure from the app's repeaters header, in the file's unit (kg)."""

    label: str
    avg: float
    peak: float


@dataclass(frozen=True, slots=True, eq=False)
class TindeqExport:
    """One Tindeq app export: its kind, header fields, and samples.

    ``kind`` is ``endurance``, ``rfd``, ``repeaters_set`` (one ``data_set_N`` file),
    ``repeaters`` (the concatenated ``repeaters.csv``) or ``samples`` (no header).
    ``set_index`` numbers the set of each sample (0-based); only the concatenated
    ``repeaters`` file holds several sets, split where time jumps (the pause between sets).
    """

    kind: str
    meta: dict[str, str]
    t_s: FloatArray
    weight: FloatArray
    set_index: np.ndarray
    n_per_unit: float = N_PER_KGF
    unit: str = "kg"
    reps: tuple[RepStat, ...] = ()
    started_at: str | None = None
    header_lines: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def force_n(self) -> FloatArray:
        """Samples in newtons."""
        return self.weight * self.n_per_unit

    def app_number(self, key: str) -> float | None:
        """A numeric header field (``max``, ``avg``, ``mvc`` …), None when absent or ``-``."""
        value = self.meta.get(key, "").strip()
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None


def parse_tindeq_date(text: str) -> str | None:
    """``YYYY-DD-MM hh:mm:ss`` as ISO 8601 local time; a valid ``YYYY-MM-DD`` is accepted too."""
    text = text.strip()
    try:
        day_first = dt.datetime.strptime(text, "%Y-%d-%m %H:%M:%S")
    except ValueError:
        try:
            day_first = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
    return day_first.isoformat()


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def parse_tindeq_info(text: str, *, source: str) -> dict[str, str]:
    """The settings of an ``info.csv`` (keys → values as text)."""
    rows = [r for r in _rows(text) if any(c.strip() for c in r)]
    if len(rows) < 2 or "date" not in [c.strip() for c in rows[0]]:
        raise FileFormatError(source, 1, "not a Tindeq info file (no 'date' header)")
    return {k.strip(): v.strip() for k, v in zip(rows[0], rows[1], strict=False)}


def _unit(meta: dict[str, str], source: str) -> tuple[float, str]:
    unit = meta.get("unit", "").strip().lower()
    if unit in _KG_UNITS:
        return N_PER_KGF, "kg"
    if unit in _LB_UNITS:
        return N_PER_LBF, "lb"
    raise FileFormatError(source, 2, f"unit {meta.get('unit')!r} is not supported (SI/kg or lb)")


def parse_tindeq_csv(text: str, *, source: str) -> TindeqExport:
    """Parse one Tindeq app export; see the module docstring for the variants."""
    try:
        rows = _rows(text)
    except csv.Error as exc:
        raise FileFormatError(source, None, f"not a CSV file ({exc})") from None
    start = next(
        (
            i
            for i, r in enumerate(rows)
            if [c.strip() for c in r] in (["time", "weight"], ["", "time", "weight"])
        ),
        None,
    )
    if start is None:
        if (
            rows
            and "date" in [c.strip() for c in rows[0]]
            and "reps" in [c.strip() for c in rows[0]]
        ):
            raise NoSamplesError(
                source, None, "a Tindeq session info file has no samples: import its data_set files"
            )
        raise FileFormatError(source, None, "no 'time,weight' line: not a Tindeq app export")
    indexed = rows[start][0].strip() == ""
    head = [r for r in rows[:start] if any(c.strip() for c in r)]
    meta: dict[str, str] = {}
    reps: tuple[RepStat, ...] = ()
    kind = "repeaters" if indexed else "samples"
    if (
        head
        and head[0]
        and head[0][0].strip() == ""
        and len(head[0]) > 1
        and head[0][1].strip() == "Avg"
    ):
        reps = _rep_table(head, source)
        kind = "repeaters_set"
    elif head:
        if len(head) < 2:
            raise FileFormatError(source, 2, "header has field names but no values")
        meta = {k.strip(): v.strip() for k, v in zip(head[0], head[1], strict=False)}
        keys = set(meta)
        kind = "endurance" if {"max", "avg"} <= keys else "rfd" if "rfdInterval" in keys else "test"
    n_per_unit, unit = _unit(meta, source)
    t, w = _samples(rows[start + 1 :], start + 2, indexed, source, n_per_unit=n_per_unit)
    started = parse_tindeq_date(meta["date"]) if meta.get("date") else None
    if meta.get("date") and started is None:
        raise FileFormatError(source, 2, f"date {meta['date']!r} is not YYYY-DD-MM hh:mm:ss")
    return TindeqExport(
        kind=kind,
        meta=meta,
        t_s=t,
        weight=w,
        set_index=split_sets(t) if kind == "repeaters" else np.zeros(t.shape[0], dtype=np.int64),
        n_per_unit=n_per_unit,
        unit=unit,
        reps=reps,
        started_at=started,
        header_lines=start + 1,
    )


def _rep_table(head: list[list[str]], source: str) -> tuple[RepStat, ...]:
    labels = [c.strip() for c in head[0][1:]]
    values: dict[str, list[float]] = {}
    for line, row in enumerate(head[1:], start=2):
        name = row[0].strip()
        if name not in ("Avg", "Peak"):
            continue
        try:
            values[name] = [float(c) for c in row[1 : 1 + len(labels)]]
        except ValueError:
            raise FileFormatError(source, line, f"{name} row: not all numbers") from None
        if len(values[name]) != len(labels):
            raise FileFormatError(source, line, f"{name} row: expected {len(labels)} values")
    if set(values) != {"Avg", "Peak"}:
        raise FileFormatError(source, 2, "repeaters header needs 'Avg' and 'Peak' rows")
    return tuple(
        RepStat(label, avg, peak)
        for label, avg, peak in zip(labels, values["Avg"], values["Peak"], strict=True)
    )


def _samples(
    rows: list[list[str]], first_line: int, indexed: bool, source: str, *, n_per_unit: float
) -> tuple[FloatArray, FloatArray]:
    want = 3 if indexed else 2
    time_limit = T_S.valid_range[1]
    weight_limit = FORCE["force_n"].valid_range[1] / n_per_unit
    t: list[float] = []
    w: list[float] = []
    for line, row in enumerate(rows, start=first_line):
        if not any(c.strip() for c in row):
            continue
        if len(row) != want:
            raise FileFormatError(
                source, line, f"expected {want} values, got {len(row)} (truncated or damaged file?)"
            )
        try:
            ti, wi = float(row[-2]), float(row[-1])
        except ValueError:
            raise FileFormatError(source, line, f"not a number: {','.join(row)!r}") from None
        if not (math.isfinite(ti) and math.isfinite(wi)):
            raise FileFormatError(source, line, "time and weight must be finite numbers")
        if abs(ti) > time_limit:
            raise FileFormatError(source, line, f"time: expected {expected(T_S)}, got {ti!r}")
        if abs(wi) > weight_limit:
            raise FileFormatError(
                source,
                line,
                f"weight: expected a weight within ±{weight_limit:.0f} (the force limit "
                f"{FORCE['force_n'].valid_range[1]:g} N), got {wi!r}",
            )
        if t and ti <= t[-1]:
            raise FileFormatError(source, line, f"time goes backwards ({ti} after {t[-1]})")
        t.append(ti)
        w.append(wi)
    if not t:
        raise FileFormatError(source, first_line, "no samples after the 'time,weight' line")
    return np.array(t), np.array(w)


def split_sets(t_s: FloatArray) -> np.ndarray:
    """Set number (0-based) of each sample: a new set starts after a long jump in time."""
    if t_s.shape[0] < 3:
        return np.zeros(t_s.shape[0], dtype=np.int64)
    dt_s = np.diff(t_s)
    breaks = dt_s > SET_BREAK_INTERVALS * float(np.median(dt_s))
    return np.concatenate([[0], np.cumsum(breaks)]).astype(np.int64)
