"""The live sample pipeline: raw block → force (N) → display filter → effort %.

Raw values are kept alongside every derived value: the display filter is for the eyes only;
analysis uses raw or zero-phase filtered data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from isoforce.core.effort_key import Capabilities, Direction
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortModel, EffortReference, NotMeasured
from isoforce.signal.filters import SosFilter

#: Blocks up to this many samples are processed on plain floats (see ``ForcePipeline.process``).
SMALL_BLOCK = 16


@dataclass(frozen=True, slots=True)
class PipelineSettings:
    """Settings of one pipeline: which channel carries force, calibration, rates, buffer size.

    ``raw_channel`` is None for a sensor that measures no force (an IMU): force and effort are
    then NaN, "not force-measured", never a false 0.
    """

    raw_channel: str | None
    calibration: Calibration
    capabilities: Capabilities
    fs_hz: float
    display_cutoff_hz: float = 10.0


class ProcessedBlock(NamedTuple):
    """One block after the pipeline: raw and derived values per sample (an immutable tuple).

    ``effort_pct`` is NaN where effort is not measured, and ``missing`` says why.
    """

    t_s: FloatArray
    t_host_s: FloatArray
    raw: FloatArray
    force_n: FloatArray
    display_force_n: FloatArray
    effort_pct: FloatArray
    lost_before: int
    missing: NotMeasured | None = None

    @property
    def samples(self) -> int:
        """How many samples the block holds."""
        return int(self.t_s.shape[0])


class ForcePipeline:
    """Calibrates, filters and scores force blocks (one pipeline per live session)."""

    def __init__(
        self, settings: PipelineSettings, *, reference: EffortReference | None = None
    ) -> None:
        self.settings = settings
        self.calibration = settings.calibration
        self.direction: Direction | None = None
        self.effort_message = ""
        """Why effort is not measured in the latest block (empty when it is)."""
        self._said: tuple[NotMeasured | None, Direction | None] = (None, None)
        self._effort = EffortModel(
            reference=reference or EffortReference(), capabilities=settings.capabilities
        )
        cutoff = min(settings.display_cutoff_hz, 0.45 * settings.fs_hz)
        self._display = SosFilter.butterworth(order=2, cutoff_hz=cutoff, fs_hz=settings.fs_hz)

    @property
    def reference(self) -> EffortReference:
        """The maxima effort is computed against."""
        return self._effort.reference

    def set_reference(self, reference: EffortReference) -> None:
        """Change the maxima (e.g. after a max test) for the samples that follow."""
        self._effort = EffortModel(reference=reference, capabilities=self.settings.capabilities)

    def set_calibration(self, calibration: Calibration) -> None:
        """Change the calibration (e.g. after a tare) for the samples that follow."""
        self.calibration = calibration

    def process(self, block: SampleBlock) -> ProcessedBlock:
        """Calibrate, filter and compute effort for one block.

        Blocks of up to :data:`SMALL_BLOCK` samples (a BLE notification carries 1–15) go through
        the same steps on plain floats and become arrays once at the end: numpy's per-call cost
        would outweigh the work. Both ways give the same bits.
        """
        channel = self.settings.raw_channel
        n = block.t_s.shape[0]
        raw = (
            block.column(channel)
            if channel is not None and block.has(channel)
            else np.full(n, np.nan)
        )
        direction = self.direction
        if n <= SMALL_BLOCK:
            force_values = self.calibration.force_n_values(raw.tolist())
            effort_values, missing = self._effort.compute_values(
                force_n=force_values, direction=direction
            )
            # lists of Python floats become float64 arrays (a dtype argument costs ~0.1 µs each)
            force_n = np.array(force_values)
            display = np.array(self._display.process_values(force_values))
            effort_pct = np.array(effort_values)
        else:
            force_n = self.calibration.force_n(raw)
            display = self._display.process(force_n)
            effort = self._effort.compute(force_n=force_n, direction=direction)
            effort_pct, missing = effort.effort_pct, effort.missing
        if (missing, direction) != self._said:
            self._said = (missing, direction)
            self.effort_message = "" if missing is None else missing.text(direction)
        return ProcessedBlock(
            block.t_s, block.t_host_s, raw, force_n, display, effort_pct, block.lost_before, missing
        )
