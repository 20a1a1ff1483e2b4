"""Importing files into the store: Tindeq app CSV exports and isoforce's own CSV and JSON.

:func:`import_file` detects the format, parses it with the pure readers in
:mod:`isoforce.export`, and saves every session it holds in one transaction (nothing is kept
if any part fails). A file whose exact bytes were imported before, or a session whose uuid is
already stored, is refused rather than duplicated. Imported sessions are ordinary sessions:
they list, export, replay and enter the history like recorded ones.

A tidy CSV brings its ``.meta.json`` sidecar and its ``.imu.csv`` IMU table along when they
lie next to it; an IMU table on its own is not a session (:class:`CompanionFileError`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid as uuidlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import orjson

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.errors import IsoforceError, StorageError
from isoforce.export.csv_reader import is_isoforce_csv, read_csv
from isoforce.export.formats import FileFormatError, parse_json
from isoforce.export.imu_table import imu_csv_path, is_imu_csv, main_csv_path, read_imu_csv
from isoforce.export.legacy_json import is_recording, record_from_document, record_from_recording
from isoforce.export.manifest import (
    check_header,
    declared_imu_samples,
    declared_samples,
    record_from_manifest,
)
from isoforce.export.record_checks import check_record
from isoforce.export.session_json import is_session_lines, iter_sessions
from isoforce.export.tindeq_csv import (
    TindeqExport,
    parse_tindeq_csv,
    parse_tindeq_date,
    parse_tindeq_info,
)
from isoforce.session.model import (
    DEFAULT_CHANNEL,
    ChannelData,
    DeviceInfo,
    ImuSamples,
    JsonDict,
    Labels,
    ProfileInfo,
    ReferenceRecord,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
    movement_key,
)
from isoforce.session.store import SessionStore, now_iso
from isoforce.session.tindeq import HeaderCheck, tindeq_checks, tindeq_mvic, tindeq_reps
from isoforce.signal.calibration import Calibration

TINDEQ_FORMAT = "tindeq-app-csv"
#: The largest file an import reads (it is held in memory whole).
MAX_IMPORT_BYTES = 2 * 2**30
_DATE_IN_NAME = re.compile(r"(\d{2})_(\d{2})_(\d{4})(?:_(\d{2})_(\d{2})_(\d{2}))?")


class AlreadyImportedError(IsoforceError):
    """The file (or a session in it) is already in the store."""


class CompanionFileError(IsoforceError):
    """The file belongs to another file's session (an ``.imu.csv`` next to its CSV)."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What a Tindeq file does not say: which movement, side and direction it measured."""

    movement: str | None = None
    side: Side | None = None
    direction: Direction = Direction.PUSH
    position: str | None = None
    as_mvic: bool = False
    """Record each imported test's best 1 s mean as an MVIC (needs movement and side)."""
    profile: str | None = None
    """The athlete the sessions belong to (None: the one an isoforce file names, else the
    default athlete); the athlete must exist."""


DEFAULT_IMPORT = ImportOptions()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one file became."""

    path: Path
    format: str
    session_ids: tuple[int, ...]
    samples: int
    duration_s: float
    checks: tuple[HeaderCheck, ...] = ()
    imu_samples: int = 0
    athletes: tuple[str, ...] = ()
    """Whose sessions they became (the athlete names, each once)."""


def import_file(
    store: SessionStore, path: Path, options: ImportOptions = DEFAULT_IMPORT
) -> ImportResult:
    """Import one file (format detected from its content)."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise FileFormatError(
                str(path),
                None,
                f"a file of {size / 2**30:.1f} GiB: imports take files up to "
                f"{MAX_IMPORT_BYTES // 2**30} GiB",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    sha = hashlib.sha256(data).hexdigest()
    known = store.find_by_content(sha)
    if known is not None:
        raise AlreadyImportedError(f"{path}: already imported as session {known}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    fmt, records = _parse(path, text, options)
    if options.profile is not None:
        profile = store.athlete(options.profile).profile
        records = [replace(r, meta=replace(r.meta, profile=profile)) for r in records]
    for rec in records:
        check_record(rec, str(path))
        found = store.find_by_uuid(rec.meta.uuid)
        if found is not None:
            raise AlreadyImportedError(
                f"{path}: session {rec.meta.uuid[:8]} is already in the store as session {found}"
            )
    ids = []
    with store.transaction("importing"):
        for k, rec in enumerate(records):
            sid = store.save_record(
                rec, imported_from=str(path), content_sha256=sha if k == 0 else f"{sha}:{k}"
            )
            ids.append(sid)
    checks = tuple(c for rec in records for c in tindeq_checks(rec))
    return ImportResult(
        path=path,
        format=fmt,
        session_ids=tuple(ids),
        samples=sum(r.samples for r in records),
        duration_s=max((r.duration_s for r in records), default=0.0),
        checks=checks,
        imu_samples=sum(len(r.imu) for r in records if r.imu is not None),
        athletes=tuple(dict.fromkeys(r.meta.profile.name for r in records)),
    )


def _parse(path: Path, text: str, options: ImportOptions) -> tuple[str, list[SessionRecord]]:
    source = str(path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "isoforce-json", _json_records(path, text)
    first = text.split("\n", 1)[0]
    if is_isoforce_csv(first):
        return "isoforce-csv", _isoforce_csv(path, text)
    if is_imu_csv(first):
        main = main_csv_path(path)
        if main is not None and main.is_file():
            raise CompanionFileError(f"{path}: the IMU table of {main.name}, imported with it")
        raise FileFormatError(
            source, None, "an IMU table on its own: import the session's CSV (it brings this along)"
        )
    export = parse_tindeq_csv(text, source=source)
    return TINDEQ_FORMAT, [tindeq_record(export, path=path, options=options)]


def _json_records(path: Path, text: str) -> list[SessionRecord]:
    """Sessions of a JSON file: the current JSON Lines format, or the two older formats."""
    source = str(path)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    try:
        head = orjson.loads(first)
    except orjson.JSONDecodeError:
        head = None
    if is_session_lines(head):
        return list(iter_sessions(lines, source=source))
    # before schema 3: one document, or one per line (``export … --format json --out -``)
    docs = [ln for ln in lines if ln.strip()]
    parts = (
        [(f"{source} (line {i})", ln) for i, ln in enumerate(docs, 1)]
        if len(docs) > 1 and all(ln.lstrip().startswith("{") for ln in docs)
        else [(source, text)]
    )
    out = []
    for where, part in parts:
        doc = parse_json(part, source=where)
        if is_recording(doc):
            record = record_from_recording(
                doc,
                source=where,
                file_name=path.name,
                started_at=_file_time(path),
                uuid=uuidlib.uuid4().hex,
            )
            out.append(record)
        else:
            out.append(record_from_document(doc, source=where))
    return out


def sidecar_path(csv_path: Path) -> Path:
    """Where the ``.meta.json`` sidecar of a CSV lives (``run.csv`` → ``run.meta.json``)."""
    return csv_path.with_suffix(".meta.json")


def _isoforce_csv(path: Path, text: str) -> list[SessionRecord]:
    source = str(path)
    side = sidecar_path(path)
    doc: JsonDict | None = None
    if side.is_file():
        try:
            side_text = side.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise FileFormatError(str(side), None, f"unreadable sidecar ({exc})") from None
        doc = check_header(parse_json(side_text, source=str(side)), str(side))
    labels = None if doc is None else _sidecar_labels(doc, str(side))
    sessions = read_csv(text, source=source, labels=labels)
    imu = _imu_table(path, doc, several=len(sessions) > 1)
    if doc is not None and len(sessions) == 1:
        want = declared_samples(doc, str(sidecar_path(path)))
        got = {c.name: len(c) for c in sessions[0].channels}
        if want and want != got:
            raise FileFormatError(
                source,
                None,
                f"the sidecar declares {want} samples but the CSV holds {got} "
                "(truncated or edited file?)",
            )
        record = record_from_manifest(doc, sessions[0].channels, str(side), imu)
        meta = replace(record.meta, labels=sessions[0].labels)
        return [replace(record, meta=meta)]
    return [_bare_record(path, s.channels, s.labels, imu) for s in sessions]


def _sidecar_labels(doc: JsonDict, source: str) -> Labels:
    """The step and phase names a sidecar gives, checked before the CSV's codes use them."""
    found = doc.get("labels") or {}
    if not isinstance(found, dict):
        raise FileFormatError(source, None, "labels: expected an object")
    names: list[tuple[str, ...]] = []
    for key in ("step_names", "phase_names"):
        values = found.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise FileFormatError(source, None, f"labels.{key}: expected a list of text")
        names.append(tuple(values))
    return Labels(*names)


def _imu_table(path: Path, doc: JsonDict | None, *, several: bool) -> ImuSamples | None:
    """The ``.imu.csv`` next to a CSV, checked against what the sidecar declares."""
    imu_path = imu_csv_path(path)
    declared = declared_imu_samples(doc, str(sidecar_path(path))) if doc is not None else 0
    if not imu_path.is_file():
        if declared:
            raise FileFormatError(
                str(path),
                None,
                f"the sidecar declares {declared} IMU samples but {imu_path.name} is missing "
                "(put it next to the CSV, or import the JSON export)",
            )
        return None
    if several:
        raise FileFormatError(
            str(imu_path), None, "an IMU table next to a CSV of several sessions is not supported"
        )
    try:
        text = imu_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(str(imu_path), None, f"unreadable IMU table ({exc})") from None
    imu = read_imu_csv(text, source=str(imu_path))
    if doc is not None and declared != len(imu):
        raise FileFormatError(
            str(imu_path),
            None,
            f"the sidecar declares {declared} IMU samples but the table holds {len(imu)} "
            "(truncated or edited file?)",
        )
    return imu


def _file_time(path: Path) -> str:
    try:
        return (
            dt.datetime.fromtimestamp(path.stat().st_mtime)
            .astimezone()
            .isoformat(timespec="seconds")
        )
    except OSError:
        return now_iso()


def _bare_record(
    path: Path, channels: tuple[ChannelData, ...], labels: Labels, imu: ImuSamples | None = None
) -> SessionRecord:
    """A session from a CSV without its sidecar: samples and labels, little else known."""
    t = channels[0].t_s if channels else np.empty(0)
    meta = SessionMeta(
        uuid=uuidlib.uuid4().hex,
        kind=SessionKind.IMPORT,
        status=SessionStatus.COMPLETE,
        started_at=_file_time(path),
        device=DeviceInfo("unknown", "isoforce CSV without metadata"),
        rate_hz=_rate(t),
        labels=labels,
        source={"format": "isoforce-csv", "file": path.name},
    )
    return SessionRecord(meta=meta, channels=channels, imu=imu)


def _rate(t_s: np.ndarray) -> float | None:
    if t_s.shape[0] < 2:
        return None
    return float(1.0 / np.median(np.diff(t_s)))


def _tindeq_info(path: Path) -> JsonDict | None:
    """The settings file next to a repeaters export (``info.csv`` or ``<prefix>info.csv``)."""
    candidates = [path.with_name("info.csv")]
    m = re.match(r"(.*?)(data_set_\d+|repeaters)\.csv$", path.name)
    if m:
        candidates.append(path.with_name(f"{m.group(1)}info.csv"))
    for c in candidates:
        if c.is_file() and c != path:
            try:
                return dict(parse_tindeq_info(c.read_text(encoding="utf-8-sig"), source=str(c)))
            except (OSError, UnicodeDecodeError, FileFormatError):
                return None
    return None


def _started_at(export: TindeqExport, info: JsonDict | None, path: Path) -> str:
    if export.started_at:
        return export.started_at
    if info and info.get("date"):
        parsed = parse_tindeq_date(str(info["date"]))
        if parsed:
            return parsed
    m = _DATE_IN_NAME.search(path.name)
    if m:
        d, mo, y = m.group(1), m.group(2), m.group(3)
        hh, mm, ss = m.group(4) or "00", m.group(5) or "00", m.group(6) or "00"
        return f"{y}-{mo}-{d}T{hh}:{mm}:{ss}"
    return _file_time(path)


def tindeq_record(
    export: TindeqExport, *, path: Path, options: ImportOptions = DEFAULT_IMPORT
) -> SessionRecord:
    """A session from a parsed Tindeq export (weights kept as ``raw``; force signed by direction)."""
    info = _tindeq_info(path) if export.kind in ("repeaters_set", "repeaters", "samples") else None
    sign = options.direction.sign
    n_per_raw = sign * export.n_per_unit
    raw = export.weight
    force = raw * n_per_raw
    mvc = export.app_number("mvc")
    if mvc is None and info:
        try:
            mvc = float(str(info.get("mvc", "")))
        except ValueError:
            mvc = None
    refs: dict[str, dict[str, float | None]] = {}
    effort = np.full(raw.shape, np.nan)
    if mvc is not None and mvc > 0:
        key = "push_max_n" if options.direction is Direction.PUSH else "pull_max_n"
        refs[ReferenceKind.MVIC.value] = {key: mvc * export.n_per_unit}
        effort = force / (mvc * export.n_per_unit) * 100.0
    step, rep, step_names = tindeq_reps(export, info, path.name)
    channel = ChannelData.from_columns(
        DEFAULT_CHANNEL,
        {
            "t_s": export.t_s,
            "raw": raw,
            "force_n": force,
            "effort_pct": effort,
            "step": step,
            "rep": rep,
        },
    )
    started = _started_at(export, info, path)
    source: JsonDict = {
        "format": TINDEQ_FORMAT,
        "file": path.name,
        "test": export.kind,
        "unit": export.unit,
        "header": export.meta,
        "reps": [{"label": r.label, "avg": r.avg, "peak": r.peak} for r in export.reps],
        "info": info,
    }
    meta = SessionMeta(
        uuid=uuidlib.uuid4().hex,
        kind=SessionKind.IMPORT,
        status=SessionStatus.COMPLETE,
        started_at=started,
        device=DeviceInfo(
            "tindeq-progressor", "Tindeq Progressor (app export)", options.direction.value
        ),
        stopped_by="imported",
        rate_hz=_rate(export.t_s),
        calibration=Calibration(
            n_per_raw=n_per_raw, source=f"Tindeq app export ({export.unit})"
        ).to_dict(),
        profile=ProfileInfo(options.profile or "default"),
        movement=options.movement,
        side=options.side,
        position=options.position,
        references=refs,
        labels=Labels(step_names=step_names),
        source=source,
    )
    maxima: tuple[ReferenceRecord, ...] = ()
    if options.as_mvic and options.movement and options.side is not None:
        found = tindeq_mvic(channel, sign=sign)
        if found is not None:
            value, detail = found
            mkey = movement_key(options.movement, options.side, options.direction, options.position)
            maxima = (
                ReferenceRecord(
                    mkey, ReferenceKind.MVIC, value, started, "tindeq-import", None, detail
                ),
            )
    return SessionRecord(meta=meta, channels=(channel,), maxima=maxima)
