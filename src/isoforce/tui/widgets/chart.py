"""A braille line chart with labelled axes, shaded bands and a legend, as a Textual widget.

:class:`ChartData` says what to draw (series, bands, ranges, the axes' units); it is plain data
that pure code builds (:mod:`isoforce.tui.charts`). :func:`render_chart` lays it out at a size
and draws it with :mod:`~isoforce.tui.widgets.braille` — whole arrays at a time, no per-sample
Python — into one :class:`~textual.strip.Strip` per row. :class:`ChartView` draws the strips
(Textual's line API) and redraws at most ``max_hz`` times a second, however often it is fed.

Layout, top to bottom: a header (left axis unit · legend · right axis unit), the plot framed by
the left axis (its ticks), the right axis (ticks in the second unit, when there is one) and the
time axis, and a row of time ticks with the time axis' label. Small sizes drop the header, then
the time ticks, keeping the plot.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from isoforce.core.samples import FloatArray
from isoforce.tui.widgets.braille import (
    cell_codes,
    cell_text,
    column_spans,
    points_to_grid,
    spans_to_grid,
)
from isoforce.tui.widgets.rows import RowWidget

_EMPTY = np.empty(0)


@dataclass(frozen=True, slots=True)
class Series:
    """One line (or markers) in data units; ``x`` ascending, NaN in ``y`` is a gap."""

    x: FloatArray
    y: FloatArray
    style: str
    label: str = ""
    #: Draw a marker at each point too (sparse series such as dated maxima).
    markers: bool = False
    #: Draw the line between points (False: markers only).
    line: bool = True


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded range between ``lo`` and ``hi`` over ``x`` (NaN: no band there)."""

    x: FloatArray
    lo: FloatArray
    hi: FloatArray
    style: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Axis:
    """A vertical axis: what its numbers are, and its value per data unit (value = y × scale)."""

    label: str
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class ChartData:
    """Everything one chart shows (plain data; the widget only draws it)."""

    series: tuple[Series, ...] = ()
    bands: tuple[Band, ...] = ()
    x_min: float = 0.0
    x_max: float = 10.0
    y_min: float = 0.0
    y_max: float = 100.0
    left: Axis = field(default_factory=lambda: Axis("N"))
    right: Axis | None = None
    x_label: str = "s"
    #: Explicit time ticks ``(x, text)`` (e.g. dates); None: round numbers of ``x``.
    x_ticks: tuple[tuple[float, str], ...] | None = None
    #: Said in the header when nothing can be plotted or a unit is missing.
    note: str = ""


HEADER_MIN_ROWS = 5
X_TICKS_MIN_ROWS = 6
AXIS_STYLE = Style(color="grey70")
LABEL_STYLE = Style(color="grey85", bold=True)


def nice_ticks(lo: float, hi: float, max_count: int) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 × 10ⁿ apart) within ``lo .. hi``, at most ``max_count``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_count < 1:
        return []
    raw = (hi - lo) / max(1, max_count)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = m * mag
        if step >= raw:
            break
    first = math.ceil(lo / step - 1e-9) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(max(0, count))]


def _fmt(value: float) -> str:
    """A tick's text: whole numbers bare, others with the decimals they need (up to 3).

    Ticks 0.025 apart read 0.025, 0.05, 0.075 (not 0.0, 0.1, 0.1), and 12.5 is not 12.
    """
    return f"{value:.0f}" if value == round(value) else f"{round(value, 3):g}"


@dataclass(frozen=True, slots=True)
class _Layout:
    width: int
    height: int
    header: bool
    x_ticks: bool
    left_w: int
    right_w: int
    plot_w: int
    plot_h: int
    left_ticks: list[tuple[int, str]]
    right_ticks: list[tuple[int, str]]


def _tick_rows(axis: Axis, data: ChartData, plot_h: int) -> list[tuple[int, str]]:
    """Row and text of each tick of a vertical axis (no two on one row)."""
    lo, hi = data.y_min * axis.scale, data.y_max * axis.scale
    if axis.scale < 0:
        lo, hi = hi, lo
    out: list[tuple[int, str]] = []
    used: set[int] = set()
    span = data.y_max - data.y_min
    for value in nice_ticks(lo, hi, max(2, plot_h // 2)):
        y = value / axis.scale
        row = int((data.y_max - y) / span * (plot_h * 4 - 1) + 0.5) // 4
        if 0 <= row < plot_h and row not in used:
            used.add(row)
            out.append((row, _fmt(value)))
    return out


def _layout(data: ChartData, width: int, height: int) -> _Layout:
    header = height >= HEADER_MIN_ROWS
    x_ticks = height >= X_TICKS_MIN_ROWS
    plot_h = max(1, height - (1 if header else 0) - (2 if x_ticks else 1))
    left_ticks = _tick_rows(data.left, data, plot_h)
    right_ticks = _tick_rows(data.right, data, plot_h) if data.right is not None else []
    left_w = max((len(t) for _, t in left_ticks), default=1) + 1
    right_w = max((len(t) for _, t in right_ticks), default=0) + 1 if data.right else 0
    plot_w = max(1, width - left_w - 1 - right_w - (1 if data.right else 0))
    return _Layout(
        width, height, header, x_ticks, left_w, right_w, plot_w, plot_h, left_ticks, right_ticks
    )


def _pixels(
    data: ChartData, x: FloatArray, y: FloatArray, width_px: int, height_px: int
) -> tuple[FloatArray, FloatArray]:
    x_span = data.x_max - data.x_min or 1e-9
    y_span = data.y_max - data.y_min or 1e-9
    x_px = (np.asarray(x, dtype=np.float64) - data.x_min) / x_span * (width_px - 1)
    y_px = (data.y_max - np.asarray(y, dtype=np.float64)) / y_span * (height_px - 1)
    return x_px, np.clip(y_px, 0, height_px - 1)


def _plot_cells(data: ChartData, plot_w: int, plot_h: int) -> tuple[list[str], np.ndarray]:
    """Braille text per plot row and a style index per cell (0 none, 1.. series, +band flag)."""
    width_px, height_px = plot_w * 2, plot_h * 4
    codes = np.zeros((plot_h, plot_w), dtype=np.int64)
    owner = np.zeros((plot_h, plot_w), dtype=np.int64)
    for i, s in enumerate(data.series, start=1):
        x_px, y_px = _pixels(data, s.x, s.y, width_px, height_px)
        grid = np.zeros((height_px, width_px), dtype=bool)
        if s.line:
            lo, hi = column_spans(x_px, y_px, width_px=width_px)
            grid |= spans_to_grid(lo, hi, height_px=height_px)
        if s.markers:
            grid |= points_to_grid(x_px, y_px, width_px=width_px, height_px=height_px)
        bits = cell_codes(grid)
        codes |= bits
        owner[bits > 0] = i
    band_cells = np.zeros((plot_h, plot_w), dtype=bool)
    centres = data.x_min + (np.arange(plot_w) + 0.5) / plot_w * (data.x_max - data.x_min)
    rows = np.arange(plot_h)[:, None]
    for b in data.bands:
        if b.x.size == 0:
            continue
        lo = np.interp(centres, b.x, b.lo, left=np.nan, right=np.nan)
        hi = np.interp(centres, b.x, b.hi, left=np.nan, right=np.nan)
        _, top = _pixels(data, centres, hi, width_px, height_px)
        _, bottom = _pixels(data, centres, lo, width_px, height_px)
        with np.errstate(invalid="ignore"):
            band_cells |= (rows >= np.floor(top / 4)[None, :]) & (
                rows <= np.floor(bottom / 4)[None, :]
            )
    style = owner * 2 + band_cells
    return cell_text(codes), style


def _runs(text: list[str], style: np.ndarray, styles: Sequence[Style]) -> list[list[Segment]]:
    """Each plot row as segments of equal style (a Python step per run, not per cell).

    Where the style changes is found for all rows in one pass.
    """
    rows, cols = np.nonzero(np.diff(style, axis=1))
    first = np.searchsorted(rows, np.arange(style.shape[0] + 1)).tolist()
    cuts = (cols + 1).tolist()
    codes = style.tolist()
    out = []
    for r, line in enumerate(text):
        bounds = [0, *cuts[first[r] : first[r + 1]], len(line)]
        row = codes[r]
        out.append([Segment(line[a:b], styles[row[a]]) for a, b in itertools.pairwise(bounds)])
    return out


def _cell_styles(data: ChartData) -> list[Style]:
    """Style of each style index: series colour (or none) × inside a band or not."""
    band_bg = Style.parse(data.bands[0].style) if data.bands else Style()
    fgs = [Style(), *(Style.parse(s.style) for s in data.series)]
    return [fg + band_bg if inside else fg for fg in fgs for inside in (False, True)]


def _header(data: ChartData, width: int) -> list[Segment]:
    left = f" {data.left.label}"
    right = f"{data.right.label} " if data.right is not None else ""
    keys: list[Segment] = []
    for s in data.series:
        if s.label:
            keys += [
                Segment(" ━" if s.line else " ●", Style.parse(s.style)),
                Segment(f" {s.label}"),
            ]
    for b in data.bands:
        if b.label:
            keys += [
                Segment(" ", Style()),
                Segment("  ", Style.parse(b.style)),
                Segment(f" {b.label}"),
            ]
    if data.note:
        keys.append(Segment(f"  {data.note}", Style(color="yellow", bold=True)))
    room = width - len(left) - len(right) - 2
    legend: list[Segment] = []
    used = 0
    for seg in keys:  # whole keys only, in order, as far as they fit
        if used + len(seg.text) > room:
            break
        legend.append(seg)
        used += len(seg.text)
    pad = max(1, width - len(left) - used - len(right))
    return [
        Segment(left, LABEL_STYLE),
        *legend,
        Segment(" " * pad),
        Segment(right, LABEL_STYLE),
    ]


def _x_ticks(data: ChartData, plot_w: int) -> list[tuple[int, str]]:
    span = data.x_max - data.x_min
    if span <= 0:
        return []
    ticks = (
        list(data.x_ticks)
        if data.x_ticks is not None
        else [(v, _fmt(v)) for v in nice_ticks(data.x_min, data.x_max, max(2, plot_w // 8))]
    )
    return [
        (round((x - data.x_min) / span * (plot_w - 1)), text)
        for x, text in ticks
        if data.x_min <= x <= data.x_max
    ]


def render_chart(data: ChartData, width: int, height: int) -> list[Strip]:
    """The chart as ``height`` strips of ``width`` cells."""
    width, height = max(12, width), max(2, height)
    lay = _layout(data, width, height)
    out: list[Strip] = []
    if lay.header:
        out.append(Strip(_header(data, width)).crop_extend(0, width, None))
    text, style = _plot_cells(data, lay.plot_w, lay.plot_h)
    styles = _cell_styles(data)
    left = dict(lay.left_ticks)
    right = dict(lay.right_ticks)
    for r, runs in enumerate(_runs(text, style, styles)):
        segs = [
            Segment(f"{left.get(r, ''):>{lay.left_w - 1}} ", AXIS_STYLE),
            Segment("┤" if r in left else "│", AXIS_STYLE),
            *runs,
        ]
        if data.right is not None:
            segs.append(Segment("├" if r in right else "│", AXIS_STYLE))
            segs.append(Segment(f" {right.get(r, ''):<{lay.right_w - 1}}", AXIS_STYLE))
        out.append(Strip(segs).crop_extend(0, width, None))
    ticks = _x_ticks(data, lay.plot_w)
    axis = ["─"] * lay.plot_w
    for col, _ in ticks:
        axis[col] = "┬"
    corner_r = "┘" if data.right is not None else ""
    out.append(
        Strip([Segment(" " * lay.left_w + "└" + "".join(axis) + corner_r, AXIS_STYLE)]).crop_extend(
            0, width, None
        )
    )
    if lay.x_ticks:
        cells = [" "] * width
        label = f" {data.x_label}"
        limit = width - len(label)
        for col, t in ticks:
            start = min(max(0, lay.left_w + 1 + col - len(t) // 2), limit - len(t))
            if start >= 0 and all(c == " " for c in cells[max(0, start - 1) : start + len(t) + 1]):
                cells[start : start + len(t)] = list(t)
        line = "".join(cells[:limit]) + label
        out.append(Strip([Segment(line[:limit], AXIS_STYLE), Segment(line[limit:], LABEL_STYLE)]))
    return out[:height]


class ChartView(RowWidget):
    """Draws a :class:`ChartData` with axes; fed any number of times, redraws ≤ ``max_hz``."""

    DEFAULT_CSS = """
    ChartView { height: 1fr; min-height: 4; width: 100%; }
    """

    def __init__(
        self,
        data: ChartData | None = None,
        *,
        max_hz: float = 10.0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._data = data or ChartData()
        self._min_interval_s = 1.0 / max_hz
        self._drawn_at = -math.inf
        self._pending: asyncio.TimerHandle | None = None
        #: Counts redraws: the rows are built again for each (see :meth:`rows_key`).
        self._generation = 0
        #: How many times the chart was laid out and rasterised (tests and benchmarks read it).
        self.renders = 0

    @property
    def data(self) -> ChartData:
        """What the chart shows (the latest given, drawn within ``1 / max_hz`` s)."""
        return self._data

    def show(self, data: ChartData) -> None:
        """Draw ``data``: now, or at the end of the current ``1 / max_hz`` interval."""
        self._data = data
        self.request_redraw()

    @property
    def redraw_pending(self) -> bool:
        """Whether a redraw waits for the end of the current ``1 / max_hz`` interval."""
        return self._pending is not None

    def request_redraw(self) -> None:
        """Redraw now if the last redraw is ``1 / max_hz`` s old, else once it is.

        While data keeps coming (a live screen's frames), the first request after the interval
        draws, inside the frame that made it, so the chart's rows reach the screen in the same
        compositor pass as the frame's other changes. The timer is only the fallback for the
        last data of a burst: it fires half an interval late, after the next frame would have.
        """
        wait = self._drawn_at + self._min_interval_s - time.monotonic()
        if wait <= 0:
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None
            self._redraw()
        elif self._pending is None:
            # the loop's timer, not Textual's set_timer (a task and a repr of the app each time)
            self._pending = asyncio.get_running_loop().call_later(
                wait + self._min_interval_s / 2, self.call_next, self._redraw
            )

    def on_unmount(self) -> None:
        """Drop a pending redraw."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _redraw(self) -> None:
        self._pending = None
        if not self.is_attached:  # removed while a redraw was pending
            return
        self._drawn_at = time.monotonic()
        self._generation += 1
        # only the rows that changed are repainted: a live curve grows by about a column a
        # redraw, so most rows (axes, band, the curve drawn so far) stay as Textual has them
        self.update_rows()

    def rows_key(self) -> Hashable:
        """The redraw the rows belong to (the data may change more often than it is drawn)."""
        return self._generation

    def build_rows(self, width: int, height: int) -> list[Strip]:
        """The chart laid out and rasterised at ``width`` × ``height``."""
        self.renders += 1
        return [
            strip.crop_extend(0, width, None) for strip in render_chart(self.data, width, height)
        ]


__all__ = [
    "Axis",
    "Band",
    "ChartData",
    "ChartView",
    "Series",
    "nice_ticks",
    "render_chart",
]
