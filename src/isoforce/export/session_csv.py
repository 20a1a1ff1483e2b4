"""Tidy CSV of stored sessions: one row per sample and channel, the drill context in columns.

Columns (docs/data.md): ``t_s, channel, raw, force_n, effort_pct, target_pct, phase, step,
rep, flags`` — the same as :mod:`isoforce.export.csv_writer` writes live. Several sessions in
one stream get a leading ``session`` column. Rows go channel by channel, each in time order.
The metadata goes in a ``.meta.json`` sidecar (:mod:`isoforce.export.manifest`), so the CSV
itself stays a plain table that every spreadsheet opens. Formatting is vectorised
(:mod:`isoforce.export.numtext`): an hour at 1 kHz is a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import numpy as np

from isoforce.core.batching import regroup
from isoforce.core.schema import FORCE, Column, ColumnRole
from isoforce.export import numtext
from isoforce.export.formats import CSV_COLUMNS, CSV_FIELDS, label_names
from isoforce.session.model import ChannelData, Labels

SESSION_COLUMN = "session"
BATCH_ROWS = 32768


def csv_header(*, with_session: bool = False) -> bytes:
    """The header line."""
    cols = ((SESSION_COLUMN,) if with_session else ()) + CSV_COLUMNS
    return (",".join(cols) + "\n").encode()


def _flags(lost_before: np.ndarray, sep: bytes) -> numtext.Field:
    values = np.unique(lost_before[lost_before > 0])
    names = [f"gap:{int(v)}".encode() for v in values]
    codes = np.where(lost_before > 0, np.searchsorted(values, lost_before), -1)
    return numtext.lookup(codes, names, sep=sep)


def _cells(column: Column, values: np.ndarray, labels: Labels, sep: bytes) -> numtext.Field:
    """One CSV column's cells, written as its role says."""
    if column.role is ColumnRole.NUMBER:
        return numtext.fixed(values, decimals=column.decimals or 0, sep=sep)
    if column.role is ColumnRole.LABEL:
        names = [numtext.csv_field(s) for s in label_names(labels, column.name)]
        return numtext.lookup(values, names, sep=sep)
    if column.sparse:
        return _flags(values, sep)
    return numtext.integers(values, blank=0, sep=sep)


def csv_rows(ch: ChannelData, labels: Labels, *, session: str | None = None) -> bytes:
    """The rows of one channel's samples (no header)."""
    n = len(ch)
    if n == 0:
        return b""
    fields: list[numtext.Field] = []
    if session is not None:
        fields.append(numtext.constant(numtext.csv_field(session), n))
    last = len(CSV_FIELDS) - 1
    for k, source in enumerate(CSV_FIELDS.values()):
        sep = b"\n" if k == last else b","
        if source is None:
            fields.append(numtext.constant(numtext.csv_field(ch.name), n, sep=sep))
        else:
            fields.append(_cells(FORCE[source], getattr(ch, source), labels, sep))
    return numtext.join_rows(fields)


def batches(chunks: Iterable[ChannelData], *, rows: int = BATCH_ROWS) -> Iterator[ChannelData]:
    """Join consecutive chunks of the same channel into batches of about ``rows`` samples."""
    for batch in regroup(chunks, rows=rows, size=len, key=lambda chunk: chunk.name):
        yield ChannelData.concat(batch)


def write_csv(
    out: BinaryIO,
    chunks: Iterable[ChannelData],
    labels: Labels,
    *,
    session: str | None = None,
    header: bool = True,
) -> int:
    """Write a session's samples (chunks in channel-then-time order); returns the rows written."""
    if header:
        out.write(csv_header(with_session=session is not None))
    total = 0
    for batch in batches(chunks):
        out.write(csv_rows(batch, labels, session=session))
        total += len(batch)
    return total
