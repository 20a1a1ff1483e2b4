"""IMU benchmark: the whole IMU chain (fusion, stillness, lift-offs, MMG) on a 1 kHz stream.

The figure is the share of one core the chain needs to keep up: processing time over the
duration of the data, with the stream fed in the chunks a live transport delivers (25 ms and
100 ms). Baseline in the same run: the same steps written as a naive per-sample Python loop
(imufusion per sample — unavoidable either way — plus per-sample biquads and running sums).
Target (issue 8): at most 10 % of one core.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import imufusion
import numpy as np
from scipy import signal as sps

from isoforce.signal.imu import ImuProcessor, ImuProcessorSettings, MmgCalibration
from isoforce.simulation import ImuSettings, VirtualImu, cars_sequence

Row = Any  # the suite's row type, passed in by benchmarks/bench.py
FS_HZ = 1000.0
CALIBRATION = MmgCalibration((0.003, 0.015, 0.022), (0.0, 50.0, 100.0))


def _stream(seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    script = cars_sequence(fs_hz=FS_HZ, duration_s=seconds, seed=0)
    out = VirtualImu(ImuSettings(placement="thigh"), fs_hz=FS_HZ, seed=0).step(
        angle_deg=script.angle_deg, effort_pct=script.effort_pct
    )
    return script.t_s, out.acc_g, out.gyro_dps


def _chain_seconds(t: np.ndarray, acc: np.ndarray, gyro: np.ndarray, chunk: int) -> float:
    proc = ImuProcessor(ImuProcessorSettings(), fs_hz=FS_HZ, calibration=CALIBRATION)
    start = time.perf_counter()
    for i in range(0, t.size, chunk):
        proc.update(t_s=t[i : i + chunk], acc_g=acc[i : i + chunk], gyro_dps=gyro[i : i + chunk])
    return time.perf_counter() - start


def _naive_seconds(acc: np.ndarray, gyro: np.ndarray) -> float:
    """Per-sample Python: AHRS, 4 Hz low-pass + window for stillness, band-pass + RMS for MMG."""
    ahrs = imufusion.Ahrs()
    ahrs.set_settings(imufusion.AhrsSettings(sample_rate=FS_HZ, gain=0.5))
    low = sps.butter(2, 4.0, fs=FS_HZ, output="sos").tolist()
    band = sps.butter(4, [5.0, 100.0], btype="bandpass", fs=FS_HZ, output="sos").tolist()
    window = int(FS_HZ)

    def biquads(sections: list[list[float]], state: list[list[float]], x: float) -> float:
        for k, (b0, b1, b2, _a0, a1, a2) in enumerate(sections):
            z0, z1 = state[k]
            y = b0 * x + z0
            state[k] = [b1 * x - a1 * y + z1, b2 * x - a2 * y]
            x = y
        return x

    low_state = [[[0.0, 0.0] for _ in low] for _ in range(3)]
    band_state = [[[0.0, 0.0] for _ in band] for _ in range(3)]
    speeds: deque[float] = deque(maxlen=window // 2)
    powers: deque[float] = deque(maxlen=window)
    acc_l, gyro_l = acc.tolist(), gyro.tolist()
    start = time.perf_counter()
    for a, g in zip(acc_l, gyro_l, strict=True):
        ahrs.update_no_magnetometer(np.array(g), np.array(a))
        ahrs.get_quaternion()
        w = [biquads(low, low_state[j], g[j]) for j in range(3)]
        speeds.append(math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]))
        _still = sum(speeds) / len(speeds) < 2.5
        b = [biquads(band, band_state[j], a[j]) for j in range(3)]
        powers.append(b[0] * b[0] + b[1] * b[1] + b[2] * b[2])
        _rms = math.sqrt(sum(powers) / len(powers))
    return time.perf_counter() - start


def bench_imu(quick: bool, row: Callable[..., Row]) -> list[Row]:
    """CPU share of one core for the IMU chain on a 1 kHz stream, vs a per-sample loop."""
    seconds = 20.0 if quick else 60.0
    t, acc, gyro = _stream(seconds)
    naive = _naive_seconds(acc, gyro) / seconds * 100.0
    rows = []
    for chunk_ms in (25, 100):
        share = min(_chain_seconds(t, acc, gyro, chunk_ms) for _ in range(3)) / seconds * 100.0
        rows.append(
            row(
                f"IMU chain, 1 kHz stream in {chunk_ms} ms chunks (fusion + stillness + lift-offs + MMG)",
                share,
                "% of one core",
                baseline=naive,
                baseline_name="per-sample Python loop",
                target="≤ 10 % of one core",
                higher_is_better=False,
            )
        )
    return rows


if __name__ == "__main__":
    from dataclasses import dataclass

    @dataclass
    class _Row:
        name: str
        value: float
        unit: str
        baseline: float | None = None
        baseline_name: str = ""
        target: str = ""
        higher_is_better: bool = True

    for r in bench_imu(False, _Row):
        print(f"{r.name}: {r.value:.2f} {r.unit} (baseline {r.baseline:.2f}, {r.target})")
