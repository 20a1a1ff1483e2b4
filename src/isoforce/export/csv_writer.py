"""Tidy long-format CSV written live, block by block, so an interrupted run keeps its rows.

The rows are formatted by the same code as ``isoforce export`` (:mod:`session_csv`), so a live
file and an exported one agree to the byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from numpy.typing import NDArray

from isoforce.export.formats import CSV_COLUMNS
from isoforce.export.session_csv import csv_header, csv_rows
from isoforce.session.model import ChannelData, Labels

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
