"""Scoring a ``lift_off`` step from the IMU, on top of the engine's own step score.

The drill engine already scores a lift-off step from whatever effort it was fed: one
:class:`~isoforce.drills.scoring.RepScore` per lift-off with the *magnitude* of the load cell's
effort (a lift-off should carry no load: the leg leaves the block). What it cannot see is the
movement. This module adds it, per rep, from the lift-offs the IMU detected
(:class:`~isoforce.signal.imu.LiftOff`):

* was there a lift-off at all, how far it rotated, and did it reach end range (the user's
  measured end range when known, else within ``tolerance_deg`` of the set's best lift);
* for a held rep (the last one of the seeds' sequence: 5 s), how long the hold lasted;
* from the load cell where there is one: was the leg off the block (mean effort magnitude at
  most ``off_block_pct``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isoforce.drills.kinds import LiftOffStep
from isoforce.drills.scoring import StepScore
from isoforce.signal.imu.liftoff import LiftOff

#: A lift-off belongs to a step if it starts within this margin of the step's time span.
MATCH_MARGIN_S = 1.0


@dataclass(frozen=True, slots=True)
class LiftOffRepScore:
    """One lift-off of a step: what the IMU saw and what the load cell read.

    Fields are None where nothing could be measured (no lift-off detected, no load cell).
    """

    rep: int
    label: str
    detected: bool
    lift_deg: float | None
    top_deg: float | None
    reached_end_range: bool | None
    hold_s: float | None
    hold_target_s: float
    held: bool | None
    load_cell_mean_pct: float | None
    off_block: bool | None


@dataclass(frozen=True, slots=True)
class LiftOffStepScore:
    """All lift-offs of one step, with how many the plan asked for and how many were seen."""

    step_index: int
    expected: int
    detected: int
    end_range_deg: float | None
    reps: tuple[LiftOffRepScore, ...]

    @property
    def complete(self) -> bool:
        """Every rep detected, at end range, and every hold held."""
        return self.detected == self.expected and all(
            r.reached_end_range is not False and r.held is not False for r in self.reps
        )


def score_lift_off_step(
    *,
    step: StepScore,
    plan_step: LiftOffStep,
    lift_offs: Sequence[LiftOff],
    end_range_deg: float | None = None,
    tolerance_deg: float = 3.0,
    hold_tolerance_s: float = 0.5,
    off_block_pct: float = 5.0,
) -> LiftOffStepScore:
    """Score a finished ``lift_off`` step from the IMU's lift-offs and its engine score.

    ``lift_offs`` may cover the whole session: those starting within the step's time span
    (± 1 s) are matched to its reps in order. ``end_range_deg`` is the user's active end range
    for this direction (signed, as the angle), e.g. from a CARs assessment.
    """
    mine = sorted(
        (
            lift
            for lift in lift_offs
            if step.started_t_s - MATCH_MARGIN_S <= lift.start_s <= step.ended_t_s + MATCH_MARGIN_S
        ),
        key=lambda lift: lift.start_s,
    )[: plan_step.count]
    best = max((abs(lift.lift_deg) for lift in mine), default=None)
    reps: list[LiftOffRepScore] = []
    for i in range(plan_step.count):
        hold_target = plan_step.hold_last_s if i == plan_step.count - 1 else 0.0
        engine_rep = next((r for r in step.reps if r.rep == i), None)
        mean = engine_rep.metrics.mean_effort if engine_rep is not None else None
        off_block = None if mean is None else abs(mean) <= off_block_pct
        label = (
            engine_rep.label if engine_rep is not None else f"lift-off {i + 1}/{plan_step.count}"
        )
        if i >= len(mine):
            reps.append(
                LiftOffRepScore(
                    i, label, False, None, None, False, None, hold_target, False, mean, off_block
                )
            )
            continue
        lift = mine[i]
        if end_range_deg is not None:
            same_side = lift.top_deg * end_range_deg > 0
            reached = same_side and abs(lift.top_deg) >= abs(end_range_deg) - tolerance_deg
        else:
            reached = best is not None and abs(lift.lift_deg) >= best - tolerance_deg
        held = lift.hold_s >= hold_target - hold_tolerance_s if hold_target > 0 else None
        reps.append(
            LiftOffRepScore(
                rep=i,
                label=label,
                detected=True,
                lift_deg=lift.lift_deg,
                top_deg=lift.top_deg,
                reached_end_range=reached,
                hold_s=lift.hold_s,
                hold_target_s=hold_target,
                held=held,
                load_cell_mean_pct=mean,
                off_block=off_block,
            )
        )
    return LiftOffStepScore(
        step_index=step.step_index,
        expected=plan_step.count,
        detected=len(mine),
        end_range_deg=end_range_deg,
        reps=tuple(reps),
    )
