"""Per-sample context written next to force curves: drill step, phase and rep labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class SampleLabels:
    """Labels for each sample of a block, as small integer codes plus their names.

    ``step_index`` indexes ``step_names`` and ``phase_code`` indexes ``phase_names``; -1 means
    no drill step / phase applies. ``rep`` is the repeat pass (1-based; 0 = none).
    """

    step_index: NDArray[np.int64]
    phase_code: NDArray[np.int64]
    rep: NDArray[np.int64]
    step_names: tuple[str, ...]
    phase_names: tuple[str, ...]

    @staticmethod
    def none(n: int) -> SampleLabels:
        """Labels for ``n`` samples outside any drill."""
        minus = np.full(n, -1, dtype=np.int64)
        return SampleLabels(
            step_index=minus,
            phase_code=minus,
            rep=np.zeros(n, dtype=np.int64),
            step_names=(),
            phase_names=(),
        )
