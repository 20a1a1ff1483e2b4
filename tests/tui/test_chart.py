"""The braille charts: raster, axes, bands, both curves; the live, summary and history charts.

Pure parts are checked on constructed data; the screens through the real app (Pilot) over the
simulator, reading what the chart widget drew.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from rich.style import Style

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.session.model import ProfileInfo, ReferenceRecord
from isoforce.session.store import SessionStore
from isoforce.tui.charts import BAND_STYLE, NOW_STYLE, PREVIOUS_STYLE, force_chart
from isoforce.tui.view import NO_DIRECTION, Curve
from isoforce.tui.widgets.braille import cell_codes, cell_text, column_spans, spans_to_grid
from isoforce.tui.widgets.chart import (
    Axis,
    Band,
    ChartData,
    ChartView,
    Series,
    nice_ticks,
    render_chart,
)
from tests.tui.tui_helpers import make_app, settled, wait_for


def _styles_drawn(strips: list[Any]) -> set[Style]:
    return {
        seg.style for strip in strips for seg in strip if seg.style is not None and seg.text.strip()
    }


def _bg_cells(strips: list[Any], bg: Style) -> int:
    return sum(
        len(seg.text)
        for strip in strips
        for seg in strip
        if seg.style and seg.style.bgcolor == bg.bgcolor
    )


# ---- the raster ----


def test_a_steep_edge_is_one_connected_line_and_nan_is_a_gap() -> None:
    x = np.arange(20.0)
    y = np.where(x < 10, 15.0, 0.0)  # a step from row 15 to row 0 between two columns
    y[14] = np.nan
    lo, hi = column_spans(x, y, width_px=20)
    assert lo[9] <= 7.5 <= hi[9] and lo[10] <= 7.5 <= hi[10]  # they meet halfway
    assert np.isnan(lo[14]) and np.isnan(hi[14])
    grid = spans_to_grid(lo, hi, height_px=16)
    assert grid[:, 9].sum() + grid[:, 10].sum() >= 16  # the edge covers every row


def test_a_sparse_series_is_drawn_at_every_pixel_column() -> None:
    lo, _hi = column_spans(np.array([0.0, 39.0]), np.array([0.0, 39.0]), width_px=40)
    assert np.isfinite(lo).all() and np.allclose(lo, np.arange(40.0), atol=0.51)


def test_braille_cells() -> None:
    grid = np.zeros((4, 4), dtype=bool)
    grid[0, 0] = grid[3, 1] = True  # dots 1 and 8 of the first cell
    codes = cell_codes(grid)
    assert codes.tolist() == [[0x81, 0]]
    assert cell_text(codes) == ["\u2881 "]


def test_nice_ticks() -> None:
    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 150, 4) == [0, 50, 100, 150]
    assert nice_ticks(3, 3, 4) == []


# ---- the chart ----


def _chart(**kw: Any) -> ChartData:
    t = np.linspace(0, 10, 10_001)
    return ChartData(
        series=(
            Series(t, 20 * np.clip(t / 2, 0, 1), PREVIOUS_STYLE, "last trial"),
            Series(np.array([0, 2, 10.0]), np.array([0, 50, 50.0]), "bold white", "target"),
            Series(t, 55 * np.clip(t / 3, 0, 1), NOW_STYLE, "now"),
        ),
        bands=(
            Band(
                np.array([0, 2, 10.0]),
                np.array([0, 40, 40.0]),
                np.array([10, 60, 60.0]),
                BAND_STYLE,
                "band ±10 %",
            ),
        ),
        x_min=0,
        x_max=10,
        y_max=100,
        left=Axis("N", 1.5),
        right=Axis("% of push pain-free max 150 N"),
        x_label="s into the step",
        **kw,
    )


def test_the_chart_labels_both_axes_and_draws_band_and_both_curves() -> None:
    for width, height in ((76, 8), (116, 20), (196, 40)):
        strips = render_chart(_chart(), width, height)
        text = [s.text for s in strips]
        assert len(strips) == height and all(s.cell_length == width for s in strips)
        assert text[0].startswith(" N ") and text[0].rstrip().endswith(
            "% of push pain-free max 150 N"
        )
        assert "last trial" in text[0] and "target" in text[0]
        assert text[-1].rstrip().endswith("s into the step")
        left = [int(line.split("┤")[0]) for line in text[1:-2] if "┤" in line]
        assert left[-1] == 0 and left[0] >= 100  # newtons: 100 % is 150 N
        assert any(line.rstrip().endswith("├ 100") for line in text)
        assert any("  0 ┤" in line for line in text) and "└" in text[-2]
        drawn = _styles_drawn(strips[1:-2])
        assert any(s.color == Style.parse(NOW_STYLE).color for s in drawn)
        assert any(s.color == Style.parse(PREVIOUS_STYLE).color for s in drawn)
        assert _bg_cells(strips[1:-2], Style.parse(BAND_STYLE)) > 0


@pytest.mark.parametrize(("x_max", "width"), [(0.2, 80), (20.0, 80), (10.0, 200)])
def test_tick_labels_say_their_value_and_never_repeat(x_max: float, width: int) -> None:
    """Ticks 0.025 min apart read 0.025, 0.05 …, not 0, 0.1, 0.1, 0.1; 12.5 s is not 12."""
    t = np.linspace(0, x_max, 101)
    data = ChartData(
        series=(Series(t, 50 + 0 * t, NOW_STYLE, "effort"),),
        x_min=0.0,
        x_max=x_max,
        y_max=100,
        x_label="min",
    )
    labels = render_chart(data, width, 12)[-1].text.split()[:-1]  # the x ticks, then "min"
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels
    steps = np.diff([float(v) for v in labels])
    assert np.allclose(steps, steps[0]), labels  # evenly spaced values, each said exactly


def test_a_small_chart_keeps_the_plot() -> None:
    strips = render_chart(_chart(), 40, 3)
    assert len(strips) == 3 and any("⠀" < ch <= "⣿" for ch in strips[0].text + strips[1].text)


def test_without_a_reference_the_live_chart_plots_newtons_and_says_so() -> None:
    t = np.linspace(0, 5, 500)
    data = force_chart(
        Curve(
            t_s=t,
            force_n=-80 * np.ones(500),
            effort_pct=np.full(500, np.nan),
            t_start_s=0,
            t_end_s=10,
        )
    )
    assert data.right is None and data.left == Axis("N") and "no reference" in data.note
    assert float(np.max(data.series[0].y)) == 80.0  # a pull reads as a magnitude
    header = render_chart(data, 80, 10)[0].text
    assert "no reference: % not shown" in header


def test_the_live_chart_puts_newtons_left_and_percent_of_the_named_reference_right() -> None:
    t = np.linspace(100, 110, 1000)
    data = force_chart(
        Curve(
            t_s=t,
            effort_pct=np.full(1000, 48.0),
            force_n=np.full(1000, 72.0),
            target_t_s=np.array([100, 120.0]),
            target_pct=np.array([50, 50.0]),
            band_pct=5.0,
            t_start_s=100,
            t_end_s=120,
            t_origin_s=100,
            reference_n=150.0,
            reference_label="push pain-free max 150 N",
            previous_t_s=np.linspace(0, 20, 50),
            previous_pct=np.full(50, 45.0),
        )
    )
    assert data.left == Axis("N", 1.5)
    assert data.right == Axis("% of push pain-free max 150 N")
    assert [s.label for s in data.series] == ["last trial", "target", "now"]
    assert (data.x_min, data.x_max) == (0, 20)
    assert data.bands[0].label == "band ±5 %"


def test_free_mode_charts_the_last_20_s_with_now_at_zero() -> None:
    t = np.linspace(3, 8, 400)
    data = force_chart(
        Curve(
            t_s=t,
            effort_pct=np.full(400, -30.0),
            force_n=np.full(400, -51.0),
            t_start_s=-12,
            t_end_s=8,
            t_origin_s=8,
            reference_n=170.0,
            reference_label="pull pain-free max 170 N",
        )
    )
    assert (data.x_min, data.x_max, data.x_label) == (-20, 0, "s (0 = now)")
    assert data.right == Axis("% of pull pain-free max 170 N") and data.y_max == 100
    assert float(data.series[-1].y.max()) == 30.0  # magnitudes: pushes and pulls both up


# ---- the screens ----


@pytest.mark.asyncio
async def test_the_player_chart_shows_axes_band_target_and_the_previous_trial() -> None:
    from isoforce.tui.widgets.curve import CurvePlot

    app = make_app(stop_at_s=250.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        plot = app.screen.query_one(CurvePlot)
        text = plot.lines()
        strips = plot.current_rows()
        assert text[0].startswith(" N ") and "% of pull pain-free max" in text[0]
        for key in ("last trial", "target", "now", "band ±5 %"):
            assert key in text[0]
        assert "s into the step" in text[-1]
        assert any("┤" in line for line in text) and any("├" in line for line in text)
        drawn = _styles_drawn(strips[1:-2])
        assert any(s.color == Style.parse(NOW_STYLE).color for s in drawn)
        assert any(s.color == Style.parse(PREVIOUS_STYLE).color for s in drawn)
        assert _bg_cells(strips[1:-2], Style.parse(BAND_STYLE)) > 0


@pytest.mark.asyncio
async def test_a_passive_step_charts_newtons_and_says_why_not_that_no_reference_exists() -> None:
    from isoforce.tui.widgets.curve import CurvePlot

    app = make_app(stop_at_s=10.0)  # step 1 of PAILs/RAILs: the passive stretch
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        header = app.screen.query_one(CurvePlot).lines()[0]
        assert NO_DIRECTION in header and "no reference" not in header
        # the line under the digits still names both maxima the drill divides by
        assert "push pain-free max" in str(app.screen.query_one("#divides").render())


@pytest.mark.asyncio
async def test_the_chart_redraws_at_most_ten_times_a_second() -> None:
    from isoforce.tui.widgets.curve import CurvePlot

    app = make_app(speed=1.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.controller.samples_kept > 0)
        plot = app.screen.query_one(CurvePlot)
        before = plot.renders
        await pilot.pause(1.0)
        assert 1 <= plot.renders - before <= 11


@pytest.mark.asyncio
async def test_the_summary_shows_the_session_curve_with_its_targets() -> None:
    from isoforce.tui.screens.summary import SummaryScreen

    app = make_app(drill="low-intensity")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout_s=60)
        await pilot.pause(0.3)
        chart = app.screen.query_one("#session-chart", ChartView)
        text = chart.lines()
        assert "target" in text[0] and "effort" in text[0]
        assert text[-1].rstrip().endswith("min")
        strips = chart.current_rows()
        assert _bg_cells(strips[1:-2], Style.parse(BAND_STYLE)) > 0
        assert chart.data.x_max > 1.0  # minutes: the whole drill, not the last step


@pytest.mark.asyncio
async def test_the_history_screen_charts_maxima_over_time_per_side() -> None:
    from isoforce.tui.screens.live import HistoryScreen

    app = make_app(drill=None)
    async with app.run_test(size=(120, 40)) as pilot:
        with SessionStore.open(data_dir=app.config.data_dir) as store, store.transaction():
            store.add_maxima(
                [
                    ReferenceRecord(
                        MovementKey("hip-ir", side, Direction.PUSH, "90-90"),
                        kind,
                        value + day * 5,
                        f"2026-11-{day:02d}T10:00:00",
                        "max-test",
                    )
                    for day in (3, 10, 17)
                    for side, value in ((Side.LEFT, 200.0), (Side.RIGHT, 180.0))
                    for kind, value_k in (
                        (ReferenceKind.MVIC, 0.0),
                        (ReferenceKind.PAIN_FREE, -40.0),
                    )
                    for value in (value + value_k,)
                ],
                profile=ProfileInfo(),
            )
        app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause(0.3)
        charts = list(app.screen.query(ChartView))
        assert len(charts) == 1
        text = charts[0].lines()
        for key in ("L MVIC", "L pain-free", "R MVIC", "R pain-free"):
            assert key in text[0]
        assert len(re.findall(r"\b11-\d\d\b", text[-1])) >= 3 and text[-1].rstrip().endswith("date")
        assert "hip-ir push · 90-90" in str(app.screen.query(".chart-title").first().render())


def test_a_one_day_history_is_labelled_with_its_own_day() -> None:
    """Date ticks sit at each day's noon: one afternoon's maxima read '12-07', not '12-08'."""
    from isoforce.session.history import History, MaxPoint, MaxSeries
    from isoforce.tui.charts import history_charts

    key = MovementKey("hip-ir", Side.LEFT, Direction.PUSH, "90-90")
    points = (MaxPoint("2026-12-07T15:30:00", 252.0, 1, "max-test", None),)
    ((_, chart),) = history_charts(
        History(series=(MaxSeries(key, ReferenceKind.MVIC, points),), asymmetry=())
    )
    assert chart.x_ticks is not None
    assert [text for _, text in chart.x_ticks] == ["12-07"]
    (at, _), day = chart.x_ticks[0], chart.series[0].x[0]
    assert abs(at - day) < 0.5  # the mark is beside its label
