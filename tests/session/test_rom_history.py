"""Range of motion in the history: series, left/right differences, the text and the CLI."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.session.history import History, build_history, rom_history
from isoforce.session.history_text import history_lines
from isoforce.session.model import ReferenceRecord, RomRecord
from isoforce.session.store import SessionStore
from tests.paths import ISOFORCE
from tests.session.session_helpers import rom


def mvic(side: Side, day: str, value: float) -> ReferenceRecord:
    key = MovementKey("hip-ir", side, Direction.PUSH, "90-90")
    return ReferenceRecord(key, ReferenceKind.MVIC, value, f"{day}T10:00:00", "max-test")


def _unattached(records: list[RomRecord]) -> list[RomRecord]:
    """The records without their session (no such sessions in a fresh store)."""
    return [replace(r, session_id=None) for r in records]


ROMS = [
    rom(Side.LEFT, "ir", 32.7, "2026-11-14T10:00:00", session_id=7),
    rom(Side.LEFT, "ir", 34.8, "2026-11-21T10:00:00", session_id=12),
    rom(Side.LEFT, "ir", 33.0, "2026-11-21T11:00:00", session_id=13),  # same day, not as far
    rom(Side.RIGHT, "ir", 37.0, "2026-11-21T10:30:00", session_id=14),
    rom(Side.LEFT, "er", 41.5, "2026-11-21T10:00:00", session_id=12),
    rom(Side.RIGHT, "er", 38.0, "2026-11-14T10:00:00", session_id=8),  # no left that day
    rom(Side.LEFT, "ir", 20.0, "2026-11-21T10:00:00", position="seated"),
]


def test_series_per_movement_side_position_direction() -> None:
    series, _ = rom_history(ROMS)
    keys = [(s.key.side.value, s.key.position, s.key.direction) for s in series]
    assert keys == [
        ("left", "90-90", "ir"),
        ("left", "90-90", "er"),
        ("left", "seated", "ir"),
        ("right", "90-90", "ir"),
        ("right", "90-90", "er"),
    ]
    left_ir = series[0]
    assert [p.angle_deg for p in left_ir.points] == [32.7, 34.8, 33.0]
    assert [p.session_id for p in left_ir.points] == [7, 12, 13]
    assert left_ir.points[1].date == "2026-11-21" and left_ir.points[1].source_drill == "hip-rom"
    assert left_ir.change_deg == pytest.approx(0.3)
    assert left_ir.latest.angle_deg == 33.0
    assert series[2].change_deg is None
    assert left_ir.key.label() == "hip-rotation left @ 90-90"
    assert left_ir.key.direction_name == "internal rotation"


def test_left_right_per_day_uses_each_sides_furthest_angle() -> None:
    _, sides = rom_history(ROMS)
    (ir,) = sides  # er: the two sides were measured on different days; seated: left only
    assert (ir.movement, ir.position, ir.direction) == ("hip-rotation", "90-90", "ir")
    (p,) = ir.points
    assert (p.date, p.left_deg, p.right_deg) == ("2026-11-21", 34.8, 37.0)
    assert p.diff_deg == pytest.approx(2.2)  # right − left


def test_history_holds_strength_and_rom_and_filters_by_movement() -> None:
    h = build_history([mvic(Side.LEFT, "2026-11-21", 120)], rom=ROMS)
    assert len(h.series) == 1 and len(h.rom) == 5 and len(h.rom_sides) == 1
    assert not h.empty
    only = build_history([mvic(Side.LEFT, "2026-11-21", 120)], movement="hip-ir", rom=ROMS)
    assert only.rom == () and only.rom_sides == ()
    assert build_history([], rom=ROMS[:1]).series == ()
    assert not build_history([], rom=ROMS[:1]).empty
    assert build_history([]).empty
    assert History((), ()).rom == ()  # the strength-only constructor still works


def test_history_lines_show_rom_after_strength() -> None:
    h = build_history([mvic(Side.LEFT, "2026-11-21", 120)], rom=ROMS[:4])
    lines = "\n".join(history_lines(h)).splitlines()  # a table is one multi-line entry
    start = lines.index("hip-rotation left @ 90-90 — active end range, internal rotation")
    assert lines[0] == "hip-ir left push @ 90-90 — MVIC"
    assert start == 3  # right after the strength series and its blank line
    assert lines[start + 1 : start + 4] == [
        "  2026-11-14   32.7°  (hip-rom, session 7)",
        "  2026-11-21   34.8°  (hip-rom, session 12)  +2.1° vs first",
        "  2026-11-21   33.0°  (hip-rom, session 13)  +0.3° vs first",
    ]
    table = lines.index("hip-rotation @ 90-90 — left/right, active end range, internal rotation")
    assert table > start
    assert lines[table + 1].split() == ["date", "left", "right", "R−L"]
    assert lines[table + 3].split() == ["2026-11-21", "34.8°", "37.0°", "+2.2°"]


def test_mixed_placements_are_named_per_point() -> None:
    recs = [rom(at="2026-11-14T10:00:00"), rom(at="2026-11-21T10:00:00", placement="thigh")]
    lines = history_lines(build_history([], rom=recs))
    assert lines[1].endswith("(hip-rom, entered, shank IMU)")
    assert lines[2].endswith("(hip-rom, entered, thigh IMU)  +0.0° vs first")


def test_store_history_includes_rom(store: SessionStore) -> None:
    with store.transaction():
        store.add_maxima([mvic(Side.LEFT, "2026-11-21", 120)])
        store.add_rom(_unattached(ROMS))
    h = store.history()
    assert len(h.series) == 1 and len(h.rom) == 5 and len(h.rom_sides) == 1
    assert store.history(movement="hip-rotation").series == ()
    assert len(store.history(movement="hip-rotation").rom) == 5


def test_isoforce_history_prints_rom(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with SessionStore.open(data_dir=data) as store, store.transaction():
        store.add_rom(_unattached(ROMS[1:4]))
    res = subprocess.run(
        [ISOFORCE, "history", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    assert out[0] == "hip-rotation left @ 90-90 — active end range, internal rotation"
    assert "  2026-11-21   34.8°  (hip-rom, entered)" in out
    assert any(line.split() == ["2026-11-21", "34.8°", "37.0°", "+2.2°"] for line in out)
    empty = subprocess.run(
        [ISOFORCE, "history", "--data-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert empty.returncode == 0 and "no maxima or range of motion stored" in empty.stdout
