"""docs/reliability.md's table of findings names only tests that exist, and every import one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reliability.md"


def _finding_tests() -> set[str]:
    found = set()
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"^(?:async )?def (test_finding_\w+)", text, flags=re.M):
            found.add(f"{rel}::{name}")
    return found


def test_the_findings_table_names_real_tests_and_every_import_finding() -> None:
    section = PAGE.read_text(encoding="utf-8").split("## Findings and their tests", 1)[1]
    listed = set(re.findall(r"`(tests/[\w/]+\.py::test_finding_\w+)`", section))
    assert listed, "no findings table in docs/reliability.md"
    tests = _finding_tests()
    assert listed - tests == set(), "listed but not a test"
    imports = {t for t in tests if "::test_finding_import_" in t}
    assert imports - listed == set(), "an import finding test the table does not list"
