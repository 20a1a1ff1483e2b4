"""The running step's samples, kept by the drill engine until the step is scored.

Nothing here is public: :class:`~isoforce.drills.engine.DrillEngine` adds each block's samples
(plain floats from a short block, arrays from a long one) and reads them back as arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Columns = tuple[FloatArray, FloatArray, FloatArray, NDArray[np.int64]]
"""Sample times, measured efforts, targets and segment indices, in the order they came."""


class StepSamples:
    """Times, efforts, targets and segment indices of the step running, in arrival order.

    A short block's plain floats are appended to lists (a numpy call per sample would cost more
    than the sample); a long block's arrays are kept as they are. :meth:`columns` joins both.
    """

    def __init__(self) -> None:
        self._chunks: list[Columns] = []
        self._t: list[float] = []
        self._effort: list[float] = []
        self._target: list[float] = []
        self._segment: list[int] = []

    def add_values(
        self, t_s: list[float], effort_pct: list[float], target_pct: list[float], segment: int
    ) -> None:
        """Keep the samples of a short block of ``segment``."""
        self._t += t_s
        self._effort += effort_pct
        self._target += target_pct
        self._segment += [segment] * len(t_s)

    def add_arrays(
        self, t_s: FloatArray, effort_pct: FloatArray, target_pct: FloatArray, segment: int
    ) -> None:
        """Keep the samples of a long block of ``segment`` (times and efforts are copied)."""
        self._flush()
        segments = np.full(t_s.shape, segment, dtype=np.int64)
        self._chunks.append((t_s.copy(), effort_pct.copy(), target_pct, segments))

    def columns(self) -> Columns:
        """All samples kept, as arrays."""
        self._flush()
        chunks = self._chunks
        if not chunks:
            return np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
        if len(chunks) > 1:
            t, e, target, seg = zip(*chunks, strict=True)
            joined = (np.concatenate(t), np.concatenate(e), np.concatenate(target))
            self._chunks = [(*joined, np.concatenate(seg))]
        return self._chunks[0]

    def of_segment(self, segment: int) -> tuple[FloatArray, FloatArray]:
        """Times and efforts of the samples of ``segment``."""
        t, e, _, seg = self.columns()
        mask = seg == segment
        return t[mask], e[mask]

    def drop_segment(self, segment: int) -> None:
        """Forget the samples of ``segment``."""
        t, e, target, seg = self.columns()
        keep = seg != segment
        self._chunks = [(t[keep], e[keep], target[keep], seg[keep])]

    def _flush(self) -> None:
        if self._t:
            self._chunks.append(
                (
                    np.array(self._t, dtype=np.float64),
                    np.array(self._effort, dtype=np.float64),
                    np.array(self._target, dtype=np.float64),
                    np.array(self._segment, dtype=np.int64),
                )
            )
            self._t, self._effort, self._target, self._segment = [], [], [], []
