"""Package exports imported on first use, so importing a package costs only what is used.

The TUI's first frame waits on every module imported before it; a package ``__init__`` that
imports its whole API (the drill engine, the live session) would make the first frame wait on
code that only runs later, in a thread. A package lists its exports under ``TYPE_CHECKING`` (for
type checkers and readers) and hands the same names to :func:`lazy_exports`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: each name in ``exports`` maps to its module.

    The first use of a name imports its module and keeps the value on the package, so later
    uses are plain attribute reads.
    """

    def attribute(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return attribute


def exports_of(modules: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """``{name: module}`` from ``{module: names}``, the way an ``__init__`` lists its imports."""
    return {name: module for module, names in modules.items() for name in names}
