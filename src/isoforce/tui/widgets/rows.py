"""Line-API widgets that repaint only the rows that changed.

A :class:`RowWidget` draws a list of :class:`~textual.strip.Strip` rows built by
:meth:`RowWidget.build_rows` for what it shows (:meth:`RowWidget.rows_key`) and its size. When
what it shows changes, :meth:`RowWidget.update_rows` builds the rows again and asks Textual to
repaint only those that differ: a live screen changes a few rows of a widget at a time (a
chart's newest column, a gauge's bar but not its scale), and every repainted row costs a pass
through Textual's styles and compositor.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


def changed_rows(before: Sequence[Strip], after: Sequence[Strip]) -> list[tuple[int, int]]:
    """The runs ``[start, stop)`` of rows that differ between two drawings."""
    rows: list[tuple[int, int]] = []
    for y in range(max(len(before), len(after))):
        if y < len(before) and y < len(after) and before[y] == after[y]:
            continue
        if rows and rows[-1][1] == y:
            rows[-1] = (rows[-1][0], y + 1)
        else:
            rows.append((y, y + 1))
    return rows


class RowWidget(Widget):
    """A widget drawn as rows that are rebuilt when its key, size or style changes."""

    _rows: tuple[Strip, ...] = ()
    #: What the rows were built for: (``rows_key()``, content size); None: build again.
    _built_for: tuple[Hashable, Size] | None = None

    def rows_key(self) -> Hashable:
        """What the rows depend on besides the size and style (equal keys, equal rows)."""
        raise NotImplementedError

    def build_rows(self, width: int, height: int) -> Sequence[Strip]:
        """The rows for the widget's content size, each ``width`` cells."""
        raise NotImplementedError

    @property
    def inner_size(self) -> Size:
        """The content area's size, from the size the layout gave the widget.

        The same as Textual's ``content_size``, which looks the widget up in the screen's map
        each time: a live screen asks for its rows' size several times a frame and once a row
        drawn.
        """
        width, height = self.outer_size
        gutter = self.styles.gutter
        return Size(max(0, width - gutter.width), max(0, height - gutter.height))

    def current_rows(self) -> tuple[Strip, ...]:
        """The rows for what the widget shows now, built if anything changed."""
        size = self.inner_size
        wanted = (self.rows_key(), size)
        if wanted != self._built_for:
            self._rows = tuple(self.build_rows(size.width, size.height))
            self._built_for = wanted
        return self._rows

    def update_rows(self) -> None:
        """Rebuild the rows and repaint only those that changed (all of them after a resize)."""
        if not self.is_mounted:
            return
        before, built_for = self._rows, self._built_for
        after = self.current_rows()
        if self._built_for == built_for:
            return
        size = self.inner_size
        if built_for is None or built_for[1] != size or len(before) != len(after):
            self.refresh()
            return
        width = size.width
        spans = changed_rows(before, after)
        if spans:
            self.refresh(*(Region(0, start, width, stop - start) for start, stop in spans))

    def notify_style_update(self) -> None:
        """Build the rows again in the new style (a class or the theme changed)."""
        super().notify_style_update()
        self._built_for = None

    def lines(self) -> list[str]:
        """The rows' text as drawn at the widget's size (for tests)."""
        return [strip.text for strip in self.current_rows()]

    def render_line(self, y: int) -> Strip:
        """One row (Textual's line API)."""
        rows = self.current_rows()
        if 0 <= y < len(rows):
            return rows[y]
        return Strip.blank(self.inner_size.width, self.rich_style)


__all__ = ["RowWidget", "changed_rows"]
