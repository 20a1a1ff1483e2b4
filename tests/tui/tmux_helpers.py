"""The installed ``isoforce`` in a real terminal (tmux): start it, send keys, read the screen.

Every wait is for text on the screen with a generous timeout, never for a time.
"""

from __future__ import annotations

import atexit
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.paths import ISOFORCE

WAIT_S = 30.0
#: tmux on a server of the tests' own (its socket in a temporary folder, removed at exit)
#: without a config file: a test never opens its sessions in the user's tmux server nor reads
#: their ``tmux.conf``. The server exits with its last session.
_SOCKET_DIR = tempfile.mkdtemp(prefix="isoforce-tmux-")
atexit.register(shutil.rmtree, _SOCKET_DIR, ignore_errors=True)
TMUX = ("tmux", "-S", f"{_SOCKET_DIR}/server", "-f", "/dev/null")


@pytest.fixture
def tmux_session() -> Iterator[str]:
    """A fresh tmux session name, killed after the test."""
    name = f"isoforce-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


def start(name: str, data: Path, *args: str, size: tuple[int, int] = (100, 30)) -> None:
    """``isoforce ARGS`` in a detached ``size`` terminal, with ``data`` as its home and store.

    ``COLUMNS``/``LINES`` are unset: GNU readline, which the test process loads, exports
    ``COLUMNS=80``/``LINES=24`` into the C environment (not ``os.environ``) when it has no
    terminal; tmux passes them on to the pane, and Python's ``shutil.get_terminal_size``,
    which Textual uses, prefers them to the pane's real size.
    """
    env = f"ISOFORCE_DATA_DIR={data} HOME={data} TERM=xterm-256color"
    cmd = f"env -u COLUMNS -u LINES {env} {ISOFORCE} {' '.join(args)}"
    subprocess.run(
        [*TMUX, "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), cmd],
        check=True,
    )


def screen(name: str) -> str:
    """The pane's text as it is now."""
    out = subprocess.run([*TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True)
    return out.stdout


def keys(name: str, *keys: str, gap_s: float = 0.15) -> None:
    """Send ``keys`` one by one (tmux key names: ``Enter``, ``Escape``, ``Down``, ``x``)."""
    for key in keys:
        subprocess.run([*TMUX, "send-keys", "-t", name, key], check=True)
        time.sleep(gap_s)


def wait_text(name: str, text: str, timeout_s: float = WAIT_S) -> str:
    """The screen once ``text`` is on it; fails with the last screen if it never comes."""
    return wait_match(name, re.escape(text), lambda _m: True, timeout_s=timeout_s, what=text)


def wait_match(
    name: str,
    pattern: str,
    ok: Callable[[re.Match[str]], bool],
    *,
    timeout_s: float = WAIT_S,
    what: str | None = None,
) -> str:
    """The screen once ``pattern`` is on it and ``ok`` says its match is the one wanted."""
    deadline = time.monotonic() + timeout_s
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(name)
        found = re.search(pattern, shown)
        if found and ok(found):
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{what or pattern!r} never appeared as wanted; screen was:\n{shown}")


def session_alive(name: str) -> bool:
    """Whether the tmux session (and so the app in it) still runs."""
    probe = subprocess.run([*TMUX, "has-session", "-t", name], capture_output=True)
    return probe.returncode == 0
