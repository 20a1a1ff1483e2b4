"""Acceptance: a first launch in a real terminal (tmux), the installed script, keys in, text out.

No maxima stored → the app offers the max test instead of running PAILs/RAILs blind → max
test (push and pull MVIC) → the summary goes on to the drill, which now offers the tension
drill (PAILs/RAILs targets are % of the pain-free max, which a max test does not give) →
tension drill (push, then pull: both pain-free maxima measured, nothing typed) → PAILs/RAILs
with its denominator on screen → summary → the other side (nothing stored there: offered
again) → history → back. One launch, no relaunch. The simulator runs at 30× so this takes about a minute;
waits are for screen text with generous timeouts, never for a time.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.paths import ISOFORCE
from tests.tui.test_tmux_smoke import _screen, _wait_text, tmux_session

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")

__all__ = ["tmux_session"]  # the fixture, shared with the smoke test

DRILL_TIMEOUT_S = 240.0


def _keys(name: str, *keys: str) -> None:
    for key in keys:
        subprocess.run(["tmux", "send-keys", "-t", name, key], check=True)


@pytest.mark.timeout(600)
def test_first_launch_offers_the_max_test_then_runs_the_flow_without_relaunch(
    tmux_session: str, tmp_path: Path
) -> None:
    name = tmux_session
    env = f"ISOFORCE_DATA_DIR={tmp_path} HOME={tmp_path} TERM=xterm-256color"
    cmd = f"env {env} {ISOFORCE} tui --speed 30 --audio off"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", cmd], check=True
    )
    _wait_text(name, "Pick a sensor")
    _keys(name, "Enter")  # the simulated load cell
    _wait_text(name, "Add an IMU")
    _keys(name, "Enter")  # no IMU: force only
    _wait_text(name, "Calibrate")
    _keys(name, "Enter")
    _wait_text(name, "Pick a drill")
    _keys(name, "l")
    _wait_text(name, "side: left")
    _keys(name, "Down", "Down", "Down", "Down", "Enter")  # pails-rails-hip
    _wait_text(name, "needs a maximum nobody has measured yet")
    screen = _wait_text(name, "m max test")  # the footer
    assert "no push pain-free max stored" in screen and "no pull pain-free max stored" in screen
    assert "t  tension drill" in screen, screen

    _keys(name, "m")  # the max test first
    _wait_text(name, "Max PUSH", timeout_s=DRILL_TIMEOUT_S)
    _wait_text(name, "Max PULL", timeout_s=DRILL_TIMEOUT_S)
    _wait_text(name, "Summary — max-test · left side", timeout_s=DRILL_TIMEOUT_S)
    screen = _wait_text(name, "go on")  # the footer's way on
    assert "other side" in screen and "history" in screen

    _keys(name, "c")  # go on to PAILs/RAILs: its pain-free max is still unknown
    screen = _wait_text(name, "needs a maximum nobody has measured yet")
    assert "no push pain-free max stored" in screen and "stored: push MVIC" in screen
    assert "no pull pain-free max stored" in screen and "stored: pull MVIC" in screen
    _keys(name, "t")  # the tension drill finds both, in steps of 10 % of each MVIC
    _wait_text(name, "PULL away from the block", timeout_s=DRILL_TIMEOUT_S)  # after the push
    _wait_text(name, "Summary — tension-drill · left side", timeout_s=DRILL_TIMEOUT_S)

    _keys(name, "c")  # nothing is missing now, nothing typed: PAILs/RAILs runs at once,
    # saying what its % divides by (the pain-free max the tension drill just measured)
    screen = _wait_text(name, "% of push pain-free max", timeout_s=DRILL_TIMEOUT_S)
    assert "needs a maximum" not in screen
    assert "left hip IR" in screen
    _wait_text(name, "Summary — pails-rails-hip · left side", timeout_s=DRILL_TIMEOUT_S)
    _wait_text(name, "N mean/peak")  # the step table, in newtons

    _keys(name, "o")  # the same drill on the other side: nothing stored there yet
    screen = _wait_text(name, "needs a maximum nobody has measured yet")
    assert "right side" in screen

    _keys(name, "h")
    screen = _wait_text(name, "History")
    assert "left" in screen
    _keys(name, "Escape")
    _wait_text(name, "needs a maximum nobody has measured yet")
    assert "Traceback" not in _screen(name)
