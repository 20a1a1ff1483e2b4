"""What file readers raise, and the precision every text export writes numbers with."""

from __future__ import annotations

from isoforce.errors import IsoforceError

#: Decimals written per column in CSV and JSON exports (t: 1 µs, raw and force: 0.001,
#: effort and target: 0.01 %). Exports round to these; the store keeps full precision.
#: Columns of the tidy CSV, written live (:mod:`csv_writer`) and by export (:mod:`session_csv`).
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

DECIMALS: dict[str, int] = {
    "t_s": 6,
    "t_host_s": 6,
    "raw": 3,
    "force_n": 3,
    "effort_pct": 2,
    "target_pct": 2,
}


class FileFormatError(IsoforceError):
    """A file to import is malformed; the message reads ``file:line: problem``."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")
