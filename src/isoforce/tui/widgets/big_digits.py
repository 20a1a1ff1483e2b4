"""Big block digits that grow with their region, so a number reads from two metres.

Each glyph is drawn on a 5-pixel-high grid (3 pixels wide for digits) and every pixel becomes
``scale`` columns by ``scale`` half-rows (``▀`` / ``▄`` / ``█``: half a row is about as tall as
a column is wide, so the digits keep their shape). The scale is the largest integer at which a
*template* (the widest text the widget will show, e.g. ``120%``) fits the widget's size, so the
digits do not jump in size as the number changes.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

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


def big_lines(text: str, scale: int) -> list[str]:
    """``text`` drawn in block glyphs at ``scale`` (``rows_for(scale)`` lines)."""
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
    return lines


class BigDigits(Widget):
    """A number in block digits scaled to the widget's size (see the module docstring).

    ``template`` is the widest text expected; ``max_scale`` caps the scale (a screen uses it to
    keep a secondary number smaller than the main one). Without room for scale 1, the text is
    shown plain and bold.
    """

    DEFAULT_CSS = """
    BigDigits { width: 1fr; height: 1fr; text-style: bold; }
    """

    text: reactive[str] = reactive("")
    template: reactive[str] = reactive("888")
    max_scale: reactive[int] = reactive(12)

    def __init__(self, text: str = "", *, template: str = "888", id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(BigDigits.text, text)
        self.set_reactive(BigDigits.template, template)

    @property
    def scale(self) -> int:
        """The scale the digits are drawn at for the widget's current size."""
        size = self.content_size
        return fit_scale(
            self.template, width=size.width, height=size.height, max_scale=self.max_scale
        )

    def render(self) -> Text:
        """The digits, centred in the widget."""
        scale = self.scale
        size = self.content_size
        if scale < 1:
            return Text(self.text.center(size.width))
        lines = big_lines(self.text, scale)
        pad_top = max(0, (size.height - len(lines)) // 2)
        width = max(len(line) for line in lines) if lines else 0
        pad_left = " " * max(0, (size.width - width) // 2)
        return Text("\n" * pad_top + "\n".join(pad_left + line for line in lines))
