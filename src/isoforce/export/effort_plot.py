"""PNGs of force curves: a session's efforts, and two sessions compared.

A session's efforts: each curve with its onset, RFD windows, best 1 s and peak marked. Two
sessions compared: their strongest efforts overlaid from onset.

Needs matplotlib, the optional ``plot`` extra (``pip install 'isoforce[plot]'``); without it
:func:`write_efforts_png` raises :class:`~isoforce.export.plot.MissingExtraError`. One panel per
effort (at most :data:`MAX_PANELS`; the title says how many were left out), each reduced to a
min/max envelope per pixel column so an hour-long effort plots as fast as a short one.
"""

from __future__ import annotations

import math
from typing import Any, BinaryIO

import numpy as np

from isoforce.export.plot import MissingExtraError, _envelope
from isoforce.session.compare import Comparison
from isoforce.session.efforts import Effort, SessionAnalysis
from isoforce.session.trends import Trend

#: Panels in one image at most.
MAX_PANELS = 12
_COLUMNS = 3
_RFD_SHADES = (
    ("rfd_0_200ms_n_per_s", "#fdd0a2"),
    ("rfd_0_100ms_n_per_s", "#fdae6b"),
    ("rfd_0_50ms_n_per_s", "#e6550d"),
)


def _figure(what: str, width_in: float, height_in: float) -> Any:
    """A matplotlib figure on the Agg canvas (100 dpi), or a clear error naming ``what``."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError(
            f"{what} needs matplotlib: install it with pip install 'isoforce[plot]'"
        ) from None
    fig = Figure(figsize=(width_in, height_in), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _label_axes(ax: Any, title: str, *, x: str | None, y: str, title_size: int = 9) -> None:
    """The look every panel shares: title, axis labels (no x label: None), small ticks, grid."""
    ax.set_title(title, fontsize=title_size)
    if x is not None:
        ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)


def write_efforts_png(out: BinaryIO, analysis: SessionAnalysis, *, panel_px: int = 460) -> None:
    """Plot every effort of ``analysis`` (up to :data:`MAX_PANELS`) as one PNG into ``out``."""
    efforts = analysis.efforts[:MAX_PANELS]
    columns = max(1, min(_COLUMNS, len(efforts)))
    rows = max(1, math.ceil(len(efforts) / columns))
    width_px = max(columns * panel_px, 760)  # room for the title over a single panel
    fig = _figure("the report's PNG", width_px / 100, rows * panel_px * 0.7 / 100 + 0.6)
    left_out = len(analysis.efforts) - len(efforts)
    more = f" (first {len(efforts)} of {len(analysis.efforts)})" if left_out else ""
    fig.suptitle(f"session {analysis.session_id} — {analysis.title}{more}", fontsize=11)
    if not efforts:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "; ".join(analysis.notes) or "no effort", ha="center", va="center")
        ax.set_axis_off()
    for k, effort in enumerate(efforts):
        _panel(fig.add_subplot(rows, columns, k + 1), effort, bins=panel_px)
    fig.tight_layout()
    fig.savefig(out, format="png")


def _panel(ax: Any, effort: Effort, *, bins: int) -> None:
    m = {v.key: v for v in effort.metrics}
    curve = effort.curve
    t, f = curve.t_s, curve.force_n
    # no line across a gap: NaN after each gap interval's first sample
    if curve.gap_after.any():
        cut = np.flatnonzero(curve.gap_after) + 1
        t, f = np.insert(t, cut, np.nan), np.insert(f, cut, np.nan)
    tt, ff = _envelope(t, f, bins)
    ax.plot(tt, ff, color="#1f77b4", linewidth=0.9)
    for key, colour in _RFD_SHADES:
        v = m[key]
        if v.value is not None and v.start_s is not None and v.end_s is not None:
            ax.axvspan(v.start_s, v.end_s, color=colour, alpha=0.35, linewidth=0, label=v.label)
    best = m["best_1s_n"]
    if best.value is not None and best.start_s is not None and best.end_s is not None:
        # its value in the legend: a label beside the bar ran into the peak and the curve
        ax.hlines(
            best.value,
            best.start_s,
            best.end_s,
            color="#2ca02c",
            linewidth=2.5,
            label=f"best 1 s {best.value:.1f} N",
        )
    r2080 = m["rfd_20_80_n_per_s"]
    if r2080.value is not None and r2080.start_s is not None and r2080.end_s is not None:
        ax.axvline(r2080.start_s, color="#9467bd", linewidth=0.8, linestyle=":")
        ax.axvline(r2080.end_s, color="#9467bd", linewidth=0.8, linestyle=":", label="20 %, 80 %")
    onset = m["onset_s"]
    if onset.value is not None:
        ax.axvline(onset.value, color="#d62728", linewidth=1.0, label="onset")
    peak = m["peak_n"]
    if peak.value is not None and peak.start_s is not None:  # the analysis' peak and its time
        ax.plot([peak.start_s], [peak.value], marker="v", color="#d62728", markersize=5)
    pull = " (pull)" if effort.sign < 0 else ""
    _label_axes(ax, f"{effort.number}. {effort.label}{pull}", x="time (s)", y="force (N)")
    notes = [v.label for v in effort.metrics if v.note.startswith("rate too low")]
    if notes:
        ax.text(
            0.01,
            0.99,
            "rate too low for: " + ", ".join(notes),
            transform=ax.transAxes,
            fontsize=6,
            va="top",
            color="#7f7f7f",
            wrap=True,
        )
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize=6)


def write_compare_png(out: BinaryIO, comparison: Comparison, *, panel_px: int = 560) -> None:
    """Overlay the compared efforts of two sessions, one panel per direction, aligned at onset."""
    pairs = comparison.pairs
    columns = max(1, len(pairs))
    width_in = max(columns * panel_px, 760) / 100
    fig = _figure("the comparison's PNG", width_in, panel_px * 0.75 / 100 + 0.6)
    a, b = comparison.a, comparison.b
    fig.suptitle(
        f"A: session {a.session_id} — {a.title}   vs   B: session {b.session_id} — {b.title}",
        fontsize=10,
    )
    if not pairs:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "; ".join(comparison.notes) or "nothing to compare", ha="center")
        ax.set_axis_off()
    for k, pair in enumerate(pairs):
        ax = fig.add_subplot(1, columns, k + 1)
        for name, effort, colour in (("A", pair.a, "#1f77b4"), ("B", pair.b, "#ff7f0e")):
            curve = effort.curve
            onset = effort.metric("onset_s").value
            t0 = onset if onset is not None else float(curve.t_s[0])
            t, f = curve.t_s - t0, curve.force_n
            if curve.gap_after.any():
                cut = np.flatnonzero(curve.gap_after) + 1
                t, f = np.insert(t, cut, np.nan), np.insert(f, cut, np.nan)
            tt, ff = _envelope(t, f, panel_px)
            peak = effort.metric("peak_n").value
            label = f"{name}: {effort.label}" + (f" (peak {peak:.1f} N)" if peak else "")
            ax.plot(tt, ff, color=colour, linewidth=1.0, label=label)
        ax.axvline(0.0, color="#7f7f7f", linewidth=0.8, linestyle=":")
        title = f"{pair.direction} — strongest effort of each"
        _label_axes(ax, title, x="time from onset (s)", y="force (N)")
        ax.legend(loc="lower right", fontsize=6)
    fig.tight_layout()
    fig.savefig(out, format="png")


def write_trend_png(out: BinaryIO, trend: Trend) -> None:
    """One metric over time: a line per side and direction.

    Points without a value are left out of the line; the text chart says why.
    """
    from datetime import datetime

    fig = _figure("the chart's PNG", 8.0, 4.5)
    ax = fig.add_subplot()
    for s in trend.series:
        pts = [(datetime.fromisoformat(p.started_at), p.value) for p in s.points if p.value]
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="o", label=f"{s.side} {s.direction}")
    title = f"{trend.label} of each session's strongest effort"
    _label_axes(ax, title, x=None, y=f"{trend.label} ({trend.unit})", title_size=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out, format="png")
