"""Package exports imported on first use (isoforce.core.lazy) and what that keeps off start-up."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from isoforce.core.lazy import lazy_exports


def test_a_name_is_imported_on_first_use_and_then_kept_on_the_package() -> None:
    package = types.ModuleType("isoforce_lazy_probe")
    sys.modules[package.__name__] = package
    try:
        getter = lazy_exports(package.__name__, ("dumps", "loads"), ("json",))
        import json

        assert getter("dumps") is json.dumps
        assert package.dumps is json.dumps  # kept: the next use is a plain attribute read
        with pytest.raises(AttributeError, match="no attribute 'dump'"):
            getter("dump")  # in json, but not an export
    finally:
        del sys.modules[package.__name__]


def test_the_live_package_still_exports_its_names() -> None:
    import isoforce.live as live
    from isoforce.live.session import LiveSession

    assert live.LiveSession is LiveSession
    for name in live.__all__:  # every listed name resolves
        assert getattr(live, name) is not None


def test_the_tui_app_imports_neither_the_live_session_nor_the_later_screens() -> None:
    """The first frame waits on every module imported before it (issue 17: ≤ 0.8 s).

    The live session (with scipy and the simulator) is imported in a thread once the app runs;
    the summary, offer and setup screens when they are first shown.
    """
    later = (
        "isoforce.live.session",
        "isoforce.live.build",
        "isoforce.tui.screens.summary",
        "isoforce.tui.screens.offer",
        "isoforce.tui.screens.setup",
        "scipy",
    )
    code = (
        "import sys; import isoforce.tui.app; "
        f"print(','.join(m for m in {later!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
