"""The progression rule: when the next session's hold target goes up, stays or goes down.

The rule is a small TOML file the user can read and edit. The built-in one
(``drills/rules/progression.toml``) explains every number in plain words; a user's copy (in
the data directory, or given with ``isoforce history --rule FILE``) changes any of them. A bad
file fails with one line naming the file, the line, the key and what is wrong — an unknown
key, a wrong type or a value out of range — like a bad drill file.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from isoforce.drills._reader import Reader, read_toml, toml_type
from isoforce.errors import DrillFileError

#: Largest rule file read (it is a dozen lines; anything near this is not a rule file).
MAX_RULE_BYTES = 100_000

#: File name of a user's rule in the data directory.
RULE_FILE_NAME = "progression.toml"


@dataclass(frozen=True, slots=True)
class ProgressionRule:
    """Thresholds of the progression rule; targets in % of the pain-free max."""

    in_band_needed_pct: float = 80.0
    """A hold is "in band" when it was inside its band for at least this % of its time."""
    raise_by_pct: float = 5.0
    """Points added after a pain-free session with every hold in band (50 % → 55 %)."""
    lower_by_pct: float = 5.0
    """Points taken off after ``painful_sessions_to_lower`` painful sessions in a row."""
    painful_sessions_to_lower: int = 2
    """Painful sessions in a row that lower the target (fewer only keep it)."""
    start_pct: float = 50.0
    """The first hold target when there is a pain-free max but no holds yet."""
    lowest_pct: float = 10.0
    """Targets never go below this."""
    highest_pct: float = 100.0
    """Targets never go above this; 100 % is the pain-free max itself."""
    source: str = "builtin"
    """Where the rule came from: ``builtin`` or the file's path."""

    def as_dict(self) -> dict[str, float | int | str]:
        """The rule as JSON-ready data."""
        return asdict(self)


#: Each key: (lowest allowed, whether the lowest itself is allowed, highest allowed, whole number).
_LIMITS: dict[str, tuple[float, bool, float, bool]] = {
    "in_band_needed_pct": (1.0, True, 100.0, False),
    "raise_by_pct": (0.5, True, 25.0, False),
    "lower_by_pct": (0.5, True, 50.0, False),
    "painful_sessions_to_lower": (1, True, 10, True),
    "start_pct": (5.0, True, 100.0, False),
    "lowest_pct": (0.0, True, 95.0, False),
    "highest_pct": (5.0, True, 100.0, False),
}


def _value(r: Reader, key: str, default: float) -> float:
    if key not in r.data:
        return default
    low, low_ok, high, whole = _LIMITS[key]
    value = r.data[key]
    if whole:
        if isinstance(value, bool) or not isinstance(value, int):
            raise r.error(key, f"must be a whole number, got {toml_type(value)}")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise r.error(key, f"must be a number, got {toml_type(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise r.error(key, "must be a finite number")
    if number < low or (number == low and not low_ok) or number > high:
        raise r.error(key, f"must be between {low:g} and {high:g}, got {number:g}")
    return number


def parse_rule(text: str, *, source: str) -> ProgressionRule:
    """Parse and check rule-file ``text``; errors name ``source`` as the file.

    Every key is optional (a missing one keeps the built-in default); unknown keys, wrong types,
    values out of range and ``lowest_pct`` ≥ ``highest_pct`` or a ``start_pct`` outside them fail.
    """
    if len(text) > MAX_RULE_BYTES:
        raise DrillFileError(source, None, "file", f"too large (at most {MAX_RULE_BYTES:,} bytes)")
    data, lines = read_toml(text, source)
    r = Reader(source, lines, data, (), "")
    r.check_keys(_LIMITS, "the progression rule")
    base = ProgressionRule()
    values = {key: _value(r, key, float(getattr(base, key))) for key in _LIMITS}
    if values["lowest_pct"] >= values["highest_pct"]:
        key = "lowest_pct" if "lowest_pct" in data else "highest_pct"
        raise r.error(
            key,
            f"lowest_pct ({values['lowest_pct']:g}) must be below highest_pct "
            f"({values['highest_pct']:g})",
        )
    if not values["lowest_pct"] <= values["start_pct"] <= values["highest_pct"]:
        raise r.error(
            "start_pct",
            f"must be between lowest_pct ({values['lowest_pct']:g}) and highest_pct "
            f"({values['highest_pct']:g}), got {values['start_pct']:g}",
        )
    return ProgressionRule(
        in_band_needed_pct=values["in_band_needed_pct"],
        raise_by_pct=values["raise_by_pct"],
        lower_by_pct=values["lower_by_pct"],
        painful_sessions_to_lower=int(values["painful_sessions_to_lower"]),
        start_pct=values["start_pct"],
        lowest_pct=values["lowest_pct"],
        highest_pct=values["highest_pct"],
        source=source,
    )


def builtin_rule_text() -> str:
    """The text of the built-in rule file, with its comments."""
    entry = resources.files("isoforce.drills").joinpath("rules", RULE_FILE_NAME)
    return entry.read_text(encoding="utf-8")


def builtin_rule() -> ProgressionRule:
    """The built-in rule (``source`` is ``builtin``)."""
    return parse_rule(builtin_rule_text(), source="builtin")


def load_rule(path: Path | str) -> ProgressionRule:
    """The rule in the file at ``path``; a bad or unreadable file raises ``DrillFileError``."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_RULE_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DrillFileError(path, None, "file", f"cannot read: {problem}") from None
    return parse_rule(text.replace("\r\n", "\n"), source=str(path))


def find_rule(explicit: Path | str | None, data_dir: Path) -> ProgressionRule:
    """The rule to use: ``explicit`` (``--rule FILE``), else the data directory's, else built in."""
    if explicit is not None:
        return load_rule(explicit)
    own = data_dir / RULE_FILE_NAME
    if own.is_file():
        return load_rule(own)
    return builtin_rule()
