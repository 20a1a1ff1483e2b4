"""What file readers raise, how they parse JSON, and the precision text exports write."""

from __future__ import annotations

from typing import Any

import orjson

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


#: How deep the objects and lists of a session file's metadata may nest (a manifest nests 5
#: deep; a drill's scores a few more). Sample arrays (``columns``) are checked by their schema.
MAX_JSON_DEPTH = 64
#: The longest text a session file's metadata may hold (a drill file is at most 1 MB).
MAX_JSON_TEXT_CHARS = 4 * 2**20
_SAMPLE_ARRAYS = "columns"


def parse_json(text: str | bytes, *, source: str, line: int | None = None) -> Any:
    """Parse one JSON text of a session file, bounded; every problem is a FileFormatError.

    Standard JSON only: ``NaN``, ``Infinity`` and numbers beyond a double are refused (a
    missing value is ``null``). Objects and lists nest at most :data:`MAX_JSON_DEPTH` deep and
    texts hold at most :data:`MAX_JSON_TEXT_CHARS` characters, outside the sample arrays under
    ``columns`` (their values are checked against the sample schema by the readers).
    """
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc):
            raise FileFormatError(
                source, line, f"JSON nested more than {MAX_JSON_DEPTH} deep"
            ) from None
        raise FileFormatError(source, line, f"not valid JSON ({exc}; truncated file?)") from None
    problem = json_bounds_problem(doc)
    if problem:
        raise FileFormatError(source, line, problem)
    return doc


def json_bounds_problem(doc: Any) -> str | None:
    """What in a parsed JSON value goes past the nesting and text bounds, or None."""
    stack: list[tuple[Any, int, str]] = [(doc, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_JSON_TEXT_CHARS:
                return (
                    f"{path or 'text'}: text of {len(value)} characters "
                    f"(at most {MAX_JSON_TEXT_CHARS})"
                )
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            shown = path if len(path) <= 60 else path[:57] + "..."
            return f"{shown}: JSON nested more than {MAX_JSON_DEPTH} deep"
        if isinstance(value, dict):
            for key, item in value.items():
                if key != _SAMPLE_ARRAYS:
                    stack.append((item, depth + 1, f"{path}.{key}" if path else key))
        else:
            stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(value))
    return None
