"""Tidy long-format CSV written live, block by block, so an interrupted run keeps its rows.

The rows are formatted by the same code as ``isoforce export`` (:mod:`session_csv`), so a live
file and an exported one agree to the byte.
"""

from __future__ import annotations

from typing import TextIO

from isoforce.export.formats import CSV_COLUMNS
from isoforce.export.live_file import LiveFileWriter
from isoforce.export.session_csv import csv_header, csv_rows
from isoforce.session.model import ChannelData, Labels

__all__ = ["CSV_COLUMNS", "CsvSampleWriter"]


class CsvSampleWriter(LiveFileWriter):
    """Writes samples as CSV rows as they arrive, flushing after each block."""

    def __init__(self, stream: TextIO, *, channel: str = "load") -> None:
        super().__init__(stream, channel=channel)
        stream.write(csv_header().decode())

    def rows(self, channel: ChannelData, labels: Labels) -> bytes:
        """The CSV rows of one block (the same formatter as ``isoforce export``)."""
        return csv_rows(channel, labels)
