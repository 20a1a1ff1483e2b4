"""Athletes in the store: schema v3, add/list/set, unknown and duplicate names, remembered
choices, per-athlete sessions and maxima, and torque from a lever arm."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.errors import AthleteNameError
from isoforce.session import _schema
from isoforce.session.athletes import (
    Athlete,
    check_name,
    choose,
    parse_lever_arm,
    torque_basis,
    torque_of,
)
from isoforce.session.model import ProfileInfo, ReferenceRecord
from isoforce.session.store import SessionNotFoundError, SessionStore
from tests.session.session_helpers import record

MVIC = ReferenceRecord(
    MovementKey("hip-ir", Side.LEFT, Direction.PUSH, "90-90"),
    ReferenceKind.MVIC,
    120.0,
    "2026-11-20T10:00:00",
    "max-test",
)


def test_a_v2_store_migrates_and_keeps_its_data_under_the_default_athlete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "isoforce.sqlite3"
    with monkeypatch.context() as m:  # the store as isoforce with schema v2 wrote it
        m.setattr(_schema, "MIGRATIONS", _schema.MIGRATIONS[:2])
        with SessionStore.open(path) as old:
            assert old.schema_version == 2
            sid = old.save_record(replace(record(), maxima=(MVIC,)))
    with SessionStore.open(path) as new:
        assert new.schema_version == 3 == _schema.current_version()
        assert [a.name for a in new.athletes()] == ["default"]
        assert new.athlete().sessions == 1
        assert [i.id for i in new.sessions(profile="default")] == [sid]
        assert [r.value_n for r in new.reference_history(profile="default")] == [120.0]
        new.update_athlete("default", lever_arms_m={"90-90": 0.3})
        assert new.athlete().lever_arms_m == {"90-90": 0.3}
    with SessionStore.open(path) as again:  # opening again does not migrate twice
        assert again.schema_version == 3 and again.load(sid).samples == 500


def test_a_new_store_has_only_the_default_athlete(store: SessionStore) -> None:
    assert [(a.name, a.sessions) for a in store.athletes()] == [("default", 0)]
    assert store.athlete("default").name == "default"


def test_add_list_and_set_athletes(store: SessionStore) -> None:
    added = store.add_athlete(Athlete("anna", body_mass_kg=62.0, lever_arms_m={"90-90": 0.35}))
    assert added.body_mass_kg == 62.0 and added.lever_arm_m("90-90") == 0.35
    store.add_athlete(Athlete("Bob"))
    assert [a.name for a in store.athletes()] == ["default", "anna", "Bob"]
    changed = store.update_athlete("anna", lever_arms_m={"supine-45": 0.38})
    assert changed.lever_arms_m == {"90-90": 0.35, "supine-45": 0.38}
    assert changed.body_mass_kg == 62.0  # untouched when not given
    assert store.update_athlete("anna", body_mass_kg=63.5).body_mass_kg == 63.5


def test_unknown_and_duplicate_names_are_usage_errors(store: SessionStore) -> None:
    store.add_athlete(Athlete("anna"))
    with pytest.raises(AthleteNameError, match="exists already"):
        store.add_athlete(Athlete("anna"))
    with pytest.raises(AthleteNameError, match=r"no athlete 'anan'.*athlete add anan"):
        store.athlete("anan")
    with pytest.raises(AthleteNameError):
        store.update_athlete("anan", body_mass_kg=70.0)
    with pytest.raises(AthleteNameError):
        check_name("  ")
    with pytest.raises(AthleteNameError):
        check_name("a\x1bb")


def test_remembered_choices_are_per_athlete(store: SessionStore) -> None:
    store.add_athlete(Athlete("anna"))
    store.remember("anna", {"side": "left", "movement": "hip-er", "device": "sim"})
    store.remember("anna", {"side": "right", "movement": None})  # None keeps what was there
    anna = store.athlete("anna")
    assert anna.remembered == {"side": "right", "movement": "hip-er", "device": "sim"}
    assert anna.remembered_side() is Side.RIGHT
    assert store.athlete("default").remembered == {}
    assert choose(None, anna, "movement").text() == "hip-er (remembered)"
    assert choose("hip-ir", anna, "movement").text() == "hip-ir"
    assert choose(None, store.athlete(), "movement").value is None


def test_sessions_maxima_and_latest_are_per_athlete(store: SessionStore) -> None:
    store.add_athlete(Athlete("anna"))
    mine = store.save_record(replace(record(), maxima=(MVIC,)))
    rec = record()
    theirs = store.save_record(
        replace(rec, meta=replace(rec.meta, uuid="b" * 32, profile=ProfileInfo("anna")))
    )
    assert [i.id for i in store.sessions(profile="default")] == [mine]
    assert [i.id for i in store.sessions(profile="anna")] == [theirs]
    assert {i.id for i in store.sessions()} == {mine, theirs}
    assert [r.value_n for r in store.reference_history(profile="default")] == [120.0]
    assert store.reference_history(profile="anna") == []
    assert store.resolve("latest", profile="anna") == [theirs]
    assert store.resolve("all", profile="default") == [mine]
    assert store.session_athlete(theirs) == "anna"
    with pytest.raises(SessionNotFoundError, match="belongs to athlete 'anna'"):
        store.resolve(str(theirs), profile="default")


def test_torque_from_the_lever_arm_and_body_mass() -> None:
    anna = Athlete("anna", body_mass_kg=62.0, lever_arms_m={"90-90": 0.35})
    basis = torque_basis(anna, "90-90")
    assert basis is not None
    torque = torque_of(200.0, basis)
    assert torque.torque_nm == pytest.approx(70.0)
    assert torque.per_kg == pytest.approx(70.0 / 62.0)
    assert torque.text() == (
        "70.0 N·m, 1.13 N·m/kg (lever arm 0.35 m at 90-90 from athlete anna, body mass 62 kg)"
    )
    assert torque_basis(anna, "prone") is None  # no lever arm there: no torque
    assert torque_of(200.0, replace(basis, body_mass_kg=None)).per_kg is None


def test_lever_arm_text_is_checked() -> None:
    assert parse_lever_arm("90-90=0.35") == ("90-90", 0.35)
    for bad in ("90-90", "90-90=x", "90-90=0", "90-90=2.5", "Bad Slug=0.3"):
        with pytest.raises(ValueError):
            parse_lever_arm(bad)


def test_recover_keeps_the_athletes(store: SessionStore, tmp_path: Path) -> None:
    from isoforce.session.maintenance import recover_store

    store.add_athlete(Athlete("anna", body_mass_kg=62.0, lever_arms_m={"90-90": 0.35}))
    store.update_athlete("default", lever_arms_m={"prone": 0.3})
    store.remember("anna", {"side": "left"})
    rec = record()
    store.save_record(replace(rec, meta=replace(rec.meta, profile=ProfileInfo("anna"))))
    target = tmp_path / "recovered.sqlite3"
    report = recover_store(store.path, target)
    assert len(report.saved) == 1 and not report.lost
    with SessionStore.open(target) as fresh:
        anna = fresh.athlete("anna")
        assert anna.lever_arms_m == {"90-90": 0.35} and anna.body_mass_kg == 62.0
        assert anna.remembered == {"side": "left"} and anna.sessions == 1
        assert fresh.athlete().lever_arms_m == {"prone": 0.3}
