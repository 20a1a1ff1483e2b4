"""Built-in drills load and say what MISSION.md says; user drills override built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills import (
    DrillEngine,
    DrillNotFoundError,
    find_drill,
    list_builtin,
    list_drills,
    load_builtin,
    load_drill,
)
from isoforce.drills.kinds import (
    BreathsStep,
    HoldStep,
    LiftOffStep,
    MaxTrialStep,
    PassiveStep,
    RampStep,
    ReleaseStep,
    RomStep,
    StaircaseStep,
)
from isoforce.drills.loader import MAX_INSTRUCTION_CHARS
from isoforce.drills.model import RepeatStep, SideSpec

PUSH, PULL = Direction.PUSH, Direction.PULL
BUILTINS = (
    "end-range-expansion",
    "hip-rom",
    "low-intensity",
    "max-test",
    "pails-rails-hip",
    "pails-rails-hip-er",
    "tension-drill",
)


def test_every_builtin_is_listed_and_loads() -> None:
    assert list_builtin() == BUILTINS
    for name in BUILTINS:
        drill = load_builtin(name)
        assert drill.name == name and drill.movement and drill.title
        for leaf in drill.leaves():
            assert 0 < len(leaf.instruction) <= MAX_INSTRUCTION_CHARS
        assert DrillEngine(drill).plan


def test_pails_rails_hip_is_the_seeds_sequence_exactly() -> None:
    drill = load_builtin("pails-rails-hip")
    assert drill.reference is ReferenceKind.PAIN_FREE and not drill.allow_above_max
    steps = list(drill.steps)
    # 1) 2 min passive stretch
    assert steps[0] == PassiveStep(seconds=120.0, instruction=steps[0].instruction)
    # 2) PAILs ramp 0 → 50 % at the default ≈5 %/s, hold 50 % for 20 s
    ramp1, hold1 = steps[1], steps[2]
    assert isinstance(ramp1, RampStep) and isinstance(hold1, HoldStep)
    assert (ramp1.direction, ramp1.from_pct, ramp1.to_pct, ramp1.duration_s) == (PUSH, 0, 50, 10)
    assert (hold1.direction, hold1.target_pct, hold1.seconds) == (PUSH, 50, 20)
    # 3) RAILs (pull away) hold 20 s
    rails1 = steps[3]
    assert isinstance(rails1, HoldStep)
    assert (rails1.direction, rails1.target_pct, rails1.seconds) == (PULL, 50, 20)
    # 4) 2 recovery breaths + a bit more passive stretch
    assert isinstance(steps[4], BreathsStep) and steps[4].count == 2
    assert isinstance(steps[5], PassiveStep) and 0 < steps[5].seconds <= 30
    # 5) PAILs ramp 50 % → max, hold max 20 s
    ramp2, hold2 = steps[6], steps[7]
    assert isinstance(ramp2, RampStep) and isinstance(hold2, HoldStep)
    assert (ramp2.direction, ramp2.from_pct, ramp2.to_pct, ramp2.duration_s) == (PUSH, 50, 100, 10)
    assert (hold2.direction, hold2.target_pct, hold2.seconds) == (PUSH, 100, 20)
    assert hold2.reference is ReferenceKind.PAIN_FREE  # max = the pain-free max
    # 6) RAILs hold 20 s
    assert steps[8] == rails1
    # 7) 2 recovery breaths + passive stretch, 4-5 more relaxed breaths
    assert isinstance(steps[9], BreathsStep) and steps[9].count == 2
    assert isinstance(steps[10], BreathsStep) and 4 <= steps[10].count <= 5
    # 8) 3 lift-offs, hold the 3rd for 5 s
    lift = steps[11]
    assert isinstance(lift, LiftOffStep) and (lift.count, lift.hold_last_s) == (3, 5)
    assert len(steps) == 12
    assert 270 <= drill.duration_s <= 330  # ≈4.5-5 min per side and direction
    assert drill.sensors.force_push and drill.sensors.force_pull and drill.sensors.imu


def test_tension_drill_is_a_ten_percent_staircase_then_slow_practice_push_then_pull() -> None:
    drill = load_builtin("tension-drill")
    stairs = [s for s in drill.steps if isinstance(s, StaircaseStep)]
    assert [s.direction for s in stairs] == [PUSH, PULL]  # each direction its own max
    for s in stairs:
        assert (s.step_pct, s.step_s, s.ceiling_pct) == (10, 2, 100)
        assert s.levels == (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
    practices = [s for s in drill.steps if isinstance(s, RepeatStep)]
    assert len(practices) == 2
    for stair, practice in zip(stairs, practices, strict=True):
        # each staircase is followed by its own direction's practice
        assert drill.steps.index(stair) < drill.steps.index(practice)
        kinds = [type(s) for s in practice.steps]
        assert kinds[:3] == [RampStep, HoldStep, ReleaseStep]
        ramp, release = practice.steps[0], practice.steps[2]
        assert isinstance(ramp, RampStep) and isinstance(release, ReleaseStep)
        assert {ramp.direction, release.direction} == {stair.direction}
        assert (ramp.from_pct, ramp.to_pct) == (0, 100) and release.from_pct == 100
        assert release.duration_s >= ramp.duration_s  # the way down is no faster than the way up
    assert drill.steps.index(practices[0]) < drill.steps.index(stairs[1])  # push done first


def test_max_test_is_three_five_second_trials_each_way_with_a_minute_rest_against_mvic() -> None:
    drill = load_builtin("max-test")
    trials = [s for s in drill.steps if isinstance(s, MaxTrialStep)]
    assert [t.direction for t in trials] == [PUSH, PULL]
    for t in trials:
        assert (t.trials, t.seconds, t.rest_s, t.reference) == (3, 5, 60, ReferenceKind.MVIC)
    between = drill.steps[drill.steps.index(trials[0]) + 1]
    assert isinstance(between, PassiveStep) and between.seconds >= 60


def test_low_intensity_and_ere_follow_their_published_shapes() -> None:
    low = load_builtin("low-intensity")
    block = low.steps[1]
    assert isinstance(block, RepeatStep) and 3 <= block.times <= 6
    holds = [s for s in block.steps if isinstance(s, HoldStep)]
    assert all(10 <= h.target_pct <= 20 and 3 <= h.seconds <= 6 for h in holds)
    # seed 002: supine, hips at 45°; internal rotation (a pull), external rotation with the
    # foot blocked (a push), internal rotation again, each one breath; one cycle to begin with
    ere = load_builtin("end-range-expansion")
    assert (ere.movement, ere.position) == ("hip-ir", "supine-45")
    cycle = ere.steps[1]
    assert isinstance(cycle, RepeatStep) and cycle.times == 1
    holds = [s for s in cycle.steps if isinstance(s, HoldStep)]
    assert [h.direction for h in holds] == [PULL, PUSH, PULL]
    assert all(h.seconds == 10 for h in holds)
    assert isinstance(cycle.steps[-2], ReleaseStep) and cycle.steps[-2].direction is PULL


def test_pails_rails_exist_for_internal_and_external_rotation() -> None:
    ir, er = load_builtin("pails-rails-hip"), load_builtin("pails-rails-hip-er")
    assert (ir.movement, er.movement) == ("hip-ir", "hip-er")
    assert ir.side is er.side is SideSpec.EITHER  # run per side
    # the same eight steps of the seeds, in both
    assert [type(s) for s in ir.steps] == [type(s) for s in er.steps]
    assert [getattr(s, "direction", None) for s in ir.steps] == [
        getattr(s, "direction", None) for s in er.steps
    ]


def test_user_drills_are_listed_and_override_builtins(tmp_path: Path) -> None:
    text = 'movement = "hip-er"\n[[steps]]\nkind = "passive"\nseconds = 5\n'
    (tmp_path / "max-test.toml").write_text(text, encoding="utf-8")
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    infos = {i.name: i for i in list_drills(tmp_path)}
    assert set(infos) == {*BUILTINS, "mine"}
    assert infos["max-test"].origin == "user" and infos["max-test"].overrides_builtin
    assert infos["mine"].origin == "user" and not infos["mine"].overrides_builtin
    assert infos["pails-rails-hip"].origin == "builtin"
    assert find_drill("max-test", tmp_path).movement == "hip-er"
    assert find_drill("max-test").movement == "hip-ir"
    assert load_builtin("max-test").movement == "hip-ir"
    assert load_drill(tmp_path / "mine.toml").name == "mine"
    with pytest.raises(DrillNotFoundError):
        find_drill("nope", tmp_path)
    with pytest.raises(DrillNotFoundError):
        load_builtin("mine")


def test_sensor_needs_name_what_a_rig_cannot_measure() -> None:
    from isoforce.core.effort_key import Capabilities

    needs = load_builtin("pails-rails-hip").sensors
    assert needs.missing(Capabilities(push=True, pull=False)) == ("force_pull", "imu")
    assert needs.missing(Capabilities(push=True, pull=True, imu=True)) == ()
    # A push-only rig still runs the max test: its pull half reads "not force-measured".
    assert load_builtin("max-test").sensors.missing(Capabilities(push=True, pull=False)) == (
        "force_pull",
    )


def test_parsed_data_without_text_has_no_line() -> None:
    from isoforce.drills.loader import parse_drill
    from isoforce.errors import DrillFileError

    with pytest.raises(DrillFileError) as info:
        parse_drill({"movement": "m", "steps": []}, name="x", source="mem")
    assert str(info.value) == "mem: steps: no steps: at least one is needed"


def test_hip_rom_sets_the_zero_pose_then_rotates_both_ways() -> None:
    drill = load_builtin("hip-rom")
    assert drill.sensors.imu and not drill.sensors.force_push and not drill.sensors.force_pull
    still, rom = drill.steps
    assert isinstance(still, PassiveStep) and still.seconds >= 2
    assert isinstance(rom, RomStep) and rom.directions == ("ir", "er") and rom.reps == 3
    plan = DrillEngine(drill).plan
    labels = [seg.rep_label for seg in plan[1].segments if seg.ends_rep]
    assert labels == ["IR 1/3", "ER 1/3", "IR 2/3", "ER 2/3", "IR 3/3", "ER 3/3"]
