"""Tidy long-format CSV written live, block by block, so an interrupted run keeps its rows.

The rows are formatted by the same code as ``isoforce export`` (:mod:`session_csv`), so a live
file and an exported one agree to the byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from isoforce.export.context import SampleLabels
from isoforce.export.formats import CSV_COLUMNS
from isoforce.export.session_csv import csv_header, csv_rows
from isoforce.session.model import ChannelData, Labels
from isoforce.signal.pipeline import ProcessedBlock

__all__ = ["CSV_COLUMNS", "CsvSampleWriter"]

_CHANNEL_FIELDS = (
    "t_s",
    "t_host_s",
    "raw",
    "force_n",
    "effort_pct",
    "target_pct",
    "step",
    "phase",
    "rep",
    "lost_before",
)


class CsvSampleWriter:
    """Writes processed blocks as CSV rows as they arrive, flushing after each block."""

    def __init__(self, stream: TextIO, *, channel: str = "load") -> None:
        self._stream = stream
        self._channel = channel
        self.rows_written = 0
        stream.write(csv_header().decode())

    def write(self, block: ProcessedBlock, labels: SampleLabels | None = None) -> None:
        """Append one block's rows and flush them to the stream."""
        n = len(block)
        if n == 0:
            return
        labels = labels or SampleLabels.none(n)
        lost = np.zeros(n, dtype=np.int64)
        lost[0] = block.lost_before
        channel = ChannelData(
            name=self._channel,
            t_s=block.t_s,
            t_host_s=block.t_host_s,
            raw=block.raw,
            force_n=block.force_n,
            effort_pct=block.effort_pct,
            target_pct=block.target_pct,
            step=labels.step_index,
            phase=labels.phase_code,
            rep=labels.rep,
            lost_before=lost,
        )
        names = Labels(step_names=labels.step_names, phase_names=labels.phase_names)
        self._stream.write(csv_rows(channel, names).decode())
        self._stream.flush()
        self.rows_written += n

    def write_columns(self, columns: Mapping[str, NDArray[Any]], labels: Labels) -> None:
        """Append one block's rows (columns named as in ``core.schema.FORCE_COLUMNS``)."""
        n = int(columns["t_s"].shape[0])
        if n == 0:
            return
        channel = ChannelData(
            name=self._channel,
            **{name: columns[name] for name in _CHANNEL_FIELDS},
        )
        self._stream.write(csv_rows(channel, labels).decode())
        self._stream.flush()
        self.rows_written += n

    def close(self) -> None:
        """Flush the stream (the caller owns and closes it)."""
        self._stream.flush()
