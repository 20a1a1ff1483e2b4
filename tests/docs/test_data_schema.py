"""docs/data.md documents exactly the CSV columns and JSON fields that ``isoforce export`` writes."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

from tests.export.json_lines import document, lines

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
    parts = lines(_export(tmp_path, "json").read_text(encoding="utf-8"))
    head, trailer = parts[0], parts[-1]
    assert documented == set(head) | set(trailer) - {"end"}
    assert set(_first_cells(_section("The lines of a JSON file"))) == {
        *set(parts[1]),
        "end",
    }


def _imu_export(tmp_path: Path) -> tuple[Path, Path]:
    """A recording with an IMU and a ROM record, exported as CSV (+ .imu.csv) and JSON."""
    from isoforce.core.effort_key import Side
    from isoforce.session.model import RomRecord
    from isoforce.session.store import SessionStore

    data = str(tmp_path / "data")
    run = subprocess.run(
        [
            ISOFORCE,
            "record",
            "--device",
            "sim-dual",
            "--speed",
            "max",
            "--duration",
            "2",
            "--data-dir",
            data,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    with SessionStore.open(data_dir=data) as store, store.transaction():
        (sid,) = store.resolve("latest")
        store.add_rom(
            [
                RomRecord(
                    "hip-rotation",
                    Side.LEFT,
                    "90-90",
                    "ir",
                    30.0,
                    "shank",
                    "2026-11-21T10:00:00",
                    sid,
                    "hip-rom",
                    {"reps_deg": [29.0, 30.0]},
                )
            ]
        )
    paths = []
    for fmt in ("csv", "json"):
        out = tmp_path / f"x.{fmt}"
        exp = subprocess.run(
            [ISOFORCE, "export", "latest", "--format", fmt, "--out", str(out), "--data-dir", data],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert exp.returncode == 0, exp.stderr
        paths.append(out)
    return paths[0], paths[1]


def test_documented_imu_columns_and_rom_fields_are_the_exported_ones(tmp_path: Path) -> None:
    documented = _first_cells(_section("IMU samples"))
    csv_path, json_path = _imu_export(tmp_path)
    with csv_path.with_suffix(".imu.csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert documented == header
    doc = document(json_path.read_text(encoding="utf-8"))
    assert documented == list(doc["imu"]["columns"])
    assert doc["imu"]["samples"] == len(doc["imu"]["columns"]["t_s"]) > 0
    assert _first_cells(_section("Range of motion records")) == list(doc["rom"][0])
