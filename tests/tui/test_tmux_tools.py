"""Calibration, replay and free mode with the installed ``isoforce`` in a real terminal (tmux)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from isoforce.units import STANDARD_GRAVITY_M_S2
from tests.paths import ISOFORCE
from tests.serial_devices.serial_emulators import Emulator, Hx711Text, PtyLink
from tests.tui.test_tmux_smoke import _screen, _wait_text

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
        _wait_text(tmux_session, "not calibrated yet")
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
