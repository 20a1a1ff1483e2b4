"""What file readers raise, and the precision every text export writes numbers with."""

from __future__ import annotations

from isoforce.core.schema import FORCE_COLUMNS
from isoforce.errors import IsoforceError
from isoforce.session.model import Labels

#: The tidy CSV's header, written live (:mod:`csv_writer`) and by export (:mod:`session_csv`),
#: and which force column (:data:`~isoforce.core.schema.FORCE_COLUMNS`) each shows: ``channel``
#: is the channel's name, ``flags`` shows ``lost_before`` as ``gap:N``. The CSV leaves out
#: ``t_host_s``. How each cell is written follows the column's role and decimals.
CSV_FIELDS: dict[str, str | None] = {
    "t_s": "t_s",
    "channel": None,
    "raw": "raw",
    "force_n": "force_n",
    "effort_pct": "effort_pct",
    "target_pct": "target_pct",
    "phase": "phase",
    "step": "step",
    "rep": "rep",
    "flags": "lost_before",
}
CSV_COLUMNS = tuple(CSV_FIELDS)

#: Decimals written per force column in CSV and JSON exports (t: 1 µs, raw and force: 0.001,
#: effort and target: 0.01 %). Exports round to these; the store keeps full precision.
DECIMALS: dict[str, int] = {c.name: c.decimals for c in FORCE_COLUMNS if c.decimals is not None}


def label_names(labels: Labels, column: str) -> tuple[str, ...]:
    """The names a label column's codes index (``step`` → ``labels.step_names``)."""
    names: tuple[str, ...] = getattr(labels, f"{column}_names")
    return names


class FileFormatError(IsoforceError):
    """A file to import is malformed; the message reads ``file:line: problem``."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")
