"""Week-by-week progression from constructed sessions and maxima, and its store edge."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.drills.loader import load_builtin
from isoforce.drills.progression import Action
from isoforce.drills.progression_rule import ProgressionRule
from isoforce.session.model import (
    DeviceInfo,
    DrillInfo,
    ProfileInfo,
    ReferenceRecord,
    SessionKind,
    SessionMeta,
    SessionRecord,
    SessionStatus,
    StepRecord,
)
from isoforce.session.progress import build_progress, iso_week, training_sessions
from isoforce.session.progress_store import hold_targets, load_progress
from isoforce.session.progress_text import progress_lines
from isoforce.session.store import SessionStore

PUSH = MovementKey("hip-ir", Side.LEFT, Direction.PUSH, "90-90")
PULL = MovementKey("hip-ir", Side.LEFT, Direction.PULL, "90-90")


def step(index: int, kind: str, direction: str | None, in_band: float = 1.0) -> StepRecord:
    metrics = {"in_band_fraction": in_band, "rmse": 1.5}
    return StepRecord(
        index, f"{kind} {direction}", kind, direction, 0.0, 1.0, "completed", {"metrics": metrics}
    )


def drill_session(
    day: str,
    *,
    pains: list[dict[str, object]] | None = None,
    drops: list[dict[str, object]] | None = None,
    profile: str = "default",
    in_band: float = 1.0,
) -> SessionRecord:
    meta = SessionMeta(
        uuid=uuid.uuid4().hex,
        kind=SessionKind.DRILL,
        status=SessionStatus.COMPLETE,
        started_at=f"{day}T18:00:00.000+01:00",
        device=DeviceInfo("sim", "Simulated load cell", "push, pull"),
        profile=ProfileInfo(profile),
        drill=DrillInfo("pails-rails-hip"),
        movement="hip-ir",
        side=Side.LEFT,
        position="90-90",
    )
    steps = (
        step(0, "passive", None),
        step(2, "hold", "push", in_band),
        step(3, "hold", "pull"),
        step(7, "hold", "push"),
    )
    summary = {"pains": pains or [], "drops": drops or []}
    return SessionRecord(meta=meta, steps=steps, summary=summary)


def pain_free(
    day: str, value: float, *, lowered: bool = False, profile_note: str = ""
) -> ReferenceRecord:
    detail = {"found_by": "lowered by pain"} if lowered else {"found_by": "pain"}
    return ReferenceRecord(
        PUSH, ReferenceKind.PAIN_FREE, value, f"{day}T17:00:00+01:00", "tension-drill", None, detail
    )


TARGETS = {2: 50.0, 3: 50.0, 7: 100.0}


def test_iso_weeks_run_monday_to_sunday() -> None:
    assert iso_week("2026-11-30T08:00:00+01:00") == iso_week("2026-12-06T23:00:00+01:00")
    name, monday = iso_week("2026-12-03T10:00:00")
    assert (name, monday.isoformat()) == ("2026-W49", "2026-11-30")
    assert iso_week("2026-12-07T00:10:00")[0] == "2026-W50"


def test_holds_and_pain_are_split_by_direction() -> None:
    rec = drill_session(
        "2026-12-03",
        pains=[
            {"t_s": 10.0, "effort_pct": 51.0, "target_pct": 50.0, "step_index": 2},
            {"t_s": 50.0, "effort_pct": 1.0, "target_pct": 0.0, "step_index": 0},
        ],
        drops=[
            {
                "t_s": 10.0,
                "step_index": 2,
                "direction": "push",
                "painful_pct": 50.0,
                "level_pct": 40.0,
                "cause": "pain",
            },
            {
                "t_s": 30.0,
                "step_index": 3,
                "direction": "pull",
                "painful_pct": 50.0,
                "level_pct": 40.0,
                "cause": "pinching",
            },
        ],
    )
    found = training_sessions(rec, TARGETS)
    push, pull = found[PUSH], found[PULL]
    assert [h.target_pct for h in push.holds] == [50.0, 100.0]
    assert push.working_target_pct == 50.0
    # the pain key in the push hold, dropped to 40 %; the passive-step pain counts for both
    assert [(p.painful_pct, p.dropped_to_pct, p.cause) for p in push.pains] == [
        (50.0, 40.0, "pain"),
        (None, None, "pain"),
    ]
    assert [(p.painful_pct, p.cause) for p in pull.pains] == [(None, "pain"), (50.0, "pinching")]


def test_weeks_show_max_mvic_quality_and_pain_and_the_suggestion_follows_the_rule() -> None:
    sessions = [
        drill_session("2026-11-19"),  # W47: clean
        drill_session(  # W48: pain at 50 %
            "2026-11-26",
            pains=[{"t_s": 10.0, "effort_pct": 51.0, "target_pct": 50.0, "step_index": 2}],
        ),
    ]
    maxima = [
        pain_free("2026-11-16", 150.0),
        pain_free("2026-11-26", 135.0, lowered=True),
        ReferenceRecord(PUSH, ReferenceKind.MVIC, 210.0, "2026-11-16T17:30:00+01:00", "max-test"),
        ReferenceRecord(PUSH, ReferenceKind.MVIC, 220.0, "2026-11-17T17:30:00+01:00", "max-test"),
    ]
    pairs = [kv for rec in sessions for kv in training_sessions(rec, TARGETS).items()]
    progress = build_progress(maxima, pairs, rule=ProgressionRule())
    by_key = {k.key: k for k in progress.keys}
    push = by_key[PUSH]
    assert [w.week for w in push.weeks] == ["2026-W47", "2026-W48"]
    w47, w48 = push.weeks
    assert (w47.pain_free_max_n, w47.mvic_n, w47.sessions, w47.holds) == (150.0, 220.0, 1, 2)
    assert w47.in_band_pct == 100.0 and w47.rmse_pct == 1.5 and w47.hold_target_pct == 50.0
    assert w47.dates == "16–22 Nov 2026"
    assert (w48.pain_free_max_n, w48.lowered_by_pain, w48.mvic_n) == (135.0, 1, None)
    assert w48.pains == ("pain at 50 % on 26 Nov",)
    assert push.suggestion.action is Action.KEEP
    assert push.suggestion.text == "keep 50 % — pain at 50 % on 26 Nov"
    # pull: the pain was in a push step, so pull only counts its clean holds
    assert by_key[PULL].suggestion.action is Action.RAISE
    text = "\n".join(progress_lines(progress))
    assert "hip-ir left push @ 90-90 — week by week" in text
    assert "135.0 N (lowered by pain)" in text
    assert "next session (pails-rails-hip): keep 50 % — pain at 50 % on 26 Nov" in text
    assert "athlete" not in text  # one default athlete never sees the concept


def test_a_key_with_one_week_shows_that_week_only() -> None:
    progress = build_progress([pain_free("2026-12-01", 150.0)], [], rule=ProgressionRule())
    (key,) = progress.keys
    assert [w.week for w in key.weeks] == ["2026-W49"]
    assert key.suggestion.action is Action.START


def test_targets_come_from_the_drill_as_it_ran_and_a_changed_file_gives_none() -> None:
    rec = drill_session("2026-12-03")
    drill = load_builtin("pails-rails-hip")
    text = Path(drill.source).read_text(encoding="utf-8")
    stored = SessionRecord(
        meta=SessionMeta(**{**_fields(rec.meta), "drill": DrillInfo("pails-rails-hip", toml=text)}),
        steps=rec.steps,
    )
    assert hold_targets(stored) == {2: 50.0, 3: 50.0, 7: 100.0}
    # step 3 stored as a push hold no longer matches the file: no target rather than a wrong one
    odd = SessionRecord(meta=stored.meta, steps=(step(3, "hold", "push"),))
    assert hold_targets(odd) == {}


def _fields(meta: SessionMeta) -> dict[str, object]:
    return {name: getattr(meta, name) for name in SessionMeta.__dataclass_fields__}


def test_the_store_edge_keeps_athletes_apart(store: SessionStore) -> None:
    store.save_record(drill_session("2026-11-19"))
    store.save_record(
        drill_session(
            "2026-11-20",
            profile="coach-client",
            in_band=0.5,
            pains=[{"t_s": 1.0, "effort_pct": 40.0, "target_pct": 40.0, "step_index": 2}],
        )
    )
    store.add_maxima([pain_free("2026-11-16", 150.0)])
    mine = load_progress(store, rule=ProgressionRule())
    theirs = load_progress(store, rule=ProgressionRule(), profile="coach-client")
    push = {k.key: k for k in mine.keys}[PUSH]
    assert push.pain_free_max_n == 150.0
    assert push.suggestion.action is Action.RAISE
    assert push.suggestion.target_n == pytest.approx(82.5)
    other = {k.key: k for k in theirs.keys}[PUSH]
    assert other.pain_free_max_n is None
    assert [w.week for w in other.weeks] == ["2026-W47"]
    assert other.weeks[0].pains == ("pain at 40 % on 20 Nov",)
    assert other.suggestion.action is Action.KEEP
    assert theirs.as_dict()["profile"] == "coach-client"
    assert load_progress(store, rule=ProgressionRule(), movement="hip-er").keys == ()
