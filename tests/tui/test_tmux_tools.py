"""Calibration, replay and free mode with the installed ``isoforce`` in a real terminal (tmux)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from isoforce.units import STANDARD_GRAVITY_M_S2
from tests.serial_devices.serial_emulators import Emulator, Hx711Text, PtyLink
from tests.tui.tmux_helpers import keys, screen, start, tmux_session, wait_match, wait_text
from tests.tui.tui_helpers import store_a_drill

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


__all__ = ["tmux_session"]  # the fixture


def test_calibrating_the_hx711_emulator_in_the_tui(tmux_session: str, tmp_path: Path) -> None:
    model = Hx711Text(rate_hz=80.0, base=84_000, spread=200)
    with Emulator(PtyLink(tmp_path), model) as emu:
        start(tmux_session, tmp_path, "tui", "--device", "hx711", "--port", str(emu.link.path))
        wait_text(tmux_session, "Pick a sensor")
        keys(tmux_session, "Enter")
        wait_text(tmux_session, "Add an IMU")
        keys(tmux_session, "Enter")  # no IMU: force only
        wait_text(tmux_session, "READING counts")
        time.sleep(1.5)  # a second of empty readings
        keys(tmux_session, "e")
        wait_text(tmux_session, "empty reading taken")
        model.base += round(10 * STANDARD_GRAVITY_M_S2 * 50)  # 10 kg at 50 counts per newton
        time.sleep(2.0)
        keys(tmux_session, "w", "1", "0", "Enter")
        wait_text(tmux_session, "calibrated with 10 kg")
        keys(tmux_session, "c")
        shown = wait_text(tmux_session, "10 kg reads")
        assert "FORCE N" in shown
        keys(tmux_session, "s")
        wait_text(tmux_session, "✓ saved")
        keys(tmux_session, "Enter")
        wait_text(tmux_session, "Pick a drill")
        keys(tmux_session, "q")
    saved = tmp_path / "calibrations" / "hx711.json"
    assert saved.exists(), screen(tmux_session)


def test_replaying_a_drill_at_4x_with_a_seek(tmux_session: str, tmp_path: Path) -> None:
    store_a_drill(tmp_path)
    start(tmux_session, tmp_path, "tui", "--audio", "off", size=(120, 40))
    wait_text(tmux_session, "Replay a stored session")
    keys(tmux_session, "End", "Enter")
    wait_text(tmux_session, "#1")
    keys(tmux_session, "Enter")
    shown = wait_text(tmux_session, "left side")
    assert "REPLAY of session 1" in shown and "Free mode" not in shown
    keys(tmux_session, "4")
    wait_text(tmux_session, "▶ 4×")
    clock = r"(\d+):(\d\d) / \d+:\d\d"

    def seconds(m: re.Match[str]) -> int:
        return int(m.group(1)) * 60 + int(m.group(2))

    before = seconds(re.search(clock, wait_text(tmux_session, " / ")) or _fail())
    keys(tmux_session, "Right")
    wait_match(tmux_session, clock, lambda m: seconds(m) >= before + 10)
    keys(tmux_session, "Space")
    wait_text(tmux_session, "⏸ PAUSED")
    keys(tmux_session, "t")
    wait_text(tmux_session, "nothing to tare")
    keys(tmux_session, "Escape", "Escape", "q")


def _fail() -> re.Match[str]:
    raise AssertionError("no replay clock on screen")


def test_free_mode_records_and_resets_the_peak(tmux_session: str, tmp_path: Path) -> None:
    start(tmux_session, tmp_path, "tui", "--audio", "off", "--speed", "4")
    wait_text(tmux_session, "Pick a sensor")
    keys(tmux_session, "Enter")
    wait_text(tmux_session, "Add an IMU")
    keys(tmux_session, "Enter")  # no IMU: force only
    wait_text(tmux_session, "Calibrate")
    keys(tmux_session, "Enter")
    wait_text(tmux_session, "Pick a drill")
    keys(tmux_session, "f")
    wait_text(tmux_session, "not recording")
    keys(tmux_session, "r")
    # asked for while the stream restarts to record: the push waits for the new stream
    keys(tmux_session, "p")
    wait_text(tmux_session, "● REC")
    peak = r"PEAK N · (\d+) %"
    wait_match(tmux_session, peak, lambda m: int(m.group(1)) >= 30)
    time.sleep(2.0)  # the 5 s push (1.25 s at 4×) is over
    keys(tmux_session, "x")
    wait_text(tmux_session, "peak reset")
    wait_match(tmux_session, peak, lambda m: int(m.group(1)) < 10)
    keys(tmux_session, "r")
    wait_text(tmux_session, "saved as session 1")
    wait_text(tmux_session, "not recording")  # the stream restarted without recording
    keys(tmux_session, "Escape", "Escape", "Escape", "q")
