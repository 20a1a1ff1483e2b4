"""Compiling the firmware's portable C on the host (shared by the firmware tests)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware_notes"
LIBRARY = FIRMWARE / "libraries" / "isoforce" / "src"
HOST_TEST = FIRMWARE / "host_test"
#: Strict C99: the same sources must build for an AVR, an ESP32 and the host.
C_FLAGS = (
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-Wconversion",
    "-Wshadow",
    "-O2",
)


def load_script(name: str) -> ModuleType:
    """Import ``firmware_notes/<name>.py`` (a script, not a package) without touching sys.path."""
    spec = importlib.util.spec_from_file_location(name, FIRMWARE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_c(out: Path, *sources: Path) -> Path:
    """Build a host program with gcc (skips the test when there is no gcc)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed (scripts/test installs it)")
    cmd = [gcc, *C_FLAGS, f"-I{LIBRARY}", "-o", str(out), *(str(s) for s in sources)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return out
