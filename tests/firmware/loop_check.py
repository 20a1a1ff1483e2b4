"""Compare what ``isoforce record`` wrote from the simulated firmware with what the simulated
HX711 sent it (the harness's log of reads) and the force waveform behind those readings.

Every recorded row is matched to the read that ended its window by time (device clock against
simulated clock, both exact at 16 MHz) and must equal that read (80 frames/s) or the firmware's
rounded mean of the last two reads (after ``r 40``). :func:`compare` measures; its
:meth:`Comparison.problems` lists each acceptance point missed, in words.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Device clock against simulated clock: micros() ticks every 4 us and is read a few us before
#: the first clock pulse of the read the harness logs.
CLOCK_TOLERANCE_S = 200e-6
#: Rows whose values must match for an alignment to count (noise makes it unique).
ALIGN_ROWS = 40
FrameArray = NDArray[np.float64]


@dataclass(frozen=True)
class Recorded:
    """The rows of a recording's CSV (one channel)."""

    t_s: FrameArray
    raw: FrameArray
    force_n: FrameArray
    flags: tuple[str, ...]


def read_csv(path: Path) -> Recorded:
    """The CSV ``isoforce record --out`` wrote."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return Recorded(
        t_s=np.array([float(r["t_s"]) for r in rows]),
        raw=np.array([float(r["raw"]) for r in rows]),
        force_n=np.array([float(r["force_n"]) for r in rows]),
        flags=tuple(r["flags"] for r in rows),
    )


def div_round(total: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """The firmware's rounded integer mean (C division truncates toward zero)."""
    half = n // 2
    return np.where(total >= 0, (total + half) // n, -((-total + half) // n))


@dataclass
class Comparison:
    """What a recording holds against what the simulated chip sent."""

    rows: int
    lost: int
    matched: bool
    mismatched: int = 0
    #: Per row: equal to its one reading (``one``), to the mean of its last two (``two``); a
    #: row can be both when two neighbouring readings differ by at most one count.
    one: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    two: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    read_index: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    skipped_conversions: int = 0
    max_error_counts: float = float("nan")
    correlation: float = float("nan")
    clock_error_us: float = float("nan")

    def problems(self, *, min_rows: int = 0, max_error_counts: float = 1.0) -> list[str]:
        """Every acceptance point this recording misses (empty: it passes)."""
        out = []
        if self.rows < min_rows:
            out.append(f"{self.rows} frames recorded, {min_rows} expected")
        if self.lost:
            out.append(f"{self.lost} frames lost (sequence gaps flagged in the CSV)")
        if not self.matched:
            out.append("the recorded raw values do not line up with the HX711's reads")
            return out
        if self.mismatched:
            out.append(f"{self.mismatched} frames differ from the readings they stand for")
        if self.skipped_conversions:
            out.append(f"the firmware missed {self.skipped_conversions} HX711 conversions")
        if not self.max_error_counts <= max_error_counts:
            out.append(f"force error up to {self.max_error_counts:.2f} HX711 counts")
        if not self.correlation >= 0.999:
            out.append(f"force correlation {self.correlation:.5f} < 0.999")
        return out

    def summary(self) -> dict[str, Any]:
        """The measured numbers (for the test's output and the notes)."""
        return {
            "rows": self.rows,
            "lost": self.lost,
            "mismatched": self.mismatched,
            "skipped_conversions": self.skipped_conversions,
            "max_error_counts": round(self.max_error_counts, 3),
            "correlation": round(self.correlation, 7),
            "clock_error_us": round(self.clock_error_us, 1),
        }


def _align(
    rec: Recorded, t_read: FrameArray, value: NDArray[np.int64], pair: NDArray[np.int64]
) -> NDArray[np.int64] | None:
    """The read ending each row's window: the first row's value picks candidates, the clocks
    place every other row, and the first :data:`ALIGN_ROWS` rows' values must all agree."""
    raw = rec.raw.astype(np.int64)
    head = slice(0, ALIGN_ROWS)
    for r0 in np.flatnonzero((value == raw[0]) | (pair == raw[0])):
        target = t_read[r0] + rec.t_s
        idx = np.clip(np.searchsorted(t_read, target), 1, len(t_read) - 1)
        idx = np.where(target - t_read[idx - 1] < t_read[idx] - target, idx - 1, idx)
        if not np.all(np.abs(t_read[idx] - target) < CLOCK_TOLERANCE_S):
            continue
        if np.all((raw[head] == value[idx[head]]) | (raw[head] == pair[idx[head]])):
            return np.asarray(idx, np.int64)
    return None


def compare(
    rec: Recorded,
    reads: list[Any],
    force_n: tuple[float, ...],
    *,
    counts_per_n: float,
) -> Comparison:
    """Match ``rec`` to the harness's ``reads`` and the true force per conversion ``force_n``."""
    lost = sum(int(f.split("gap:")[1]) for f in rec.flags if "gap:" in f)
    base = Comparison(rows=len(rec.t_s), lost=lost, matched=False)
    if not len(rec.t_s) or len(reads) < 2:
        return base
    t_read = np.array([r.t_us for r in reads], np.float64) * 1e-6
    value = np.array([r.value for r in reads], np.int64)
    conversion = np.array([r.conversion for r in reads], np.int64)
    pair = np.concatenate([value[:1], div_round(value[1:] + value[:-1], 2)])
    idx = _align(rec, t_read, value, pair)
    if idx is None:
        return base
    raw = rec.raw.astype(np.int64)
    one, two = raw == value[idx], raw == pair[idx]
    used = np.arange(max(int(idx[0]) - 1, 0), int(idx[-1]) + 1)
    truth = np.array(force_n)
    clip = lambda k: np.minimum(k, len(truth) - 1)  # noqa: E731 - the harness holds the last value
    just_one = truth[clip(conversion[idx])]
    mean_two = (just_one + truth[clip(conversion[np.maximum(idx - 1, 0)])]) / 2
    true_n = np.where(two & ~one, mean_two, just_one)
    error_counts = np.abs(rec.force_n - true_n) * counts_per_n
    clock = (t_read[idx] - t_read[idx[0]]) - rec.t_s
    return Comparison(
        rows=len(rec.t_s),
        lost=lost,
        matched=True,
        mismatched=int(np.count_nonzero(~one & ~two)),
        one=one,
        two=two,
        read_index=idx,
        skipped_conversions=int(np.count_nonzero(np.diff(conversion[used]) != 1)),
        max_error_counts=float(error_counts.max()),
        correlation=float(np.corrcoef(rec.force_n, true_n)[0, 1]),
        clock_error_us=float(np.abs(clock).max() * 1e6),
    )
