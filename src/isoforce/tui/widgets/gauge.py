"""The effort gauge: a fixed 0–120 % bar with the target band, and the state in words.

The scale never moves (0 to :data:`GAUGE_MAX_PCT`, ticks every 20 %), so the eye learns where
the band sits; an effort past the end shows ``▶``. The state is a word and a shape as well as a
colour: ``▲ UNDER — more``, ``● IN BAND``, ``▼ OVER — ease off``.
"""

from __future__ import annotations

import math

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


def gauge_line(*, width: int, effort_pct: float, target_pct: float, band_pct: float) -> Text:
    """One bar row: filled to |effort|, the band as ``[░░]``, the target as ``│``."""
    width = max(10, width)
    cells = [" "] * width
    styles = [""] * width

    def col(pct: float) -> int:
        return max(0, min(width - 1, round(abs(pct) / GAUGE_MAX_PCT * (width - 1))))

    if not math.isnan(band_pct) and not math.isnan(target_pct):
        lo, hi = col(max(0.0, abs(target_pct) - band_pct)), col(abs(target_pct) + band_pct)
        for i in range(lo, hi + 1):
            cells[i], styles[i] = "░", "green"
        cells[lo], cells[hi] = "[", "]"
        styles[lo] = styles[hi] = "bold green"
        cells[col(target_pct)], styles[col(target_pct)] = "│", "bold white"
    if not math.isnan(effort_pct):
        fill = col(effort_pct)
        for i in range(fill + 1):
            inside = styles[i].endswith("green")
            cells[i] = "█"
            styles[i] = "bright_green" if inside else "cyan"
        if abs(effort_pct) > GAUGE_MAX_PCT:
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

    def render(self) -> Text:
        """The state box and bar rows, then the scale."""
        bar_rows = max(1, self.size.height - 1)
        width = max(10, self.size.width - STATE_BOX - 2)
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
