"""What ``isoforce drill run`` prints for the pain key, loaded or not (its printer alone)."""

from __future__ import annotations

import pytest

from isoforce.cli.live_output import DrillPrinter
from isoforce.drills import DrillEngine, DrillEvent, EventKind, load_builtin


def printed(events: list[DrillEvent], capsys: pytest.CaptureFixture[str]) -> list[str]:
    plan = DrillEngine(load_builtin("pails-rails-hip")).plan
    DrillPrinter(plan).events(tuple(events), {})
    return capsys.readouterr().out.splitlines()


def test_pain_with_something_loaded_shows_the_drop_and_asks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = printed(
        [
            DrillEvent(EventKind.PAIN_MARKED, 10.9, 1, "pain", 14.0),
            DrillEvent(EventKind.PAIN_DROP, 10.9, 1, "pain: target 14 % → 4 %", 4.0),
        ],
        capsys,
    )
    assert lines == [
        "[ 0:10.9] PAIN marked at effort 14 %",
        "[ 0:10.9] pain: target 14 % → 4 % — better? (y yes · n no, lower again)",
    ]


def test_pain_with_nothing_loaded_still_asks_better(capsys: pytest.CaptureFixture[str]) -> None:
    """In a rest or a get-ready there is no drop, but the hold asks "better?" all the same."""
    lines = printed([DrillEvent(EventKind.PAIN_MARKED, 2.8, 0, "pain", 0.0)], capsys)
    assert lines == [
        "[ 0:02.8] PAIN marked at effort 0 %",
        "[ 0:02.8] nothing to push or pull: rest — better? (y yes · n no)",
    ]
    # before the start or after the end the key is only recorded: nothing is asked
    assert printed([DrillEvent(EventKind.PAIN_MARKED, 0.5, -1, "pain", None)], capsys) == [
        "[ 0:00.5] PAIN marked at effort n/a"
    ]
