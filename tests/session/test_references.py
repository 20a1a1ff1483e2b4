from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.session.model import ReferenceRecord
from isoforce.session.references import (
    ReferenceSource,
    StoredReferences,
    choose_references,
    latest_references,
)


def _rec(
    side: Side,
    direction: Direction,
    kind: ReferenceKind,
    value: float,
    at: str,
    position: str = "90-90",
) -> ReferenceRecord:
    return ReferenceRecord(
        key=MovementKey("hip-ir", side, direction, position),
        kind=kind,
        value_n=value,
        measured_at=at,
        source_drill="x",
    )


def test_latest_value_per_kind_and_direction_for_the_exact_key() -> None:
    records = [
        _rec(Side.LEFT, Direction.PUSH, ReferenceKind.PAIN_FREE, 100.0, "2026-11-01T10:00:00"),
        _rec(Side.LEFT, Direction.PUSH, ReferenceKind.PAIN_FREE, 120.0, "2026-11-08T10:00:00"),
        _rec(Side.LEFT, Direction.PUSH, ReferenceKind.MVIC, 200.0, "2026-11-08T10:05:00"),
        _rec(Side.RIGHT, Direction.PUSH, ReferenceKind.PAIN_FREE, 999.0, "2026-11-09T10:00:00"),
        _rec(
            Side.LEFT,
            Direction.PUSH,
            ReferenceKind.PAIN_FREE,
            555.0,
            "2026-11-09T10:00:00",
            position="prone",
        ),
    ]
    refs = latest_references(records, movement="hip-ir", side=Side.LEFT, position="90-90")
    assert refs.get(ReferenceKind.PAIN_FREE, Direction.PUSH) == 120.0
    assert refs.get(ReferenceKind.MVIC, Direction.PUSH) == 200.0
    assert refs.get(ReferenceKind.PAIN_FREE, Direction.PULL) is None
    assert (
        latest_references(records, movement="hip-er", side=Side.LEFT, position="90-90").values_n
        == {}
    )


def test_finding_every_reference_says_where_it_came_from_and_what_it_overrides() -> None:
    stored = latest_references(
        [_rec(Side.LEFT, Direction.PUSH, ReferenceKind.PAIN_FREE, 150.0, "2026-11-08T10:00:00")],
        movement="hip-ir",
        side=Side.LEFT,
        position="90-90",
    )
    chosen = choose_references(
        given={"push_max_n": 300.0},
        stored=stored,
        fallback={"mvic_push_n": 100.0, "mvic_pull_n": 100.0},
        fallback_source=ReferenceSource.PROVISIONAL,
    )
    push, pull = chosen["push_max_n"], chosen["pull_max_n"]
    assert (push.value_n, push.source) == (300.0, ReferenceSource.FLAG)
    assert push.line() == (
        "push pain-free max 300.0 N: from --push-max, overriding the stored 150.0 N of "
        "2026-11-08 (x)"
    )
    assert (pull.value_n, pull.source) == (None, ReferenceSource.NONE)
    assert "none stored" in pull.line() and "not measured" in pull.line()
    mvic = chosen["mvic_push_n"]
    assert mvic.source is ReferenceSource.PROVISIONAL
    assert "none before this run, which measures it; effort reads in newtons" in mvic.line()
    kept = choose_references(given={}, stored=stored)["push_max_n"]
    assert kept.source is ReferenceSource.STORED
    assert kept.line() == "push pain-free max 150.0 N: stored 2026-11-08 (x)"


def test_a_stored_max_wins_over_the_simulated_athletes() -> None:
    stored = latest_references(
        [_rec(Side.LEFT, Direction.PUSH, ReferenceKind.MVIC, 231.0, "2026-11-08T10:00:00")],
        movement="hip-ir",
        side=Side.LEFT,
        position="90-90",
    )
    athlete = {"mvic_push_n": 250.0, "push_max_n": 250.0}
    chosen = choose_references(
        given={}, stored=stored, fallback=athlete, fallback_source=ReferenceSource.SIMULATED
    )
    assert chosen["mvic_push_n"].value_n == 231.0
    assert chosen["push_max_n"].source is ReferenceSource.SIMULATED
    empty = choose_references(given={}, stored=StoredReferences())
    assert all(c.source is ReferenceSource.NONE for c in empty.values())


def test_a_max_being_measured_reads_well_under_the_player() -> None:
    from isoforce.core.effort_key import Direction, ReferenceKind
    from isoforce.session.references import ChosenReference, ReferenceSource

    scale = ChosenReference(
        ReferenceKind.PAIN_FREE, Direction.PUSH, 100.0, ReferenceSource.PROVISIONAL
    )
    assert f"effort % of the {scale.short()}" == (
        "effort % of the 100 N scale, so % = N (push pain-free max measured by this run)"
    )
    mvic = ChosenReference(
        ReferenceKind.PAIN_FREE, Direction.PULL, 170.0, ReferenceSource.FROM_MVIC
    )
    assert mvic.short() == "pull MVIC 170 N (pull pain-free max found by this run)"
