"""Force-curve analysis of a 1 h recording at 1 kHz (issue 18): the report's whole path.

Run through ``benchmarks/bench.py --only analysis``. The recording is 120 efforts (a 0.1 s
time-constant rise to 200 N held 5 s, every 30 s) with noise, as a free recording; the timed
call is :func:`isoforce.session.efforts.analyse_session` (split into efforts with the
hysteresis threshold, then every metric of every effort), and, as the worst case, every metric
of the whole hour as one curve. The same-run baseline is a per-sample Python loop computing
only peak, mean, trapezoid impulse and the best 1 s mean (a running sum over a time window),
timed on one minute and scaled to the hour. CPU time, median of three runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from isoforce.session.efforts import analyse_session
from isoforce.session.model import (
    ChannelData,
    DeviceInfo,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
)
from isoforce.signal.analysis import analyse
from isoforce.signal.curve import Curve

RowFactory = Callable[..., Any]
FS_HZ = 1000.0


def _recording(seconds: float, *, uneven: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = int(seconds * FS_HZ)
    if uneven:  # Tindeq-like: 7 % of the intervals doubled, a little jitter
        dt = rng.uniform(0.9, 1.1, n) / FS_HZ
        dt[rng.random(n) < 0.07] *= 2
        t = np.concatenate(([0.0], np.cumsum(dt[:-1])))
    else:
        t = np.arange(n) / FS_HZ
    phase = t % 30.0
    force = np.where(phase < 5.0, 200.0 * (1 - np.exp(-phase / 0.1)), 0.0)
    return t, force + rng.normal(0.0, 0.5, n)


def _record(t: np.ndarray, force: np.ndarray) -> SessionRecord:
    meta = SessionMeta(
        uuid="0" * 32,
        kind=SessionKind.RECORD,
        status=SessionStatus.COMPLETE,
        started_at="2024-05-01T10:00:00",
        device=DeviceInfo("sim", "Simulated load cell", "push, pull"),
        rate_hz=FS_HZ,
    )
    return SessionRecord(meta, (ChannelData.from_columns("load", {"t_s": t, "force_n": force}),))


def _cpu(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def naive(
    t: list[float], f: list[float], window_s: float = 1.0
) -> tuple[float, float, float, float]:
    """Baseline: peak, mean, impulse and best 1 s mean, one Python step per sample."""
    peak, total, impulse = f[0], 0.0, 0.0
    best, run, j = -float("inf"), 0.0, 0
    for i in range(len(t)):
        x = f[i]
        peak = max(peak, x)
        total += x
        if i:
            area = 0.5 * (x + f[i - 1]) * (t[i] - t[i - 1])
            impulse += area
            run += area
            while t[i] - t[j] > window_s:
                run -= 0.5 * (f[j] + f[j + 1]) * (t[j + 1] - t[j])
                j += 1
            best = max(best, run / window_s)
    return peak, total / len(t), impulse, best


def bench_analysis(quick: bool, row: RowFactory) -> list[Any]:
    seconds = 600.0 if quick else 3600.0
    label = "10 min" if quick else "1 h"
    t, f = _recording(seconds, uneven=False)
    n = t.shape[0]
    minute = int(60 * FS_HZ)
    tl, fl = t[:minute].tolist(), f[:minute].tolist()
    base_rate = minute / _cpu(lambda: naive(tl, fl))
    record = _record(t, f)
    efforts = len(analyse_session(record).efforts)
    rows = [
        row(
            f"curve analysis of a {label} 1 kHz recording ({efforts} efforts found and every "
            "metric of each; isoforce report's path), CPU",
            n / _cpu(lambda: analyse_session(record)),
            "samples/s",
            base_rate,
            "per-sample Python loop (peak, mean, impulse, best 1 s only; extrapolated)",
            "≥ 10,000,000 samples/s",
        ),
        row(
            f"… every metric of the whole {label} as one curve (worst case), CPU",
            n / _cpu(lambda: analyse(Curve.of(t_s=t, force_n=f))),
            "samples/s",
            base_rate,
            "per-sample Python loop (peak, mean, impulse, best 1 s only; extrapolated)",
            "",
        ),
    ]
    tu, fu = _recording(seconds, uneven=True)
    uneven = _record(tu, fu)
    rows.append(
        row(
            f"… the same {label} sampled unevenly (7 % of intervals doubled), report's path, CPU",
            tu.shape[0] / _cpu(lambda: analyse_session(uneven)),
            "samples/s",
            base_rate,
            "per-sample Python loop (peak, mean, impulse, best 1 s only; extrapolated)",
            "",
        )
    )
    return rows
