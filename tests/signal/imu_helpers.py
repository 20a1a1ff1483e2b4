"""Helpers for the IMU tests: run scripted motion through the simulated IMU, chunk streams."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from isoforce.simulation import ImuOutput, ImuSettings, MotionScript, VirtualImu

FS_HZ = 400.0


def simulate(
    script: MotionScript,
    *,
    placement: str = "shank",
    elevation_deg: float = 0.0,
    seed: int = 0,
    effort_pct: np.ndarray | None = None,
    **settings: object,
) -> ImuOutput:
    """The simulated IMU's output for a motion script (its own effort unless one is given)."""
    imu = VirtualImu(
        ImuSettings(placement=placement, axis_elevation_deg=elevation_deg, **settings),  # type: ignore[arg-type]
        fs_hz=script.fs_hz,
        seed=seed,
    )
    effort = script.effort_pct if effort_pct is None else effort_pct
    return imu.step(angle_deg=script.angle_deg, effort_pct=effort)


def chunk_slices(n: int, *, seed: int, largest: int = 97) -> Iterator[slice]:
    """Consecutive slices of random sizes (1..largest) covering ``range(n)``."""
    rng = np.random.Generator(np.random.PCG64(seed))
    start = 0
    while start < n:
        stop = min(n, start + int(rng.integers(1, largest + 1)))
        yield slice(start, stop)
        start = stop


def rms(x: np.ndarray) -> float:
    """Root mean square of the finite values."""
    finite = x[np.isfinite(x)]
    return float(np.sqrt(np.mean(finite * finite)))
