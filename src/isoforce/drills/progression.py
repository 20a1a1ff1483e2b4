"""The next session's hold target for one movement key, with its reason (pure).

Input: the training sessions of one movement, side, direction and position, oldest first —
each with its holds (nominal target in % of the pain-free max, time in band, RMSE, how it
ended) and the pain marked in it. Output: a :class:`Suggestion` per the
:class:`~isoforce.drills.progression_rule.ProgressionRule`:

- no pain-free max and no holds: run the tension drill first;
- a pain-free max but no holds yet: start at ``start_pct``;
- pain in the last session: keep its target; pain in ``painful_sessions_to_lower`` sessions in
  a row: lower by ``lower_by_pct`` (never below ``lowest_pct``);
- no pain and every hold in band: raise by ``raise_by_pct`` (never above ``highest_pct``);
- otherwise keep the target, saying which hold was not in band.

The *working target* of a session is its highest hold target below 100 % (holds at "max" are
max holds, not raised: a higher max comes from finding the pain-free max again).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from isoforce.drills.progression_rule import ProgressionRule

#: Hold targets at or above this (% of the pain-free max) are max holds, not working holds.
MAX_HOLD_PCT = 100.0


class Action(enum.Enum):
    """What the suggestion does to the hold target."""

    FIRST = "first"
    """No pain-free max and no holds: find the pain-free max first."""
    START = "start"
    RAISE = "raise"
    KEEP = "keep"
    LOWER = "lower"


@dataclass(frozen=True, slots=True)
class HoldResult:
    """One hold of a session in this key's direction."""

    label: str
    target_pct: float | None
    """Nominal target in % of the pain-free max (None when the drill file is unknown)."""
    in_band_pct: float | None
    rmse_pct: float | None
    completed: bool
    """False when the hold was skipped or ended early (pain, abort)."""


@dataclass(frozen=True, slots=True)
class PainMark:
    """Pain in a session: the pain key, or a drop of the target after pain or pinching."""

    painful_pct: float | None
    """The target when it hurt, % of the session's reference (None when nothing was loaded)."""
    dropped_to_pct: float | None = None
    cause: str = "pain"
    reference_n: float | None = None
    """What ``painful_pct`` is a % of, in newtons (the session's maximum then; None: unknown)."""


@dataclass(frozen=True, slots=True)
class TrainingSession:
    """One drill session as the progression sees it, for one movement key."""

    session_id: int | None
    started_at: str
    drill: str
    holds: tuple[HoldResult, ...]
    pains: tuple[PainMark, ...] = ()

    @property
    def date(self) -> str:
        """The local day it started (``YYYY-MM-DD``)."""
        return self.started_at[:10]

    @property
    def working_target_pct(self) -> float | None:
        """The highest hold target below 100 %, or None (no sub-max hold, or targets unknown)."""
        targets = [
            h.target_pct
            for h in self.holds
            if h.target_pct is not None and h.target_pct < MAX_HOLD_PCT
        ]
        return max(targets) if targets else None

    @property
    def painful(self) -> bool:
        """Whether pain was marked (or the target dropped for pain or pinching)."""
        return bool(self.pains)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The next session's hold target and why."""

    action: Action
    target_pct: float | None
    reason: str
    text: str
    """The whole sentence, e.g. ``raise the hold target by 5 % (to 55 % …) — all holds …``."""
    from_pct: float | None = None
    """The last session's working target."""
    target_n: float | None = None
    """The target in newtons of the pain-free max used (None without one)."""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "action": self.action.value,
            "target_pct": self.target_pct,
            "target_n": self.target_n,
            "from_pct": self.from_pct,
            "reason": self.reason,
            "text": self.text,
        }


def short_date(iso: str) -> str:
    """``2026-12-03…`` as ``3 Dec`` (the text as given when it is not a date)."""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso[:10]
    return f"{day.day} {day:%b}"


def _pct(value: float) -> str:
    return f"{value:g} %"


def _of_max(target: float, pain_free_max_n: float | None) -> str:
    if pain_free_max_n is None:
        return f"{_pct(target)} of your pain-free max"
    return f"{_pct(target)} of the {pain_free_max_n:.0f} N pain-free max"


def _pain_words(session: TrainingSession) -> str:
    levels = [
        p.painful_pct for p in session.pains if p.painful_pct is not None and p.painful_pct > 0
    ]
    causes = {p.cause for p in session.pains}
    what = "pinching" if causes == {"pinching"} else "pain"
    at = f" at {_pct(round(min(levels), 1))}" if levels else ""
    return f"{what}{at} on {short_date(session.started_at)}"


def _painful_run(sessions: Sequence[TrainingSession]) -> int:
    run = 0
    for s in reversed(sessions):
        if not s.painful:
            break
        run += 1
    return run


def _hold_problem(session: TrainingSession, rule: ProgressionRule) -> str | None:
    """Why the holds of ``session`` do not earn a raise (None when they all do)."""
    if not session.holds:
        return "no holds in that direction"
    for h in session.holds:
        if not h.completed:
            return f"'{h.label}' did not run to the end"
    for h in session.holds:
        if h.in_band_pct is None:
            return f"'{h.label}' has no time in band (force not measured)"
        if h.in_band_pct < rule.in_band_needed_pct:
            return (
                f"'{h.label}' was in band {h.in_band_pct:.0f} % of the time "
                f"({rule.in_band_needed_pct:g} % needed)"
            )
    return None


def suggest(
    sessions: Sequence[TrainingSession],
    *,
    rule: ProgressionRule,
    pain_free_max_n: float | None,
) -> Suggestion:
    """The next hold target for one movement key from its sessions (oldest first).

    ``pain_free_max_n`` is the latest stored pain-free max of the key (None if none), used to
    say the target in newtons. Sessions without a working target (tension drill, max test) do
    not count.
    """
    training = [s for s in sessions if s.working_target_pct is not None]

    def made(
        action: Action, target: float | None, reason: str, head: str, last: float | None = None
    ) -> Suggestion:
        target_n = (
            None if target is None or pain_free_max_n is None else target / 100 * pain_free_max_n
        )
        return Suggestion(action, target, reason, f"{head} — {reason}", last, target_n)

    if not training:
        if pain_free_max_n is None:
            return made(
                Action.FIRST,
                None,
                "no pain-free max yet",
                "no drill yet — run the tension drill first",
            )
        start = rule.start_pct
        return made(
            Action.START,
            start,
            "no holds yet",
            f"start the holds at {_of_max(start, pain_free_max_n)}",
        )
    last = training[-1]
    current = last.working_target_pct
    assert current is not None  # training sessions have one
    if current > rule.highest_pct:
        return made(
            Action.LOWER,
            rule.highest_pct,
            f"the rule's highest target is {_pct(rule.highest_pct)}",
            f"lower to {_pct(rule.highest_pct)} ({_of_max(rule.highest_pct, pain_free_max_n)})",
            current,
        )
    if last.painful:
        run = _painful_run(training)
        if run >= rule.painful_sessions_to_lower:
            lowered = max(rule.lowest_pct, current - rule.lower_by_pct)
            reason = f"painful in {run} sessions in a row (last: {_pain_words(last)})"
            if lowered >= current:
                return made(
                    Action.KEEP,
                    current,
                    f"{reason}; already at the lowest target, {_pct(rule.lowest_pct)}",
                    f"keep {_pct(current)}",
                    current,
                )
            return made(
                Action.LOWER,
                lowered,
                reason,
                f"lower to {_pct(lowered)} ({_of_max(lowered, pain_free_max_n)})",
                current,
            )
        return made(Action.KEEP, current, _pain_words(last), f"keep {_pct(current)}", current)
    problem = _hold_problem(last, rule)
    if problem is not None:
        return made(
            Action.KEEP,
            current,
            f"{problem} in the last session",
            f"keep {_pct(current)}",
            current,
        )
    raised = min(rule.highest_pct, current + rule.raise_by_pct)
    if raised <= current:
        return made(
            Action.KEEP,
            current,
            f"already at the highest target, {_pct(rule.highest_pct)}: find your pain-free max "
            "again with the tension drill to go higher",
            f"keep {_pct(current)}",
            current,
        )
    return made(
        Action.RAISE,
        raised,
        "all holds in band and no pain in the last session",
        f"raise the hold target by {_pct(round(raised - current, 2))} "
        f"(to {_of_max(raised, pain_free_max_n)})",
        current,
    )
