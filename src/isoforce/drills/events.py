"""What the drill engine takes and gives: settings, events, per-chunk updates and results."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.scoring import DrillScore, MaxEffort, StepScore


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Engine settings, all in % of the reference or seconds (no sample rate: any rate works).

    - ``default_band_pct``: ± band of force steps that give none.
    - ``passive_band_pct``: ± band around 0 for passive and breathing steps.
    - ``pain_drop_pct``: the pain key drops the target by at least this many points below the
      painful level (and by at least this share of it: :func:`pain_drop_level`).
    - ``pain_hold_s``: how long the target holds at the lowered level while "better?" is asked;
      no answer by then counts as better (the pain key stays live).
    - ``cramp_rest_s``: relaxed time at target 0 after the cramp key, before the step carries on.
    - ``check_window_s``: a check key (pinching, cramping, compensation) pressed this soon after
      a step ended is about that step; later it is about the step running.
    - ``above_max_ceiling_pct``: highest target a drill with ``allow_above_max`` may reach.
    - ``steadiness_middle_fraction``: share of a hold (its middle) used for the CV.
    - ``plateau_levels``: a staircase ends when this many levels in a row were neither reached
      nor raised above the best level so far (the athlete cannot raise it; see
      :mod:`isoforce.drills.plateau`).
    """

    default_band_pct: float = 5.0
    passive_band_pct: float = 5.0
    pain_drop_pct: float = 10.0
    pain_hold_s: float = 8.0
    cramp_rest_s: float = 20.0
    check_window_s: float = 10.0
    above_max_ceiling_pct: float = 120.0
    steadiness_middle_fraction: float = 0.5
    plateau_levels: int = 2

    def __post_init__(self) -> None:
        checks = (
            ("default_band_pct", self.default_band_pct > 0),
            ("passive_band_pct", self.passive_band_pct > 0),
            ("pain_drop_pct", 0 < self.pain_drop_pct < 100),
            ("pain_hold_s", self.pain_hold_s > 0),
            ("cramp_rest_s", self.cramp_rest_s >= 0),
            ("check_window_s", self.check_window_s >= 0),
            ("above_max_ceiling_pct", self.above_max_ceiling_pct >= 100),
            ("steadiness_middle_fraction", 0 < self.steadiness_middle_fraction <= 1),
            ("plateau_levels", self.plateau_levels >= 1),
        )
        for name, ok in checks:
            value = getattr(self, name)
            if not (ok and math.isfinite(value)):
                raise ValueError(f"EngineSettings.{name} out of range: {value!r}")


class EngineStatus(enum.Enum):
    """Where the engine is in its life."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ABORTED = "aborted"


class EventKind(enum.Enum):
    """Kinds of :class:`DrillEvent`."""

    DRILL_STARTED = "drill_started"
    STEP_STARTED = "step_started"
    """``text`` is the instruction."""
    STEP_ENDED = "step_ended"
    """``text`` is the :class:`~isoforce.drills.scoring.EndReason` value."""
    CUE = "cue"
    """``text`` is the cue: ``ramp``, ``hold``, ``release``, ``3``/``2``/``1``, ``breathe in 1``…"""
    BAND_ENTERED = "band_entered"
    BAND_LEFT = "band_left"
    REP_DONE = "rep_done"
    """``text`` names the rep: ``trial 2/3``, ``lift-off 3/3``, ``pass 1/3``…"""
    PAIN_MARKED = "pain_marked"
    """``value`` is the effort at the mark (``None`` if not measured)."""
    PAIN_DROP = "pain_drop"
    """The target dropped below a painful level and "better?" is asked; ``value`` is the new
    level (unsigned, % of the step's reference) and ``text`` says from what and why."""
    PAIN_ANSWER = "pain_answer"
    """The answer to "better?": ``text`` is ``better``, ``not better``, ``pain again`` or
    ``no answer``; ``value`` is the level held (``None`` when nothing loaded was lowered)."""
    CRAMP_MARKED = "cramp_marked"
    """The cramp key: release and rest, then the step carries on; ``value`` is the effort."""
    CHECK = "check"
    """A check after a phase: ``text`` is a :class:`Check` value, ``step_index`` the step."""
    PAIN_FREE_MAX = "pain_free_max"
    """A staircase found the pain-free max; ``value`` in the fed effort units."""
    STEP_SCORED = "step_scored"
    """``score`` holds the :class:`~isoforce.drills.scoring.StepScore`."""
    TARGET_CLAMPED = "target_clamped"
    """Warning: the step asks for more than the allowed ceiling; ``value`` is the ceiling."""
    ABOVE_MAX_CONSENT = "above_max_consent"
    """What the athlete decided about targets above their max: ``text`` starts with
    ``agreed``, ``declined`` or ``not asked`` (then they are capped at 100 %) and names the
    steps; ``value`` is the highest target asked for (% of its reference)."""
    TRIAL_SKIPPED = "trial_skipped"
    """One max trial was skipped (``text``: ``trial 2 of 3 skipped``; ``value``: its number)."""
    PAUSED = "paused"
    RESUMED = "resumed"
    SKIPPED = "skipped"
    DRILL_ABORTED = "drill_aborted"
    DRILL_FINISHED = "drill_finished"


class Check(enum.Enum):
    """The seeds' questions after a phase, each answered with one key."""

    PINCHING = "pinching"
    CRAMPING = "cramping"
    COMPENSATION = "compensation"
    """Another part of the body moved or tensed (seed 000, "unintentional movement")."""


def pain_drop_level(painful_pct: float, drop_pct: float = 10.0) -> float:
    """The level the pain key drops to: 10 points or 10 % below ``painful_pct``, the bigger drop.

    ``max(0, min(L − drop, L × (1 − drop / 100)))``: from 70 % to 60 % (the seed's "60 felt
    great, 70 painful"), from 150 % to 135 %, from 8 % to 0.
    """
    level = max(0.0, float(painful_pct))
    return max(0.0, min(level - drop_pct, level * (1.0 - drop_pct / 100.0)))


@dataclass(frozen=True, slots=True)
class DrillEvent:
    """Something that happened at ``t_s`` (session seconds) in plan step ``step_index``.

    ``step_index`` is ``-1`` for drill-level events outside any step.
    """

    kind: EventKind
    t_s: float
    step_index: int
    text: str = ""
    value: float | None = None
    score: StepScore | None = None


@dataclass(frozen=True, slots=True, eq=False)
class EngineUpdate:
    """Per-sample output of one :meth:`DrillEngine.update` call, and the events it produced.

    - ``target_pct``: signed target (push positive, pull negative); 0 when not running.
    - ``band_pct``: ± band half-width, NaN where no band applies (max trials, lift-offs, pauses).
    - ``step_index``: plan step index, ``-1`` before the start and after the end.
    - ``phase``: :class:`~isoforce.drills.plan.Phase` values.
    - ``in_band``: measured effort within the band.
    """

    target_pct: NDArray[np.float64]
    band_pct: NDArray[np.float64]
    step_index: NDArray[np.int64]
    phase: NDArray[np.int8]
    in_band: NDArray[np.bool_]
    events: tuple[DrillEvent, ...]


@dataclass(frozen=True, slots=True)
class PainRecord:
    """A pain or pinch mark: its time, effort, target and step.

    ``effort_pct`` is ``None`` when not measured; ``target_pct`` is the signed target just
    before the mark; ``step_index`` is ``-1`` outside the drill.
    """

    t_s: float
    effort_pct: float | None
    target_pct: float
    step_index: int


@dataclass(frozen=True, slots=True)
class PainDrop:
    """One drop of the target after pain: what hurt, where it went, and why.

    Levels are unsigned, in % of the reference of step ``step_index`` (``reference``) in
    ``direction``. ``cause`` is ``pain`` (the key), ``not better`` (the answer), ``pain again``
    (the key during the hold) or ``pinching`` (the check after a step). ``answer`` is what
    the athlete said to "better?" at this level (``better``, ``no answer``; empty when it was
    lowered again or the drill ended first).
    """

    t_s: float
    step_index: int
    direction: Direction
    reference: ReferenceKind
    painful_pct: float
    level_pct: float
    cause: str
    answer: str = ""


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """A check answered after a phase: which, when, and about which step."""

    t_s: float
    step_index: int
    check: Check


@dataclass(frozen=True, slots=True)
class SkippedTrial:
    """A max trial the athlete skipped: trial ``trial`` (1-based) of ``trials`` in a step."""

    t_s: float
    step_index: int
    direction: Direction
    trial: int
    trials: int


@dataclass(frozen=True, slots=True)
class AboveMaxStep:
    """A step whose target goes above 100 % of its reference max, before it runs.

    ``pct`` is the highest target the drill file asks for (% of ``reference`` in
    ``direction``); ``value_n`` the newtons it means with the maximum known now (``None``
    when it is not known yet, e.g. found earlier in the same drill).
    """

    step_index: int
    label: str
    direction: Direction
    reference: ReferenceKind
    pct: float
    value_n: float | None

    def text(self) -> str:
        """E.g. ``step 5 hold push 110 % 20 s: 110 % of the pain-free max = 165 N``."""
        ref = "pain-free max" if self.reference is ReferenceKind.PAIN_FREE else "MVIC"
        newtons = f" = {self.value_n:.0f} N" if self.value_n is not None else ""
        return f"step {self.step_index + 1} {self.label}: {self.pct:g} % of the {ref}{newtons}"


@dataclass(frozen=True, slots=True)
class PainFreeFound:
    """A pain-free max a staircase found in this run, in its direction."""

    direction: Direction
    level_pct: float
    """The level found, in the effort units fed (newtons when ``in_newtons``)."""
    by_pain: bool
    how: str
    """``pain``, ``plateau`` (no higher force reached) or ``ceiling``."""
    in_newtons: bool
    """Whether it was found on the 100 N scale (no max was known): % = N."""


@dataclass(frozen=True, slots=True)
class DrillResult:
    """Everything a run produced so far (partial after an abort).

    ``pain_free_max_pct`` is set by a staircase: the last comfortable level when pain was
    marked (``pain_free_max_by_pain``) or its ceiling when it was never marked; it is in the
    effort units fed. ``max_effort`` is the best over max trials: its ``best_1s`` is the MVIC
    candidate, also in the units fed.
    """

    drill_name: str
    status: EngineStatus
    step_scores: tuple[StepScore, ...]
    summary: DrillScore
    pains: tuple[PainRecord, ...]
    pain_free_max_pct: float | None
    pain_free_max_by_pain: bool
    max_effort: MaxEffort | None
    drops: tuple[PainDrop, ...] = ()
    """Every drop of the target after pain, in order (the last per direction is the lowest)."""
    cramps: tuple[PainRecord, ...] = ()
    """Cramp key presses (they rest and carry on; no max changes)."""
    checks: tuple[CheckRecord, ...] = ()
    pain_free_max_found_by: str = ""
    """How the staircase ended: ``pain``, ``plateau`` (no higher force reached) or ``ceiling``."""
    skipped_trials: tuple[SkippedTrial, ...] = ()
    pain_free_max_in_newtons: bool = False
    """Whether ``pain_free_max_pct`` is on the 100 N scale (no max was known): % = N."""
    newton_scale: frozenset[tuple[ReferenceKind, Direction]] = frozenset()
    """The references that were the 100 N scale in this run (their % read as newtons)."""
    """Max trials skipped one by one (the MVIC comes from the others)."""
    above_max: str = ""
    """Targets above the max: ``agreed``, ``declined`` or ``not asked`` (capped at 100 %);
    empty when no step asks for more than its max."""
    pain_free_found: tuple[PainFreeFound, ...] = ()
    """Every pain-free max found, one per staircase in order (e.g. push then pull); the
    ``pain_free_max_*`` fields above are the last of them."""

    def sets(self, top_index: int) -> tuple[tuple[StepScore, ...], ...]:
        """Scores of drill-file step ``top_index`` grouped per repeat pass ("each rep its own set")."""
        groups: dict[tuple[int, ...], list[StepScore]] = {}
        for score in self.step_scores:
            if score.top_index == top_index:
                groups.setdefault(score.rep_path, []).append(score)
        return tuple(tuple(group) for group in groups.values())
