"""Packaging metadata (issue 20: setuptools warned that the licence table form is deprecated)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_finding_licence_is_an_spdx_string_not_the_deprecated_table() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(project["license"], str) and project["license"] == "MIT"
    assert not any("License ::" in c for c in project.get("classifiers", ()))
