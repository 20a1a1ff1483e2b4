"""Reading the two JSON formats isoforce wrote before schema 3 (read only; never written).

* **session documents** (``"format": "isoforce-session"``, schema 1 or 2): one JSON object
  per session, the manifest with ``channels[i].columns`` and ``imu.columns`` arrays. Their
  channel and IMU objects are parsed by the same code as the chunk lines of the current
  format (:mod:`isoforce.export.session_json`).
* **live recordings** (``"format": "isoforce-recording"``, what ``isoforce record --format
  json`` wrote): device, rate, seed, calibration, reference, gaps, and column arrays with
  phase and step *names* per sample.

Errors name the file and field.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from isoforce.core.sample_checks import check_json_values, check_table, expected
from isoforce.core.schema import FORCE, FORCE_COLUMNS, IMU_COLUMNS, T_S
from isoforce.export.formats import FileFormatError, parse_json
from isoforce.export.manifest import check_header, record_from_manifest
from isoforce.export.session_json import force_chunk, table_chunk
from isoforce.session.model import (
    DEFAULT_CHANNEL,
    ChannelData,
    DeviceInfo,
    ImuSamples,
    JsonDict,
    Labels,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
)

RECORDING_FORMAT = "isoforce-recording"
RECORDING_SCHEMA = 1
_RECORDING_FLOATS = ("t_s", "raw", "force_n", "effort_pct", "target_pct")


def read_document(data: bytes | str, *, source: str) -> SessionRecord:
    """One schema-1 or schema-2 session document; errors name the file and the field."""
    return record_from_document(parse_json(data, source=source), source=source)


def record_from_document(doc: Any, *, source: str) -> SessionRecord:
    """A session from a parsed schema-1 or schema-2 session document."""
    check_header(doc, source)
    raw_channels = doc.get("channels")
    if not isinstance(raw_channels, list):
        raise FileFormatError(source, None, "channels: expected a list")
    try:
        channels = []
        for i, c in enumerate(raw_channels):
            if not isinstance(c, dict):
                raise ValueError(f"channels[{i}]: expected an object with a name")
            channels.append(force_chunk({**c, "channel": c.get("name")}, f"channels[{i}]"))
        imu_doc = doc.get("imu")
        imu = None
        if imu_doc is not None:
            if not isinstance(imu_doc, dict):
                raise ValueError("imu: needs 'samples' and 'columns'")
            imu = ImuSamples.from_columns(table_chunk(imu_doc, IMU_COLUMNS, "imu"))
    except ValueError as exc:
        raise FileFormatError(source, None, str(exc)) from None
    return record_from_manifest(doc, channels, source, imu)


def is_recording(doc: Any) -> bool:
    """Whether a parsed JSON document is an old live recording."""
    return isinstance(doc, dict) and doc.get("format") == RECORDING_FORMAT


def _codes(values: list[Any], where: str, source: str) -> tuple[np.ndarray, tuple[str, ...]]:
    names: list[str] = []
    index: dict[str, int] = {}
    codes = np.full(len(values), -1, dtype=np.int64)
    for i, v in enumerate(values):
        if v is None:
            continue
        if not isinstance(v, str):
            raise FileFormatError(source, None, f"columns.{where}[{i}]: expected text or null")
        if v not in index:
            index[v] = len(names)
            names.append(v)
        codes[i] = index[v]
    return codes, tuple(names)


def _recording_samples(doc: JsonDict, source: str) -> tuple[ChannelData, Labels]:
    if doc.get("schema") != RECORDING_SCHEMA:
        raise FileFormatError(
            source, None, f"recording schema {doc.get('schema')!r} is not supported"
        )
    cols = doc.get("columns")
    n = doc.get("samples")
    if not isinstance(cols, dict) or type(n) is not int or n < 0:
        raise FileFormatError(source, None, "a recording needs 'samples' and 'columns'")
    arrays: dict[str, np.ndarray] = {}
    for name in (*_RECORDING_FLOATS, "phase", "step", "rep"):
        values = cols.get(name)
        if not isinstance(values, list) or len(values) != n:
            raise FileFormatError(source, None, f"columns.{name}: expected {n} values")
        if name in _RECORDING_FLOATS or name == "rep":
            if name == "rep":  # a recording wrote null for "no repeat"
                values = [0 if v is None else v for v in values]
            column = FORCE[name]
            bad = check_json_values(column, values)
            if bad is not None:
                raise FileFormatError(source, None, bad.describe(f"columns.{name}[{bad.index}]"))
            arrays[name] = np.array(values, dtype=column.dtype)
    arrays["step"], step_names = _codes(cols["step"], "step", source)
    arrays["phase"], phase_names = _codes(cols["phase"], "phase", source)
    bad = check_table(arrays, FORCE_COLUMNS)
    if bad is not None:
        raise FileFormatError(source, None, bad.describe(f"columns.{bad.column}[{bad.index}]"))
    t = arrays["t_s"]
    lost = np.zeros(n, dtype=np.int64)
    gaps = doc.get("gaps") or []
    if not isinstance(gaps, list):
        raise FileFormatError(source, None, "gaps: expected a list")
    low, high = FORCE["lost_before"].valid_range
    for k, gap in enumerate(gaps):
        if not isinstance(gap, dict):
            raise FileFormatError(source, None, f"gaps[{k}]: expected an object")
        lost_n, at_s = gap.get("samples_lost"), gap.get("t_s", 0.0)
        if type(lost_n) is not int or not low <= lost_n <= high:
            want = f"a whole number from {int(low)} to {int(high)}"
            raise FileFormatError(
                source, None, f"gaps[{k}].samples_lost: expected {want}, got {lost_n!r}"
            )
        if type(at_s) not in (int, float) or not abs(at_s) <= T_S.valid_range[1]:
            raise FileFormatError(
                source, None, f"gaps[{k}].t_s: expected {expected(T_S)}, got {at_s!r}"
            )
        at = int(np.searchsorted(t, float(at_s) - 1e-9))
        if at < n:
            lost[at] = lost_n
    arrays["lost_before"] = lost
    return ChannelData.from_columns(DEFAULT_CHANNEL, arrays), Labels(step_names, phase_names)


def record_from_recording(
    doc: JsonDict, *, source: str, file_name: str, started_at: str, uuid: str
) -> SessionRecord:
    """A session from an old live recording (it has no start time or uuid: give them)."""
    channel, labels = _recording_samples(doc, source)
    device: JsonDict = doc["device"] if isinstance(doc.get("device"), dict) else {}
    ref: JsonDict = doc["reference"] if isinstance(doc.get("reference"), dict) else {}
    cal: JsonDict | None = doc["calibration"] if isinstance(doc.get("calibration"), dict) else None
    rate = doc.get("rate_hz")
    meta = SessionMeta(
        uuid=uuid,
        kind=SessionKind.RECORD,
        status=SessionStatus.COMPLETE,
        started_at=started_at,
        device=DeviceInfo(
            str(device.get("key", "unknown")),
            str(device.get("title", "")),
            str(device.get("capabilities", "")),
        ),
        rate_hz=float(rate) if isinstance(rate, int | float) else None,
        options={k: v for k, v in doc.items() if k in ("seed", "isoforce_version", "port")},
        calibration=cal,
        references={
            str(ref.get("kind", "pain_free")): {
                "push_max_n": ref.get("push_max_n"),
                "pull_max_n": ref.get("pull_max_n"),
            }
        }
        if ref
        else {},
        labels=labels,
        source={"format": RECORDING_FORMAT, "file": file_name},
    )
    return SessionRecord(meta=meta, channels=(channel,))
