"""Block digits scaled to their region: the scale that fits, the glyphs drawn."""

from __future__ import annotations

from isoforce.tui.widgets.big_digits import big_lines, fit_scale, rows_for, text_px


def test_scaled_digits_fit_their_region() -> None:
    assert text_px("120%") == 15
    assert fit_scale("120%", width=80, height=24) == 5
    assert fit_scale("120%", width=14, height=10) == 0  # no room: plain text
    assert fit_scale("8", width=100, height=8, max_scale=2) == 2
    lines = big_lines("1", 2)
    assert len(lines) == rows_for(2) == 5
    assert {len(line) for line in lines} == {6}
    assert lines[0] == "  ██  "
