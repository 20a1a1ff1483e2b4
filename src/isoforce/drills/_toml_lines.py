"""Find the source line of a key or table in TOML text, for error messages.

``tomllib`` reports lines only for syntax errors, so this module does a light scan of the
text: table headers (``[a]``, ``[[a.b]]``) and ``key =`` lines, with array-of-tables headers
counted so that the third ``[[steps]]`` is path ``("steps", 2)``. Values inside inline tables
or multi-line arrays are not indexed; their lookups fall back to the nearest enclosing key.
"""

from __future__ import annotations

import re

PathPart = str | int
Path = tuple[PathPart, ...]

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)
_SYNTAX_AT = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)\s*$")
_SYNTAX_END = re.compile(r"^(.*?)\s*\(at end of document\)\s*$")


def _split_key(key: str) -> tuple[str, ...]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", key)
    return tuple(a or b or c for a, b, c in parts)


class LineIndex:
    """Line numbers (1-based) of the tables and keys of one TOML text."""

    def __init__(self, text: str) -> None:
        self.has_text = bool(text.strip())
        self._lines: dict[Path, int] = {}
        self._arrays: dict[Path, int] = {}
        self.n_lines = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        current: Path = ()
        in_string: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if m := _ARRAY_HEADER.match(line):
                names = _split_key(m.group(1))
                parent = self._resolve(names[:-1])
                key = (*parent, names[-1])
                index = self._arrays.get(key, -1) + 1
                self._arrays[key] = index
                current = (*key, index)
                self._lines.setdefault(key, lineno)
                self._lines[current] = lineno
            elif m := _TABLE_HEADER.match(line):
                current = self._resolve(_split_key(m.group(1)))
                self._lines.setdefault(current, lineno)
            elif m := _KEY.match(line):
                self._lines.setdefault((*current, *_split_key(m.group(1))), lineno)
                rest = line[m.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote

    def _resolve(self, names: tuple[str, ...]) -> Path:
        path: Path = ()
        for name in names:
            path = (*path, name)
            if path in self._arrays:
                path = (*path, self._arrays[path])
        return path

    def line_of(self, path: Path) -> int | None:
        """Line of ``path`` or of its nearest indexed ancestor; ``None`` if none is known."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None


def syntax_error_location(message: str, n_lines: int) -> tuple[int | None, str]:
    """Split a ``tomllib`` error message into its line number and the bare problem."""
    if m := _SYNTAX_AT.match(message):
        return int(m.group(2)), f"{m.group(1)} (column {m.group(3)})"
    if m := _SYNTAX_END.match(message):
        return n_lines, f"{m.group(1)} (at end of file)"
    return None, message
