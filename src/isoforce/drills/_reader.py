"""Typed, checked access to one parsed TOML table, failing with ``file:line: field: problem``."""

from __future__ import annotations

import enum
import math
import tomllib
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from isoforce.drills._toml_lines import LineIndex, Path, syntax_error_location
from isoforce.errors import DrillFileError

E = TypeVar("E", bound=enum.Enum)

MAX_SECONDS = 3600.0
"""Longest duration any single drill-file field may ask for."""
_LARGEST_INT = 10**300
"""Integers beyond this do not fit a float; no field wants one anywhere near it."""
HARD_MAX_PCT = 200.0
"""No target may exceed this, even with ``allow_above_max``."""


def toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    names = ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"))
    for cls, name in names:
        if isinstance(value, cls):
            return name
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return "date/time"


class Reader:
    """One table of a drill file at ``path`` (for line lookup), shown as ``label`` in messages."""

    def __init__(
        self, source: str, lines: LineIndex, data: Mapping[str, object], path: Path, label: str
    ) -> None:
        self.source = source
        self.lines = lines
        self.data = data
        self.path = path
        self.label = label

    def field(self, key: str) -> str:
        """The user-facing name of ``key`` in this table, e.g. ``steps[3].seconds``."""
        return f"{self.label}.{key}" if self.label else key

    def error(self, key: str | None, problem: str) -> DrillFileError:
        """An error about ``key`` (or the table itself) at its line.

        A key the file lacks is reported at its table's line, or line 1 at the top level;
        without source text (data parsed elsewhere) there is no line.
        """
        path = self.path if key is None else (*self.path, key)
        line = self.lines.line_of(path) or (1 if self.lines.has_text else None)
        name = self.label if key is None else self.field(key)
        return DrillFileError(self.source, line, name or "file", problem)

    def child(self, key: str, index: int, data: Mapping[str, object]) -> Reader:
        """Reader for element ``index`` (0-based) of the array of tables ``key``."""
        label = f"{self.field(key)}[{index + 1}]"
        return Reader(self.source, self.lines, data, (*self.path, key, index), label)

    def has(self, key: str) -> bool:
        """Whether the table sets ``key``."""
        return key in self.data

    def check_keys(self, allowed: Collection[str], what: str) -> None:
        """Fail on the first key (in file order) that ``what`` does not know."""
        unknown = [key for key in self.data if key not in allowed]
        if unknown:
            unknown.sort(key=lambda k: self.lines.line_of((*self.path, k)) or 0)
            expected = ", ".join(sorted(allowed))
            raise self.error(unknown[0], f"unknown key for {what} (expected one of: {expected})")

    def string(self, key: str, default: str | None = None, *, max_len: int = 2000) -> str:
        """A non-empty string; required when ``default`` is ``None``."""
        if key not in self.data:
            if default is None:
                raise self.error(key, "missing (required)")
            return default
        value = self.data[key]
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {toml_type(value)}")
        if not value.strip():
            raise self.error(key, "must not be empty")
        if len(value) > max_len:
            raise self.error(key, f"too long ({len(value)} characters, at most {max_len})")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        """``true`` or ``false``."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {toml_type(value)}")
        return value

    def choice(self, key: str, kind: type[E], default: E | None = None) -> E:
        """One of an enum's string values; required when ``default`` is ``None``."""
        if key not in self.data:
            if default is None:
                raise self.error(key, "missing (required)")
            return default
        value = self.data[key]
        options = ", ".join(str(m.value) for m in kind)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string (one of: {options}), got {toml_type(value)}")
        for member in kind:
            if member.value == value:
                return member
        raise self.error(key, f"unknown value {value!r} (expected one of: {options})")

    def _num(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, got {toml_type(value)}")
        if isinstance(value, int) and abs(value) > _LARGEST_INT:
            raise self.error(key, "is too large to be a number of anything here")
        if not math.isfinite(value):
            raise self.error(key, "must be a finite number")
        return float(value)

    def _range(self, key: str, value: float, low: float, strict: bool, high: float) -> float:
        if value < low or (strict and value == low):
            raise self.error(key, f"must be {'>' if strict else '>='} {low:g}, got {value:g}")
        if value > high:
            raise self.error(key, f"must be at most {high:g}, got {value:g}")
        return value

    def opt_seconds(self, key: str, *, allow_zero: bool = False) -> float | None:
        """Optional duration in seconds: > 0 (or >= 0) and at most :data:`MAX_SECONDS`."""
        if key not in self.data:
            return None
        value = self._num(key, self.data[key])
        return self._range(key, value, 0.0, not allow_zero, MAX_SECONDS)

    def seconds(self, key: str, default: float | None = None, *, allow_zero: bool = False) -> float:
        """Duration in seconds; required when ``default`` is ``None``."""
        value = self.opt_seconds(key, allow_zero=allow_zero)
        if value is None:
            if default is None:
                raise self.error(key, "missing (required)")
            return default
        return value

    def number(self, key: str, default: float | None, *, low: float, high: float) -> float:
        """A number with ``low < value <= high``; required when ``default`` is ``None``."""
        if key not in self.data:
            if default is None:
                raise self.error(key, "missing (required)")
            return default
        return self._range(key, self._num(key, self.data[key]), low, True, high)

    def integer(self, key: str, default: int | None, *, low: int, high: int) -> int:
        """A whole number in ``[low, high]``; required when ``default`` is ``None``."""
        if key not in self.data:
            if default is None:
                raise self.error(key, "missing (required)")
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, got {toml_type(value)}")
        if not low <= value <= high:
            raise self.error(key, f"must be between {low} and {high}, got {value}")
        return value

    def opt_pct(self, key: str, *, allow_above: bool, positive: bool = False) -> float | None:
        """Optional target in % of the reference: a number or ``"max"`` (100 %)."""
        if key not in self.data:
            return None
        value = self.data[key]
        if value == "max":
            return 100.0
        if isinstance(value, str):
            raise self.error(key, f'must be a number or "max", got {value!r}')
        pct = self._num(key, value)
        if pct < 0 or (positive and pct == 0):
            raise self.error(key, f"must be {'>' if positive else '>='} 0 %, got {pct:g}")
        if pct > 100.0 and not allow_above:
            raise self.error(
                key,
                f"{pct:g} % is above the reference max (100 %); "
                "set allow_above_max = true at the top of the file to allow it",
            )
        if pct > HARD_MAX_PCT:
            raise self.error(key, f"must be at most {HARD_MAX_PCT:g} %, got {pct:g}")
        return pct

    def pct(
        self, key: str, default: float | None, *, allow_above: bool, positive: bool = False
    ) -> float:
        """Target in % (number or ``"max"``); required when ``default`` is ``None``."""
        value = self.opt_pct(key, allow_above=allow_above, positive=positive)
        if value is None:
            if default is None:
                raise self.error(key, "missing (required)")
            return default
        return value

    def tables(self, key: str) -> list[Mapping[str, object]]:
        """A non-empty array of tables."""
        if key not in self.data:
            raise self.error(key, "missing (required)")
        value = self.data[key]
        if not isinstance(value, list):
            raise self.error(key, f"must be an array of tables ([[{key}]]), got {toml_type(value)}")
        if not value:
            raise self.error(key, "no steps: at least one is needed")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(key, f"element {i + 1} must be a table, got {toml_type(item)}")
        return value


def read_toml(text: str, source: str) -> tuple[dict[str, Any], LineIndex]:
    """Parse TOML ``text`` (a drill file, a rule file) and index its lines for error messages.

    Every failure is a :class:`DrillFileError` naming ``source`` (and the line, for syntax): a
    syntax error, a number too long for Python's int(), or arrays and tables nested too deep.
    """
    lines = LineIndex(text)
    try:
        return tomllib.loads(text), lines
    except tomllib.TOMLDecodeError as exc:
        line, problem = syntax_error_location(str(exc), lines.n_lines)
        raise DrillFileError(source, line, "toml", problem) from None
    except ValueError as exc:  # tomllib's own int() of a number with > 4300 digits
        raise DrillFileError(source, None, "toml", f"a number is too long ({exc})") from None
    except RecursionError:
        raise DrillFileError(source, None, "toml", "arrays or tables nest too deep") from None
