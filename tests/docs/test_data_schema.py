"""docs/data.md documents exactly the CSV columns and JSON fields that ``isoforce export`` writes."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ISOFORCE = str(Path(sys.executable).with_name("isoforce"))


def _section(title: str) -> str:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 3)
    return text[start : end if end > 0 else None]


def _first_cells(section: str) -> list[str]:
    """Backticked names in the first column of the section's first table."""
    names: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names.extend(re.findall(r"`([^`]+)`", line.split("|")[1]))
        elif names and not line.startswith("|"):
            break
    return names


def _export(tmp_path: Path, fmt: str) -> Path:
    data = str(tmp_path / "data")
    run = subprocess.run(
        [
            ISOFORCE,
            "drill",
            "--data-dir",
            data,
            "run",
            "low-intensity",
            "--speed",
            "max",
            "--side",
            "left",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = tmp_path / f"x.{fmt}"
    exp = subprocess.run(
        [ISOFORCE, "export", "latest", "--format", fmt, "--out", str(out), "--data-dir", data],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert exp.returncode == 0, exp.stderr
    return out


def test_documented_csv_columns_are_the_exported_columns(tmp_path: Path) -> None:
    documented = _first_cells(_section("CSV export"))
    with _export(tmp_path, "csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert documented == header


def test_documented_json_fields_are_the_exported_fields(tmp_path: Path) -> None:
    documented = set(_first_cells(_section("JSON export and the manifest")))
    doc = json.loads(_export(tmp_path, "json").read_text(encoding="utf-8"))
    assert documented == set(doc)
