"""The force curve of the current step with the target curve and band drawn over it."""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from isoforce.core.samples import FloatArray
from isoforce.tui.view import Curve


def render_curve(curve: Curve, *, width: int, height: int) -> list[Text]:
    """Character plot: band ``░``, target ``─``, effort ``█`` (one column per time bucket)."""
    width, height = max(10, width), max(3, height)
    span = max(1e-6, curve.t_end_s - curve.t_start_s)
    values = [
        abs(v)
        for v in (*curve.effort_pct.tolist(), *curve.target_pct.tolist())
        if not math.isnan(v)
    ]
    top = max(100.0, (max(values) if values else 0.0) + 5)
    grid = [[" "] * width for _ in range(height)]
    style = [[""] * width for _ in range(height)]

    def row(pct: float) -> int:
        return max(0, min(height - 1, height - 1 - round(abs(pct) / top * (height - 1))))

    def cols(t: FloatArray) -> list[int]:
        idx = np.clip(((t - curve.t_start_s) / span * (width - 1)).round(), 0, width - 1)
        return [int(v) for v in idx.tolist()]

    if curve.target_t_s.size:
        tc = cols(curve.target_t_s)
        for c, target in zip(tc, curve.target_pct.tolist(), strict=True):
            if math.isnan(target):
                continue
            if not math.isnan(curve.band_pct):
                for r in range(
                    row(abs(target) + curve.band_pct),
                    row(max(0.0, abs(target) - curve.band_pct)) + 1,
                ):
                    grid[r][c], style[r][c] = "░", "green"
            grid[row(target)][c], style[row(target)][c] = "─", "bold white"
    if curve.t_s.size:
        ec = cols(curve.t_s)
        for c, effort in zip(ec, curve.effort_pct.tolist(), strict=True):
            if math.isnan(effort):
                continue
            r = row(effort)
            grid[r][c], style[r][c] = "█", "bold cyan"
    return [_runs(grid[r], style[r]) for r in range(height)]


def _runs(chars: list[str], styles: list[str]) -> Text:
    """One Text per row, with one span per run of equal style (cheap to build and render)."""
    text = Text("".join(chars))
    start = 0
    for i in range(1, len(styles) + 1):
        if i == len(styles) or styles[i] != styles[start]:
            if styles[start]:
                text.stylize(styles[start], start, i)
            start = i
    return text


class CurvePlot(Widget):
    """Plot of effort (█) over the step's target (─) and band (░)."""

    DEFAULT_CSS = """
    CurvePlot { height: 1fr; min-height: 3; width: 100%; }
    """

    curve: reactive[Curve] = reactive(Curve, always_update=True)

    def render(self) -> Text:
        """The plot, sized to the widget."""
        lines = render_curve(self.curve, width=self.size.width, height=self.size.height)
        return Text("\n").join(lines)
