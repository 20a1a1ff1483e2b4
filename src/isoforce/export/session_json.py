"""isoforce's one JSON format for a session: JSON Lines, written and read chunk by chunk.

A session is a run of lines (docs/data.md), each one JSON object:

1. the **header**: ``{"format": "isoforce-session", "schema": 3, …}`` — the manifest's fields
   known when a recording starts (session, profile, sensor, calibration, drill, references,
   store);
2. any number of **chunk lines**, in time order per table:
   ``{"table": "force", "channel": "load", "samples": n, "columns": {"t_s": [...], …},
   "lost_before": [[index, count], ...]}`` with the force columns of
   :data:`~isoforce.core.schema.FORCE_COLUMNS` (``lost_before`` as sparse pairs within the
   chunk), and ``{"table": "imu", "samples": n, "columns": {…}}`` with the IMU columns;
3. the **trailer**: ``{"end": "isoforce-session", …}`` with the fields known at the end
   (labels, scores, maxima, rom, events, gaps, and the sample count per channel and of the
   IMU, to detect a truncated file). A ``session`` object in it updates the header's
   (status, end time).

Several sessions follow one another in one stream. Force numbers carry the export precision
(the schema's decimals), IMU numbers are exact (shortest text that reads back to the same
double); missing values are ``null``; ``step`` and ``phase`` are codes into ``labels``.
Arrays are written and parsed by orjson, so writing and reading hold one chunk at a time:
memory stays flat in the recording's length.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

import numpy as np
import orjson
from numpy.typing import NDArray

from isoforce.core.sample_checks import check_json_values, check_table
from isoforce.core.schema import FORCE, FORCE_COLUMNS, IMU_COLUMNS, Column, ColumnRole, dense
from isoforce.export.formats import FileFormatError, parse_json
from isoforce.export.manifest import (
    TRAILER_KEYS,
    check_header,
    declared_imu_samples,
    declared_samples,
    manifest,
    record_from_manifest,
)
from isoforce.session.codec import MANIFEST_FORMAT
from isoforce.session.model import ChannelData, ImuSamples, JsonDict, SessionRecord

BATCH_ROWS = 32768
FORCE_TABLE = "force"
IMU_TABLE = "imu"
_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def _array(column: Column, values: NDArray[Any], *, exact: bool) -> NDArray[Any]:
    """The array orjson writes for a column: rounded to its decimals unless ``exact``."""
    arr = np.ascontiguousarray(values, dtype=column.dtype)
    if column.role is ColumnRole.NUMBER and not exact and column.decimals is not None:
        return np.round(arr, column.decimals)
    return arr


def _line(doc: Mapping[str, Any]) -> bytes:
    return orjson.dumps(doc, option=_NUMPY | orjson.OPT_APPEND_NEWLINE)


def header_line(doc: JsonDict) -> bytes:
    """The header of a session: its manifest without the trailer's fields."""
    return _line({k: v for k, v in doc.items() if k not in TRAILER_KEYS})


def trailer_line(doc: JsonDict, *, session: JsonDict | None = None) -> bytes:
    """The trailer of a session: the manifest's end fields, and ``session`` fields to update."""
    end: JsonDict = {"end": MANIFEST_FORMAT, **{k: doc[k] for k in TRAILER_KEYS if k in doc}}
    if session:
        end["session"] = session
    return _line(end)


def as_written(channel: ChannelData, only: Collection[str] | None = None) -> ChannelData:
    """``channel`` with its number columns rounded as :func:`force_line` writes them.

    With ``only``, just the number columns it names are rounded. What is computed from it
    (an export's analysis) is then what a reader of the file computes.
    """
    rounded: dict[str, Any] = {
        c.name: _array(c, getattr(channel, c.name), exact=False)
        for c in dense(FORCE_COLUMNS)
        if c.role is ColumnRole.NUMBER and (only is None or c.name in only)
    }
    return replace(channel, **rounded)


def force_line(channel: ChannelData) -> bytes:
    """One chunk line of a channel's samples."""
    cols = channel.columns()
    lost = np.flatnonzero(channel.lost_before)
    pairs = np.column_stack((lost, channel.lost_before[lost])).astype(np.int64)
    return _line(
        {
            "table": FORCE_TABLE,
            "channel": channel.name,
            "samples": len(channel),
            "columns": {c.name: _array(c, cols[c.name], exact=False) for c in dense(FORCE_COLUMNS)},
            "lost_before": pairs,
        }
    )


def imu_line(samples: ImuSamples) -> bytes:
    """One chunk line of IMU samples (exact values)."""
    cols = samples.columns()
    return _line(
        {
            "table": IMU_TABLE,
            "samples": len(samples),
            "columns": {c.name: _array(c, cols[c.name], exact=True) for c in IMU_COLUMNS},
        }
    )


def write_session(
    out: BinaryIO,
    doc: JsonDict,
    channels: Iterable[ChannelData],
    imu: Iterable[ImuSamples] = (),
) -> None:
    """Write one session from its manifest and its samples, one line per chunk given."""
    out.write(header_line(doc))
    for ch in channels:
        if len(ch):
            out.write(force_line(ch))
    for part in imu:
        if len(part):
            out.write(imu_line(part))
    out.write(trailer_line(doc))


def write_json(out: BinaryIO, record: SessionRecord, *, rows: int = BATCH_ROWS) -> None:
    """Write a session held in memory (chunks of ``rows`` samples)."""
    channels = (ch.part(i, i + rows) for ch in record.channels for i in range(0, len(ch), rows))
    imu = record.imu or ImuSamples.empty()
    write_session(
        out, manifest(record), channels, (imu.part(i, i + rows) for i in range(0, len(imu), rows))
    )


# -- reading ------------------------------------------------------------------------------


def is_session_lines(first: Any) -> bool:
    """Whether a parsed first line is the header of this format (schema 3 or later)."""
    return (
        isinstance(first, dict)
        and first.get("format") == MANIFEST_FORMAT
        and isinstance(first.get("schema"), int)
        and first["schema"] >= 3
        and "end" not in first
    )


def _values(column: Column, values: Any, n: int, where: str) -> NDArray[Any]:
    """One column of a chunk: ``n`` values of the right JSON type, as the column's array."""
    if not isinstance(values, list) or len(values) != n:
        got = len(values) if isinstance(values, list) else type(values).__name__
        raise ValueError(f"{where}.{column.name}: expected {n} values, got {got}")
    bad = check_json_values(column, values)
    if bad is not None:
        raise ValueError(bad.describe(f"{where}.{column.name}[{bad.index}]"))
    if not n:
        return np.empty(0, dtype=column.dtype)
    if column.role is ColumnRole.NUMBER:
        return np.array(values, dtype=np.float64)
    return np.array(values, dtype=column.dtype)


def table_chunk(line: JsonDict, columns: tuple[Column, ...], where: str) -> dict[str, NDArray[Any]]:
    """The dense columns of a parsed chunk object ``{"samples": n, "columns": {…}}``.

    Each value is checked against the sample schema (:mod:`isoforce.core.sample_checks`): its
    JSON type, its range, and time increasing within the chunk; a problem is a ValueError
    naming the column and the index in the chunk.
    """
    n = line.get("samples")
    cols = line.get("columns")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or not isinstance(cols, dict):
        raise ValueError(f"{where}: needs 'samples' and 'columns'")
    arrays = {c.name: _values(c, cols.get(c.name), n, f"{where}.columns") for c in dense(columns)}
    bad = check_table(arrays, columns)
    if bad is not None:
        raise ValueError(bad.describe(f"{where}.columns.{bad.column}[{bad.index}]"))
    return arrays


def force_chunk(line: JsonDict, where: str = "force chunk") -> ChannelData:
    """A channel's samples from a parsed chunk object; a problem is a ValueError naming it."""
    name = line.get("channel")
    if not isinstance(name, str):
        raise ValueError(f"{where}: expected an object with a channel name")
    arrays = table_chunk(line, FORCE_COLUMNS, where)
    n = arrays["t_s"].shape[0]
    lost = np.zeros(n, dtype=np.int64)
    pairs = line.get("lost_before") or []
    if not isinstance(pairs, list):
        raise ValueError(f"{where}.lost_before: expected a list of [index, count] pairs")
    low, high = FORCE["lost_before"].valid_range
    for k, pair in enumerate(pairs):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(type(v) is int for v in pair)
            or not 0 <= pair[0] < n
            or not low <= pair[1] <= high
        ):
            raise ValueError(
                f"{where}.lost_before[{k}]: expected [index 0 to {n - 1}, "
                f"count {int(low)} to {int(high)}], got {_short(pair)}"
            )
        lost[pair[0]] = pair[1]
    arrays["lost_before"] = lost
    return ChannelData.from_columns(name, arrays)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(slots=True)
class _Session:
    header: JsonDict
    line: int
    channels: dict[str, list[ChannelData]]
    imu: list[ImuSamples]

    def add(self, part: ChannelData | ImuSamples, source: str, line: int) -> None:
        """Keep a chunk, checking that its times go on after the last chunk of its table."""
        parts: list[Any] = (
            self.imu if isinstance(part, ImuSamples) else self.channels.setdefault(part.name, [])
        )
        if parts and len(part) and len(parts[-1]) and part.t_s[0] <= parts[-1].t_s[-1]:
            what = "IMU" if isinstance(part, ImuSamples) else f"channel {part.name!r}"
            raise FileFormatError(
                source,
                line,
                f"t_s: expected the {what} times to go on after {float(parts[-1].t_s[-1])!r} s, "
                f"got {float(part.t_s[0])!r} (chunks out of order or edited?)",
            )
        parts.append(part)


def _finish(s: _Session, trailer: JsonDict, source: str, line: int) -> SessionRecord:
    doc = {**s.header, **{k: v for k, v in trailer.items() if k != "end"}}
    update = trailer.get("session")
    if isinstance(update, dict) and isinstance(s.header.get("session"), dict):
        doc["session"] = {**s.header["session"], **update}
    want = declared_samples(doc, source, line)
    imu_want = declared_imu_samples(doc, source, line)
    channels = tuple(
        ChannelData.concat(s.channels[n]) if n in s.channels else ChannelData.empty(n) for n in want
    )
    got = {c.name: len(c) for c in channels} | {n: -1 for n in s.channels if n not in want}
    imu = ImuSamples.concat(s.imu) if s.imu else None
    imu_n = len(imu) if imu is not None else 0
    if want != got or imu_want != imu_n:
        got_text = {n: sum(len(p) for p in parts) for n, parts in s.channels.items()}
        raise FileFormatError(
            source,
            line,
            f"the trailer declares {want} samples and {imu_want} IMU samples "
            f"but the file holds {got_text} and {imu_n} (truncated or edited file?)",
        )
    return record_from_manifest(doc, channels, f"{source}:{s.line}", imu)


Part = JsonDict | ChannelData | ImuSamples


def iter_parts(lines: Iterable[bytes | str], *, source: str) -> Iterator[tuple[int, Part]]:
    """Each line of a JSON Lines stream, parsed, with its line number; nothing is kept.

    A header or trailer is its object (the trailer has ``"end"``), a chunk line its samples
    (:class:`ChannelData` or :class:`ImuSamples`). Problems are :class:`FileFormatError`s
    naming the file and line; the order of lines is checked by :func:`iter_sessions`.
    """
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        doc = parse_json(text, source=source, line=number)
        if not isinstance(doc, dict):
            raise FileFormatError(source, number, "expected a JSON object")
        try:
            if "format" in doc:
                yield number, check_header(doc, f"{source}:{number}")
            elif "end" in doc:
                yield number, doc
            elif doc.get("table") == FORCE_TABLE:
                yield number, force_chunk(doc)
            elif doc.get("table") == IMU_TABLE:
                yield number, ImuSamples.from_columns(table_chunk(doc, IMU_COLUMNS, "imu chunk"))
            else:
                raise ValueError("not a header, chunk or trailer line")
        except ValueError as exc:
            raise FileFormatError(source, number, str(exc)) from None


def iter_sessions(lines: Iterable[bytes | str], *, source: str) -> Iterator[SessionRecord]:
    """The sessions of a JSON Lines stream, each as soon as its trailer is read.

    Every problem is a :class:`FileFormatError` naming the file and line (a truncated file:
    a damaged last line, or no trailer).
    """
    current: _Session | None = None
    number = 0
    for number, part in iter_parts(lines, source=source):
        if isinstance(part, dict) and "end" not in part:
            if current is not None:
                raise FileFormatError(
                    source, number, "a new session starts before the trailer of the last"
                )
            current = _Session(part, number, {}, [])
        elif current is None:
            raise FileFormatError(source, number, "samples or a trailer before any header")
        elif isinstance(part, ChannelData | ImuSamples):
            current.add(part, source, number)
        else:
            yield _finish(current, part, source, number)
            current = None
    if current is not None:
        raise FileFormatError(source, number, "no trailer line: the file is truncated")


def read_json(data: bytes | str, *, source: str) -> SessionRecord:
    """The one session of a JSON Lines file's content; errors name the file and line."""
    records = list(iter_sessions(data.splitlines(), source=source))
    if len(records) != 1:
        raise FileFormatError(source, None, f"expected one session, found {len(records)}")
    return records[0]
