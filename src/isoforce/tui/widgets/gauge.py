"""The effort gauge: a fixed 0–120 % bar with the target band, and the state in words.

The scale never moves (0 to :data:`GAUGE_MAX_PCT`, ticks every 20 %), so the eye learns where
the band sits; an effort past the end shows ``▶``. The state is a word and a shape as well as a
colour: ``▲ UNDER — more``, ``● IN BAND``, ``▼ OVER — ease off``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from rich.text import Text
from textual.reactive import reactive
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


def styled_runs(chars: list[str], styles: list[str]) -> Text:
    """One row as Text with one span per run of equal style (cheap to build and render)."""
    text = Text("".join(chars))
    start = 0
    for i in range(1, len(styles) + 1):
        if i == len(styles) or styles[i] != styles[start]:
            if styles[start]:
                text.stylize(styles[start], start, i)
            start = i
    return text


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


def gauge_line(*, width: int, effort_pct: float, target_pct: float, band_pct: float) -> Text:
    """One bar row: filled to |effort|, the band as ``[░░]``, the target as ``│``."""
    return draw_bar(
        max(10, width),
        bar_cells(width=width, effort_pct=effort_pct, target_pct=target_pct, band_pct=band_pct),
    )


def draw_bar(width: int, cells_at: BarCells) -> Text:
    """The bar row of ``width`` cells with its marks where ``cells_at`` puts them."""
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
    return styled_runs(cells, styles)


def tick_line(width: int) -> Text:
    """The fixed scale under the bar: 0, 20, … 120 %."""
    cells = [" "] * (width + 4)
    for pct in range(0, int(GAUGE_MAX_PCT) + 1, TICK_STEP_PCT):
        label = f"{pct}" if pct < GAUGE_MAX_PCT else f"{pct} %"
        pos = round(pct / GAUGE_MAX_PCT * (width - 1))
        if pct:
            pos -= len(str(pct)) // 2
        cells[pos : pos + len(label)] = list(label)
    return Text("".join(cells[: width + 4]).rstrip(), style="dim")


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

    def render(self) -> Text:
        """The state box and bar rows, then the scale."""
        bar_rows = max(1, self.size.height - 1)
        width = self._bar_width()
        bar = gauge_line(
            width=width,
            effort_pct=self.effort_pct,
            target_pct=self.target_pct,
            band_pct=self.band_pct,
        )
        style = STATE_STYLE[self.state]
        word = state_word(self.state)
        out = Text()
        for row in range(bar_rows):
            label = word if row == (bar_rows - 1) // 2 else ""
            out.append(f" {label}".ljust(STATE_BOX - 1)[: STATE_BOX - 1], style=style)
            out.append("  ")
            out.append_text(bar)
            out.append("\n")
        out.append(" " * (STATE_BOX + 1))
        out.append_text(tick_line(width))
        return out
