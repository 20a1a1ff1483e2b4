"""Compiling the firmware's portable C on the host (shared by the firmware tests)."""

from __future__ import annotations

import importlib.util
import os
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


def in_ci() -> bool:
    """Whether this run is CI's (``CI`` set, as CI services and ``.ci/run`` do)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tools(missing: list[str], what: str) -> None:
    """Skip the test when ``missing`` names tools that are not installed; in CI, fail instead.

    ``scripts/test`` installs the toolchain on CI's fresh machine, so a missing tool there is a
    broken install: the firmware tests must fail rather than pass by skipping (issue 19).
    """
    if not missing:
        return
    reason = f"{what} needs {', '.join(missing)} (scripts/test installs them)"
    if in_ci():
        pytest.fail(f"CI is set but {reason}: the firmware tests must run in CI", pytrace=False)
    pytest.skip(reason)


def load_script(name: str) -> ModuleType:
    """Import ``firmware_notes/<name>.py`` (a script, not a package) without touching sys.path."""
    spec = importlib.util.spec_from_file_location(name, FIRMWARE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_c(out: Path, *sources: Path) -> Path:
    """Build a host program with gcc (skips the test when there is no gcc; fails in CI)."""
    gcc = shutil.which("gcc")
    require_tools([] if gcc else ["gcc"], "the firmware's host build")
    assert gcc is not None
    cmd = [gcc, *C_FLAGS, f"-I{LIBRARY}", "-o", str(out), *(str(s) for s in sources)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return out
