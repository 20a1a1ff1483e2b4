"""The installed ``isoforce`` console script in a real terminal (tmux): keys in, screen out."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ISOFORCE

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


@pytest.fixture
def tmux_session(tmp_path: Path) -> Iterator[str]:
    name = f"isoforce-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def _screen(name: str) -> str:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True)
    return out.stdout


def _wait_text(name: str, text: str, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(name)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")


def test_demo_runs_a_guided_drill_and_takes_keys(tmux_session: str, tmp_path: Path) -> None:
    env = f"ISOFORCE_DATA_DIR={tmp_path} HOME={tmp_path} TERM=xterm-256color"
    cmd = f"env {env} {ISOFORCE} demo --speed 3 --audio off"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", tmux_session, "-x", "100", "-y", "30", cmd],
        check=True,
    )
    _wait_text(tmux_session, "Passive stretch")
    screen = _wait_text(tmux_session, "step 1/12")
    # the phase in words with its own countdown, the step's time left, the audio mode
    assert "RELAX" in screen and "EFFORT" in screen and "PHASE TIME LEFT" in screen
    assert "left" in screen and "audio: off" in screen
    subprocess.run(["tmux", "send-keys", "-t", tmux_session, "s"], check=True)
    # the step after the skip is on screen ("PAILs" alone is already in step 1's "Next:" line)
    _wait_text(tmux_session, "step 2/12")
    subprocess.run(["tmux", "send-keys", "-t", tmux_session, "p"], check=True)
    _wait_text(tmux_session, "better?")
    _wait_text(tmux_session, "EASED OFF — HOLD")
    subprocess.run(["tmux", "send-keys", "-t", tmux_session, "q"], check=True)
    _wait_text(tmux_session, "Summary")
    subprocess.run(["tmux", "send-keys", "-t", tmux_session, "q"], check=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        alive = (
            subprocess.run(
                ["tmux", "has-session", "-t", tmux_session], capture_output=True
            ).returncode
            == 0
        )
        if not alive:
            break
        time.sleep(0.1)
    else:
        pytest.fail("isoforce did not exit on q")
