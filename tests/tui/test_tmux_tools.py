"""Calibration, replay and free mode with the installed ``isoforce`` in a real terminal (tmux)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from isoforce.units import STANDARD_GRAVITY_M_S2
from tests.paths import ISOFORCE
from tests.serial_devices.serial_emulators import Emulator, Hx711Text, PtyLink
from tests.tui.test_tmux_smoke import _screen, _wait_text
from tests.tui.tui_helpers import store_a_drill

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


@pytest.fixture
def tmux_session() -> Iterator[str]:
    name = f"isoforce-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def _start(name: str, data: Path, *args: str, size: tuple[int, int] = (100, 30)) -> None:
    env = f"ISOFORCE_DATA_DIR={data} HOME={data} TERM=xterm-256color"
    cmd = f"env {env} {ISOFORCE} {' '.join(args)}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), cmd],
        check=True,
    )


def _keys(name: str, *keys: str) -> None:
    for key in keys:
        subprocess.run(["tmux", "send-keys", "-t", name, key], check=True)
        time.sleep(0.15)


def test_calibrating_the_hx711_emulator_in_the_tui(tmux_session: str, tmp_path: Path) -> None:
    model = Hx711Text(rate_hz=80.0, base=84_000, spread=200)
    with Emulator(PtyLink(tmp_path), model) as emu:
        _start(tmux_session, tmp_path, "tui", "--device", "hx711", "--port", str(emu.link.path))
        _wait_text(tmux_session, "Pick a sensor")
        _keys(tmux_session, "Enter")
        _wait_text(tmux_session, "Add an IMU")
        _keys(tmux_session, "Enter")  # no IMU: force only
        _wait_text(tmux_session, "READING counts")
        time.sleep(1.5)  # a second of empty readings
        _keys(tmux_session, "e")
        _wait_text(tmux_session, "empty reading taken")
        model.base += round(10 * STANDARD_GRAVITY_M_S2 * 50)  # 10 kg at 50 counts per newton
        time.sleep(2.0)
        _keys(tmux_session, "w", "1", "0", "Enter")
        _wait_text(tmux_session, "calibrated with 10 kg")
        _keys(tmux_session, "c")
        screen = _wait_text(tmux_session, "10 kg reads")
        assert "FORCE N" in screen
        _keys(tmux_session, "s")
        _wait_text(tmux_session, "✓ saved")
        _keys(tmux_session, "Enter")
        _wait_text(tmux_session, "Pick a drill")
        _keys(tmux_session, "q")
    saved = tmp_path / "calibrations" / "hx711.json"
    assert saved.exists(), _screen(tmux_session)


def _wait_match(name: str, pattern: str, ok: Callable[[re.Match[str]], bool]) -> str:
    """Wait until ``pattern`` is on screen and ``ok`` says its match is the one wanted."""
    deadline = time.monotonic() + 30.0
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(name)
        found = re.search(pattern, screen)
        if found and ok(found):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} never matched as wanted; screen was:\n{screen}")


def test_replaying_a_drill_at_4x_with_a_seek(tmux_session: str, tmp_path: Path) -> None:
    store_a_drill(tmp_path)
    _start(tmux_session, tmp_path, "tui", "--audio", "off", size=(120, 40))
    _wait_text(tmux_session, "Replay a stored session")
    _keys(tmux_session, "End", "Enter")
    _wait_text(tmux_session, "#1")
    _keys(tmux_session, "Enter")
    screen = _wait_text(tmux_session, "left side")
    assert "REPLAY of session 1" in screen and "Free mode" not in screen
    _keys(tmux_session, "4")
    _wait_text(tmux_session, "▶ 4×")
    clock = r"(\d+):(\d\d) / \d+:\d\d"

    def seconds(m: re.Match[str]) -> int:
        return int(m.group(1)) * 60 + int(m.group(2))

    before = seconds(re.search(clock, _wait_text(tmux_session, " / ")) or _fail())
    _keys(tmux_session, "Right")
    _wait_match(tmux_session, clock, lambda m: seconds(m) >= before + 10)
    _keys(tmux_session, "Space")
    _wait_text(tmux_session, "⏸ PAUSED")
    _keys(tmux_session, "t")
    _wait_text(tmux_session, "nothing to tare")
    _keys(tmux_session, "Escape", "Escape", "q")


def _fail() -> re.Match[str]:
    raise AssertionError("no replay clock on screen")


def test_free_mode_records_and_resets_the_peak(tmux_session: str, tmp_path: Path) -> None:
    _start(tmux_session, tmp_path, "tui", "--audio", "off", "--speed", "4")
    _wait_text(tmux_session, "Pick a sensor")
    _keys(tmux_session, "Enter")
    _wait_text(tmux_session, "Add an IMU")
    _keys(tmux_session, "Enter")  # no IMU: force only
    _wait_text(tmux_session, "Calibrate")
    _keys(tmux_session, "Enter")
    _wait_text(tmux_session, "Pick a drill")
    _keys(tmux_session, "f")
    _wait_text(tmux_session, "not recording")
    _keys(tmux_session, "r")
    # asked for while the stream restarts to record: the push waits for the new stream
    _keys(tmux_session, "p")
    _wait_text(tmux_session, "● REC")
    peak = r"PEAK N · (\d+) %"
    _wait_match(tmux_session, peak, lambda m: int(m.group(1)) >= 30)
    time.sleep(2.0)  # the 5 s push (1.25 s at 4×) is over
    _keys(tmux_session, "x")
    _wait_text(tmux_session, "peak reset")
    _wait_match(tmux_session, peak, lambda m: int(m.group(1)) < 10)
    _keys(tmux_session, "r")
    _wait_text(tmux_session, "saved as session 1")
    _wait_text(tmux_session, "not recording")  # the stream restarted without recording
    _keys(tmux_session, "Escape", "Escape", "Escape", "q")
