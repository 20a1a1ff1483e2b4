"""The effort gauge: a fixed 0–120 % bar with the target band, and the state in words.

The scale never moves (0 to :data:`GAUGE_MAX_PCT`, ticks every 20 %), so the eye learns where
the band sits; an effort past the end shows ``▶``. The state is a word and a shape as well as a
colour: ``▲ UNDER — more``, ``● IN BAND``, ``▼ OVER — ease off``.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from isoforce.tui.view import BandState

GAUGE_MAX_PCT = 120.0
"""The gauge's fixed right end (the highest target a drill may ask, with consent)."""
TICK_STEP_PCT = 20
STATE_BOX = 20
"""Columns of the state word's box left of the bar."""

STATE_STYLE = {
    BandState.IN: "bold black on green",
    BandState.UNDER: "bold black on yellow",
    BandState.OVER: "bold white on red",
    BandState.NOT_MEASURED: "bold white on grey30",
    BandState.NONE: "",
}


#: A piece of a row: its text and the style words it is drawn in ("" for the widget's own).
Run = tuple[str, str]


def style_runs(chars: list[str], styles: list[str]) -> list[Run]:
    """One row's cells as runs of equal style (one segment each when drawn)."""
    runs: list[Run] = []
    start = 0
    for i in range(1, len(styles) + 1):
        if i == len(styles) or styles[i] != styles[start]:
            runs.append(("".join(chars[start:i]), styles[start]))
            start = i
    return runs


class BarCells(NamedTuple):
    """Where a bar row's marks fall: two values with equal cells draw the same row."""

    fill: int | None
    """The last filled column (None: no effort to show)."""
    over: bool
    """The effort runs past the gauge's end (``▶``)."""
    band: tuple[int, int] | None
    """The band's first and last column (None: no band)."""
    target: int | None
    """The target's column (None: no band and target)."""


def bar_cells(*, width: int, effort_pct: float, target_pct: float, band_pct: float) -> BarCells:
    """The columns of a bar row of ``width`` cells (at least 10) for these values."""
    width = max(10, width)

    def col(pct: float) -> int:
        return max(0, min(width - 1, round(abs(pct) / GAUGE_MAX_PCT * (width - 1))))

    band = target = None
    if not math.isnan(band_pct) and not math.isnan(target_pct):
        band = col(max(0.0, abs(target_pct) - band_pct)), col(abs(target_pct) + band_pct)
        target = col(target_pct)
    effort = not math.isnan(effort_pct)
    return BarCells(
        fill=col(effort_pct) if effort else None,
        over=effort and abs(effort_pct) > GAUGE_MAX_PCT,
        band=band,
        target=target,
    )


def bar_runs(width: int, cells_at: BarCells) -> list[Run]:
    """The bar row of ``width`` cells with its marks where ``cells_at`` puts them.

    Filled to |effort|, the band as ``[░░]``, the target as ``│``.
    """
    cells = [" "] * width
    styles = [""] * width
    if cells_at.band is not None and cells_at.target is not None:
        lo, hi = cells_at.band
        for i in range(lo, hi + 1):
            cells[i], styles[i] = "░", "green"
        cells[lo], cells[hi] = "[", "]"
        styles[lo] = styles[hi] = "bold green"
        cells[cells_at.target], styles[cells_at.target] = "│", "bold white"
    if cells_at.fill is not None:
        for i in range(cells_at.fill + 1):
            inside = styles[i].endswith("green")
            cells[i] = "█"
            styles[i] = "bright_green" if inside else "cyan"
        if cells_at.over:
            cells[-1], styles[-1] = "▶", "bold red"
    return style_runs(cells, styles)


def tick_text(width: int) -> str:
    """The fixed scale under a bar of ``width`` cells: 0, 20, … 120, each under its cell.

    The labels end at most one cell past the bar, so the row fits the widget.
    """
    cells = [" "] * (width + 1)
    for pct in range(0, int(GAUGE_MAX_PCT) + 1, TICK_STEP_PCT):
        label = str(pct)
        pos = round(pct / GAUGE_MAX_PCT * (width - 1)) - len(label) // 2 if pct else 0
        cells[pos : pos + len(label)] = list(label)
    return "".join(cells).rstrip()


def gauge_rows(
    *, bar_rows: int, width: int, cells_at: BarCells, state: BandState
) -> list[list[Run]]:
    """Every row of a gauge: ``bar_rows`` rows of the state box and the bar, then the scale.

    The state's word sits in the middle bar row; the scale reads ``% 0  20 … 120``.
    """
    bar = bar_runs(width, cells_at)
    word = state_word(state)
    style = STATE_STYLE[state]
    rows = []
    for row in range(bar_rows):
        label = word if row == (bar_rows - 1) // 2 else ""
        box = f" {label}".ljust(STATE_BOX - 1)[: STATE_BOX - 1]
        rows.append([(box, style), ("  ", ""), *bar])
    # the scale's unit left of its 0, in the state box's column
    rows.append([("%".rjust(STATE_BOX) + " ", "dim"), (tick_text(width), "dim")])
    return rows


def state_word(state: BandState) -> str:
    """The state as its shape and word (empty without a band)."""
    return f"{state.shape} {state.label}" if state is not BandState.NONE else ""


class EffortGauge(Widget):
    """Horizontal effort gauge on a fixed 0–120 % scale; its bar rows fill the height."""

    DEFAULT_CSS = """
    EffortGauge { height: 3; width: 100%; }
    """

    effort_pct: reactive[float] = reactive(float("nan"))
    target_pct: reactive[float] = reactive(float("nan"))
    band_pct: reactive[float] = reactive(float("nan"))
    state: reactive[BandState] = reactive(BandState.NONE)

    #: The marks' cells and the state last handed to the reactives (None: nothing yet).
    _shown: tuple[BarCells, BandState] | None = None
    #: The rows last built and what they were built for (cells, state, size).
    _strips: tuple[Strip, ...] = ()
    _strips_key: tuple[object, ...] | None = None

    def _bar_width(self) -> int:
        return max(10, self.size.width - STATE_BOX - 2)

    def show(
        self,
        *,
        effort_pct: float,
        target_pct: float = math.nan,
        band_pct: float = math.nan,
        state: BandState = BandState.NONE,
    ) -> None:
        """Take a frame's values; redraw only when a mark changes cell or the state changes.

        A noisy hold moves the number far more often than the bar: each redraw is a
        compositor pass, the biggest part of the screen's CPU at one sample a chunk.
        """
        cells = bar_cells(
            width=self._bar_width(),
            effort_pct=effort_pct,
            target_pct=target_pct,
            band_pct=band_pct,
        )
        if self._shown == (cells, state):
            return
        self._shown = (cells, state)
        self.effort_pct = effort_pct
        self.target_pct = target_pct
        self.band_pct = band_pct
        self.state = state

    def notify_style_update(self) -> None:
        """Rebuild the rows on the new background (a style or the theme changed)."""
        super().notify_style_update()
        self._strips_key = None

    def lines(self) -> list[str]:
        """The rows as drawn at the widget's size (for tests)."""
        return [strip.text for strip in self._current()]

    def _current(self) -> tuple[Strip, ...]:
        size = self.size
        width = self._bar_width()
        cells = bar_cells(
            width=width,
            effort_pct=self.effort_pct,
            target_pct=self.target_pct,
            band_pct=self.band_pct,
        )
        key = (cells, self.state, size)
        if key != self._strips_key:
            base = self.rich_style
            rows = gauge_rows(
                bar_rows=max(1, size.height - 1), width=width, cells_at=cells, state=self.state
            )
            self._strips = tuple(
                Strip(
                    [Segment(text, self._style(base, words)) for text, words in row]
                ).adjust_cell_length(size.width, base)
                for row in rows
            )
            self._strips_key = key
        return self._strips

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def _style(base: Style, words: str) -> Style:
        return base + Style.parse(words) if words else base

    def render_line(self, y: int) -> Strip:
        """One row of the gauge (Textual's line API): state boxes and bar rows, then the scale.

        Rows are built as segments when a mark moves to another cell, the state or the size
        changes; built as rich ``Text`` each time, a redraw cost about 2 ms of CPU.
        """
        strips = self._current()
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.rich_style)
