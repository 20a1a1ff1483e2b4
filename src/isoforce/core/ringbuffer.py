"""A preallocated ring buffer for the latest samples of several columns."""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import FloatArray


class RingBuffer:
    """Fixed-capacity, index-based store of the most recent rows of ``columns`` float columns.

    Writing never moves old data (no ``np.roll``): rows go to ``write_index % capacity``.
    Reading returns the rows in time order as a new array.
    """

    def __init__(self, capacity: int, columns: int) -> None:
        if capacity <= 0 or columns <= 0:
            raise ValueError("capacity and columns must be positive")
        self._data = np.full((capacity, columns), np.nan, dtype=np.float64)
        self._capacity = capacity
        self._written = 0

    @property
    def capacity(self) -> int:
        """How many rows the buffer holds."""
        return self._capacity

    @property
    def total_written(self) -> int:
        """How many rows were ever written (also the index the next row gets)."""
        return self._written

    def __len__(self) -> int:
        return min(self._written, self._capacity)

    def extend(self, rows: FloatArray) -> None:
        """Append rows (shape ``(n, columns)``); only the last ``capacity`` rows are kept."""
        n = rows.shape[0]
        if n == 0:
            return
        if rows.ndim != 2 or rows.shape[1] != self._data.shape[1]:
            raise ValueError(f"expected rows of {self._data.shape[1]} columns, got {rows.shape}")
        cap = self._capacity
        if n >= cap:
            rows = rows[-cap:]
            start = (self._written + n - cap) % cap
            first = cap - start
            self._data[start:] = rows[:first]
            self._data[:start] = rows[first:]
        else:
            start = self._written % cap
            end = start + n
            if end <= cap:
                self._data[start:end] = rows
            else:
                first = cap - start
                self._data[start:] = rows[:first]
                self._data[: n - first] = rows[first:]
        self._written += n

    def latest(self, n: int | None = None) -> FloatArray:
        """The most recent ``n`` rows (all held rows if ``None``), oldest first, as a copy."""
        held = len(self)
        n = held if n is None else max(0, min(n, held))
        if n == 0:
            return np.empty((0, self._data.shape[1]), dtype=np.float64)
        end = self._written % self._capacity
        start = end - n
        if start >= 0:
            return self._data[start:end].copy()
        return np.concatenate([self._data[start:], self._data[:end]], axis=0)
