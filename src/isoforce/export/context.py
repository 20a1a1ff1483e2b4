"""Per-sample context written next to force curves: drill step, phase and rep labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.session.model import Labels
from isoforce.signal.pipeline import ProcessedBlock


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


def block_columns(
    block: ProcessedBlock, labels: SampleLabels | None
) -> tuple[dict[str, NDArray[Any]], Labels]:
    """A processed block and its labels as force columns (names of ``FORCE_COLUMNS``).

    The block's ``lost_before`` count goes on its first sample. This adapts the runner's blocks
    to the live writers' :meth:`write_columns`.
    """
    n = len(block)
    labels = labels or SampleLabels.none(n)
    lost = np.zeros(n, dtype=np.int64)
    if n:
        lost[0] = block.lost_before
    columns: dict[str, NDArray[Any]] = {
        "t_s": block.t_s,
        "t_host_s": block.t_host_s,
        "raw": block.raw,
        "force_n": block.force_n,
        "effort_pct": block.effort_pct,
        "target_pct": block.target_pct,
        "step": labels.step_index,
        "phase": labels.phase_code,
        "rep": labels.rep,
        "lost_before": lost,
    }
    return columns, Labels(step_names=labels.step_names, phase_names=labels.phase_names)
