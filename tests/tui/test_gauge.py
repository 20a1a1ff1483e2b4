"""The effort gauge's rows: the bar's marks and the scale, at every width a screen gives."""

from __future__ import annotations

import math

import pytest

from isoforce.tui.view import BandState
from isoforce.tui.widgets.gauge import STATE_BOX, bar_cells, bar_runs, gauge_rows, tick_text


@pytest.mark.parametrize("width", range(30, 200, 7))
def test_the_scale_fits_the_row_with_every_label_apart(width: int) -> None:
    scale = tick_text(width)
    assert len(scale) <= width + 1
    assert scale.split() == ["0", "20", "40", "60", "80", "100", "120"]
    assert scale.index("120") + 1 == width - 1  # the 120 sits centred under the bar's last cell


def test_the_rows_are_the_box_then_the_bar_and_the_scale_names_its_unit() -> None:
    width = 60
    cells = bar_cells(width=width, effort_pct=55.0, target_pct=60.0, band_pct=5.0)
    rows = gauge_rows(bar_rows=3, width=width, cells_at=cells, state=BandState.UNDER)
    texts = ["".join(text for text, _ in row) for row in rows]
    assert len(texts) == 4
    assert all(len(t) == STATE_BOX + 1 + width for t in texts[:3])
    assert "UNDER" in texts[1] and "UNDER" not in texts[0] + texts[2]
    assert texts[3].split()[0] == "%"
    assert texts[3].index("0") == STATE_BOX + 1  # the 0 under the bar's first cell


def test_the_bar_fills_to_the_effort_and_marks_the_band() -> None:
    cells = bar_cells(width=25, effort_pct=60.0, target_pct=60.0, band_pct=10.0)
    bar = "".join(text for text, _ in bar_runs(25, cells))
    assert len(bar) == 25
    assert bar[: cells.target + 1] == "█" * (cells.target + 1)
    assert bar.rstrip().endswith("]")
    none = bar_cells(width=25, effort_pct=math.nan, target_pct=math.nan, band_pct=math.nan)
    assert "".join(text for text, _ in bar_runs(25, none)) == " " * 25


def test_a_noisy_hold_keeps_the_fill_and_a_ramp_moves_it_cell_by_cell() -> None:
    width = 121  # one cell per percent (0 … 120)

    def fill(pct: float, held: int | None) -> int | None:
        return bar_cells(
            width=width, effort_pct=pct, target_pct=60.0, band_pct=5.0, held_fill=held
        ).fill

    assert fill(60.4, None) == 60
    for pct in (59.2, 60.9, 59.6, 60.5):  # wobbling around the boundary: the drawn cell stays
        assert fill(pct, 60) == 60
    assert fill(61.0, 60) == 61 and fill(58.9, 60) == 59
    drawn: list[int] = []
    held = None
    for pct in [x / 10 for x in range(0, 300)]:  # a ramp: every cell in turn, none skipped
        held = fill(pct, held)
        assert held is not None
        if not drawn or drawn[-1] != held:
            drawn.append(held)
    assert drawn == list(range(0, 30))
