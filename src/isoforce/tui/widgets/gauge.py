"""The big effort gauge: a bar with the target band marked, state in colour *and* shape/text."""

from __future__ import annotations

import math

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from isoforce.tui.view import BandState

STATE_STYLE = {
    BandState.IN: "bold black on green",
    BandState.UNDER: "bold black on yellow",
    BandState.OVER: "bold white on red",
    BandState.NOT_MEASURED: "bold white on grey30",
    BandState.NONE: "bold",
}


def gauge_line(
    *, width: int, effort_pct: float, target_pct: float, band_pct: float, scale_pct: float
) -> Text:
    """One gauge row: filled bar to |effort|, band as ``[░░]`` brackets, target as ``│``."""
    width = max(10, width)
    cells = [" "] * width
    styles = [""] * width

    def col(pct: float) -> int:
        return max(0, min(width - 1, round(abs(pct) / scale_pct * (width - 1))))

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
    from isoforce.tui.widgets.curve import _runs

    return _runs(cells, styles)


class EffortGauge(Widget):
    """Horizontal effort gauge, several rows tall so it reads from two metres."""

    DEFAULT_CSS = """
    EffortGauge { height: 4; width: 100%; }
    """

    effort_pct: reactive[float] = reactive(float("nan"))
    target_pct: reactive[float] = reactive(float("nan"))
    band_pct: reactive[float] = reactive(float("nan"))
    state: reactive[BandState] = reactive(BandState.NONE)

    def render(self) -> Text:
        """Scale line, bar rows and the state word with its shape."""
        width = max(10, self.size.width - 2)
        top = max(100.0, abs(self.target_pct) + 15 if not math.isnan(self.target_pct) else 0.0)
        scale = 10 * math.ceil(
            max(top, abs(self.effort_pct) if not math.isnan(self.effort_pct) else 0.0) / 10
        )
        bar = gauge_line(
            width=width,
            effort_pct=self.effort_pct,
            target_pct=self.target_pct,
            band_pct=self.band_pct,
            scale_pct=scale,
        )
        tick_cells = [" "] * (width + 1)
        for pct in range(0, int(scale) + 1, 25 if scale <= 125 else 50):
            label = f"{pct}"
            pos = min(round(pct / scale * (width - 1)) + 1, width + 1 - len(label))
            tick_cells[pos : pos + len(label)] = list(label)
        ticks = Text("".join(tick_cells), style="dim")
        out = Text(" ")
        out.append_text(bar)
        out.append("\n ")
        out.append_text(bar)
        out.append("\n")
        out.append_text(ticks)
        out.append("\n ")
        word = (
            f" {self.state.shape} {self.state.label} " if self.state is not BandState.NONE else ""
        )
        out.append(word, style=STATE_STYLE[self.state])
        return out
