"""Exporting stored sessions: tidy CSV (+ ``.meta.json`` sidecar, + ``.imu.csv``), JSON, PNG.

Thin glue between the store and the pure writers of :mod:`isoforce.export`; the CLI picks
files and streams. CSV rows and JSON lines stream chunk by chunk, so memory stays flat for
long sessions.
A session with an IMU gets its IMU samples as a second table (:func:`export_imu_csv`).
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from isoforce.export.imu_table import write_imu_csv
from isoforce.export.manifest import manifest
from isoforce.export.plot import write_png
from isoforce.export.session_csv import BATCH_ROWS, write_csv
from isoforce.export.session_json import as_written, write_session
from isoforce.session.efforts import ANALYSED_COLUMNS, analyse_session, analysis_to_dict
from isoforce.session.model import ChannelData, JsonDict
from isoforce.session.store import SessionStore

FORMATS = ("csv", "json", "png")

_MB = 1024 * 1024
_tuned = False


def keep_freed_memory() -> None:
    """Let glibc keep up to ~128 MB of freed memory instead of returning it after every batch.

    Exports format in batches whose temporary arrays are freed and allocated again; with
    glibc's default thresholds that memory goes back to the OS each time and is page-faulted
    in again, which costs about as much as the formatting itself (an hour at 1 kHz: ~500k
    faults, 2–3 s of system time). Raising the mmap and trim thresholds (``mallopt``) keeps
    it. A no-op where ``mallopt`` does not exist (macOS, Windows).
    """
    global _tuned
    if _tuned:
        return
    _tuned = True
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 * _MB)
    mallopt(m_trim_threshold, 128 * _MB)


def _chunks(store: SessionStore, session_id: int) -> Iterator[ChannelData]:
    for name, _ in store.channel_sizes(session_id):
        yield from store.iter_chunks(session_id, name, rows=BATCH_ROWS)


def export_csv(
    store: SessionStore,
    session_id: int,
    out: BinaryIO,
    *,
    session_key: str | None = None,
    header: bool = True,
) -> int:
    """Write a session as tidy CSV rows; returns the rows written."""
    keep_freed_memory()
    labels = store.meta(session_id).labels
    return write_csv(out, _chunks(store, session_id), labels, session=session_key, header=header)


def sidecar(store: SessionStore, session_id: int) -> JsonDict:
    """The manifest that goes next to a CSV export and frames a JSON one (no sample arrays).

    It carries the session's force-curve analysis (``analysis``: every effort's metrics, as
    ``isoforce report --json`` gives them).
    """
    record = store.load(session_id, samples=False)
    doc = manifest(record)
    sizes = store.channel_sizes(session_id)
    doc["channels"] = [{"name": n, "samples": k} for n, k in sizes]
    imu = store.imu_size(session_id)
    doc["imu"] = {"samples": imu} if imu else None
    if sizes:  # the first force channel (the one analysed) as the files hold it; not the IMU
        force = store.channel(session_id, sizes[0][0], only=ANALYSED_COLUMNS)
        record = replace(record, channels=(as_written(force, ANALYSED_COLUMNS),))
    basis = store.torque_basis(session_id, record.meta)
    doc["analysis"] = analysis_to_dict(analyse_session(record), basis)
    return doc


def sidecar_bytes(store: SessionStore, session_id: int) -> bytes:
    """The sidecar as indented UTF-8 JSON."""
    return (json.dumps(sidecar(store, session_id), indent=2, ensure_ascii=False) + "\n").encode()


def export_imu_csv(store: SessionStore, session_id: int, out: BinaryIO) -> int:
    """Write a session's IMU samples as a CSV table; returns the rows (0: no IMU, no output)."""
    imu = store.imu_samples(session_id)
    if imu is None:
        return 0
    return write_imu_csv(out, imu)


def export_json(store: SessionStore, session_id: int, out: BinaryIO) -> None:
    """Write a session as JSON Lines (header, chunk lines, trailer), chunk by chunk."""
    keep_freed_memory()
    write_session(
        out,
        sidecar(store, session_id),
        _chunks(store, session_id),
        store.iter_imu(session_id, rows=BATCH_ROWS),
    )


def export_png(store: SessionStore, session_id: int, out: BinaryIO) -> None:
    """Write a session's force curve as a PNG image (needs the ``plot`` extra)."""
    write_png(out, store.load(session_id))
