"""isoforce benchmarks: run with ``scripts/bench`` (writes docs/performance.md).

Every figure is compared with a baseline measured in the same run on the same machine, so the
ratios stay meaningful on a noisy, shared machine. Nothing here asserts; the issue targets are
printed next to the measurements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from isoforce.core.effort_key import Capabilities
from isoforce.core.samples import SampleBlock
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder, crc16_ccitt, encode_frames
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.pipeline import ForcePipeline, PipelineSettings

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    """One benchmark result line."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    higher_is_better: bool = True

    def ratio(self) -> str:
        if self.baseline is None or self.baseline == 0:
            return ""
        r = self.value / self.baseline if self.higher_is_better else self.baseline / self.value
        return f"{r:,.1f}× vs {self.baseline_name}"


def _timeit(fn: Callable[[], object], *, repeat: int, number: int) -> float:
    """Median CPU seconds per call over ``repeat`` runs of ``number`` calls.

    CPU time, not wall time: on a shared machine a run descheduled for a while would otherwise
    count the other processes' work as its own.
    """
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        times.append((time.process_time() - t0) / number)
    return statistics.median(times)


def _pipeline(fs_hz: float) -> ForcePipeline:
    settings = PipelineSettings(
        raw_channel="load_raw",
        calibration=Calibration(n_per_raw=1 / 2250, offset_raw=84_000),
        capabilities=Capabilities(push=True, pull=True),
        fs_hz=fs_hz,
    )
    return ForcePipeline(settings, reference=EffortReference(push_max_n=250, pull_max_n=170))


def _blocks(n_blocks: int, size: int, fs_hz: float) -> list[SampleBlock]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n_blocks):
        t = (i * size + np.arange(size)) / fs_hz
        raw = 84_000 + 2250 * (100 + 50 * np.sin(t)) + rng.normal(0, 900, size)
        out.append(SampleBlock(t_s=t, t_host_s=t, values=raw[:, None], channels=("load_raw",)))
    return out


def _block_by_block(
    process: Callable[[SampleBlock], object], blocks: list[SampleBlock]
) -> Callable[[], object]:
    """A call that processes the next block, cycling through ``blocks``."""
    it = itertools.cycle(blocks)
    return lambda: process(next(it))


class NaivePipeline:
    """Baseline: the same steps written per sample in plain Python (biquad, effort, list)."""

    def __init__(self, fs_hz: float) -> None:
        from scipy import signal as sps

        sos = sps.butter(2, 10.0, fs=fs_hz, output="sos")[0]
        self.b0, self.b1, self.b2, _, self.a1, self.a2 = (float(v) for v in sos)
        self.z1 = self.z2 = 0.0
        self.rows: list[tuple[float, ...]] = []

    def process(self, block: SampleBlock) -> None:
        for t, raw in zip(block.t_s.tolist(), block.values[:, 0].tolist(), strict=True):
            f = (raw - 84_000) / 2250
            y = self.b0 * f + self.z1
            self.z1 = self.b1 * f - self.a1 * y + self.z2
            self.z2 = self.b2 * f - self.a2 * y
            e = f / 250 * 100 if f >= 0 else f / 170 * 100
            self.rows.append((t, raw, f, y, e))
        if len(self.rows) > 10_000:
            del self.rows[:5_000]


def _live_session(fs_hz: float) -> Any:
    """A live session on the simulated cell whose blocks are handed in by the benchmark."""
    from isoforce.live import SessionOptions
    from isoforce.live.build import open_session

    return open_session(SessionOptions(rate_hz=fs_hz, speed=float("inf")))


def bench_pipeline(quick: bool) -> list[Row]:
    """Per-block cost (10 samples at 80 Hz) and bulk throughput (1 h at 1 kHz)."""
    rows = []
    blocks = _blocks(2000, 10, 80.0)
    session = _live_session(80.0)
    it = iter(blocks * 1000)
    per_block_s = _timeit(
        lambda: session.process(next(it)), repeat=7, number=300 if quick else 2000
    )
    naive = NaivePipeline(80.0)
    it2 = iter(blocks * 1000)
    naive_s = _timeit(lambda: naive.process(next(it2)), repeat=7, number=300 if quick else 2000)
    rows.append(
        Row(
            "live session per 10-sample block (pipeline, read-only frame; no consumer)",
            per_block_s * 1e6,
            "µs",
            naive_s * 1e6,
            "naive per-sample Python",
            "≤ 100 µs",
            higher_is_better=False,
        )
    )

    # BLE notifications carry 1-15 samples: ForcePipeline.process alone
    for size in (1, 10, 15):
        small = _blocks(500, size, 80.0)
        pipe = _pipeline(80.0)
        naive = NaivePipeline(80.0)
        number = 300 if quick else 2000
        process_s = _timeit(_block_by_block(pipe.process, small), repeat=7, number=number)
        naive_s = _timeit(_block_by_block(naive.process, small), repeat=7, number=number)
        rows.append(
            Row(
                f"pipeline process() per {size}-sample block (calibrate, filter, effort)",
                process_s * 1e6,
                "µs",
                naive_s * 1e6,
                "naive per-sample Python",
                "≥ 1× the loop at 10 samples" if size == 10 else "",
                higher_is_better=False,
            )
        )

    fs = 1000.0
    seconds = 600 if quick else 3600
    block_s = 1.0
    bulk = _blocks(int(seconds / block_s), int(fs * block_s), fs)
    pipe = _pipeline(fs)
    t0 = time.perf_counter()
    for b in bulk:
        pipe.process(b)
    bulk_s = time.perf_counter() - t0
    n = int(seconds * fs)
    naive = NaivePipeline(fs)
    sub = bulk[: max(1, len(bulk) // 60)]
    t0 = time.perf_counter()
    for b in sub:
        naive.process(b)
    naive_rate = len(sub) * fs * block_s / (time.perf_counter() - t0)
    rows.append(
        Row(
            f"bulk pipeline throughput ({seconds / 3600:g} h at 1 kHz, 1 s blocks)",
            n / bulk_s,
            "samples/s",
            naive_rate,
            "naive per-sample Python",
            "≥ 5,000,000 samples/s",
        )
    )
    return rows


def bench_frame_decode(quick: bool) -> list[Row]:
    """isoforce frame decoding of a bulk capture vs a per-record struct.unpack loop."""
    n = 360_000 if quick else 3_600_000
    names = ("load_raw",)
    data = encode_frames(
        seq=np.arange(n),
        t_us=np.arange(n) * 1000,
        names=names,
        values=np.arange(n, dtype=float)[:, None],
    )
    chunk = 64 * 1024
    dec = IsoforceFrameDecoder()
    t0 = time.perf_counter()
    for i in range(0, len(data), chunk):
        dec.feed(0.0, data[i : i + chunk])
    ours = n / (time.perf_counter() - t0)

    frame = struct.Struct("<2sBBHIHiH")
    sub = data[: frame.size * (n // 20)]
    t0 = time.perf_counter()
    out = []
    for off in range(0, len(sub), frame.size):
        sync, _typ, _ln, _seq, t_us, _mask, raw, crc = frame.unpack_from(sub, off)
        if sync == b"\xa5\x5a" and crc16_ccitt(sub[off + 2 : off + 16]) == crc:
            out.append((t_us, raw))
    naive = (n // 20) / (time.perf_counter() - t0)
    return [
        Row(
            "isoforce frame decode (1 kHz capture, 64 KiB chunks)",
            ours,
            "frames/s",
            naive,
            "per-record struct.unpack + CRC loop",
            "≥ 10× the loop",
        )
    ]


def bench_startup() -> list[Row]:
    """Wall time of ``isoforce --help`` (median of 5), vs a bare ``python -c pass``."""
    exe = str(Path(sys.executable).with_name("isoforce"))

    def run(cmd: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        return time.perf_counter() - t0

    ours = statistics.median(run([exe, "--help"]) for _ in range(5))
    bare = statistics.median(run([sys.executable, "-c", "pass"]) for _ in range(5))
    return [
        Row(
            "startup: isoforce --help",
            ours * 1000,
            "ms",
            bare * 1000,
            "bare python start",
            "",
            False,
        )
    ]


def machine() -> str:
    """One line describing this machine."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def fmt(v: float) -> str:
    """Readable number."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def kept_notes(previous: str) -> str:
    """The hand-written sections (``## …``) of the previous page: a new run keeps them."""
    start = previous.find("\n## ")
    return "" if start < 0 else previous[start:]


def render(rows: list[Row], *, quick: bool) -> str:
    """The performance page."""
    lines = [
        "# Performance",
        "",
        "Measured by `scripts/bench` (source: `benchmarks/bench.py`). Each figure has a baseline",
        "measured in the same run on the same machine; the ratio is what to compare across machines.",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: {machine()}",
        f"- mode: {'quick' if quick else 'full'}",
        "",
        "| benchmark | result | baseline (same run) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        base = f"{fmt(r.baseline)} {r.unit}" if r.baseline is not None else ""
        lines.append(f"| {r.name} | {fmt(r.value)} {r.unit} | {base} | {r.ratio()} | {r.target} |")
    lines.append("")
    return "\n".join(lines)


def bench_tui_suite(quick: bool) -> list[Row]:
    """TUI latency, CPU and first frame (benchmarks/bench_tui.py)."""
    from bench_tui import bench_tui

    return bench_tui(quick, Row)


def _session_suite(name: str) -> Callable[[bool], list[Row]]:
    """A suite from benchmarks/bench_session.py (export, store, recording)."""

    def suite(quick: bool) -> list[Row]:
        import bench_session

        fn: Callable[[bool, Callable[..., Row]], list[Row]] = getattr(
            bench_session, f"bench_{name}"
        )
        return fn(quick, Row)

    return suite


def _serial_suite(name: str) -> Callable[[bool], list[Row]]:
    """A suite from benchmarks/bench_serial.py (decode, soak, reconnect)."""

    def suite(quick: bool) -> list[Row]:
        import bench_serial

        fn: Callable[[bool, Callable[..., Row]], list[Row]] = getattr(bench_serial, f"bench_{name}")
        return fn(quick, Row)

    return suite


def bench_imu_suite(quick: bool) -> list[Row]:
    """The IMU chain's share of one core on a 1 kHz stream (benchmarks/bench_imu.py)."""
    from bench_imu import bench_imu

    return bench_imu(quick, Row)


def bench_drill_suite(quick: bool) -> list[Row]:
    """A whole drill run from the CLI, paced at 20× (benchmarks/bench_drill.py)."""
    from bench_drill import bench_drill

    return bench_drill(quick, Row)


def bench_ble_suite(quick: bool) -> list[Row]:
    """Bluetooth path CPU and latency at 80 Hz in the test harness (benchmarks/bench_ble.py)."""
    from bench_ble import bench_ble

    return bench_ble(quick, Row)


def bench_ble_codecs_suite(quick: bool) -> list[Row]:
    """Decode throughput of the issue-19 BLE codecs (bench_ble_codecs.py, bench_ble_codecs_more.py)."""
    from bench_ble_codecs import bench_ble_codecs
    from bench_ble_codecs_more import bench_ble_codecs as bench_more

    return bench_ble_codecs(quick, Row) + bench_more(quick, Row)


def bench_json_suite(quick: bool) -> list[Row]:
    """The JSON session format, written and read streaming (benchmarks/bench_json.py)."""
    from bench_json import bench_json

    return bench_json(quick, Row)


def bench_analysis_suite(quick: bool) -> list[Row]:
    """Force-curve analysis of a 1 h 1 kHz recording (benchmarks/bench_analysis.py)."""
    from bench_analysis import bench_analysis

    return bench_analysis(quick, Row)


SUITES: dict[str, Callable[[bool], list[Row]]] = {
    "pipeline": bench_pipeline,
    "analysis": bench_analysis_suite,
    "decode": bench_frame_decode,
    "startup": lambda quick: bench_startup(),
    "drill": bench_drill_suite,
    "tui": bench_tui_suite,
    "ble": bench_ble_suite,
    "ble-decode": bench_ble_codecs_suite,
    "imu": bench_imu_suite,
    "export": _session_suite("export"),
    "json": bench_json_suite,
    "store": _session_suite("store"),
    "recording": _session_suite("recording"),
    "serial-decode": _serial_suite("decode"),
    "serial-reconnect": _serial_suite("reconnect"),
    "serial-soak": _serial_suite("soak"),
}


def main() -> int:
    """Run the suites and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs (for a smoke run)")
    parser.add_argument(
        "--quick-suite",
        choices=sorted(SUITES),
        action="append",
        default=[],
        help="run this suite with its small inputs inside a full run (rows are marked [quick])",
    )
    parser.add_argument(
        "--only", choices=sorted(SUITES), action="append", help="run only these suites"
    )
    parser.add_argument(
        "--out", default=str(ROOT / "docs" / "performance.md"), help="where to write ('-' = stdout)"
    )
    args = parser.parse_args()
    # benchmarks record sessions (the TUI runs drills) and save a calibration: never into the
    # user's own data, even when ISOFORCE_DATA_DIR points there
    scratch = tempfile.TemporaryDirectory(prefix="isoforce-bench-")
    os.environ["ISOFORCE_DATA_DIR"] = scratch.name
    rows: list[Row] = []
    for name, suite in SUITES.items():
        if args.only and name not in args.only:
            continue
        print(f"running {name} ...", file=sys.stderr)
        quick = args.quick or name in args.quick_suite
        new = suite(quick)
        if quick and not args.quick:
            for row in new:
                row.name += " [quick]"
        rows.extend(new)
        for r in rows[-3:]:
            print(f"  {r.name}: {fmt(r.value)} {r.unit} {r.ratio()}", file=sys.stderr)
    text = render(rows, quick=args.quick)
    if args.out == "-":
        print(text)
    else:
        out = Path(args.out)
        text += kept_notes(out.read_text(encoding="utf-8") if out.exists() else "")
        out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
