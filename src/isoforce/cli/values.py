"""Argparse types for every CLI value: numbers finite and in a stated range, ids, output paths.

Each option names one of these instead of checking its value in its handler, so a bad value is
always one usage line and exit 2, never a traceback from deep inside. The ranges are stated in
the options' help (``Number.span``), which is where the CLI reference gets them.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from isoforce.core.schema import FORCE_LIMIT_N, RATE_LIMIT_HZ

#: The largest id SQLite can store (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _span(low: float, high: float, unit: str, *, low_open: bool) -> str:
    unit_text = f" {unit}" if unit else ""
    if low_open:
        return f"> {_num(low)} and ≤ {_num(high)}{unit_text}"
    return f"{_num(low)}–{_num(high)}{unit_text}"


@dataclass(frozen=True, eq=False)  # hashed by identity: argparse keeps types in a dict
class Number:
    """Argparse type: a finite number from ``low`` to ``high`` (``low`` excluded if ``low_open``).

    ``words`` are spelled-out values accepted as well (``max`` for as fast as possible); the
    help names the first, the others are aliases.
    """

    low: float
    high: float
    unit: str = ""
    low_open: bool = False
    words: Mapping[str, float] = field(default_factory=dict)

    @property
    def span(self) -> str:
        """The range in words, for help texts (``%`` doubled for argparse)."""
        extra = "".join(f" or '{w}'" for w in list(self.words)[:1])
        text = _span(self.low, self.high, self.unit, low_open=self.low_open) + extra
        return text.replace("%", "%%")

    def __call__(self, text: str) -> float:
        """Parse ``text``; anything else is an ``ArgumentTypeError`` naming the range."""
        word = text.strip().lower()
        if word in self.words:
            return self.words[word]
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value) or not (
            (self.low < value if self.low_open else self.low <= value) and value <= self.high
        ):
            raise argparse.ArgumentTypeError(f"must be {self.span.replace('%%', '%')}, got {text}")
        return value


@dataclass(frozen=True, eq=False)  # hashed by identity: argparse keeps types in a dict
class WholeNumber:
    """Argparse type: a whole number from ``low`` to ``high``."""

    low: int
    high: int
    unit: str = ""

    @property
    def span(self) -> str:
        """The range in words, for help texts."""
        return _span(self.low, self.high, self.unit, low_open=False)

    def __call__(self, text: str) -> int:
        """Parse ``text``; anything else is an ``ArgumentTypeError`` naming the range."""
        try:
            value = int(text)
        except ValueError:  # also a number with more digits than int() accepts
            raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
        if not self.low <= value <= self.high:
            raise argparse.ArgumentTypeError(f"must be {self.span}, got {text[:40]}")
        return value


INF = float("inf")
#: Sample rates a device may be asked for (the simulator itself takes 10–2000 Hz).
RATE_HZ = Number(0.0, RATE_LIMIT_HZ, "Hz", low_open=True)
#: Simulator seeds (numpy's seed is an unsigned 32-bit word).
SEED = WholeNumber(0, 2**32 - 1)
#: Playback speed: slower than a tenth of real time never ends in practice.
SPEED = Number(0.1, 1000.0, "× real time", words={"max": INF, "inf": INF})
#: Forces (reference maxima): up to 20 kN, far above any load cell isoforce reads (the same
#: limit an imported sample's force must keep).
FORCE_N = Number(0.0, FORCE_LIMIT_N, "N", low_open=True)
#: How long a session runs: up to a day.
DURATION_S = Number(0.0, 86_400.0, "s", low_open=True)
#: Short intervals (print every, hold, averaging window, listening time): up to an hour.
INTERVAL_S = Number(0.0, 3_600.0, "s", low_open=True)
#: Effort and difference thresholds in percent.
PERCENT = Number(0.0, 100.0, "%", low_open=True)
#: Calibration weights.
MASS_KG = Number(0.0, 1_000.0, "kg", low_open=True)
#: Redraw rates of the terminal UI.
FPS = Number(1.0, 240.0, "frames/s")
#: Serial baud rates.
BAUD = WholeNumber(1, 10_000_000)
#: How many rows a listing shows.
COUNT = WholeNumber(1, 1_000_000)


def session_spec(text: str) -> str:
    """Argparse type: a session number (1 … 2⁶³−1), ``latest``, ``latest-K`` or ``all``."""
    word = text.strip().lower()
    number = word.removeprefix("latest-") if word.startswith("latest-") else word
    if word in {"all", "latest"}:
        return word
    if number.isdigit() and len(number) < 20 and int(number) <= MAX_ID:
        if word == number and int(number) == 0:
            raise argparse.ArgumentTypeError("session numbers start at 1")
        return word
    raise argparse.ArgumentTypeError(
        f"expected a session number (1 to {MAX_ID}), 'latest', 'latest-K' or 'all', "
        f"got {text[:40]!r}"
    )


def output_file(text: str) -> str:
    """Argparse type: a file to write (``-`` is standard output) whose folder exists."""
    if text == "-":
        return text
    if not text:
        raise argparse.ArgumentTypeError("empty path")
    folder = Path(text).expanduser().parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"folder {str(folder)!r} {problem}")
    return text
