"""Session store benchmarks: export, store open + history, and the cost of recording.

Run through ``benchmarks/bench.py --only export --only store --only recording``. Every figure
has a same-run baseline: a ``csv.writer`` row loop and ``json.dump`` for the exports, a
per-sample ``INSERT`` for storing samples, and a per-sample ``INSERT`` recorder for the cost
of recording.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.core.samples import SampleBlock
from isoforce.devices.registry import device_spec
from isoforce.live import LinkState, LiveFrame, SessionHeader, SessionOptions
from isoforce.live.build import pipeline_for
from isoforce.live.session import force_columns
from isoforce.recording import StoreWriter
from isoforce.session.exporter import export_csv, export_json
from isoforce.session.model import (
    DeviceInfo,
    Labels,
    ReferenceRecord,
    SessionKind,
    SessionMeta,
    SessionStatus,
)
from isoforce.session.store import SessionStore
from isoforce.signal.effort import EffortReference

RowFactory = Callable[..., Any]
STEPS = ("passive 30 s", "ramp push 0→50 % (pass 1)", "hold push 50 % 20 s (pass 1)")
PHASES = ("pending", "passive", "breath", "ramp", "hold")


def _meta(started: str = "2024-05-01T10:00:00") -> SessionMeta:
    return SessionMeta(
        uuid=uuid.uuid4().hex,
        kind=SessionKind.RECORD,
        status=SessionStatus.RECORDING,
        started_at=started,
        device=DeviceInfo("sim", "Simulated load cell", "push, pull"),
        rate_hz=1000.0,
        calibration={"schema": 1, "n_per_raw": 1 / 2250, "offset_raw": 84000.0},
        labels=Labels(STEPS, PHASES),
    )


def _columns(start: int, n: int, fs_hz: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    t = (start + np.arange(n)) / fs_hz
    raw = np.rint(84_000 + 2250 * (100 + 50 * np.sin(t / 7)) + rng.normal(0, 900, n))
    force = (raw - 84_000) / 2250
    effort = force / 250 * 100
    k = (start // 30_000) % 3
    return {
        "t_s": t,
        "t_host_s": t + 0.003,
        "raw": raw,
        "force_n": force,
        "effort_pct": effort,
        "target_pct": np.full(n, 40.0),
        "step": np.full(n, k, dtype=np.int64),
        "phase": np.full(n, 1 + k, dtype=np.int64),
        "rep": np.full(n, 1, dtype=np.int64),
    }


def _long_session(store: SessionStore, *, seconds: float, fs_hz: float = 1000.0) -> int:
    """A session of two 1 kHz channels stored as a live recording stores it (0.2 s chunks)."""
    sid = store.begin_session(_meta())
    rng = np.random.default_rng(0)
    per = int(0.2 * fs_hz)
    total = int(seconds * fs_hz)
    lost = np.zeros(per, dtype=np.int64)
    for start in range(0, total, 60 * per):  # one transaction per minute of data
        with store.transaction():
            for s in range(start, min(total, start + 60 * per), per):
                cols = _columns(s, per, fs_hz, rng)
                store.append_samples(sid, "load", cols, lost)
                store.append_samples(sid, "load_right", cols, lost)
    with store.transaction():
        store.set_progress(sid, samples=2 * total, duration_s=seconds)
        store.finish_session(sid, status=SessionStatus.COMPLETE, stopped_by="benchmark")
    store.release(sid)
    return sid


def bench_export(quick: bool, row: RowFactory) -> list[Any]:
    """Export of a 1 h, 1 kHz, 2-channel session to CSV and to JSON (store → file)."""
    seconds = 600.0 if quick else 3600.0
    rows: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = SessionStore.open(folder / "isoforce.sqlite3")
        sid = _long_session(store, seconds=seconds)
        n = 2 * int(seconds * 1000)
        hours = f"{seconds / 3600:g} h × 1 kHz × 2 channels"
        t0, c0 = time.perf_counter(), time.process_time()
        with (folder / "out.csv").open("wb") as f:
            written = export_csv(store, sid, f)
        csv_s, csv_cpu = time.perf_counter() - t0, time.process_time() - c0
        assert written == n
        base_csv_s = _csv_writer_baseline(n)
        rows.append(
            row(
                f"export {hours} to CSV ({n:,} rows, store → file), wall",
                csv_s,
                "s",
                base_csv_s,
                "csv.writer row loop (extrapolated)",
                "≤ 5 s",
                higher_is_better=False,
            )
        )
        rows.append(row("… the same, CPU time of the export", csv_cpu, "s", None, "", "", False))
        t0, c0 = time.perf_counter(), time.process_time()
        with (folder / "out.json").open("wb") as f:
            export_json(store, sid, f)
        json_s, json_cpu = time.perf_counter() - t0, time.process_time() - c0
        rows.append(
            row(
                f"export {hours} to JSON ({n:,} samples), wall",
                json_s,
                "s",
                _json_baseline(n),
                "json.dump of column lists (extrapolated)",
                "≤ 5 s",
                higher_is_better=False,
            )
        )
        rows.append(row("… the same, CPU time of the export", json_cpu, "s", None, "", "", False))
        store.close()
    return rows


def _csv_writer_baseline(n_total: int) -> float:
    """Seconds a plain ``csv.writer`` loop would take for ``n_total`` rows (timed on 1/20)."""
    n = max(1000, n_total // 20)
    cols = _columns(0, n, 1000.0, np.random.default_rng(1))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    t0 = time.perf_counter()
    for i in range(n):
        w.writerow(
            (
                f"{cols['t_s'][i]:.6f}",
                "load",
                f"{cols['raw'][i]:.3f}",
                f"{cols['force_n'][i]:.3f}",
                f"{cols['effort_pct'][i]:.2f}",
                f"{cols['target_pct'][i]:.2f}",
                PHASES[int(cols["phase"][i])],
                STEPS[int(cols["step"][i])],
                int(cols["rep"][i]),
                "",
            )
        )
    return (time.perf_counter() - t0) * n_total / n


def _json_baseline(n_total: int) -> float:
    n = max(1000, n_total // 20)
    cols = _columns(0, n, 1000.0, np.random.default_rng(1))
    doc = {k: np.round(v, 6).tolist() for k, v in cols.items()}
    t0 = time.perf_counter()
    json.dump(doc, io.StringIO())
    return (time.perf_counter() - t0) * n_total / n


def bench_store(quick: bool, row: RowFactory) -> list[Any]:
    """Opening a store of 500 sessions and listing history; storing samples as blobs."""
    rows: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "isoforce.sqlite3"
        store = SessionStore.open(path)
        rng = np.random.default_rng(2)
        for i in range(500):
            day = f"2023-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
            sid = store.begin_session(_meta(f"{day}T10:00:00"))
            with store.transaction():
                for s in range(0, 10_000, 200):  # 10 s at 1 kHz, 0.2 s chunks
                    store.append_samples(
                        sid, "load", _columns(s, 200, 1000.0, rng), np.zeros(200, dtype=np.int64)
                    )
                side = Side.LEFT if i % 2 else Side.RIGHT
                key = MovementKey("hip-ir", side, Direction.PUSH, "90-90")
                value = float(200 + rng.normal(0, 10))
                trials = [value, value * 0.97, value * 0.95]
                store.add_maxima(
                    [
                        ReferenceRecord(
                            key,
                            ReferenceKind.MVIC,
                            value,
                            f"{day}T10:00:00",
                            "max-test",
                            sid,
                            {"trials_n": trials},
                        )
                    ]
                )
                store.finish_session(sid, status=SessionStatus.COMPLETE, stopped_by="benchmark")
            store.release(sid)
        store.close()

        def open_and_list() -> None:
            with SessionStore.open(path) as s:
                s.history()
                s.sessions(limit=50)

        def bare() -> None:
            with sqlite3.connect(path) as c:
                c.execute("SELECT count(*) FROM sessions").fetchone()

        ours = _median(open_and_list, 7)
        rows.append(
            row(
                "open a store of 500 sessions + history + session list",
                ours * 1000,
                "ms",
                _median(bare, 7) * 1000,
                "bare sqlite3 open + count",
                "≤ 500 ms",
                higher_is_better=False,
            )
        )
        n = 50_000 if quick else 200_000
        cols = _columns(0, n, 1000.0, rng)
        with SessionStore.open(path) as s:
            sid = s.begin_session(_meta())
            t0 = time.perf_counter()
            with s.transaction():
                for a in range(0, n, 200):
                    part = {k: v[a : a + 200] for k, v in cols.items()}
                    s.append_samples(sid, "load", part, np.zeros(len(part["t_s"]), dtype=np.int64))
            blob_rate = n / (time.perf_counter() - t0)
        rows.append(
            row(
                "store samples (0.2 s blobs at 1 kHz)",
                blob_rate,
                "samples/s",
                _per_row_insert_rate(Path(tmp) / "rows.sqlite3", cols),
                "per-sample INSERT",
                "",
            )
        )
    return rows


def _median(fn: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _per_row_insert_rate(path: Path, cols: dict[str, np.ndarray]) -> float:
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = NORMAL")
    c.execute(
        "CREATE TABLE samples (session_id INTEGER, t_s REAL, t_host_s REAL, raw REAL, force_n REAL,"
        " effort_pct REAL, target_pct REAL, step INTEGER, phase INTEGER, rep INTEGER)"
    )
    names = (
        "t_s",
        "t_host_s",
        "raw",
        "force_n",
        "effort_pct",
        "target_pct",
        "step",
        "phase",
        "rep",
    )
    data = list(zip(*(cols[k].tolist() for k in names), strict=True))
    t0 = time.perf_counter()
    with c:
        for r in data:
            c.execute("INSERT INTO samples VALUES (1,?,?,?,?,?,?,?,?,?)", r)
    rate = len(data) / (time.perf_counter() - t0)
    c.close()
    return rate


def bench_recording(quick: bool, row: RowFactory) -> list[Any]:
    """CPU cost of recording a 1 kHz stream into the store, in % of one core."""
    seconds = 60 if quick else 300
    fs = 1000.0
    block = 25  # 25 ms chunks, as the simulator and most radios deliver them
    pipe = pipeline_for(device_spec("sim"), fs_hz=fs, reference=EffortReference(250, 170))
    rng = np.random.default_rng(3)
    blocks = []
    for i in range(int(seconds * fs / block)):
        t = (i * block + np.arange(block)) / fs
        raw = np.rint(84_000 + 2250 * 100 + rng.normal(0, 900, block))
        blocks.append(pipe.process(SampleBlock(t, t, raw[:, None], ("load_raw",))))
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore.open(Path(tmp) / "isoforce.sqlite3")
        clock = {"now": 0.0}
        rec = StoreWriter(store, SessionOptions(), clock=lambda: clock["now"])
        rec.on_start(_header(fs))
        frames = [
            LiveFrame.build(
                index=i,
                columns=force_columns(b),
                display_force_n=b.display_force_n,
                labels=Labels(),
                link=LinkState.OK,
            )
            for i, b in enumerate(blocks)
        ]
        t0 = time.process_time()
        for f in frames:
            clock["now"] = f.last_t_s  # host time runs with the data
            rec.on_frame(f)
        rec.flush()
        cpu = time.process_time() - t0
        ours = cpu / seconds * 100
        store.close()
        base = _naive_recorder_cost(Path(tmp) / "naive.sqlite3", blocks, seconds)
    return [
        row(
            "recording a 1 kHz stream (commit every 0.2 s)",
            ours,
            "% of a core",
            base,
            "per-sample INSERT recorder",
            "≤ 5 %",
            higher_is_better=False,
        )
    ]


def _header(fs_hz: float) -> SessionHeader:
    spec = device_spec("sim")
    refs = EffortReference(250, 170)
    return SessionHeader(
        spec=spec,
        rate_hz=fs_hz,
        calibration=pipeline_for(spec, fs_hz=fs_hz).calibration,
        references={ReferenceKind.PAIN_FREE: refs, ReferenceKind.MVIC: refs},
    )


def _naive_recorder_cost(path: Path, blocks: list[Any], seconds: float) -> float:
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = NORMAL")
    c.execute(
        "CREATE TABLE samples (t_s REAL, t_host_s REAL, raw REAL, force_n REAL, effort_pct REAL, target_pct REAL)"
    )
    t0 = time.process_time()
    pending: list[tuple[float, ...]] = []
    last = 0.0
    for b in blocks:
        pending.extend(
            zip(
                b.t_s.tolist(),
                b.t_host_s.tolist(),
                b.raw.tolist(),
                b.force_n.tolist(),
                b.effort_pct.tolist(),
                b.target_pct.tolist(),
                strict=True,
            )
        )
        if b.t_s[-1] - last >= 0.2:
            c.execute("BEGIN")
            for r in pending:
                c.execute("INSERT INTO samples VALUES (?,?,?,?,?,?)", r)
            c.execute("COMMIT")
            pending.clear()
            last = float(b.t_s[-1])
    cpu = time.process_time() - t0
    c.close()
    return cpu / seconds * 100
