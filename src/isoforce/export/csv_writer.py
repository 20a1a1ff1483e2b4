"""Tidy long-format CSV of force curves: one row per sample and channel, context in columns."""

from __future__ import annotations

from typing import TextIO

import numpy as np

from isoforce.export.context import SampleLabels
from isoforce.signal.pipeline import ProcessedBlock

CSV_COLUMNS = (
    "t_s",
    "channel",
    "raw",
    "force_n",
    "effort_pct",
    "target_pct",
    "phase",
    "step",
    "rep",
    "flags",
)


def _fmt(values: np.ndarray, decimals: int) -> list[str]:
    """Fixed-decimal text per value; NaN becomes an empty cell (blank in spreadsheets)."""
    out: list[str] = np.char.mod(f"%.{decimals}f", values).tolist()
    nan = np.flatnonzero(np.isnan(values))
    for i in nan:
        out[i] = ""
    return out


def _text(value: str) -> str:
    """Quote a text cell if it holds a comma, quote or newline (RFC 4180)."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


class CsvSampleWriter:
    """Writes processed blocks as CSV rows as they arrive, so an interrupted run keeps its rows."""

    def __init__(self, stream: TextIO, *, channel: str = "load") -> None:
        self._stream = stream
        self._channel = channel
        self.rows_written = 0
        stream.write(",".join(CSV_COLUMNS) + "\n")

    def write(self, block: ProcessedBlock, labels: SampleLabels | None = None) -> None:
        """Append one block's rows and flush them to the stream."""
        n = len(block)
        if n == 0:
            return
        labels = labels or SampleLabels.none(n)
        t = _fmt(block.t_s, 6)
        raw = _fmt(block.raw, 3)
        force = _fmt(block.force_n, 3)
        effort = _fmt(block.effort_pct, 2)
        target = _fmt(block.target_pct, 2)
        steps = labels.step_index.tolist()
        codes = labels.phase_code.tolist()
        reps = labels.rep.tolist()
        flags = [""] * n
        if block.lost_before:
            flags[0] = f"gap:{block.lost_before}"
        ch = _text(self._channel)
        phases = [_text(p) for p in labels.phase_names]
        names = [_text(p) for p in labels.step_names]
        lines = []
        for i in range(n):
            s, c = steps[i], codes[i]
            step = names[s] if s >= 0 else ""
            phase = phases[c] if c >= 0 else ""
            rep = str(reps[i]) if reps[i] > 0 else ""
            lines.append(
                f"{t[i]},{ch},{raw[i]},{force[i]},{effort[i]},{target[i]},{phase},{step},{rep},{flags[i]}\n"
            )
        self._stream.write("".join(lines))
        self._stream.flush()
        self.rows_written += n

    def close(self) -> None:
        """Flush the stream (the caller owns and closes it)."""
        self._stream.flush()
