"""Braille rasters, vectorised: series to dots (2 × 4 per cell), cells to characters.

Pure numpy, no per-sample Python: a series is reduced to one vertical span per pixel column
(the min/max envelope of the samples falling in it, joined to its neighbours so a line stays
connected), the spans become a boolean pixel grid, and each 4 × 2 block of pixels becomes one
braille character (U+2800 + dot bits). A sparse series (fewer points than pixel columns, e.g. a
target curve of three corners) is first interpolated at every pixel column. NaN is a gap: the
line stops there and starts again after it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray

#: The dot bit of each pixel of a braille cell, rows top to bottom, columns left to right.
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int64)
BRAILLE_BASE = 0x2800

BoolGrid = NDArray[np.bool_]
IntGrid = NDArray[np.int64]


def column_spans(
    x_px: FloatArray, y_px: FloatArray, *, width_px: int, connect: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Per pixel column, the lowest and highest pixel row the series covers (NaN: none).

    ``x_px``/``y_px`` are pixel coordinates (fractional allowed), x ascending; points outside
    ``0 .. width_px - 1`` are dropped, rows are clipped to the grid by the caller's mapping.
    With ``connect`` each column's span reaches to the previous column's last value (when that
    column is the neighbour), so a steep edge is drawn as a line, not as separate dots.
    """
    lo = np.full(width_px, np.nan)
    hi = np.full(width_px, np.nan)
    keep = np.isfinite(x_px)
    x_px, y_px = x_px[keep], y_px[keep]
    if x_px.size == 0:
        return lo, hi
    if connect and x_px.size < width_px and x_px.size >= 2:
        # sparse: sample the straight segments at every pixel column they span
        cols = np.arange(int(np.ceil(x_px[0])), int(np.floor(x_px[-1])) + 1, dtype=np.float64)
        cols = cols[(cols >= 0) & (cols < width_px)]
        x_px, y_px = (
            np.concatenate([cols, x_px]),
            np.concatenate([np.interp(cols, x_px, y_px), y_px]),
        )
        order = np.argsort(x_px, kind="stable")
        x_px, y_px = x_px[order], y_px[order]
    col = np.floor(x_px + 0.5).astype(np.int64)
    inside = (col >= 0) & (col < width_px) & np.isfinite(y_px)
    # NaN samples split the line: a column whose last sample is NaN does not join the next
    gap_after = np.zeros(width_px, dtype=bool)
    nan_cols = col[(col >= 0) & (col < width_px) & ~np.isfinite(y_px)]
    gap_after[nan_cols] = True
    col, y_px = col[inside], y_px[inside]
    if col.size == 0:
        return lo, hi
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    ends = np.r_[starts[1:], col.size] - 1
    which = col[starts]
    lo[which] = np.minimum.reduceat(y_px, starts)
    hi[which] = np.maximum.reduceat(y_px, starts)
    if connect and which.size > 1:
        last = y_px[ends]
        first = y_px[starts]
        joined = (np.diff(which) == 1) & ~gap_after[which[:-1]]
        nxt = which[1:][joined]
        prev_last = last[:-1][joined]
        prev_first = first[1:][joined]
        # meet halfway: each column reaches the midpoint between its neighbour's end and its start
        mid = (prev_last + prev_first) / 2
        lo[nxt] = np.fmin(lo[nxt], mid)
        hi[nxt] = np.fmax(hi[nxt], mid)
        prv = which[:-1][joined]
        lo[prv] = np.fmin(lo[prv], mid)
        hi[prv] = np.fmax(hi[prv], mid)
    return lo, hi


def spans_to_grid(lo: FloatArray, hi: FloatArray, *, height_px: int) -> BoolGrid:
    """A ``(height_px, width_px)`` pixel grid with each column lit from ``lo`` to ``hi``."""
    rows = np.arange(height_px, dtype=np.float64)[:, None]
    lo_r = np.clip(np.floor(lo + 0.5), 0, height_px - 1)
    hi_r = np.clip(np.floor(hi + 0.5), 0, height_px - 1)
    with np.errstate(invalid="ignore"):
        return (rows >= lo_r[None, :]) & (rows <= hi_r[None, :])


def points_to_grid(
    x_px: FloatArray, y_px: FloatArray, *, width_px: int, height_px: int
) -> BoolGrid:
    """A pixel grid with a 2 × 2 dot at each point (markers that show at any size)."""
    grid = np.zeros((height_px, width_px), dtype=bool)
    keep = np.isfinite(x_px) & np.isfinite(y_px)
    cx = np.clip(np.floor(x_px[keep] + 0.5).astype(np.int64), 0, width_px - 1)
    cy = np.clip(np.floor(y_px[keep] + 0.5).astype(np.int64), 0, height_px - 1)
    for dx in (0, 1):
        for dy in (0, 1):
            grid[np.clip(cy - dy, 0, height_px - 1), np.clip(cx + dx, 0, width_px - 1)] = True
    return grid


def cell_codes(grid: BoolGrid) -> IntGrid:
    """Braille dot bits per cell of a pixel grid (its sides multiples of 4 rows × 2 columns)."""
    height_px, width_px = grid.shape
    cells = grid.reshape(height_px // 4, 4, width_px // 2, 2)
    codes: IntGrid = np.einsum("rycx,yx->rc", cells.astype(np.int64), DOT_BITS)
    return codes


def cell_text(codes: IntGrid) -> list[str]:
    """One string per cell row: braille characters, blank cells as spaces."""
    points = np.where(codes > 0, BRAILLE_BASE + codes, 0x20).astype("<u4")
    width = points.shape[1]
    if width == 0:
        return ["" for _ in range(points.shape[0])]
    return [str(s) for s in np.ascontiguousarray(points).view(f"<U{width}")[:, 0]]
