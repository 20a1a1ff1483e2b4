"""The one check of a table of samples against its schema, used by every import.

What a sample may hold is declared once, per column, in :mod:`isoforce.core.schema`
(``valid_range``, ``required``); this module holds the code that checks it, for every format:

* **numbers** are finite and within the column's range; NaN is the column's "none" (an empty
  CSV cell, a JSON ``null``: no force from an IMU-only sensor, effort not measured, an angle
  before the zero pose) and is allowed except in ``t_s``; infinities never are;
* **labels** (step, phase) are codes from -1 (none) to the last name the session's labels
  hold; **counts** (rep, lost samples) whole numbers from 0 to what the store keeps; **flags**
  0 or 1;
* **time** (``t_s``) is present on every sample and strictly increasing.

Gaps in a recording are not NaN rows: they are the ``lost_before`` counts (and the session's
gap records), so a sample without a time is always damage.

Every function returns the first :class:`BadValue` (its column, its index in the arrays
handed in, the value, what was expected) or None; the reader that knows where the value came
from (file and line, or chunk line and field) turns it into its error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.core.schema import T_S, Column, ColumnRole


@dataclass(frozen=True, slots=True)
class BadValue:
    """The first value of a table that its schema refuses."""

    column: str
    index: int
    got: Any
    expected: str

    def describe(self, where: str | None = None) -> str:
        """``column: expected …, got …`` (``where`` replaces the column name, e.g. with a path)."""
        got = self.got
        shown = repr(got) if isinstance(got, str) else _number_text(got)
        return f"{where or self.column}: expected {self.expected}, got {shown}"


def _number_text(value: Any) -> str:
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        text = str(int(value))
        return text if len(text) <= 24 else f"{text[:10]}… ({len(text)} digits)"
    return repr(value)


def _span(low: float, high: float, unit: str) -> str:
    def text(v: float) -> str:
        return f"{v:g}" if abs(v) < 1e6 else f"{v:.0e}"

    suffix = f" {unit}" if unit else ""
    if low == -high:
        return f"within ±{text(high)}{suffix}"
    return f"from {text(low)} to {text(high)}{suffix}"


def expected(column: Column, *, names: int | None = None) -> str:
    """What a value of ``column`` must be, in words (``names``: how many labels exist)."""
    low, high = column.valid_range
    if column.role is ColumnRole.NUMBER:
        what = f"a finite number {_span(low, high, column.unit)}"
        return what if column.required else f"{what}, or none"
    if column.role is ColumnRole.FLAG:
        return "true or false"
    if column.role is ColumnRole.LABEL:
        top = int(high) if names is None else min(int(high), names - 1)
        if top < 0:
            return "-1 (none): the session's labels name no " + column.name
        return f"a code from -1 (none) to {top}"
    return f"a whole number from {int(low)} to {int(high)}"


def check_numbers(column: Column, values: NDArray[np.float64]) -> BadValue | None:
    """The first value of a number column that is infinite, out of range, or missing if required."""
    low, high = column.valid_range
    with np.errstate(invalid="ignore"):
        bad = (values < low) | (values > high) | np.isinf(values)
    if column.required:
        bad |= np.isnan(values)
    return _first(column, values, bad)


def check_codes(
    column: Column, values: NDArray[np.integer[Any]], *, names: int | None = None
) -> BadValue | None:
    """The first label, count or flag code outside what the column (and its labels) allow."""
    low, high = column.valid_range
    if column.role is ColumnRole.LABEL and names is not None:
        high = min(high, names - 1)
    bad = (values < low) | (values > high)
    found = _first(column, values, bad)
    if found is None:
        return None
    return BadValue(column.name, found.index, found.got, expected(column, names=names))


def check_times(values: NDArray[np.float64], column: Column = T_S) -> BadValue | None:
    """The first sample time that is missing, out of range, or not after the one before."""
    found = check_numbers(column, values)
    if found is not None:
        return found
    back = np.flatnonzero(np.diff(values) <= 0)
    if back.size:
        i = int(back[0]) + 1
        previous = float(values[i - 1])
        return BadValue(column.name, i, float(values[i]), f"a time after {previous!r} s")
    return None


def _first(column: Column, values: NDArray[Any], bad: NDArray[np.bool_]) -> BadValue | None:
    hits = np.flatnonzero(bad)
    if not hits.size:
        return None
    i = int(hits[0])
    return BadValue(column.name, i, values[i].item(), expected(column))


def check_table(
    columns: Mapping[str, NDArray[Any]],
    table: Sequence[Column],
    *,
    label_counts: Mapping[str, int] | None = None,
) -> BadValue | None:
    """The first bad value of a table (columns keyed by name; absent ones are not checked).

    ``label_counts`` gives how many names each label column's codes may index (``step`` →
    ``len(labels.step_names)``); without it only the stored range is checked.
    """
    counts = label_counts or {}
    for column in table:
        values = columns.get(column.name)
        if values is None:
            continue
        arr = np.asarray(values)
        if column.name == T_S.name:
            found = check_times(arr.astype(np.float64, copy=False), column)
        elif column.role is ColumnRole.NUMBER:
            found = check_numbers(column, arr.astype(np.float64, copy=False))
        else:
            found = check_codes(column, arr.astype(np.int64), names=counts.get(column.name))
        if found is not None:
            return found
    return None


def check_json_values(column: Column, values: Sequence[Any]) -> BadValue | None:
    """The first element of a parsed JSON array whose *type* does not fit ``column``.

    Numbers are JSON numbers or ``null`` (not text, not true/false); counts and labels whole
    numbers; flags true or false. Ranges are checked afterwards, on the array
    (:func:`check_table`); a whole number too large for any array is refused here.
    """
    role = column.role
    if role is ColumnRole.NUMBER:
        allowed: tuple[type, ...] = (float, int) if column.required else (float, int, type(None))
    elif role is ColumnRole.FLAG:
        allowed = (bool,)
    else:
        allowed = (int,)
    types = {type(v) for v in values}
    wrong = [t for t in types if t not in allowed]
    if wrong:
        i = next(k for k, v in enumerate(values) if type(v) in wrong)
        return BadValue(column.name, i, values[i], expected(column))
    if role is not ColumnRole.NUMBER and int in types:
        low, high = column.valid_range
        if min(values) < low or max(values) > high:
            i = next(k for k, v in enumerate(values) if not low <= v <= high)
            return BadValue(column.name, i, values[i], expected(column))
    elif int in types:
        limit = column.valid_range[1]
        if any(abs(v) > limit for v in values if type(v) is int):
            i = next(k for k, v in enumerate(values) if type(v) is int and abs(v) > limit)
            return BadValue(column.name, i, values[i], expected(column))
    return None
