"""Sample chunks as compact binary blobs: one blob per channel per commit, columns back to back.

Layout 1 (little-endian), for ``n`` samples: ``t_s``, ``t_host_s``, ``raw``, ``force_n``,
``effort_pct``, ``target_pct`` as float64 (8 bytes each), then ``step`` int16, ``phase`` int8,
``rep`` int16 — 53 bytes per sample. Lost-sample marks are rare and go in a second, sparse blob
of int64 ``(index, count)`` pairs. Packing and unpacking are pure numpy (no per-sample Python).

IMU chunks (table ``imu_chunks``) have their own layout 1: ``t_s`` float64, then float32
columns ``acc_x_g, acc_y_g, acc_z_g, gyro_x_dps, gyro_y_dps, gyro_z_dps, angle_deg,
effort_est_pct, effort_low_pct, effort_high_pct`` (NaN kept), then ``still`` as uint8 (0/1) —
49 bytes per sample. float32 keeps 24 bits: far below any IMU's noise (a 16-bit sensor's
readings are exact in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

from isoforce.session.model import ChannelData, ImuSamples, IntArray

LAYOUT = 1
COLUMNS: tuple[tuple[str, str], ...] = (
    ("t_s", "<f8"),
    ("t_host_s", "<f8"),
    ("raw", "<f8"),
    ("force_n", "<f8"),
    ("effort_pct", "<f8"),
    ("target_pct", "<f8"),
    ("step", "<i2"),
    ("phase", "<i1"),
    ("rep", "<i2"),
)
BYTES_PER_SAMPLE = sum(np.dtype(dt).itemsize for _, dt in COLUMNS)
_LIMITS = {"step": (-1, 32767), "phase": (-1, 127), "rep": (0, 32767)}


class BlobError(ValueError):
    """A chunk blob does not match its declared size or layout."""


def pack_samples(columns: Mapping[str, NDArray[np.generic]]) -> bytes:
    """Pack equal-length columns (names as in :data:`COLUMNS`) into one layout-1 blob."""
    parts = []
    n: int | None = None
    for name, dtype in COLUMNS:
        arr = np.asarray(columns[name])
        if n is None:
            n = int(arr.shape[0])
        elif arr.shape != (n,):
            raise BlobError(f"column {name} has shape {arr.shape}, expected ({n},)")
        if name in _LIMITS:
            lo, hi = _LIMITS[name]
            if arr.size and (int(arr.min()) < lo or int(arr.max()) > hi):
                raise BlobError(f"column {name} out of range {lo}..{hi}")
        parts.append(np.ascontiguousarray(arr, dtype=dtype).tobytes())
    return b"".join(parts)


def unpack_into(
    data: bytes,
    n: int,
    layout: int,
    *,
    floats: NDArray[np.float64],
    ints: NDArray[np.int64],
) -> None:
    """Decode a blob of ``n`` samples straight into ``floats[6, n]`` and ``ints[3, n]`` views.

    ``floats`` rows are ``t_s, t_host_s, raw, force_n, effort_pct, target_pct``; ``ints``
    rows are ``step, phase, rep``. Four array copies per chunk, no intermediate arrays.
    """
    if layout != LAYOUT:
        raise BlobError(f"sample chunk layout {layout} is not supported (expected {LAYOUT})")
    if len(data) != n * BYTES_PER_SAMPLE:
        raise BlobError(f"sample chunk holds {len(data)} bytes, expected {n * BYTES_PER_SAMPLE}")
    floats[:, :] = np.frombuffer(data, dtype="<f8", count=6 * n).reshape(6, n)
    ints[0] = np.frombuffer(data, dtype="<i2", count=n, offset=48 * n)
    ints[1] = np.frombuffer(data, dtype="<i1", count=n, offset=50 * n)
    ints[2] = np.frombuffer(data, dtype="<i2", count=n, offset=51 * n)


def lost_pairs(data: bytes | None, n: int) -> NDArray[np.int64]:
    """The ``(index, count)`` pairs of a lost-sample blob, checked against ``n`` samples."""
    if not data:
        return np.empty((0, 2), dtype=np.int64)
    if len(data) % 16:
        raise BlobError(f"lost-sample blob of {len(data)} bytes is not a list of int64 pairs")
    pairs = np.frombuffer(data, dtype="<i8").reshape(-1, 2).astype(np.int64)
    if pairs.size and (pairs[:, 0].min() < 0 or pairs[:, 0].max() >= n):
        raise BlobError("lost-sample index outside its chunk")
    return pairs


def channel_from_rows(
    name: str, rows: Iterable[tuple[int, int, bytes, bytes | None]], total: int | None = None
) -> ChannelData:
    """One channel from stored chunk rows ``(n, layout, data, lost)``, arrays allocated once.

    With ``total`` (the sum of ``n``) the rows may be a lazy iterator, so only one chunk's
    bytes are held at a time.
    """
    if total is None:
        rows = list(rows)
        total = sum(int(r[0]) for r in rows)
    floats = np.empty((6, total), dtype=np.float64)
    ints = np.empty((3, total), dtype=np.int64)
    lost = np.zeros(total, dtype=np.int64)
    at = 0
    for n, layout, data, lost_blob in rows:
        n = int(n)
        unpack_into(data, n, int(layout), floats=floats[:, at : at + n], ints=ints[:, at : at + n])
        pairs = lost_pairs(lost_blob, n)
        if pairs.size:
            lost[at + pairs[:, 0]] = pairs[:, 1]
        at += n
    if at != total:
        raise BlobError(f"channel {name!r}: {at} samples stored, {total} expected")
    return ChannelData(
        name,
        floats[0],
        floats[1],
        floats[2],
        floats[3],
        floats[4],
        floats[5],
        ints[0],
        ints[1],
        ints[2],
        lost,
    )


def pack_lost(lost_before: IntArray) -> bytes | None:
    """Sparse ``(index, count)`` pairs of the samples preceded by lost samples; None if none."""
    idx = np.flatnonzero(lost_before)
    if idx.size == 0:
        return None
    pairs = np.column_stack((idx, lost_before[idx])).astype("<i8")
    return pairs.tobytes()


IMU_LAYOUT = 1
_IMU_FLOAT_ROWS = 10  # acc x3, gyro x3, angle, estimate, low, high
IMU_BYTES_PER_SAMPLE = 8 + 4 * _IMU_FLOAT_ROWS + 1


def pack_imu(samples: ImuSamples) -> bytes:
    """Pack IMU samples into one IMU layout-1 blob (see the module docstring)."""
    n = len(samples)
    floats = np.empty((_IMU_FLOAT_ROWS, n), dtype="<f4")
    floats[0:3] = samples.acc_g.T
    floats[3:6] = samples.gyro_dps.T
    floats[6] = samples.angle_deg
    floats[7] = samples.effort_est_pct
    floats[8] = samples.effort_low_pct
    floats[9] = samples.effort_high_pct
    return b"".join(
        (
            np.ascontiguousarray(samples.t_s, dtype="<f8").tobytes(),
            floats.tobytes(),
            samples.still.astype(np.uint8).tobytes(),
        )
    )


def imu_from_rows(rows: Iterable[tuple[int, int, bytes]], total: int | None = None) -> ImuSamples:
    """IMU samples from stored chunk rows ``(n, layout, data)``, arrays allocated once.

    With ``total`` (the sum of ``n``) the rows may be a lazy iterator. A blob whose size,
    layout or stillness bytes do not match raises :class:`BlobError`.
    """
    if total is None:
        rows = list(rows)
        total = sum(int(r[0]) for r in rows)
    t_s = np.empty(total, dtype=np.float64)
    floats = np.empty((_IMU_FLOAT_ROWS, total), dtype=np.float64)
    still = np.empty(total, dtype=np.bool_)
    at = 0
    for n, layout, data in rows:
        n = int(n)
        if layout != IMU_LAYOUT:
            raise BlobError(f"IMU chunk layout {layout} is not supported (expected {IMU_LAYOUT})")
        if at + n > total or len(data) != n * IMU_BYTES_PER_SAMPLE:
            raise BlobError(
                f"IMU chunk holds {len(data)} bytes, expected {n * IMU_BYTES_PER_SAMPLE}"
            )
        t_s[at : at + n] = np.frombuffer(data, dtype="<f8", count=n)
        floats[:, at : at + n] = np.frombuffer(
            data, dtype="<f4", count=_IMU_FLOAT_ROWS * n, offset=8 * n
        ).reshape(_IMU_FLOAT_ROWS, n)
        flags = np.frombuffer(data, dtype=np.uint8, count=n, offset=(8 + 4 * _IMU_FLOAT_ROWS) * n)
        if n and int(flags.max()) > 1:
            raise BlobError("IMU chunk: stillness bytes other than 0 and 1")
        still[at : at + n] = flags != 0
        at += n
    if at != total:
        raise BlobError(f"IMU samples: {at} stored, {total} expected")
    return ImuSamples(
        t_s=t_s,
        acc_g=floats[0:3].T,
        gyro_dps=floats[3:6].T,
        angle_deg=floats[6],
        still=still,
        effort_est_pct=floats[7],
        effort_low_pct=floats[8],
        effort_high_pct=floats[9],
    )
