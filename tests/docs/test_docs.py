"""The docs build in strict mode and every shell example in the guide runs as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent
#: Pages whose ```sh blocks are run by the test (```console blocks are shown, not run).
RUNNABLE_PAGES = ("getting-started.md", "drills.md")


def sh_blocks(page: Path) -> list[str]:
    """The commands of every ```sh block on a page, one string per line."""
    commands: list[str] = []
    for block in re.findall(
        r"^```sh\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.M | re.S
    ):
        commands.extend(
            line for line in block.splitlines() if line.strip() and not line.startswith("#")
        )
    return commands


def test_docs_build_in_strict_mode(tmp_path: Path) -> None:
    mkdocs = BIN / "mkdocs"
    if not mkdocs.exists():
        pytest.skip("mkdocs is not installed (install the 'dev' extra)")
    out = subprocess.run(
        [str(mkdocs), "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    site = tmp_path / "site"
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    for command in ("isoforce record", "isoforce drill run", "isoforce demo"):
        assert command in cli
    assert (site / "screenshots").is_dir()
    assert any((site / "screenshots").glob("test_player_mid_hold*.svg"))
    # every screenshot a page shows is one the snapshot tests render
    shown = {
        m
        for page in (ROOT / "docs").glob("*.md")
        for m in re.findall(r"screenshots/([\w.]+\.svg)", page.read_text(encoding="utf-8"))
    }
    assert shown and not {m for m in shown if not (site / "screenshots" / m).is_file()}


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
@pytest.mark.timeout(600)  # a page runs whole drills one after the other (about 1 min unloaded)
def test_every_shell_example_runs_as_written(page: str, tmp_path: Path) -> None:
    commands = sh_blocks(DOCS / page)
    assert commands, f"{page} has no runnable examples"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ISOFORCE_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(tmp_path / "home"),
    }
    for command in commands:
        out = subprocess.run(
            shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, (
            f"`{command}` failed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
        )
        assert "Traceback" not in out.stderr, command
