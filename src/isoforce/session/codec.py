"""Session records to JSON-ready dicts and back: the manifest of exports and the store's meta.

The manifest is everything about a session except its sample arrays: session metadata,
profile, sensor, calibration, drill, references, labels, scores, events, gaps, maxima and
range-of-motion records.
The same dicts are the JSON export's header, the CSV export's ``.meta.json`` sidecar and the
store's ``meta`` column, so all three keep the same fields. Reading checks types and raises
:class:`ManifestError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.session.model import (
    DeviceInfo,
    DrillInfo,
    EventRecord,
    GapRecord,
    JsonDict,
    Labels,
    ProfileInfo,
    ReferenceRecord,
    RomRecord,
    SessionKind,
    SessionMeta,
    SessionStatus,
    StepRecord,
    movement_key,
)

MANIFEST_FORMAT = "isoforce-session"
#: 2 added ``imu`` (IMU samples) and ``rom`` (end-range angles); 3 made the JSON export JSON
#: Lines written chunk by chunk (the manifest's fields are unchanged). Older files read as before.
MANIFEST_SCHEMA = 3


class ManifestError(ValueError):
    """A manifest field is missing or has the wrong type; the message names the field."""


def clean_json(value: Any) -> Any:
    """Make a value JSON-safe: NaN/inf become None, tuples lists, enums their values."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if hasattr(value, "value") and hasattr(value, "name"):  # enum members
        return clean_json(value.value)
    return value


def clean_dict(value: JsonDict) -> JsonDict:
    """:func:`clean_json` of a dict, typed as a dict."""
    out = clean_json(value)
    assert isinstance(out, dict)
    return out


# -- reading helpers ----------------------------------------------------------------------


def _get(doc: JsonDict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in doc:
        raise ManifestError(f"{where}.{key}: missing")
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise ManifestError(f"{where}.{key}: expected {_kind(kind)}, got {type(value).__name__}")
    if isinstance(value, int) and not isinstance(value, bool) and not -_INT64 <= value < _INT64:
        raise ManifestError(
            f"{where}.{key}: expected {_kind(kind)} within ±2**63, got {len(str(value))} digits"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ManifestError(f"{where}.{key}: expected a finite number, got {value!r}")
    return value


_INT64 = 2**63


def _finite_number(value: Any) -> bool:
    """A JSON number (not true/false) that a float holds finitely."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) < _INT64 if isinstance(value, int) else math.isfinite(value)


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _opt(doc: JsonDict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if doc.get(key) is None:
        return None
    return _get(doc, key, kind, where)


def _kind(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__


def _num(doc: JsonDict, key: str, where: str) -> float | None:
    value = _opt(doc, key, (int, float), where)
    return None if value is None else float(value)


def _get_num(doc: JsonDict, key: str, where: str) -> float:
    return float(_get(doc, key, (int, float), where))


def _get_enum(enum_type: Any, doc: JsonDict, key: str, where: str) -> Any:
    return _enum(enum_type, _get(doc, key, str, where), f"{where}.{key}")


def _enum(enum_type: Any, value: Any, where: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_type)
        raise ManifestError(f"{where}: {value!r} is not one of {allowed}") from None


# -- meta ---------------------------------------------------------------------------------


def meta_to_dict(meta: SessionMeta) -> JsonDict:
    """The session metadata as a JSON-ready dict."""
    drill = meta.drill
    return clean_dict(
        {
            "uuid": meta.uuid,
            "kind": meta.kind.value,
            "status": meta.status.value,
            "started_at": meta.started_at,
            "ended_at": meta.ended_at,
            "stopped_by": meta.stopped_by,
            "device": {
                "key": meta.device.key,
                "title": meta.device.title,
                "capabilities": meta.device.capabilities,
                "serial": meta.device.serial,
            },
            "rate_hz": meta.rate_hz,
            "options": meta.options,
            "calibration": meta.calibration,
            "profile": {
                "name": meta.profile.name,
                "body_mass_kg": meta.profile.body_mass_kg,
                "dominant_side": meta.profile.dominant_side,
            },
            "drill": None
            if drill is None
            else {
                "name": drill.name,
                "title": drill.title,
                "source": drill.source,
                "toml": drill.toml,
            },
            "movement": meta.movement,
            "side": meta.side.value if meta.side else None,
            "position": meta.position,
            "references": meta.references,
            "labels": {
                "step_names": list(meta.labels.step_names),
                "phase_names": list(meta.labels.phase_names),
            },
            "source": meta.source,
            "notes": meta.notes,
        }
    )


def meta_from_dict(doc: JsonDict, where: str = "session") -> SessionMeta:
    """Rebuild :class:`SessionMeta` from :func:`meta_to_dict` output."""
    dev = _get(doc, "device", dict, where)
    prof = _opt(doc, "profile", dict, where) or {}
    drill = _opt(doc, "drill", dict, where)
    labels = _opt(doc, "labels", dict, where) or {}
    side = _opt(doc, "side", str, where)
    refs = _opt(doc, "references", dict, where) or {}
    for kind, values in refs.items():
        if not isinstance(values, dict) or any(
            v is not None and not _finite_number(v) for v in values.values()
        ):
            raise ManifestError(f"{where}.references.{kind}: expected finite numbers or null")
    started = _get(doc, "started_at", str, where)
    ended = _opt(doc, "ended_at", str, where)
    for key, value in (("started_at", started), ("ended_at", ended)):
        if value is not None:
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                raise ManifestError(f"{where}.{key}: not an ISO 8601 time: {value!r}") from None
    return SessionMeta(
        uuid=_get(doc, "uuid", str, where),
        kind=_get_enum(SessionKind, doc, "kind", where),
        status=_get_enum(SessionStatus, doc, "status", where),
        started_at=started,
        ended_at=ended,
        stopped_by=_opt(doc, "stopped_by", str, where) or "",
        device=DeviceInfo(
            key=_get(dev, "key", str, f"{where}.device"),
            title=_opt(dev, "title", str, f"{where}.device") or "",
            capabilities=_opt(dev, "capabilities", str, f"{where}.device") or "",
            serial=_opt(dev, "serial", str, f"{where}.device") or "",
        ),
        rate_hz=_num(doc, "rate_hz", where),
        options=_opt(doc, "options", dict, where) or {},
        calibration=_opt(doc, "calibration", dict, where),
        profile=ProfileInfo(
            name=_opt(prof, "name", str, f"{where}.profile") or "default",
            body_mass_kg=_num(prof, "body_mass_kg", f"{where}.profile"),
            dominant_side=_opt(prof, "dominant_side", str, f"{where}.profile"),
        ),
        drill=None
        if drill is None
        else DrillInfo(
            name=_get(drill, "name", str, f"{where}.drill"),
            title=_opt(drill, "title", str, f"{where}.drill") or "",
            source=_opt(drill, "source", str, f"{where}.drill") or "",
            toml=_opt(drill, "toml", str, f"{where}.drill"),
        ),
        movement=_opt(doc, "movement", str, where),
        side=None if side is None else _enum(Side, side, f"{where}.side"),
        position=_opt(doc, "position", str, where),
        references={str(k): {str(a): b for a, b in v.items()} for k, v in refs.items()},
        labels=Labels(
            step_names=tuple(_str_list(labels, "step_names", f"{where}.labels")),
            phase_names=tuple(_str_list(labels, "phase_names", f"{where}.labels")),
        ),
        source=_opt(doc, "source", dict, where) or {},
        notes=_opt(doc, "notes", str, where) or "",
    )


def _str_list(doc: JsonDict, key: str, where: str) -> list[str]:
    values = _opt(doc, key, list, where) or []
    if not all(isinstance(v, str) for v in values):
        raise ManifestError(f"{where}.{key}: expected a list of text")
    return list(values)


# -- events, gaps, steps, maxima ------------------------------------------------------------


def event_to_dict(e: EventRecord) -> JsonDict:
    """One event as a dict."""
    return clean_dict(
        {
            "t_s": e.t_s,
            "kind": e.kind,
            "step_index": e.step_index,
            "text": e.text,
            "value": e.value,
            "data": e.data,
        }
    )


def event_from_dict(doc: JsonDict, where: str) -> EventRecord:
    """Rebuild an :class:`EventRecord`."""
    step = _opt(doc, "step_index", int, where)
    return EventRecord(
        t_s=_get_num(doc, "t_s", where),
        kind=_get(doc, "kind", str, where),
        step_index=-1 if step is None else int(step),
        text=_opt(doc, "text", str, where) or "",
        value=_num(doc, "value", where),
        data=_opt(doc, "data", dict, where),
    )


def gap_to_dict(g: GapRecord) -> JsonDict:
    """One link gap as a dict."""
    return clean_dict(
        {"start_t_s": g.start_t_s, "end_t_s": g.end_t_s, "samples_lost": g.samples_lost}
    )


def gap_from_dict(doc: JsonDict, where: str) -> GapRecord:
    """Rebuild a :class:`GapRecord`."""
    lost = _opt(doc, "samples_lost", int, where)
    return GapRecord(
        start_t_s=_get_num(doc, "start_t_s", where),
        end_t_s=_num(doc, "end_t_s", where),
        samples_lost=lost,
    )


def step_to_dict(s: StepRecord) -> JsonDict:
    """One step score as a dict."""
    return clean_dict(
        {
            "step_index": s.step_index,
            "label": s.label,
            "kind": s.kind,
            "direction": s.direction,
            "started_t_s": s.started_t_s,
            "ended_t_s": s.ended_t_s,
            "ended_by": s.ended_by,
            "score": s.score,
        }
    )


def step_from_dict(doc: JsonDict, where: str) -> StepRecord:
    """Rebuild a :class:`StepRecord`."""
    return StepRecord(
        step_index=int(_get(doc, "step_index", int, where)),
        label=_get(doc, "label", str, where),
        kind=_get(doc, "kind", str, where),
        direction=_opt(doc, "direction", str, where),
        started_t_s=_get_num(doc, "started_t_s", where),
        ended_t_s=_get_num(doc, "ended_t_s", where),
        ended_by=_get(doc, "ended_by", str, where),
        score=_opt(doc, "score", dict, where) or {},
    )


def maximum_to_dict(r: ReferenceRecord) -> JsonDict:
    """One reference maximum as a dict."""
    return clean_dict(
        {
            "movement": r.key.movement,
            "side": r.key.side.value,
            "direction": r.key.direction.value,
            "position": r.key.position,
            "kind": r.kind.value,
            "value_n": r.value_n,
            "measured_at": r.measured_at,
            "source_drill": r.source_drill,
            "detail": r.detail,
        }
    )


def maximum_from_dict(doc: JsonDict, where: str, session_id: int | None = None) -> ReferenceRecord:
    """Rebuild a :class:`ReferenceRecord` (``session_id`` is store-local, so given separately)."""
    key = movement_key(
        _get(doc, "movement", str, where),
        _get_enum(Side, doc, "side", where),
        _get_enum(Direction, doc, "direction", where),
        _opt(doc, "position", str, where),
    )
    return ReferenceRecord(
        key=key,
        kind=_get_enum(ReferenceKind, doc, "kind", where),
        value_n=_get_num(doc, "value_n", where),
        measured_at=_get(doc, "measured_at", str, where),
        source_drill=_opt(doc, "source_drill", str, where) or "",
        session_id=session_id,
        detail=_opt(doc, "detail", dict, where) or {},
    )


def rom_to_dict(r: RomRecord) -> JsonDict:
    """One range-of-motion record as a dict."""
    return clean_dict(
        {
            "movement": r.movement,
            "side": r.side.value,
            "position": r.position,
            "direction": r.direction,
            "angle_deg": r.angle_deg,
            "placement": r.placement,
            "measured_at": r.measured_at,
            "source_drill": r.source_drill,
            "detail": r.detail,
        }
    )


def rom_from_dict(doc: JsonDict, where: str, session_id: int | None = None) -> RomRecord:
    """Rebuild a :class:`RomRecord` (``session_id`` is store-local, so given separately)."""
    try:
        return RomRecord(
            movement=_get(doc, "movement", str, where),
            side=_get_enum(Side, doc, "side", where),
            position=_get(doc, "position", str, where),
            direction=_get(doc, "direction", str, where),
            angle_deg=_get_num(doc, "angle_deg", where),
            placement=_get(doc, "placement", str, where),
            measured_at=_get(doc, "measured_at", str, where),
            session_id=session_id,
            source_drill=_opt(doc, "source_drill", str, where) or "",
            detail=_opt(doc, "detail", dict, where) or {},
        )
    except ValueError as exc:
        if isinstance(exc, ManifestError):
            raise
        raise ManifestError(f"{where}: {exc}") from None


def list_of(doc: JsonDict, key: str, where: str) -> list[JsonDict]:
    """A list of objects under ``key`` (empty when absent)."""
    values = _opt(doc, key, list, where) or []
    for i, v in enumerate(values):
        if not isinstance(v, dict):
            raise ManifestError(f"{where}.{key}[{i}]: expected an object")
    return list(values)
