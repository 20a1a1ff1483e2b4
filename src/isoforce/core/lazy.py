"""Package exports imported on first use, so importing a package costs only what is used.

The TUI's first frame waits on every module imported before it; a package ``__init__`` that
imports its whole API (the drill engine, the live session) would load code that only runs
later. A package imports its exports under ``TYPE_CHECKING`` (for type checkers and readers),
lists them in ``__all__`` and hands both lists to :func:`lazy_exports`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Collection, Sequence


def lazy_exports(
    package: str, names: Collection[str], modules: Sequence[str]
) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that finds each of ``names`` in ``modules``.

    The modules are imported in order until one has the name; its value is kept on the
    package, so later uses are plain attribute reads.
    """

    def attribute(name: str) -> object:
        if name in names:
            for module in modules:
                found = importlib.import_module(module)
                if hasattr(found, name):
                    value = getattr(found, name)
                    setattr(sys.modules[package], name, value)
                    return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return attribute
