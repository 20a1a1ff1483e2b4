"""The effort gauge: a fixed 0–120 % bar with the target band, and the state in words.

The scale never moves (0 to :data:`GAUGE_MAX_PCT`, ticks every 20 %), so the eye learns where
the band sits; an effort past the end shows ``▶``. The state is a word and a shape as well as a
colour: ``▲ UNDER — more``, ``● IN BAND``, ``▼ OVER — ease off``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from isoforce.tui.view import BandState, LiveView, Reading
from isoforce.tui.widgets.rows import RowWidget

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


#: A drawn fill moves only once the effort is this many cells from it: a noisy hold then does
#: not flicker between two cells (and repaint the bar each time), while a ramp still moves it
#: one cell at a time, half a cell later than plain rounding would.
FILL_HOLD_CELLS = 1.0


def bar_cells(
    *,
    width: int,
    effort_pct: float,
    target_pct: float,
    band_pct: float,
    held_fill: int | None = None,
) -> BarCells:
    """The columns of a bar row of ``width`` cells (at least 10) for these values.

    ``held_fill``: the fill drawn last at this width; it stays while the effort is within
    :data:`FILL_HOLD_CELLS` of it.
    """
    width = max(10, width)

    def at(pct: float) -> float:
        return max(0.0, min(width - 1.0, abs(pct) / GAUGE_MAX_PCT * (width - 1)))

    def col(pct: float) -> int:
        return round(at(pct))

    band = target = None
    if not math.isnan(band_pct) and not math.isnan(target_pct):
        band = col(max(0.0, abs(target_pct) - band_pct)), col(abs(target_pct) + band_pct)
        target = col(target_pct)
    effort = not math.isnan(effort_pct)
    fill = None
    if effort:
        fill = col(effort_pct)
        if held_fill is not None and abs(at(effort_pct) - held_fill) < FILL_HOLD_CELLS:
            fill = held_fill
    return BarCells(
        fill=fill,
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


class EffortGauge(RowWidget):
    """Horizontal effort gauge on a fixed 0–120 % scale; its bar rows fill the height."""

    DEFAULT_CSS = """
    EffortGauge { height: 3; width: 100%; }
    """

    #: The values last shown (:meth:`show`).
    effort_pct = math.nan
    target_pct = math.nan
    band_pct = math.nan
    state = BandState.NONE
    #: The marks' cells last worked out, and the bar width they are for (-1: none yet).
    _shown_cells = BarCells(None, False, None, None)
    _cells_width = -1

    def _bar_width(self) -> int:
        return max(10, self.inner_size.width - STATE_BOX - 2)

    def _cells(self) -> BarCells:
        """The marks' cells at the current width (worked out afresh after a resize)."""
        if self._cells_width != self._bar_width():
            return self._work_out_cells(hold=False)
        return self._shown_cells

    def _work_out_cells(self, *, hold: bool) -> BarCells:
        """The marks' cells for the values last shown.

        With ``hold``, the fill drawn last at this width stays within :data:`FILL_HOLD_CELLS`.
        """
        width = self._bar_width()
        held = self._shown_cells.fill if hold and self._cells_width == width else None
        self._shown_cells = bar_cells(
            width=width,
            effort_pct=self.effort_pct,
            target_pct=self.target_pct,
            band_pct=self.band_pct,
            held_fill=held,
        )
        self._cells_width = width
        return self._shown_cells

    def show(
        self,
        *,
        effort_pct: float,
        target_pct: float = math.nan,
        band_pct: float = math.nan,
        state: BandState = BandState.NONE,
    ) -> None:
        """Take a frame's values; repaint only when a mark changes cell or the state changes.

        A noisy hold moves the number far more often than the bar (whose fill also holds its
        cell within :data:`FILL_HOLD_CELLS`), and only the bar rows are repainted, not the
        scale: each repaint is a pass through Textual's compositor.
        """
        # the same effort again (the stream stopped or stalled): the fill settles where
        # rounding puts it, whatever the frames before it were
        moving = effort_pct != self.effort_pct
        self.effort_pct, self.target_pct, self.band_pct = effort_pct, target_pct, band_pct
        self.state = state
        self._work_out_cells(hold=moving)
        self.update_rows()

    def follow(self, now: Reading | LiveView) -> None:
        """:meth:`show` the effort, target, band and state of a frame's reading or view."""
        self.show(
            effort_pct=now.effort_pct,
            target_pct=now.target_pct,
            band_pct=now.band_pct,
            state=now.state,
        )

    def rows_key(self) -> Hashable:
        """The marks' cells and the state: equal keys draw the same rows."""
        return (self._cells(), self.state)

    def build_rows(self, width: int, height: int) -> list[Strip]:
        """The state boxes and bar rows, then the scale, as segments on the widget's style."""
        base = self.rich_style
        rows = gauge_rows(
            bar_rows=max(1, height - 1),
            width=self._bar_width(),
            cells_at=self._cells(),
            state=self.state,
        )
        return [
            Strip([Segment(text, _style(base, words)) for text, words in row]).adjust_cell_length(
                width, base
            )
            for row in rows
        ]


@functools.lru_cache(maxsize=64)
def _style(base: Style, words: str) -> Style:
    """``words`` (a rich style definition) on top of the widget's own style."""
    return base + Style.parse(words) if words else base
