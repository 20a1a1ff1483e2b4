"""The manifest of an exported session: everything but the sample arrays, as one JSON object.

It heads the JSON export and is the CSV export's ``.meta.json`` sidecar. Fields (see
docs/data.md): ``format``, ``schema``, ``isoforce_version``, ``session``, ``profile``,
``sensor``, ``calibration``, ``drill``, ``references``, ``labels``, ``scores``, ``maxima``,
``rom`` (end-range angles), ``events``, ``gaps``, ``channels`` (name and sample count each),
``imu`` (the IMU sample count, or null without an IMU) and ``store`` (the id and import origin
in the store it came from: local, not part of the session).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from isoforce import __version__
from isoforce.export.formats import FileFormatError
from isoforce.session.codec import (
    MANIFEST_FORMAT,
    MANIFEST_SCHEMA,
    ManifestError,
    event_from_dict,
    event_to_dict,
    gap_from_dict,
    gap_to_dict,
    list_of,
    maximum_from_dict,
    maximum_to_dict,
    meta_from_dict,
    meta_to_dict,
    rom_from_dict,
    rom_to_dict,
    step_from_dict,
    step_to_dict,
)
from isoforce.session.model import ChannelData, ImuSamples, JsonDict, SessionRecord

#: The manifest's fields known only at the end of a recording: the trailer of a JSON export.
TRAILER_KEYS = (
    "labels",
    "scores",
    "maxima",
    "rom",
    "events",
    "gaps",
    "channels",
    "imu",
    "analysis",
)

_SESSION_KEYS = (
    "uuid",
    "kind",
    "status",
    "started_at",
    "ended_at",
    "stopped_by",
    "rate_hz",
    "movement",
    "side",
    "position",
    "options",
    "source",
    "notes",
)


def manifest(record: SessionRecord) -> JsonDict:
    """The manifest of ``record`` (channels and IMU listed with their sample counts)."""
    meta = meta_to_dict(record.meta)
    return {
        "format": MANIFEST_FORMAT,
        "schema": MANIFEST_SCHEMA,
        "isoforce_version": __version__,
        "session": {k: meta[k] for k in _SESSION_KEYS},
        "profile": meta["profile"],
        "sensor": meta["device"],
        "calibration": meta["calibration"],
        "drill": meta["drill"],
        "references": meta["references"],
        "labels": meta["labels"],
        "scores": {
            "steps": [step_to_dict(s) for s in record.steps],
            "summary": record.summary,
        },
        "maxima": [maximum_to_dict(m) for m in record.maxima],
        "rom": [rom_to_dict(r) for r in record.rom],
        "events": [event_to_dict(e) for e in record.events],
        "gaps": [gap_to_dict(g) for g in record.gaps],
        "channels": [{"name": c.name, "samples": len(c)} for c in record.channels],
        "imu": None if record.imu is None else {"samples": len(record.imu)},
        "store": {"session_id": record.session_id, "imported_from": record.imported_from},
    }


def check_header(doc: Any, source: str) -> JsonDict:
    """Check that ``doc`` is an isoforce session manifest this version reads."""
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise FileFormatError(
            source, None, f"not an isoforce session file (no format {MANIFEST_FORMAT!r})"
        )
    schema = doc.get("schema")
    if not isinstance(schema, int) or schema > MANIFEST_SCHEMA:
        raise FileFormatError(
            source,
            None,
            f"session file schema {schema!r} is newer than this isoforce reads "
            f"({MANIFEST_SCHEMA}); upgrade isoforce",
        )
    return doc


def record_from_manifest(
    doc: JsonDict,
    channels: Sequence[ChannelData],
    source: str,
    imu: ImuSamples | None = None,
) -> SessionRecord:
    """Rebuild a session from its manifest and sample arrays; errors name the field."""
    check_header(doc, source)
    try:
        session = doc.get("session")
        if not isinstance(session, dict):
            raise ManifestError("session: missing")
        flat = {
            **session,
            "profile": doc.get("profile"),
            "device": doc.get("sensor"),
            "calibration": doc.get("calibration"),
            "drill": doc.get("drill"),
            "references": doc.get("references"),
            "labels": doc.get("labels"),
        }
        meta = meta_from_dict(flat, "session")
        scores = doc.get("scores") or {}
        if not isinstance(scores, dict):
            raise ManifestError("scores: expected an object")
        summary = scores.get("summary")
        if summary is not None and not isinstance(summary, dict):
            raise ManifestError("scores.summary: expected an object")
        return SessionRecord(
            meta=meta,
            channels=tuple(channels),
            steps=tuple(
                step_from_dict(s, f"scores.steps[{i}]")
                for i, s in enumerate(list_of(scores, "steps", "scores"))
            ),
            summary=summary,
            events=tuple(
                event_from_dict(e, f"events[{i}]")
                for i, e in enumerate(list_of(doc, "events", "manifest"))
            ),
            gaps=tuple(
                gap_from_dict(g, f"gaps[{i}]")
                for i, g in enumerate(list_of(doc, "gaps", "manifest"))
            ),
            maxima=tuple(
                maximum_from_dict(m, f"maxima[{i}]")
                for i, m in enumerate(list_of(doc, "maxima", "manifest"))
            ),
            imu=imu,
            rom=tuple(
                rom_from_dict(r, f"rom[{i}]") for i, r in enumerate(list_of(doc, "rom", "manifest"))
            ),
        )
    except ManifestError as exc:
        raise FileFormatError(source, None, str(exc)) from None


def declared_samples(doc: JsonDict, source: str, line: int | None = None) -> dict[str, int]:
    """The sample count per channel the manifest declares (to detect truncated files).

    A ``channels`` entry that is not ``{"name": text, "samples": whole number ≥ 0}`` is a
    :class:`FileFormatError`: a count nobody can check must not let a file through.
    """
    entries = doc.get("channels") or []
    if not isinstance(entries, list):
        raise FileFormatError(source, line, "channels: expected a list")
    out: dict[str, int] = {}
    for i, c in enumerate(entries):
        name: Any = c.get("name") if isinstance(c, dict) else None
        samples: Any = c.get("samples") if isinstance(c, dict) else None
        if not isinstance(name, str) or not _count(samples):
            raise FileFormatError(
                source,
                line,
                f'channels[{i}]: expected {{"name": text, "samples": a whole number ≥ 0}}, '
                f"got {_short(c)}",
            )
        out[name] = samples
    return out


def declared_imu_samples(doc: JsonDict, source: str, line: int | None = None) -> int:
    """The IMU sample count the manifest declares (0 without an IMU)."""
    imu = doc.get("imu")
    if imu is None:
        return 0
    samples: Any = imu.get("samples") if isinstance(imu, dict) else None
    if not _count(samples):
        raise FileFormatError(
            source,
            line,
            f'imu: expected null or {{"samples": a whole number ≥ 0}}, got {_short(imu)}',
        )
    return int(samples)


def _count(value: Any) -> bool:
    return type(value) is int and 0 <= value < 2**63


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
