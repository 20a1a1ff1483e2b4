"""The summary's step table: per step and per trial, in newtons and in % of what it divides by.

Pure: a drill result, its plan and the maxima the session divided by in; headers, rows and one
line per maximum used out. Newtons are the % times the maximum (a step that divides by nothing
reads "—" in N, never a guess); a step the sensor could not see says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.drills.events import DrillResult
from isoforce.drills.plan import PlanStep
from isoforce.drills.report import NOT_FORCE_MEASURED
from isoforce.drills.scoring import EndReason, Metrics
from isoforce.session.references import ChosenReference
from isoforce.tui.denominator import denominator_text, is_stand_in

STEP_HEADERS = ("#", "step", "N mean/peak", "% mean/peak", "in band", "RMSE", "ended")
"""Mean and peak share a column (``37.5/39.8``) so the table fits 80 columns; ``ended`` says why
a step did not run to its end (skipped, pain …), and is left out when every step did."""


@dataclass(frozen=True, slots=True)
class StepTable:
    """What the summary's step table shows."""

    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    #: One line per maximum the %-columns divide by, e.g. ``% of push MVIC 250 N · …``.
    divisors: list[str]


def _num(value: float | None, digits: int = 0, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def _pair(a: float | None, b: float | None, digits: int) -> str:
    if a is None and b is None:
        return "—"
    return f"{_num(a, digits)}/{_num(b, digits)}"


def _cells(m: Metrics, max_n: float | None, *, no_max: bool = False) -> tuple[str, ...]:
    """N, %, in band and RMSE of one row.

    ``no_max``: the step measured a max none was known for, so no % (of a stand-in) is shown.
    """

    def newtons(pct: float | None) -> float | None:
        return None if pct is None or max_n is None else abs(pct) / 100.0 * max_n

    in_band = None if m.in_band_fraction is None else 100.0 * m.in_band_fraction
    return (
        _pair(newtons(m.mean_effort), newtons(m.peak_effort), 1),
        "—" if no_max else _pair(m.mean_effort, m.peak_effort, 0),
        _num(in_band, 0, " %"),
        _num(m.rmse, 1, " N" if no_max else " %"),
    )


def _ended(reason: EndReason) -> str:
    return "" if reason is EndReason.COMPLETED else reason.value


def step_table(
    result: DrillResult,
    plan: Sequence[PlanStep],
    chosen: Sequence[ChosenReference],
    *,
    side: Side | None,
    movement: str | None,
    position: str | None,
) -> StepTable:
    """Rows for each step, then its trials (max trials, stair levels, breaths) indented."""
    rows: list[tuple[str, ...]] = []
    used: dict[str, None] = {}
    by_key = {(c.kind, c.direction): c for c in chosen}
    # a step that asks for no force (relax, breathe) reads effort against the pain-free max of
    # the direction the force goes: both are named, or its % is not shown (a stand-in's)
    either = [c for c in chosen if c.kind is ReferenceKind.PAIN_FREE and c.value_n]
    for score in result.step_scores:
        ps = plan[score.step_index] if 0 <= score.step_index < len(plan) else None
        ref = (
            by_key.get((ps.reference, ps.direction))
            if ps is not None and ps.reference is not None and ps.direction is not None
            else None
        )
        max_n = ref.value_n if ref is not None else None
        no_max = is_stand_in(ref)
        named = [ref] if ref is not None else either if score.direction is None else []
        if score.direction is None and any(is_stand_in(c) for c in named):
            no_max, named = True, []
        for c in named:
            text = denominator_text(c, side=side, movement=movement, position=position)
            used[text] = None
        number = str(score.step_index + 1)
        m = score.metrics
        if score.direction is not None and m.n_samples and m.mean_effort is None:
            rows.append(
                (number, score.label, NOT_FORCE_MEASURED, "—", "—", "—", _ended(score.ended_by))
            )
            continue
        rows.append((number, score.label, *_cells(m, max_n, no_max=no_max), _ended(score.ended_by)))
        for rep in score.reps:
            rows.append(
                (
                    f"{number}.{rep.rep + 1}",
                    f"  {rep.label}",
                    *_cells(rep.metrics, max_n, no_max=no_max),
                    "",
                )
            )
    if not any(row[-1] for row in rows):  # every step ran to its end: no empty column
        return StepTable(STEP_HEADERS[:-1], [row[:-1] for row in rows], list(used))
    return StepTable(STEP_HEADERS, rows, list(used))


__all__ = ["STEP_HEADERS", "StepTable", "step_table"]
