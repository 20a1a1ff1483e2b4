"""Per-sample context written next to force curves: drill phase, step and rep labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class SampleLabels:
    """Labels for each sample of a block: which step (index into ``names``) and which rep.

    ``step_index`` is -1 where no drill step applies. ``flags`` holds short per-block notes
    written on the block's first sample (e.g. ``gap:12`` when 12 samples were lost before it).
    """

    step_index: NDArray[np.int64]
    rep: NDArray[np.int64]
    names: tuple[str, ...]
    phases: tuple[str, ...]

    @staticmethod
    def none(n: int) -> SampleLabels:
        """Labels for ``n`` samples outside any drill."""
        return SampleLabels(
            step_index=np.full(n, -1, dtype=np.int64),
            rep=np.zeros(n, dtype=np.int64),
            names=(),
            phases=(),
        )
