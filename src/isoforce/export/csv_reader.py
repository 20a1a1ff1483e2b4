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

from isoforce.core.sample_checks import BadValue, check_table
from isoforce.core.schema import FORCE, FORCE_COLUMNS, Column, ColumnRole
from isoforce.export.formats import CSV_COLUMNS, CSV_FIELDS, FileFormatError, label_names
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


_LABEL_FIELDS = tuple(
    (head, col)
    for head, col in CSV_FIELDS.items()
    if col is not None and FORCE[col].role is ColumnRole.LABEL
)


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
            **{
                f"{col}_names": _names(
                    label_names(base, col), [r[CSV_COLUMNS.index(head)] for r in all_rows]
                )
                for head, col in _LABEL_FIELDS
            }
        )
        parsed = tuple(_channel(name, c, names, source) for name, c in channels.items())
        out.append(CsvSession(key, parsed, names))
    return out


def float_column(values: list[str], column: str, lines: list[int], source: str) -> np.ndarray:
    """Numbers of one column (empty cells are NaN); a bad cell is an error naming its line.

    An empty cell is the one way to say "no value": a cell reading ``nan`` is refused, so is
    text; ranges (and infinities) are checked by :func:`check_cells`.
    """
    try:
        out = np.array([float(v) if v else np.nan for v in values], dtype=np.float64)
    except ValueError:
        for v, line in zip(values, lines, strict=True):
            try:
                float(v or "0")
            except ValueError:
                raise FileFormatError(
                    source,
                    line,
                    f"{column}: expected a number (an empty cell for none), got {v!r}",
                ) from None
        raise  # pragma: no cover - unreachable
    written_nan = (int(i) for i in np.flatnonzero(np.isnan(out)) if values[i])
    i = next(written_nan, None)
    if i is not None:
        raise FileFormatError(
            source,
            lines[i],
            f"{column}: expected a number (an empty cell for none), got {values[i]!r}",
        )
    return out


def check_cells(
    columns: dict[str, np.ndarray],
    table: tuple[Column, ...],
    *,
    cells: dict[str, list[str]],
    lines: list[int],
    source: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Check parsed columns against the sample schema; a bad value names its line and cell."""
    bad = check_table(columns, table)
    if bad is None:
        return
    head = (headers or {}).get(bad.column, bad.column)
    cell = cells[head][bad.index] if head in cells else bad.got
    raise FileFormatError(
        source, lines[bad.index], BadValue(head, bad.index, cell, bad.expected).describe()
    )


def _whole(text: str) -> int | None:
    """A whole number written in decimal digits (at most 30), or None."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 30:
        return None
    return int(text)


def _label_codes(names: tuple[str, ...], cells: list[str]) -> np.ndarray:
    """Codes of a label column's cells (``-1``: none or unknown).

    Two steps may share a name (e.g. ``passive 30 s`` before push and before pull). Steps run
    in order, so a repeated name is the first step of that name at or after the last one seen.
    """
    where: dict[str, list[int]] = {}
    for i, s in enumerate(names):
        where.setdefault(s, []).append(i)
    if len(where) == len(names):  # every name once: a plain look-up
        index = {s: i for i, s in enumerate(names)}
        return np.array([index.get(s, -1) if s else -1 for s in cells], dtype=np.int64)
    out = np.full(len(cells), -1, dtype=np.int64)
    last = -1
    for k, cell in enumerate(cells):
        found = where.get(cell) if cell else None
        if not found:
            continue
        code = next((i for i in found if i >= last), found[0])
        out[k] = last = code
    return out


def _parse(
    column: Column, header: str, cells: list[str], labels: Labels, lines: list[int], source: str
) -> np.ndarray:
    """One CSV column back to the force column it shows (by the column's role)."""
    if column.role is ColumnRole.NUMBER:
        return float_column(cells, header, lines, source)
    if column.role is ColumnRole.LABEL:
        return _label_codes(label_names(labels, column.name), cells)
    out = np.zeros(len(cells), dtype=np.int64)
    low, high = (int(v) for v in column.valid_range)
    for i, (cell, line) in enumerate(zip(cells, lines, strict=True)):
        text = cell.strip() if column.sparse else cell
        if not text:
            continue
        if column.sparse and not text.startswith("gap:"):
            raise FileFormatError(source, line, f"{header}: unknown flag {text!r}")
        value = _whole(text[4:] if column.sparse else text)
        if value is None or not low <= value <= high:
            want = f"{'gap:N with N ' if column.sparse else ''}a whole number from {low} to {high}"
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise FileFormatError(source, line, f"{header}: expected {want}, got {shown!r}")
        out[i] = value
    return out


def _channel(name: str, c: _Channel, labels: Labels, source: str) -> ChannelData:
    rows, lines = c.rows, c.lines
    cells = dict(zip(CSV_COLUMNS, (list(col) for col in zip(*rows, strict=True)), strict=True))
    columns: dict[str, np.ndarray] = {}
    headers: dict[str, str] = {}
    for header, col in CSV_FIELDS.items():
        if col is None:
            continue
        columns[col] = _parse(FORCE[col], header, cells[header], labels, lines, source)
        headers[col] = header
    check_cells(columns, FORCE_COLUMNS, cells=cells, lines=lines, source=source, headers=headers)
    return ChannelData.from_columns(name, columns)
