"""The JSON session format: writing and reading 10 min and 1 h at 1 kHz, time and peak memory.

Run through ``benchmarks/bench.py --only json``. Writing goes through the live writer
(:class:`~isoforce.export.json_writer.JsonRecordingWriter`, one ``write_columns`` call per
second of samples) to a file; reading streams the file's lines through
:func:`~isoforce.export.session_json.iter_parts`. Peak memory is measured with tracemalloc in
a second pass (tracing slows the code, so the times come from an untraced pass); the point is
that it does not grow with the recording's length. The same-run baseline is the format it
replaced: every sample kept in Python lists and one ``json.dump`` at close, read back with one
``json.load``.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from isoforce.export.json_writer import JsonRecordingWriter
from isoforce.export.session_json import iter_parts
from isoforce.session.model import (
    ChannelData,
    DeviceInfo,
    Labels,
    SessionKind,
    SessionMeta,
    SessionStatus,
)

RowFactory = Callable[..., Any]
FS_HZ = 1000.0
BLOCK = 1000
LABELS = Labels(("passive 30 s", "hold push 50 % 20 s"), ("pending", "passive", "hold"))


def _meta() -> SessionMeta:
    return SessionMeta(
        uuid="0" * 32,
        kind=SessionKind.RECORD,
        status=SessionStatus.RECORDING,
        started_at="2024-05-01T10:00:00",
        device=DeviceInfo("sim", "Simulated load cell", "push, pull"),
        rate_hz=FS_HZ,
    )


def _blocks(seconds: float) -> Iterator[dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    total = int(seconds * FS_HZ)
    for start in range(0, total, BLOCK):
        t = (start + np.arange(BLOCK)) / FS_HZ
        raw = np.rint(84_000 + 2250 * (100 + 50 * np.sin(t / 7)) + rng.normal(0, 900, BLOCK))
        force = (raw - 84_000) / 2250
        k = (start // 30_000) % 2
        lost = np.zeros(BLOCK, dtype=np.int64)
        yield {
            "t_s": t,
            "t_host_s": t + 0.003,
            "raw": raw,
            "force_n": force,
            "effort_pct": force / 2.5,
            "target_pct": np.full(BLOCK, 40.0),
            "step": np.full(BLOCK, k, dtype=np.int64),
            "phase": np.full(BLOCK, 1 + k, dtype=np.int64),
            "rep": np.ones(BLOCK, dtype=np.int64),
            "lost_before": lost,
        }


def _write(path: Path, seconds: float) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = JsonRecordingWriter(f, meta=_meta())
        for cols in _blocks(seconds):
            writer.write_columns(cols, LABELS)
        writer.close()


def _read(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        for _, part in iter_parts(f, source=str(path)):
            if isinstance(part, ChannelData):
                n += len(part)
    return n


def _old_write(out: io.StringIO, seconds: float) -> None:
    """The replaced live writer: lists of every sample, one document dumped at close."""
    cols: dict[str, list[Any]] = {k: [] for k in ("t_s", "raw", "force_n", "effort_pct")}
    cols.update(target_pct=[], step=[], phase=[], rep=[])
    for b in _blocks(seconds):
        for name, decimals in (("t_s", 6), ("raw", 3), ("force_n", 3), ("effort_pct", 2)):
            cols[name].extend(np.round(b[name], decimals).tolist())
        cols["target_pct"].extend(np.round(b["target_pct"], 2).tolist())
        cols["step"].extend(LABELS.step_names[i] for i in b["step"].tolist())
        cols["phase"].extend(LABELS.phase_names[i] for i in b["phase"].tolist())
        cols["rep"].extend(b["rep"].tolist())
    json.dump({"format": "isoforce-recording", "columns": cols}, out, separators=(",", ":"))


def _old_format(seconds: float) -> tuple[float, float, float, float]:
    """Write and read times (s) and peak memory (MB) of the replaced format."""
    out = io.StringIO()
    write_s = _timed(lambda: _old_write(out, seconds))
    text = out.getvalue()
    read_s = _timed(lambda: json.loads(text))
    write_mb = _peak_mb(lambda: _old_write(io.StringIO(), seconds))
    read_mb = _peak_mb(lambda: json.loads(text))
    return write_s, read_s, write_mb, read_mb


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def bench_json(quick: bool, row: RowFactory) -> list[Any]:
    """Write and read the JSON Lines format for 10 min and 1 h at 1 kHz; the old format at 10 min."""
    rows: list[Any] = []
    lengths = (60.0, 600.0) if quick else (600.0, 3600.0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        short = lengths[0]
        old_write_s, old_read_s, old_write_mb, old_read_mb = _old_format(short)
        for seconds in lengths:
            path = folder / f"run-{seconds:g}.json"
            label = f"{seconds / 60:g} min" if seconds < 3600 else f"{seconds / 3600:g} h"
            n = int(seconds * FS_HZ)
            write_s = _timed(lambda p=path, s=seconds: _write(p, s))
            read_s = _timed(lambda p=path: _read(p))
            assert _read(path) == n
            write_mb = _peak_mb(lambda p=path, s=seconds: _write(p, s))
            read_mb = _peak_mb(lambda p=path: _read(p))
            mb = path.stat().st_size / 2**20
            base = seconds == short
            rows += [
                row(
                    f"JSON Lines write, {label} at 1 kHz (live writer, 1 s blocks, {mb:,.0f} MB)",
                    write_s,
                    "s",
                    old_write_s if base else None,
                    "lists + one json.dump at close" if base else "",
                    "",
                    higher_is_better=False,
                ),
                row(
                    f"… peak memory of the write ({label})",
                    write_mb,
                    "MB",
                    old_write_mb if base else None,
                    "lists + one json.dump at close" if base else "",
                    "flat in the length",
                    higher_is_better=False,
                ),
                row(
                    f"JSON Lines read, {label} at 1 kHz (streamed, line by line)",
                    read_s,
                    "s",
                    old_read_s if base else None,
                    "one json.loads of the old document" if base else "",
                    "",
                    higher_is_better=False,
                ),
                row(
                    f"… peak memory of the read ({label})",
                    read_mb,
                    "MB",
                    old_read_mb if base else None,
                    "one json.loads of the old document" if base else "",
                    "flat in the length",
                    higher_is_better=False,
                ),
            ]
            path.unlink()
    return rows
