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
from isoforce.session.model import ChannelData, Labels, SessionStatus

__all__ = ["CSV_COLUMNS", "CsvSampleWriter"]


class CsvSampleWriter:
    """Writes samples as CSV rows as they arrive, flushing after each block."""

    def __init__(self, stream: TextIO, *, channel: str = "load") -> None:
        self._stream = stream
        self._channel = channel
        self.rows_written = 0
        stream.write(csv_header().decode())

    def write_columns(self, columns: Mapping[str, NDArray[Any]], labels: Labels) -> None:
        """Append samples given as force columns (names of ``FORCE_COLUMNS``) and flush."""
        channel = ChannelData.from_columns(self._channel, columns)
        if len(channel) == 0:
            return
        self._stream.write(csv_rows(channel, labels).decode())
        self._stream.flush()
        self.rows_written += len(channel)

    def close(
        self,
        *,
        status: SessionStatus = SessionStatus.COMPLETE,
        ended_at: str | None = None,
        stopped_by: str = "",
    ) -> None:
        """Flush the stream (the caller owns and closes it); a CSV has no trailer to write."""
        del status, ended_at, stopped_by
        self._stream.flush()
