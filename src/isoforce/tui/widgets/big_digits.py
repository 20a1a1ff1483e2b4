"""Big block digits that grow with their region, so a number reads from two metres.

Each glyph is drawn on a 5-pixel-high grid (3 pixels wide for digits) and every pixel becomes
``scale`` columns by ``scale`` half-rows (``▀`` / ``▄`` / ``█``: half a row is about as tall as
a column is wide, so the digits keep their shape). The scale is the largest integer at which a
*template* (the widest text the widget will show, e.g. ``120%``) fits the widget's size, so the
digits do not jump in size as the number changes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable

from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip

from isoforce.tui.widgets.rows import RowWidget

GLYPH_ROWS = 5
"""Pixel rows of every glyph."""

_FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    "-": ("...", "...", "###", "...", "..."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    ":": (".", "#", ".", "#", "."),
    ".": (".", ".", ".", ".", "#"),
    "%": ("#.#", "..#", ".#.", "#..", "#.#"),
    "°": ("###", "#.#", "###", "...", "..."),
    "N": ("#..#", "##.#", "#.##", "#..#", "#..#"),
    " ": ("..", "..", "..", "..", ".."),
}
_HALF = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def text_px(text: str) -> int:
    """Width of ``text`` in pixels at scale 1 (one pixel between glyphs)."""
    glyphs = [_FONT.get(ch, _FONT[" "]) for ch in text]
    return sum(len(g[0]) for g in glyphs) + max(0, len(glyphs) - 1)


def rows_for(scale: int) -> int:
    """Terminal rows the digits take at ``scale``."""
    return math.ceil(GLYPH_ROWS * scale / 2)


def fit_scale(template: str, *, width: int, height: int, max_scale: int = 12) -> int:
    """The largest scale at which ``template`` fits ``width`` × ``height`` cells (0: none)."""
    px = max(1, text_px(template))
    scale = min(width // px, max_scale)
    while scale > 0 and rows_for(scale) > height:
        scale -= 1
    return max(0, scale)


@functools.lru_cache(maxsize=512)
def big_lines(text: str, scale: int) -> tuple[str, ...]:
    """``text`` drawn in block glyphs at ``scale`` (``rows_for(scale)`` lines).

    Kept for the texts last drawn: a hold shows the same few numbers and seconds again and
    again, several times a second.
    """
    pixel_rows: list[list[bool]] = [[] for _ in range(GLYPH_ROWS)]
    for i, ch in enumerate(text):
        glyph = _FONT.get(ch, _FONT[" "])
        for r in range(GLYPH_ROWS):
            if i:
                pixel_rows[r].append(False)  # one pixel between glyphs
            pixel_rows[r].extend(c == "#" for c in glyph[r])
    tall = [row for row in pixel_rows for _ in range(scale)]
    if len(tall) % 2:
        tall.append([False] * len(tall[0]) if tall else [])
    lines = []
    for top, bottom in zip(tall[0::2], tall[1::2], strict=True):
        lines.append("".join(_HALF[a, b] * scale for a, b in zip(top, bottom, strict=True)))
    return tuple(lines)


class BigDigits(RowWidget):
    """A number in block digits scaled to the widget's size (see the module docstring).

    ``template`` is the widest text expected; ``max_scale`` caps the scale (a screen uses it to
    keep a secondary number smaller than the main one). Without room for scale 1, the text is
    shown plain and bold.

    Each row is one segment in the widget's style, built when the text, the size or the style
    changes, and only the rows that changed are repainted. Built from rich ``Text`` instead, a
    redraw of the effort digits cost about 2 ms of CPU, several times a second during a hold.
    """

    DEFAULT_CSS = """
    BigDigits { width: 1fr; height: 1fr; text-style: bold; }
    """

    text: reactive[str] = reactive("", repaint=False)
    template: reactive[str] = reactive("888", repaint=False)
    max_scale: reactive[int] = reactive(12, repaint=False)

    def __init__(self, text: str = "", *, template: str = "888", id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(BigDigits.text, text)
        self.set_reactive(BigDigits.template, template)

    @property
    def scale(self) -> int:
        """The scale the digits are drawn at for the widget's current size."""
        size = self.inner_size
        return fit_scale(
            self.template, width=size.width, height=size.height, max_scale=self.max_scale
        )

    def watch_text(self) -> None:
        """Repaint the rows the new text changes."""
        self.update_rows()

    def watch_template(self) -> None:
        """Repaint at the new template's scale."""
        self.update_rows()

    def watch_max_scale(self) -> None:
        """Repaint at the new cap's scale."""
        self.update_rows()

    def rows_key(self) -> Hashable:
        """The text and what sets its scale."""
        return (self.text, self.template, self.max_scale)

    def build_rows(self, width: int, height: int) -> list[Strip]:
        """Every row, centred, each exactly ``width`` cells in the widget's style."""
        style = self.rich_style
        scale = self.scale
        if scale < 1:
            rows = [self.text.center(width)]
            top = 0
        else:
            lines = big_lines(self.text, scale)
            top = max(0, (height - len(lines)) // 2)
            left = " " * max(0, (width - max(len(row) for row in lines)) // 2) if lines else ""
            rows = [left + row for row in lines]
        blank = Strip.blank(width, style)
        strips = [blank] * height
        for y, row in enumerate(rows[: max(0, height - top)], start=top):
            strips[y] = Strip([Segment(row, style)]).adjust_cell_length(width, style)
        return strips
