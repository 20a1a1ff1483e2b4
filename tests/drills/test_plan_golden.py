"""The built-in drills load and plan to exactly the steps stored in ``data/builtin_plans.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isoforce.drills import list_builtin
from tests.drills.plan_golden import drill_as_data

GOLDEN = json.loads(
    (Path(__file__).parent / "data" / "builtin_plans.json").read_text(encoding="utf-8")
)


def test_every_builtin_has_a_stored_plan() -> None:
    assert sorted(GOLDEN) == sorted(list_builtin())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_builtin_plans_are_unchanged(name: str) -> None:
    assert drill_as_data(name) == GOLDEN[name]
