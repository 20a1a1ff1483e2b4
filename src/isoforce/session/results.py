"""What a drill run leaves in the store: step scores, a summary, and the maxima it measured.

Pure conversions from the drill engine's :class:`~isoforce.drills.events.DrillResult`. Drill
results are in % of the reference each step used; maxima are stored in newtons, so they are
converted with that reference (``value_n = pct / 100 × reference max in the step's direction``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from isoforce.core.effort_key import Direction, ReferenceKind, Side
from isoforce.drills.events import DrillEvent, DrillResult, EventKind
from isoforce.drills.imu_scores import ImuDrillSummary, ImuStepScore, best_end_range
from isoforce.drills.kinds import traits_of
from isoforce.drills.plan import PlanStep
from isoforce.drills.scoring import EndReason, StepScore
from isoforce.session.codec import clean_json
from isoforce.session.model import (
    EventRecord,
    JsonDict,
    ReferenceRecord,
    RomRecord,
    StepRecord,
    movement_key,
)
from isoforce.signal.effort import EffortReference


def step_records(
    result: DrillResult, imu: Mapping[int, ImuStepScore] | None = None
) -> tuple[StepRecord, ...]:
    """Every step score as a :class:`StepRecord` (metrics and reps as JSON-ready data).

    ``imu`` adds the IMU's score of each step (by step index) under the key ``imu``.
    """
    found = imu or {}
    return tuple(step_record(s, found.get(s.step_index)) for s in result.step_scores)


def step_record(s: StepScore, imu: ImuStepScore | None = None) -> StepRecord:
    """One step score as a :class:`StepRecord` (with the IMU's part, when there is one)."""
    score = clean_json(
        {
            "top_index": s.top_index,
            "rep_path": list(s.rep_path),
            "metrics": asdict(s.metrics),
            "reps": [
                {
                    "rep": r.rep,
                    "label": r.label,
                    "metrics": asdict(r.metrics),
                    "max_effort": None if r.max_effort is None else asdict(r.max_effort),
                }
                for r in s.reps
            ],
            **({} if imu is None else {"imu": _imu_dict(imu)}),
        }
    )
    return StepRecord(
        step_index=s.step_index,
        label=s.label,
        kind=s.kind.value,
        direction=s.direction.value if s.direction is not None else None,
        started_t_s=s.started_t_s,
        ended_t_s=s.ended_t_s,
        ended_by=s.ended_by.value,
        score=score,
    )


def _imu_dict(imu: ImuStepScore) -> JsonDict:
    out = asdict(imu)
    del out["step_index"]
    return out


def summary_dict(result: DrillResult, imu: ImuDrillSummary | None = None) -> JsonDict:
    """The drill's pooled score and findings (pains, pain-free max, max effort) as a dict.

    ``imu`` adds the IMU's findings (end range, moving time, lift-offs, dual-mode error).
    """
    out: JsonDict = clean_json(
        {
            "drill_name": result.drill_name,
            "status": result.status.value,
            "summary": asdict(result.summary),
            "pains": [asdict(p) for p in result.pains],
            "pain_free_max_pct": result.pain_free_max_pct,
            "pain_free_max_by_pain": result.pain_free_max_by_pain,
            "pain_free_found": [
                {**asdict(f), "direction": f.direction.value} for f in result.pain_free_found
            ],
            "max_effort": None if result.max_effort is None else asdict(result.max_effort),
            "drops": [
                {**asdict(d), "direction": d.direction.value, "reference": d.reference.value}
                for d in result.drops
            ],
            "cramps": [asdict(c) for c in result.cramps],
            "checks": [
                {"t_s": c.t_s, "step_index": c.step_index, "check": c.check.value}
                for c in result.checks
            ],
            **({} if imu is None else {"imu": asdict(imu)}),
        }
    )
    return out


def rom_records(
    scores: Mapping[int, ImuStepScore],
    *,
    movement: str,
    side: Side | None,
    position: str | None,
    placement: str,
    source_drill: str,
    measured_at: str,
) -> tuple[RomRecord, ...]:
    """The best end range each way over a drill's ``rom`` steps; empty when the side is unknown.

    ``detail`` keeps every rotation's end range (degrees) in that direction.
    """
    if side is None:
        return ()
    ir, er = best_end_range(list(scores.values()))
    out = []
    for direction, best in (("ir", ir), ("er", er)):
        if best is None or best <= 0:
            continue
        reps = [
            r.end_range_deg
            for s in scores.values()
            if s.rom is not None
            for r in s.rom.reps
            if r.direction == direction
        ]
        out.append(
            RomRecord(
                movement=movement,
                side=side,
                position=position or "default",
                direction=direction,
                angle_deg=best,
                placement=placement,
                measured_at=measured_at,
                source_drill=source_drill,
                detail=clean_json({"reps_deg": reps}),
            )
        )
    return tuple(out)


def saved_record_lines(
    maxima: Sequence[ReferenceRecord], rom: Sequence[RomRecord] = ()
) -> list[str]:
    """One line per maximum and end range a run added to the history (CLI and TUI)."""
    lines = []
    for m in maxima:
        kind = "pain-free max" if m.kind is ReferenceKind.PAIN_FREE else "MVIC"
        how = ""
        if m.kind is ReferenceKind.PAIN_FREE and m.detail.get("found_by") == "lowered by pain":
            was = m.detail.get("previous_n")
            how = f", lowered after pain at {m.detail.get('t_s', 0.0):.1f} s" + (
                f" (was {was:.1f} N)" if isinstance(was, float | int) else ""
            )
        skipped = m.detail.get("trials_skipped")
        trials = m.detail.get("trials_n")
        if m.kind is ReferenceKind.MVIC and skipped and isinstance(trials, list):
            how = f", from {len(trials)} of {len(trials) + len(skipped)} trials (skipped: " + (
                ", ".join(str(n) for n in skipped) + ")"
            )
        lines.append(f"{kind} for {m.key.label()}: {m.value_n:.1f} N{how} (added to the history)")
    for r in rom:
        way = "internal" if r.direction == "ir" else "external"
        lines.append(
            f"end range for {r.movement} {r.side.value} @ {r.position}, {way} rotation: "
            f"{r.angle_deg:.1f}° (added to the history)"
        )
    return lines


def event_record(event: DrillEvent) -> EventRecord:
    """A drill event as stored (its score, if any, lives in the step results instead)."""
    return EventRecord(
        t_s=event.t_s,
        kind=event.kind.value,
        step_index=event.step_index,
        text=event.text,
        value=event.value,
    )


def _reference_n(
    step: PlanStep, references: Mapping[ReferenceKind, EffortReference]
) -> tuple[ReferenceKind, float] | None:
    """The reference kind and max (N) a step's effort % was computed against."""
    kind = step.reference if step.reference is not None else ReferenceKind.PAIN_FREE
    ref = references.get(kind) or references.get(ReferenceKind.PAIN_FREE)
    if ref is None or step.direction is None:
        return None
    max_n = ref.max_n(step.direction)
    return None if max_n is None else (kind, max_n)


def _lowered_by_pain(
    result: DrillResult,
    *,
    plan: Sequence[PlanStep],
    references: Mapping[ReferenceKind, EffortReference],
    found: Mapping[Direction, ReferenceRecord],
) -> dict[Direction, JsonDict]:
    """Per direction, the lowest level pain left the athlete at, when it lowers the max.

    The level is in newtons through the reference of the step it happened in. It counts when
    it is below the pain-free max the run used (or none was known) and below what a staircase
    of the same run found; ``detail`` says so and lists every drop in that direction.
    """
    out: dict[Direction, JsonDict] = {}
    for direction in Direction:
        drops = []
        for d in result.drops:
            if d.direction is not direction or not 0 <= d.step_index < len(plan):
                continue
            ref = _reference_n(plan[d.step_index], references)
            if ref is None:
                continue
            scale = ref[1] / 100.0
            drops.append((d, d.level_pct * scale, d.painful_pct * scale, ref))
        if not drops:
            continue
        lowest, level_n, painful_n, (kind, max_n) = min(drops, key=lambda x: x[1])
        in_use = references.get(ReferenceKind.PAIN_FREE)
        previous_n = in_use.max_n(direction) if in_use is not None else None
        staircase = found.get(direction)
        if level_n <= 0 or (previous_n is not None and level_n >= previous_n):
            continue  # a max of 0 N cannot be divided by: the drops stay in the summary
        if staircase is not None and level_n > staircase.value_n + 1e-9:
            continue
        out[direction] = {
            "found_by": "lowered by pain",
            "by_pain": True,
            "level_n": level_n,
            "painful_n": painful_n,
            "t_s": lowest.t_s,
            "step_index": lowest.step_index,
            "step": plan[lowest.step_index].label,
            "cause": lowest.cause,
            "answer": lowest.answer,
            "pct_of_reference": lowest.level_pct,
            "reference_kind": kind.value,
            "reference_n": max_n,
            "previous_n": previous_n,
            "drops": [
                {
                    "t_s": d.t_s,
                    "painful_n": p_n,
                    "level_n": l_n,
                    "cause": d.cause,
                    "answer": d.answer,
                }
                for d, l_n, p_n, _ in drops
            ],
        }
    return out


def maxima_from_result(
    result: DrillResult,
    *,
    plan: Sequence[PlanStep],
    references: Mapping[ReferenceKind, EffortReference],
    events: Sequence[DrillEvent],
    movement: str,
    side: Side | None,
    position: str | None,
    measured_at: str,
) -> tuple[ReferenceRecord, ...]:
    """The pain-free max and MVIC a run measured, in newtons; empty when the side is unknown.

    - Pain-free max: one per ``pain_free_max`` event (a staircase each, e.g. push then pull);
      ``detail.found_by`` says how its staircase ended (``pain``, ``plateau`` or ``ceiling``;
      ``by_pain`` is False for the last two, so the value is a lower bound).
    - Lowered by pain: the lowest level the pain key left the athlete at in a direction, when
      below the pain-free max the run used and what a staircase found (``detail.found_by =
      "lowered by pain"`` with the painful level, the time, what was done and every drop).
    - MVIC: from every max-trial step that completed (a skipped trial is left out and named in
      ``trials_skipped``): the best trial's best 1 s mean; ``detail`` keeps each trial's best
      1 s mean (``trials_n``), the peak and the best 0.5 s mean, all in newtons.
    """
    if side is None:
        return ()
    out: list[ReferenceRecord] = []
    pain_free: dict[Direction, ReferenceRecord] = {}
    ended = {s.step_index: s.ended_by for s in result.step_scores}
    how = {EndReason.PAIN: "pain", EndReason.PLATEAU: "plateau"}
    for found in events:  # the last per direction counts (pain lowers a staircase's level)
        if found.kind is not EventKind.PAIN_FREE_MAX or not 0 <= found.step_index < len(plan):
            continue
        step = plan[found.step_index]
        ref = _reference_n(step, references)
        pct = found.value
        if ref is not None and step.direction is not None and pct is not None and pct > 0:
            kind, max_n = ref
            found_by = how.get(ended.get(found.step_index, EndReason.COMPLETED), "ceiling")
            pain_free[step.direction] = ReferenceRecord(
                key=movement_key(movement, side, step.direction, position),
                kind=ReferenceKind.PAIN_FREE,
                value_n=pct / 100.0 * max_n,
                measured_at=measured_at,
                source_drill=result.drill_name,
                detail={
                    "pct_of_reference": pct,
                    "reference_kind": kind.value,
                    "reference_n": max_n,
                    "by_pain": found_by == "pain",
                    "found_by": found_by,
                },
            )
    for direction, record in _lowered_by_pain(
        result, plan=plan, references=references, found=pain_free
    ).items():
        pain_free[direction] = ReferenceRecord(
            key=movement_key(movement, side, direction, position),
            kind=ReferenceKind.PAIN_FREE,
            value_n=record["level_n"],
            measured_at=measured_at,
            source_drill=result.drill_name,
            detail=clean_json(record),
        )
    out.extend(pain_free[d] for d in sorted(pain_free, key=lambda d: d.value, reverse=True))
    for score in result.step_scores:
        if not traits_of(score.kind).measures_mvic or score.ended_by is not EndReason.COMPLETED:
            continue
        step = plan[score.step_index]
        ref = _reference_n(step, references)
        trials = [r.max_effort for r in score.reps if r.max_effort is not None]
        best = [t.best_1s for t in trials if t.best_1s is not None]
        if ref is None or step.direction is None or not best or max(best) <= 0:
            continue
        kind, max_n = ref
        scale = max_n / 100.0
        peaks = [t.peak for t in trials if t.peak is not None]
        halves = [t.best_0_5s for t in trials if t.best_0_5s is not None]
        out.append(
            ReferenceRecord(
                key=movement_key(movement, side, step.direction, position),
                kind=ReferenceKind.MVIC,
                value_n=max(best) * scale,
                measured_at=measured_at,
                source_drill=result.drill_name,
                detail={
                    "trials_n": [b * scale for b in best],
                    "trials_skipped": [
                        s.trial for s in result.skipped_trials if s.step_index == score.step_index
                    ],
                    "peak_n": max(peaks) * scale if peaks else None,
                    "best_0_5s_n": max(halves) * scale if halves else None,
                    "reference_kind": kind.value,
                    "reference_n": max_n,
                    # a session with the pain key pressed is not compared left to right
                    "pain_limited": bool(result.pains),
                },
            )
        )
    return tuple(out)
