"""Plain-text views of drills and their scores, shared by the CLI and the TUI summary."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.events import DrillResult, SkippedTrial
from isoforce.drills.imu_scores import ImuDrillSummary, ImuStepScore
from isoforce.drills.kinds import StepKind, traits_of
from isoforce.drills.model import Drill
from isoforce.drills.plan import PlanStep, build_plan
from isoforce.drills.scoring import StepScore, best_max_effort

#: In a step that should be isometric, an angle range this large is worth a mention even when
#: it crept too slowly to count as movement.
DRIFT_NOTE_DEG = 2.0

SCORE_HEADERS = ("#", "step", "in band", "RMSE", "CE", "CV", "mean", "peak", "ended")
NOT_FORCE_MEASURED = "not force-measured"
"""What a force step's score says when the sensor saw none of its effort (e.g. a pull on a
compression-only cell): never a score, never 0 %."""


def _pct(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def score_row(score: StepScore, *, in_newtons: bool = False) -> tuple[str, ...]:
    """One table row for a step score (effort values, RMSE and CE in % of the reference).

    ``in_newtons``: the step ran with no max known (the 100 N scale), so its mean and peak are
    shown in newtons, never as a % of a stand-in.
    """
    m = score.metrics
    unit = " N" if in_newtons else " %"
    if score.direction is not None and m.n_samples and m.mean_effort is None:
        return (str(score.step_index + 1), score.label, NOT_FORCE_MEASURED, *("—",) * 5,
                score.ended_by.value)  # fmt: skip
    in_band = None if m.in_band_fraction is None else 100 * m.in_band_fraction
    return (
        str(score.step_index + 1),
        score.label,
        _pct(in_band, 0, " %"),
        _pct(m.rmse, 1, unit),
        _pct(m.constant_error, 1, unit),
        _pct(m.steadiness_cv_pct, 1, " %"),
        _pct(m.mean_effort, 0, unit),
        _pct(m.peak_effort, 0, unit),
        score.ended_by.value,
    )


def score_brief(score: StepScore, sep: str = ", ", *, in_newtons: bool = False) -> str:
    """A step's score in one phrase, e.g. ``in band 98 %, RMSE 1.2 %, CE -0.3 %, CV 1.9 %``.

    RMSE and CE are in the step's effort unit: % of the max it divides by, or N when the step
    ran with no max known (``in_newtons``).
    """
    row = score_row(score, in_newtons=in_newtons)
    if row[2] == NOT_FORCE_MEASURED:
        return f"{NOT_FORCE_MEASURED} (the sensor cannot see this direction)"
    return sep.join(
        f"{name} {cell}" for name, cell in zip(SCORE_HEADERS[2:6], row[2:6], strict=True)
    )


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned text table with a header rule."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("─" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def in_newtons(
    step: PlanStep | StepScore, newton_scale: Collection[tuple[ReferenceKind, Direction]]
) -> bool:
    """Whether a step (or its score) divides by the 100 N scale (no max known): its % are N."""
    return (
        step.reference is not None
        and step.direction is not None
        and (step.reference, step.direction) in newton_scale
    )


def score_table(result: DrillResult) -> str:
    """The per-step score table of a drill result (steps with no max known in newtons)."""
    return format_table(
        SCORE_HEADERS,
        [score_row(s, in_newtons=in_newtons(s, result.newton_scale)) for s in result.step_scores],
    )


def result_summary(result: DrillResult) -> list[str]:
    """Key findings of a run, one line each: pains, pain-free max, MVIC candidate, overall."""
    lines = []
    s = result.summary
    if s.in_band_fraction is not None:
        lines.append(f"time in band over all tracked steps: {100 * s.in_band_fraction:.0f} %")
    if s.hold_in_band_fraction is not None:
        lines.append(f"time in band during holds: {100 * s.hold_in_band_fraction:.0f} %")
    if s.rmse is not None:
        lines.append(
            f"tracking RMSE: {s.rmse:.1f} % of max (constant error {_pct(s.constant_error)})"
        )
    if s.ramp_rmse is not None or s.release_rmse is not None:
        lines.append(
            f"ramp-up RMSE {_pct(s.ramp_rmse)}, ramp-down control RMSE {_pct(s.release_rmse)}"
        )
    if s.hold_cv_pct is not None:
        lines.append(f"steadiness (mean CV of holds): {s.hold_cv_pct:.1f} %")
    newtons = {s.step_index for s in result.step_scores if in_newtons(s, result.newton_scale)}
    # what happened during the drill, in the order it happened
    timeline: list[tuple[float, str]] = []
    for pain in result.pains:
        unit = "N" if pain.step_index in newtons else "%"  # no max known: newtons
        effort = "not measured" if pain.effort_pct is None else f"{pain.effort_pct:.0f} {unit}"
        timeline.append(
            (
                pain.t_s,
                f"pain marked at {pain.t_s:.1f} s (effort {effort}, target "
                f"{pain.target_pct:.0f} {unit})",
            )
        )
    for drop in result.drops:
        answer = f", {drop.answer}" if drop.answer else ""
        unit = "N" if (drop.reference, drop.direction) in result.newton_scale else "%"
        timeline.append(
            (
                drop.t_s,
                f"{drop.cause} at {drop.t_s:.1f} s: {drop.direction.value} target "
                f"{drop.painful_pct:.0f} {unit} → {drop.level_pct:.0f} {unit}{answer}; later "
                f"{drop.direction.value} targets stay at or below it",
            )
        )
    for cramp in result.cramps:
        timeline.append(
            (cramp.t_s, f"cramp at {cramp.t_s:.1f} s: released and rested, max unchanged")
        )
    for check in result.checks:
        about = f"step {check.step_index + 1}" if check.step_index >= 0 else "the drill"
        timeline.append((check.t_s, f"check: {check.check.value} felt ({about})"))
    lines.extend(line for _, line in sorted(timeline, key=lambda item: item[0]))
    for found in result.pain_free_found:
        how = {
            "pain": "last comfortable step",
            "plateau": "the most force you held: it rose no further, nothing hurt",
        }.get(found.how, "no pain up to the ceiling")
        value = (
            f"{found.level_pct:.0f} N (measured in newtons: no max was known)"
            if found.in_newtons
            else f"{found.level_pct:.0f} % of the current reference"
        )
        lines.append(f"{found.direction.value} pain-free max: {value} ({how})")
    lines.extend(
        max_test_lines(result.step_scores, result.skipped_trials, newton_scale=result.newton_scale)
    )
    if result.above_max:
        lines.append(_ABOVE_MAX[result.above_max])
    lines.append(f"status: {result.status.value}")
    return lines


_ABOVE_MAX = {
    "agreed": "targets above your max: you agreed, so they ran above it",
    "declined": "targets above your max: you declined, so they were capped at 100 % of it",
    "not asked": "targets above your max: not agreed (no answer), so they were capped at 100 % of it",
}


def max_test_lines(
    scores: Sequence[StepScore],
    skipped: Sequence[SkippedTrial] = (),
    *,
    newton_scale: Collection[tuple[ReferenceKind, Direction]] = (),
) -> list[str]:
    """Per max-trial step: every trial's best 1 s mean, then the best with its peak and 0.5 s.

    Skipped trials are named, and the MVIC says how many trials it comes from. A direction
    measured on the 100 N scale (``newton_scale``) reads in newtons.
    """
    lines = []
    for score in scores:
        if not traits_of(score.kind).measures_mvic or score.direction is None:
            continue
        gone = [s for s in skipped if s.step_index == score.step_index]
        if gone:
            total = gone[0].trials
            which = ", ".join(str(s.trial) for s in gone)
            if len(gone) >= total:
                lines.append(
                    f"{score.direction.value} max test: all {total} trials skipped: no MVIC "
                    "measured or stored for it"
                )
                continue
            done = total - len(gone)
            plural = "s" if len(gone) > 1 else ""
            lines.append(
                f"{score.direction.value} max test: MVIC from {done} of {total} trials "
                f"(trial{plural} {which} skipped)"
            )
        trials = [r.max_effort for r in score.reps if r.max_effort is not None]
        each = ", ".join(_pct(t.best_1s, 1) for t in trials) or "none completed"
        best = best_max_effort(trials)
        tail = ""
        if best is not None:
            tail = (
                f"; best 1 s mean {_pct(best.best_1s, 1)}, best 0.5 s mean "
                f"{_pct(best.best_0_5s, 1)}, peak {_pct(best.peak, 1)}"
            )
        lines.append(
            f"{score.direction.value} max test: trials {each}{tail} "
            + (
                "(N: measured in newtons, no MVIC was known)"
                if (ReferenceKind.MVIC, score.direction) in newton_scale
                else "(% of the current reference)"
            )
        )
    return lines


def plan_lines(drill: Drill) -> list[str]:
    """The drill's steps as they will run, one line each with duration and instruction."""
    plan: tuple[PlanStep, ...] = build_plan(drill, default_band_pct=5.0, passive_band_pct=5.0)
    t = 0.0
    lines = []
    for step in plan:
        lines.append(
            f"{int(t // 60):2d}:{int(t % 60):02d}  {step.index + 1:2d}. {step.label:<34} {step.instruction}"
        )
        t += step.duration_s
    lines.append(f"{int(t // 60):2d}:{int(t % 60):02d}  end")
    return lines


def _deg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}°"


def imu_step_text(score: ImuStepScore, *, kind: StepKind) -> str | None:
    """What the IMU saw in one step, as one line (None when there is nothing to say)."""
    parts: list[str] = []
    if score.rom is not None:
        parts.append(f"end range IR {_deg(score.rom.ir_deg)}, ER {_deg(score.rom.er_deg)}")
    lift = score.lift_off
    if lift is not None:
        text = f"{lift.detected}/{lift.expected} lift-offs"
        held = [r for r in lift.reps if r.hold_target_s > 0]
        if held and held[-1].hold_s is not None:
            r = held[-1]
            text += f", held {r.hold_s:.1f} s of {r.hold_target_s:g} s"
        short = [r for r in lift.reps if r.detected and r.reached_end_range is False]
        text += f", {len(short)} short of end range" if short else ""
        off = [r for r in lift.reps if r.off_block is False]
        text += f", {len(off)} not off the block" if off else ""
        parts.append(text)
    st = score.stillness
    if traits_of(kind).isometric and st is not None:
        drift = st.angle_range_deg if st.angle_range_deg is not None else 0.0
        if st.moving_s > 0:
            parts.append(
                f"MOVING {st.moving_s:.1f} s (longest {st.longest_moving_s:.1f} s): not isometric"
            )
        elif drift < DRIFT_NOTE_DEG:
            parts.append("leg still throughout")
        if drift >= DRIFT_NOTE_DEG:
            parts.append(f"angle wandered {drift:.1f}°")
    return "; ".join(parts) or None


def imu_summary_lines(summary: ImuDrillSummary) -> list[str]:
    """The IMU's findings over a drill, one line each."""
    lines = [f"IMU on the {summary.placement}"]
    if summary.ir_deg is not None or summary.er_deg is not None:
        lines.append(
            f"active end range: internal rotation {_deg(summary.ir_deg)}, "
            f"external rotation {_deg(summary.er_deg)}"
        )
    if summary.still_steps:
        if summary.steps_with_movement:
            lines.append(
                f"movement in {summary.steps_with_movement} of {summary.still_steps} "
                f"isometric/relaxed steps: {summary.moving_s:.1f} s in all"
            )
        else:
            lines.append(f"leg still in all {summary.still_steps} isometric/relaxed steps")
    if summary.lift_off_sets:
        lines.append(
            f"lift-offs: {summary.lift_offs_detected}/{summary.lift_offs_expected} detected, "
            f"{summary.lift_off_sets_complete}/{summary.lift_off_sets} sets complete"
        )
    if not summary.calibrated:
        lines.append(
            "effort estimate: off (no effort calibration this session; "
            "'isoforce imu calibrate', then --mmg)"
        )
    elif summary.dual is not None:
        lines.append(summary.dual.summary())
    return lines
