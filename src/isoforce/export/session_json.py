"""JSON export of a session: the manifest plus every channel's sample arrays, and reading it back.

Layout (docs/data.md)::

    {<manifest fields>, "channels": [{"name": "load", "samples": n,
        "lost_before": [[index, count], ...],
        "columns": {"t_s": [...], "t_host_s": [...], "raw": [...], "force_n": [...],
                    "effort_pct": [...], "target_pct": [...],
                    "step": [...], "phase": [...], "rep": [...]}}]}

Numbers carry the export precision (:data:`~isoforce.export.formats.DECIMALS`); missing values
are ``null``; ``step`` and ``phase`` are codes into ``labels`` (-1 = none), ``rep`` is 0 when
none. Arrays are formatted with numpy (:mod:`isoforce.export.numtext`), not ``json.dumps``.

A session with an IMU also has ``"imu": {"samples": n, "columns": {"t_s": [...], "acc_x_g":
[...], …, "still": [true, ...], …}}`` (names in :data:`~isoforce.export.imu_table.IMU_COLUMNS`);
without one, ``"imu": null``. IMU numbers are written exactly (shortest text that reads back
to the same double), so a JSON round trip restores the stored IMU arrays bit for bit.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import numpy as np

from isoforce.export import numtext
from isoforce.export.formats import DECIMALS, FileFormatError
from isoforce.export.imu_table import IMU_COLUMNS, imu_columns, imu_from_columns
from isoforce.export.manifest import check_header, manifest, record_from_manifest
from isoforce.session.model import ARRAY_FIELDS, ChannelData, ImuSamples, SessionRecord

BATCH_ROWS = 32768
_FLOAT_COLUMNS = ("t_s", "t_host_s", "raw", "force_n", "effort_pct", "target_pct")
_INT_COLUMNS = ("step", "phase", "rep")


def _write_array(out: BinaryIO, values: np.ndarray, decimals: int | None) -> None:
    """Write ``[v0,v1,…]`` in batches (bounded temporary memory)."""
    out.write(b"[")
    n = values.shape[0]
    for start in range(0, n, BATCH_ROWS):
        part = values[start : start + BATCH_ROWS]
        field = (
            numtext.integers(part)
            if decimals is None
            else numtext.fixed(part, decimals=decimals, nan=b"null")
        )
        text = numtext.join_rows([field])
        out.write(text if start + BATCH_ROWS < n else text[:-1])
    out.write(b"]")


def _write_channel(out: BinaryIO, ch: ChannelData) -> None:
    lost = np.flatnonzero(ch.lost_before)
    head = {
        "name": ch.name,
        "samples": len(ch),
        "lost_before": [[int(i), int(ch.lost_before[i])] for i in lost],
    }
    out.write(json.dumps(head)[:-1].encode() + b',"columns":{')
    names = [*_FLOAT_COLUMNS, *_INT_COLUMNS]
    for k, name in enumerate(names):
        out.write(json.dumps(name).encode() + b":")
        decimals = DECIMALS[name] if name in _FLOAT_COLUMNS else None
        _write_array(out, getattr(ch, name), decimals)
        if k < len(names) - 1:
            out.write(b",")
    out.write(b"}}")


def _write_exact(out: BinaryIO, values: np.ndarray) -> None:
    """Write ``[v0,v1,…]`` with every value exact (``repr`` of the double; NaN as ``null``)."""
    out.write(b"[")
    n = values.shape[0]
    for start in range(0, n, BATCH_ROWS):
        part = values[start : start + BATCH_ROWS].tolist()
        text = json.dumps(part, separators=(",", ":"))[1:-1]
        if values.dtype.kind == "f":
            text = text.replace("-Infinity", "null").replace("Infinity", "null")
            text = text.replace("NaN", "null")
        if start:
            out.write(b",")
        out.write(text.encode())
    out.write(b"]")


def _write_imu(out: BinaryIO, imu: ImuSamples | None) -> None:
    if imu is None:
        out.write(b"null")
        return
    out.write(b'{"samples":%d,"columns":{' % len(imu))
    cols = imu_columns(imu)
    for k, name in enumerate(IMU_COLUMNS):
        if k:
            out.write(b",")
        out.write(json.dumps(name).encode() + b":")
        _write_exact(out, cols[name])
    out.write(b"}}")


def write_json(out: BinaryIO, record: SessionRecord) -> None:
    """Write one session as a JSON document followed by a newline."""
    doc = manifest(record)
    doc.pop("channels")
    doc.pop("imu")
    out.write(json.dumps(doc, ensure_ascii=False)[:-1].encode())
    out.write(b',"channels":[')
    for k, ch in enumerate(record.channels):
        if k:
            out.write(b",")
        _write_channel(out, ch)
    out.write(b'],"imu":')
    _write_imu(out, record.imu)
    out.write(b"}\n")


def _column(cols: dict[str, Any], name: str, n: int, where: str, source: str) -> np.ndarray:
    values = cols.get(name)
    if not isinstance(values, list) or len(values) != n:
        got = len(values) if isinstance(values, list) else type(values).__name__
        raise FileFormatError(
            source, None, f"{where}.columns.{name}: expected {n} values, got {got}"
        )
    try:
        if name in _INT_COLUMNS:
            return np.asarray(values, dtype=np.int64)
        return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        raise FileFormatError(source, None, f"{where}.columns.{name}: not all numbers") from None


def read_json(data: bytes | str, *, source: str) -> SessionRecord:
    """Read one exported session; errors name the file and the field."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            source, exc.lineno, f"not valid JSON ({exc.msg}; truncated file?)"
        ) from None
    return record_from_json(doc, source=source)


def record_from_json(doc: Any, *, source: str) -> SessionRecord:
    """A session from an already parsed JSON export."""
    check_header(doc, source)
    channels = []
    raw_channels = doc.get("channels")
    if not isinstance(raw_channels, list):
        raise FileFormatError(source, None, "channels: expected a list")
    for i, c in enumerate(raw_channels):
        where = f"channels[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise FileFormatError(source, None, f"{where}: expected an object with a name")
        n = c.get("samples")
        cols = c.get("columns")
        if not isinstance(n, int) or n < 0 or not isinstance(cols, dict):
            raise FileFormatError(source, None, f"{where}: needs 'samples' and 'columns'")
        arrays = {
            name: _column(cols, name, n, where, source) for name in (*_FLOAT_COLUMNS, *_INT_COLUMNS)
        }
        lost = np.zeros(n, dtype=np.int64)
        for pair in c.get("lost_before") or []:
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(v, int) for v in pair)
                or not 0 <= pair[0] < n
            ):
                raise FileFormatError(source, None, f"{where}.lost_before: bad entry {pair!r}")
            lost[pair[0]] = pair[1]
        arrays["lost_before"] = lost
        channels.append(ChannelData(c["name"], **{k: arrays[k] for k in ARRAY_FIELDS}))
    return record_from_manifest(doc, channels, source, _read_imu(doc.get("imu"), source))


def _read_imu(imu: Any, source: str) -> ImuSamples | None:
    """The ``imu`` object of a JSON export (None when null or absent: schema 1 files)."""
    if imu is None:
        return None
    n = imu.get("samples") if isinstance(imu, dict) else None
    cols = imu.get("columns") if isinstance(imu, dict) else None
    if not isinstance(n, int) or n < 0 or not isinstance(cols, dict):
        raise FileFormatError(source, None, "imu: needs 'samples' and 'columns'")
    arrays: dict[str, np.ndarray] = {}
    for name in IMU_COLUMNS:
        values = cols.get(name)
        if not isinstance(values, list) or len(values) != n:
            got = len(values) if isinstance(values, list) else type(values).__name__
            raise FileFormatError(
                source, None, f"imu.columns.{name}: expected {n} values, got {got}"
            )
        if name == "still":
            if not all(isinstance(v, bool) for v in values):
                raise FileFormatError(source, None, "imu.columns.still: expected true or false")
            arrays[name] = np.array(values, dtype=np.bool_)
            continue
        try:
            arrays[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        except (TypeError, ValueError):
            raise FileFormatError(source, None, f"imu.columns.{name}: not all numbers") from None
    return imu_from_columns(arrays)
