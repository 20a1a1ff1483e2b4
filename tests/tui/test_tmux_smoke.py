"""The installed ``isoforce`` console script in a real terminal (tmux): keys in, screen out."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.tui.tmux_helpers import (
    keys,
    session_alive,
    start,
    tmux_session,
    wait_match,
    wait_text,
)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")

__all__ = ["tmux_session"]  # the fixture


def test_demo_runs_a_guided_drill_and_takes_keys(tmux_session: str, tmp_path: Path) -> None:
    start(tmux_session, tmp_path, "demo", "--speed", "3", "--audio", "off")
    wait_text(tmux_session, "Passive stretch")
    # on the tests' own tmux server: the user's (if one runs) does not list it
    users = subprocess.run(["tmux", "list-sessions"], capture_output=True, text=True)
    assert session_alive(tmux_session) and tmux_session not in users.stdout
    screen = wait_text(tmux_session, "step 1/12")
    # the phase in words with its own countdown, the step's time left, the audio mode
    assert "RELAX" in screen and "EFFORT" in screen and "PHASE TIME LEFT" in screen
    assert "left" in screen and "audio: off" in screen
    keys(tmux_session, "s")
    # the step after the skip is on screen ("PAILs" alone is already in step 1's "Next:" line),
    # first in its get-ready, which says no time left in it, then running, which does
    wait_text(tmux_session, "step 2/12")
    wait_match(tmux_session, r"step 2/12.*\n.*step \d+:\d\d left", lambda _m: True)
    keys(tmux_session, "p")
    wait_text(tmux_session, "better?")
    wait_text(tmux_session, "EASED OFF — HOLD")
    keys(tmux_session, "q")
    wait_text(tmux_session, "Summary")
    keys(tmux_session, "q")
    deadline = time.monotonic() + 15
    while session_alive(tmux_session):
        if time.monotonic() > deadline:
            pytest.fail("isoforce did not exit on q")
        time.sleep(0.1)
