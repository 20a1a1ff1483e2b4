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
from pathlib import Path

import pytest

from tests.tui.tmux_helpers import keys, screen, start, tmux_session, wait_text

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")

__all__ = ["tmux_session"]  # the fixture

DRILL_TIMEOUT_S = 240.0


@pytest.mark.timeout(600)
def test_first_launch_offers_the_max_test_then_runs_the_flow_without_relaunch(
    tmux_session: str, tmp_path: Path
) -> None:
    name = tmux_session
    start(name, tmp_path, "tui", "--speed", "30", "--audio", "off", size=(80, 24))
    wait_text(name, "Pick a sensor")
    keys(name, "Enter")  # the simulated load cell
    wait_text(name, "Add an IMU")
    keys(name, "Enter")  # no IMU: force only
    wait_text(name, "Calibrate")
    keys(name, "Enter")
    wait_text(name, "Pick a drill")
    keys(name, "l")
    wait_text(name, "side: left")
    keys(name, "Down", "Down", "Down", "Down", "Enter")  # pails-rails-hip
    wait_text(name, "needs a maximum nobody has measured yet")
    shown = wait_text(name, "m max test")  # the footer
    assert "no push pain-free max stored" in shown and "no pull pain-free max stored" in shown
    assert "t  tension drill" in shown, shown
    assert "m  or a max test first" in shown, shown  # said on screen, not only in the footer

    keys(name, "m")  # the max test first
    wait_text(name, "Max PUSH", timeout_s=DRILL_TIMEOUT_S)
    wait_text(name, "Max PULL", timeout_s=DRILL_TIMEOUT_S)
    wait_text(name, "Summary — max-test · left side", timeout_s=DRILL_TIMEOUT_S)
    shown = wait_text(name, "go on")  # the footer's way on
    assert "other side" in shown and "history" in shown

    keys(name, "c")  # go on to PAILs/RAILs: its pain-free max is still unknown
    shown = wait_text(name, "needs a maximum nobody has measured yet")
    assert "no push pain-free max stored" in shown and "stored: push MVIC" in shown
    assert "no pull pain-free max stored" in shown and "stored: pull MVIC" in shown
    assert "or a max test first" not in shown  # done: the MVIC is stored
    keys(name, "t")  # the tension drill finds both, in steps of 10 % of each MVIC
    wait_text(name, "PULL away from the block", timeout_s=DRILL_TIMEOUT_S)  # after the push
    wait_text(name, "Summary — tension-drill · left side", timeout_s=DRILL_TIMEOUT_S)

    keys(name, "c")  # nothing is missing now, nothing typed: PAILs/RAILs runs at once,
    # saying what its % divides by (the pain-free max the tension drill just measured)
    shown = wait_text(name, "% of push pain-free max", timeout_s=DRILL_TIMEOUT_S)
    assert "needs a maximum" not in shown
    assert "left hip IR" in shown
    wait_text(name, "Summary — pails-rails-hip · left side", timeout_s=DRILL_TIMEOUT_S)
    wait_text(name, "N mean/peak")  # the step table, in newtons

    keys(name, "o")  # the same drill on the other side: nothing stored there yet
    shown = wait_text(name, "needs a maximum nobody has measured yet")
    assert "right side" in shown

    keys(name, "h")
    shown = wait_text(name, "History")
    assert "left" in shown
    keys(name, "Escape")
    wait_text(name, "needs a maximum nobody has measured yet")
    assert "Traceback" not in screen(name)
