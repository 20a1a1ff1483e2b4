"""Sample chunks as compact binary blobs: one blob per table per commit, columns back to back.

Both tables (:data:`~isoforce.core.schema.FORCE_COLUMNS` and
:data:`~isoforce.core.schema.IMU_COLUMNS`) are packed by one rule, layout 1: for ``n``
samples, every dense column as ``n`` little-endian values of its ``stored_dtype``, the number
columns first (in table order), then the others (in table order). That gives, as stored since
the first version:

* force chunks: ``t_s``, ``t_host_s``, ``raw``, ``force_n``, ``effort_pct``, ``target_pct``
  float64, ``step`` int16, ``phase`` int8, ``rep`` int16 — 53 bytes per sample; lost-sample
  marks (the sparse ``lost_before`` column) go in a second blob of int64 ``(index, count)``
  pairs;
* IMU chunks (table ``imu_chunks``): ``t_s`` float64, the ten float32 columns (NaN kept), then
  ``still`` as uint8 (0/1) — 49 bytes per sample. float32 keeps 24 bits: far below any IMU's
  noise (a 16-bit sensor's readings are exact in it).

Packing and unpacking are pure numpy: consecutive columns that share their stored and
in-memory dtype are copied as one block, and consecutive chunks of one size are unpacked
together (up to 256 at a time), so reading an hour of 0.2 s chunks costs a few array copies per
group, not per chunk.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.core.schema import FORCE_COLUMNS, IMU_COLUMNS, Column, ColumnRole, dense
from isoforce.session.model import ChannelData, ImuSamples, IntArray

LAYOUT = 1
IMU_LAYOUT = 1

Row = tuple[int, int, bytes, bytes | None]

#: At most this many stored chunks are joined and copied at once (a few MB at 1 kHz).
_GROUP_CHUNKS = 256


class BlobError(ValueError):
    """A chunk blob does not match its declared size or layout."""


def _limits(column: Column) -> tuple[int, int] | None:
    """The range an integer column's codes must lie in to fit its stored dtype."""
    kind = np.dtype(column.stored_dtype).kind
    if column.role not in (ColumnRole.LABEL, ColumnRole.COUNT) or kind not in "iu":
        return None
    low = -1 if column.role is ColumnRole.LABEL else 0
    return low, int(np.iinfo(np.dtype(column.stored_dtype)).max)


class BlobLayout:
    """Layout 1 of one table (see the module docstring): pack columns, unpack stored rows."""

    def __init__(self, columns: tuple[Column, ...], *, version: int, what: str) -> None:
        stored = dense(columns)
        self.version = version
        self.what = what
        self.order = tuple(c for c in stored if c.role is ColumnRole.NUMBER) + tuple(
            c for c in stored if c.role is not ColumnRole.NUMBER
        )
        sparse = [c for c in columns if c.sparse]
        self.sparse: Column | None = sparse[0] if sparse else None
        self.bytes_per_sample = sum(np.dtype(c.stored_dtype).itemsize for c in self.order)
        runs: list[list[Column]] = []
        for c in self.order:
            last = runs[-1][-1] if runs else None
            if last is not None and (last.stored_dtype, last.dtype) == (c.stored_dtype, c.dtype):
                runs[-1].append(c)
            else:
                runs.append([c])
        self._runs = tuple(tuple(r) for r in runs)

    def pack(self, columns: Mapping[str, NDArray[np.generic]]) -> bytes:
        """Pack equal-length dense columns (keyed by name) into one blob."""
        parts = []
        n: int | None = None
        for c in self.order:
            arr = np.asarray(columns[c.name])
            if n is None:
                n = int(arr.shape[0])
            elif arr.shape != (n,):
                raise BlobError(f"column {c.name} has shape {arr.shape}, expected ({n},)")
            limits = _limits(c)
            if limits is not None and arr.size:
                lo, hi = limits
                if int(arr.min()) < lo or int(arr.max()) > hi:
                    raise BlobError(f"column {c.name} out of range {lo}..{hi}")
            parts.append(np.ascontiguousarray(arr, dtype=c.stored_dtype).tobytes())
        return b"".join(parts)

    def unpack(
        self,
        rows: Iterable[Row],
        total: int | None = None,
        *,
        only: Collection[str] | None = None,
    ) -> dict[str, NDArray[Any]]:
        """The columns of stored rows ``(n, layout, data, sparse)``, arrays allocated once.

        With ``total`` (the sum of ``n``) the rows may be a lazy iterator: at most
        ``_GROUP_CHUNKS`` chunks' bytes are held at a time. ``only`` names the columns wanted
        (default: every one); the others are neither copied nor returned, but every chunk is
        still checked whole.
        """
        if total is None:
            rows = list(rows)
            total = sum(int(r[0]) for r in rows)
        # per run: the positions of the wanted columns in it (all of them: one block copy)
        kept = [
            tuple(k for k, c in enumerate(run) if only is None or c.name in only)
            for run in self._runs
        ]
        blocks = [
            np.empty((len(ks), total), dtype=run[0].dtype)
            for run, ks in zip(self._runs, kept, strict=True)
        ]
        want_sparse = self.sparse is not None and (only is None or self.sparse.name in only)
        sparse = np.zeros(total, dtype=np.int64) if want_sparse else None
        at = 0
        group: list[bytes] = []  # consecutive chunks of one size, copied together
        group_at = group_n = 0
        for n, layout, data, sparse_blob in rows:
            n = int(n)
            if layout != self.version:
                raise BlobError(
                    f"{self.what} chunk layout {layout} is not supported (expected {self.version})"
                )
            if at + n > total or len(data) != n * self.bytes_per_sample:
                raise BlobError(
                    f"{self.what} chunk holds {len(data)} bytes, "
                    f"expected {n * self.bytes_per_sample}"
                )
            if group and (n != group_n or len(group) == _GROUP_CHUNKS):
                self._copy_group(group, group_n, group_at, kept, blocks)
                group = []
            if not group:
                group_at, group_n = at, n
            group.append(data)
            if sparse is not None:
                pairs = lost_pairs(sparse_blob, n)
                if pairs.size:
                    sparse[at + pairs[:, 0]] = pairs[:, 1]
            at += n
        if group:
            self._copy_group(group, group_n, group_at, kept, blocks)
        if at != total:
            raise BlobError(f"{self.what} samples: {at} stored, {total} expected")
        out: dict[str, NDArray[Any]] = {}
        for run, ks, block in zip(self._runs, kept, blocks, strict=True):
            out.update((run[k].name, block[j]) for j, k in enumerate(ks))
        if self.sparse is not None and sparse is not None:
            out[self.sparse.name] = sparse
        return out

    def _copy_group(
        self,
        group: list[bytes],
        n: int,
        at: int,
        kept: list[tuple[int, ...]],
        blocks: list[NDArray[Any]],
    ) -> None:
        """Copy ``len(group)`` chunks of ``n`` samples each into ``blocks`` from sample ``at``.

        The chunks are joined and each run of columns is moved with one strided copy: a
        chunk of a live recording holds 0.2 s, so an hour has ~18,000 of them per channel, and
        a few numpy calls per chunk were most of the time a long export spent reading.
        """
        k = len(group)
        raw = np.frombuffer(b"".join(group), dtype=np.uint8).reshape(k, n * self.bytes_per_sample)
        offset = 0
        for run, ks, block in zip(self._runs, kept, blocks, strict=True):
            stored = np.dtype(run[0].stored_dtype)
            size = len(run) * n * stored.itemsize
            # (chunk, column, sample) → (column, chunk, sample): the block's layout
            values = raw[:, offset : offset + size].view(stored).reshape(k, len(run), n)
            if run[0].role is ColumnRole.FLAG and n and int(values.max()) > 1:
                raise BlobError(f"{self.what} chunk: stillness bytes other than 0 and 1")
            if ks:
                target = block[:, at : at + k * n].reshape((len(ks), k, n), copy=False)
                if len(ks) == len(run):
                    target[...] = values.transpose(1, 0, 2)
                else:
                    target[...] = values[:, list(ks), :].transpose(1, 0, 2)
            offset += size


FORCE_LAYOUT = BlobLayout(FORCE_COLUMNS, version=LAYOUT, what="sample")
IMU_BLOB_LAYOUT = BlobLayout(IMU_COLUMNS, version=IMU_LAYOUT, what="IMU")
BYTES_PER_SAMPLE = FORCE_LAYOUT.bytes_per_sample
IMU_BYTES_PER_SAMPLE = IMU_BLOB_LAYOUT.bytes_per_sample


def pack_samples(columns: Mapping[str, NDArray[np.generic]]) -> bytes:
    """Pack equal-length force columns (the dense names of ``FORCE_COLUMNS``) into one blob."""
    return FORCE_LAYOUT.pack(columns)


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
    name: str,
    rows: Iterable[Row],
    total: int | None = None,
    *,
    only: Collection[str] | None = None,
) -> ChannelData:
    """One channel from stored chunk rows ``(n, layout, data, lost)``, arrays allocated once.

    With ``total`` (the sum of ``n``) the rows may be a lazy iterator, so only a group of
    chunks' bytes is held at a time (see :meth:`BlobLayout.unpack`). With ``only``, just
    those columns (and ``t_s``) are read; each other column is its "none" value as a read-only
    view that takes no memory.
    """
    wanted = None if only is None else {"t_s", *only}
    try:
        columns = FORCE_LAYOUT.unpack(rows, total, only=wanted)
    except BlobError as exc:
        raise BlobError(f"channel {name!r}: {exc}") from None
    if wanted is not None:
        n = columns["t_s"].shape[0]
        for c in FORCE_COLUMNS:
            if c.name not in columns:
                columns[c.name] = np.broadcast_to(np.asarray(c.none, dtype=c.dtype), (n,))
    return ChannelData.from_columns(name, columns)


def pack_lost(lost_before: IntArray) -> bytes | None:
    """Sparse ``(index, count)`` pairs of the samples preceded by lost samples; None if none."""
    idx = np.flatnonzero(lost_before)
    if idx.size == 0:
        return None
    pairs = np.column_stack((idx, lost_before[idx])).astype("<i8")
    return pairs.tobytes()


def pack_imu(samples: ImuSamples) -> bytes:
    """Pack IMU samples into one IMU layout-1 blob (see the module docstring)."""
    return IMU_BLOB_LAYOUT.pack(samples.columns())


def imu_from_rows(rows: Iterable[tuple[int, int, bytes]], total: int | None = None) -> ImuSamples:
    """IMU samples from stored chunk rows ``(n, layout, data)``, arrays allocated once.

    With ``total`` (the sum of ``n``) the rows may be a lazy iterator. A blob whose size,
    layout or stillness bytes do not match raises :class:`BlobError`.
    """
    with_sparse = ((n, layout, data, None) for n, layout, data in rows)
    if total is None:
        return ImuSamples.from_columns(IMU_BLOB_LAYOUT.unpack(list(with_sparse)))
    return ImuSamples.from_columns(IMU_BLOB_LAYOUT.unpack(with_sparse, total))
