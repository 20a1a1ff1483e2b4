"""docs/reliability.md's table of findings names tests that exist, and lists every one of them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reliability.md"
#: Finding tests of other issues, which the reliability page (issue 20) does not list.
OTHER_ISSUES = ("tests/drills/test_fair_scores.py",)


def _finding_tests() -> set[str]:
    found = set()
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in OTHER_ISSUES:
            continue
        for name in re.findall(r"^def (test_finding_\w+)", path.read_text(), flags=re.M):
            found.add(f"{rel}::{name}")
    return found


def test_every_finding_in_the_table_is_a_real_test_and_every_test_is_listed() -> None:
    section = PAGE.read_text(encoding="utf-8").split("## Findings and their tests", 1)[1]
    listed = set(re.findall(r"`(tests/[\w/]+\.py::test_finding_\w+)`", section))
    assert listed, "no findings table in docs/reliability.md"
    tests = _finding_tests()
    assert listed - tests == set(), "listed but not a test"
    assert tests - listed == set(), "a finding test the table does not list"
