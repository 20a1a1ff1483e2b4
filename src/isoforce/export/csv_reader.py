"""Reading isoforce's own tidy CSV back (with or without its ``.meta.json`` sidecar).

The reader accepts what :mod:`isoforce.export.session_csv` and the live
:mod:`isoforce.export.csv_writer` write: the ten standard columns, optionally after a
``session`` column. Every problem is a :class:`~isoforce.export.formats.FileFormatError`
naming the file and line: a wrong header, a row with the wrong number of fields (a truncated
last line), a value that is not a number, time going backwards within a channel, a bad flag.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from isoforce.export.formats import CSV_COLUMNS, FileFormatError
from isoforce.export.session_csv import SESSION_COLUMN
from isoforce.session.model import ChannelData, Labels

if TYPE_CHECKING:
    from _csv import Reader


@dataclass(frozen=True, slots=True)
class CsvSession:
    """The samples of one session read from a CSV (``key`` is its ``session`` value, if any)."""

    key: str | None
    channels: tuple[ChannelData, ...]
    labels: Labels


def is_isoforce_csv(first_line: str) -> bool:
    """Whether a file's first line is an isoforce CSV header."""
    cols = tuple(c.strip() for c in first_line.lstrip("\ufeff").strip().split(","))
    return cols in (CSV_COLUMNS, (SESSION_COLUMN, *CSV_COLUMNS))


class _Channel:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.lines: list[int] = []


def _names(existing: tuple[str, ...], found: list[str]) -> tuple[str, ...]:
    out = list(existing)
    for name in found:
        if name and name not in out:
            out.append(name)
    return tuple(out)


def open_csv(text: str, *, source: str) -> tuple[Reader, tuple[str, ...]]:
    """A CSV reader past the header, and the header's column names (BOM and spaces dropped).

    An empty or malformed header is a :class:`FileFormatError` on line 1.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(source, 1, "empty file") from None
    except csv.Error as exc:
        raise FileFormatError(source, 1, f"not a CSV file ({exc})") from None
    return reader, tuple(c.strip() for c in header)


def read_csv(text: str, *, source: str, labels: Labels | None = None) -> list[CsvSession]:
    """Parse an isoforce CSV into sessions (one unless there is a ``session`` column).

    ``labels`` (from the sidecar) fixes the order of step and phase names; names the CSV uses
    beyond them are appended in order of first use.
    """
    reader, cols = open_csv(text, source=source)
    with_session = cols == (SESSION_COLUMN, *CSV_COLUMNS)
    if cols != CSV_COLUMNS and not with_session:
        raise FileFormatError(
            source, 1, f"not an isoforce CSV: expected the header {','.join(CSV_COLUMNS)}"
        )
    width = len(cols)
    groups: dict[str | None, dict[str, _Channel]] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != width:
                raise FileFormatError(
                    source,
                    line,
                    f"expected {width} fields, got {len(row)} (truncated or damaged file?)",
                )
            key = row[0] if with_session else None
            fields = row[1:] if with_session else row
            ch = groups.setdefault(key, {}).setdefault(fields[1], _Channel())
            ch.rows.append(fields)
            ch.lines.append(line)
    except csv.Error as exc:
        raise FileFormatError(source, reader.line_num, f"damaged CSV ({exc})") from None
    if not groups:
        raise FileFormatError(source, 2, "no samples after the header")
    base = labels or Labels()
    out = []
    for key, channels in groups.items():
        all_rows = [r for c in channels.values() for r in c.rows]
        names = Labels(
            step_names=_names(base.step_names, [r[7] for r in all_rows]),
            phase_names=_names(base.phase_names, [r[6] for r in all_rows]),
        )
        parsed = tuple(_channel(name, c, names, source) for name, c in channels.items())
        out.append(CsvSession(key, parsed, names))
    return out


def float_column(values: list[str], column: str, lines: list[int], source: str) -> np.ndarray:
    """Numbers of one column (empty cells are NaN); a bad cell is an error naming its line."""
    try:
        return np.array([float(v) if v else np.nan for v in values], dtype=np.float64)
    except ValueError:
        for v, line in zip(values, lines, strict=True):
            try:
                float(v or "nan")
            except ValueError:
                raise FileFormatError(source, line, f"{column}: not a number: {v!r}") from None
        raise  # pragma: no cover - unreachable


def _channel(name: str, c: _Channel, labels: Labels, source: str) -> ChannelData:
    rows, lines = c.rows, c.lines
    cols = list(zip(*rows, strict=True))
    t = float_column(list(cols[0]), "t_s", lines, source)
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise FileFormatError(source, lines[bad[0]], "t_s: a time is required on every row")
    back = np.flatnonzero(np.diff(t) <= 0)
    if back.size:
        raise FileFormatError(
            source, lines[back[0] + 1], f"t_s does not increase within channel {name!r}"
        )
    step_index = {s: i for i, s in enumerate(labels.step_names)}
    phase_index = {p: i for i, p in enumerate(labels.phase_names)}
    reps = []
    lost = np.zeros(len(rows), dtype=np.int64)
    for i, (r, line) in enumerate(zip(rows, lines, strict=True)):
        try:
            reps.append(int(r[8]) if r[8] else 0)
        except ValueError:
            raise FileFormatError(source, line, f"rep: not a whole number: {r[8]!r}") from None
        flag = r[9].strip()
        if flag:
            if not flag.startswith("gap:") or not flag[4:].isdigit():
                raise FileFormatError(source, line, f"flags: unknown flag {flag!r}")
            lost[i] = int(flag[4:])
    return ChannelData(
        name=name,
        t_s=t,
        t_host_s=np.full(len(rows), np.nan),
        raw=float_column(list(cols[2]), "raw", lines, source),
        force_n=float_column(list(cols[3]), "force_n", lines, source),
        effort_pct=float_column(list(cols[4]), "effort_pct", lines, source),
        target_pct=float_column(list(cols[5]), "target_pct", lines, source),
        step=np.array([step_index.get(s, -1) if s else -1 for s in cols[7]], dtype=np.int64),
        phase=np.array([phase_index.get(p, -1) if p else -1 for p in cols[6]], dtype=np.int64),
        rep=np.array(reps, dtype=np.int64),
        lost_before=lost,
    )
