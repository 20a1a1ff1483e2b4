"""The TUI's pure view-model helpers: the denominator line, the maxima rows, missing maxima."""

from __future__ import annotations

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.drills.loader import find_drill
from isoforce.live import SessionOptions
from isoforce.live.references import missing_references
from isoforce.paths import drills_dir
from isoforce.session.model import ReferenceRecord
from isoforce.session.references import (
    ChosenReference,
    ReferenceSource,
    StoredReferences,
    latest_references,
)
from isoforce.tui.denominator import denominator_text, movement_short, position_short
from isoforce.tui.maxima_rows import maxima_rows


def _rec(side: Side, d: Direction, kind: ReferenceKind, n: float, day: str) -> ReferenceRecord:
    key = MovementKey("hip-ir", side, d, "90-90")
    return ReferenceRecord(key, kind, n, f"2026-12-{day}T10:00:00+00:00", "tension-drill")


def test_the_denominator_line_names_value_key_position_and_day() -> None:
    rec = _rec(Side.LEFT, Direction.PUSH, ReferenceKind.PAIN_FREE, 150.0, "02")
    c = ChosenReference(ReferenceKind.PAIN_FREE, Direction.PUSH, 150.0, ReferenceSource.STORED, rec)
    text = denominator_text(c, movement="hip-ir", side=Side.LEFT, position="90-90")
    assert text == "% of push pain-free max 150 N · left hip IR · 90/90 · from 2 Dec"
    scale = ChosenReference(ReferenceKind.MVIC, Direction.PULL, 100.0, ReferenceSource.PROVISIONAL)
    text = denominator_text(scale, movement=None, side=None, position=None)
    # no max known yet: never "% of" a stand-in, the number is in newtons and says why
    assert text == (
        "N (no pull MVIC yet) · this movement (no side) · "
        "none before this run, which measures it: in N"
    )
    assert (movement_short("hip-er"), position_short("supine-45")) == ("hip ER", "supine")
    assert (movement_short("knee"), position_short("my-bench")) == ("knee", "my-bench")


def test_maxima_rows_keep_keys_apart_latest_first_and_the_chosen_side_first() -> None:
    records = [
        _rec(Side.LEFT, Direction.PUSH, ReferenceKind.MVIC, 240.0, "01"),
        _rec(Side.LEFT, Direction.PUSH, ReferenceKind.MVIC, 251.7, "03"),
        _rec(Side.RIGHT, Direction.PUSH, ReferenceKind.PAIN_FREE, 140.0, "02"),
    ]
    rows = maxima_rows(records, side=Side.RIGHT)
    assert rows == [
        ("right", "hip IR", "90/90", "push", "140 N · 2 Dec", "—"),
        ("left", "hip IR", "90/90", "push", "—", "252 N · 3 Dec"),
    ]


def test_missing_maxima_are_what_the_drills_targets_divide_by_and_nothing_gives() -> None:
    user = drills_dir(None)
    pails = find_drill("pails-rails-hip", user)
    nothing = missing_references(SessionOptions(), pails, stored=StoredReferences())
    assert {(c.kind, c.direction) for c in nothing} == {
        (ReferenceKind.PAIN_FREE, Direction.PUSH),
        (ReferenceKind.PAIN_FREE, Direction.PULL),
    }
    # the simulator's athlete is no stand-in here, so the offer is the same as on a real sensor
    assert missing_references(SessionOptions(device="sim"), pails, stored=StoredReferences())
    # a compression-only cell cannot see the pull: only the push max is asked for
    push_only = missing_references(
        SessionOptions(device="sim-push"), pails, stored=StoredReferences()
    )
    assert [c.direction for c in push_only] == [Direction.PUSH]
    # a stored push max and a typed pull max: nothing missing
    stored = latest_references(
        [_rec(Side.LEFT, Direction.PUSH, ReferenceKind.PAIN_FREE, 150.0, "02")],
        movement="hip-ir",
        side=Side.LEFT,
        position="90-90",
    )
    assert missing_references(SessionOptions(pull_max_n=120.0), pails, stored=stored) == []
    # the drills that measure a max need none
    for name in ("max-test", "tension-drill"):
        assert missing_references(SessionOptions(), find_drill(name, user), stored=stored) == []
