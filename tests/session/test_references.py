from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.session.model import ReferenceRecord
from isoforce.session.references import latest_references


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
    assert refs.lines() == [
        "using push MVIC 200.0 N (2026-11-08, x)",
        "using push pain-free max 120.0 N (2026-11-08, x)",
    ]
    assert (
        latest_references(records, movement="hip-er", side=Side.LEFT, position="90-90").values_n
        == {}
    )
