"""The live sample pipeline: raw block → force (N) → display filter → effort %.

Raw values are kept alongside every derived value: the display filter is for the eyes only;
analysis uses raw or zero-phase filtered data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np

from isoforce.core.effort_key import Capabilities, Direction
from isoforce.core.samples import SMALL_BLOCK, FloatArray, SampleBlock
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortModel, EffortReference, NotMeasured
from isoforce.signal.filters import SosFilter


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
        self._said_missing: NotMeasured | None = None
        self._said_direction: Direction | None = None
        self._effort = EffortModel(
            reference=reference or EffortReference(), capabilities=settings.capabilities
        )
        cutoff = min(settings.display_cutoff_hz, 0.45 * settings.fs_hz)
        self._display = SosFilter.butterworth(order=2, cutoff_hz=cutoff, fs_hz=settings.fs_hz)
        self._biquad = self._display.biquad
        self._channels_seen: tuple[str, ...] | None = None
        self._raw_index: int | None = None

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
        the same steps in one loop on plain floats and become arrays once at the end: numpy's
        per-call cost would outweigh the work. Both ways give the same bits.
        """
        channels = block.channels
        if channels is not self._channels_seen:  # a decoder hands out one tuple: looked up once
            self._channels_seen = channels
            channel = self.settings.raw_channel
            self._raw_index = channels.index(channel) if channel in channels else None
        index = self._raw_index
        raw = block.values[:, index] if index is not None else np.full(len(block), np.nan)
        n = raw.shape[0]
        direction = self.direction
        biquad = self._biquad
        if n == 0 or n > SMALL_BLOCK or biquad is None:
            force_n = self.calibration.force_n(raw)
            display = self._display.process(force_n)
            effort = self._effort.compute(force_n=force_n, direction=direction)
            effort_pct, missing = effort.effort_pct, effort.missing
        else:
            # The steps and their order of operations are those of ``Calibration.force_n``, the
            # display filter's recursion (``SosFilter.biquad``) and ``EffortModel.compute``, so
            # the bits are theirs; one loop with locals instead of three passes and their calls
            # is what makes a 10-sample block cheaper than a naive per-sample loop.
            values = raw.tolist()
            offset_raw, n_per_raw = self.calibration.offset_raw, self.calibration.n_per_raw
            b0, b1, b2, a1, a2 = biquad
            state = self._display.live_state((values[0] - offset_raw) * n_per_raw)
            z0, z1 = state
            divisors = self._effort.divisors(direction)
            missing = None
            if isinstance(divisors, NotMeasured):
                missing, hi, lo = divisors, math.nan, math.nan
            else:
                hi, lo = divisors
            force: list[float] = []
            shown: list[float] = []
            effort_values: list[float] = []
            keep_force, keep_shown, keep_effort = force.append, shown.append, effort_values.append
            for v in values:
                f = (v - offset_raw) * n_per_raw
                y = z0 + b0 * f
                z0 = z1 + f * b1 - y * a1
                z1 = f * b2 - y * a2
                keep_force(f)
                keep_shown(y)
                keep_effort(f / hi * 100.0 if f >= 0 else f / lo * 100.0)
            state[0], state[1] = z0, z1
            if missing is not None:
                effort_values = [math.nan] * n
            # lists of Python floats become float64 arrays (a dtype argument costs ~0.1 µs each)
            force_n, display, effort_pct = np.array(force), np.array(shown), np.array(effort_values)
        if missing is not self._said_missing or direction is not self._said_direction:
            self._say(missing, direction)
        return _new_processed(
            (
                block.t_s,
                block.t_host_s,
                raw,
                force_n,
                display,
                effort_pct,
                block.lost_before,
                missing,
            )
        )

    def _say(self, missing: NotMeasured | None, direction: Direction | None) -> None:
        """Keep :attr:`effort_message` in step with why effort is missing, in this direction."""
        self._said_missing, self._said_direction = missing, direction
        self.effort_message = "" if missing is None else missing.text(direction)


#: ``ProcessedBlock(*fields)`` without the named tuple's keyword handling (~0.15 µs a block).
_new_processed = partial(tuple.__new__, ProcessedBlock)
