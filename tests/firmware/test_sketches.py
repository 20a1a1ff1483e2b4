"""The Arduino sketches compile: Uno/Nano with Debian's AVR toolchain and Arduino core; the
ESP32 sketch's glue against stub headers (its toolchain is not packaged for Debian; its logic is
the portable library, which the other firmware tests build and run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.firmware.firmware_build import FIRMWARE, HOST_TEST, LIBRARY, load_script, require_tools

build_avr = load_script("build_avr")


@pytest.mark.parametrize("board", ["uno", "nano"])
def test_avr_sketch_compiles_and_fits(board: str, tmp_path: Path) -> None:
    require_tools(build_avr.missing_tools(), f"the {board} sketch's build")
    res = subprocess.run(
        [sys.executable, str(FIRMWARE / "build_avr.py"), "--board", board, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "sketch.hex").stat().st_size > 1000
    flash = int(res.stdout.split("flash ")[1].split(" /")[0])
    ram = int(res.stdout.split("RAM ")[1].split(" /")[0])
    assert flash <= build_avr.BOARDS[board]["flash"] and ram <= build_avr.BOARDS[board]["ram"]


def test_the_plain_text_hx711_sketch_compiles(tmp_path: Path) -> None:
    require_tools(build_avr.missing_tools(), "the text sketch's build")
    sketch = FIRMWARE / "hx711_text" / "hx711_text.ino"
    flash, ram = build_avr.build("uno", tmp_path, sketch=sketch)
    assert (tmp_path / "sketch.hex").exists() and flash < 8000 and ram < 1024


def test_esp32_sketch_glue_compiles_against_stubs() -> None:
    gxx = shutil.which("g++")
    require_tools([] if gxx else ["g++"], "the ESP32 sketch's check")
    assert gxx is not None
    flags = ["-std=gnu++11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-x", "c++"]
    includes = [f"-I{HOST_TEST / 'esp32_stubs'}", f"-I{LIBRARY}"]
    sketch = FIRMWARE / "isoforce_esp32" / "isoforce_esp32.ino"
    res = subprocess.run([gxx, *flags, *includes, str(sketch)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
