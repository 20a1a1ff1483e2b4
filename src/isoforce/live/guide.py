"""Drives the pure drill engine from a live session: targets, labels, events and IMU step scores.

:class:`DrillGuide` is owned by :class:`~isoforce.live.session.LiveSession`; it returns what
happened with each block (a :class:`Guidance`) instead of calling anyone back. The keys of
a simulated person (:class:`SimulatedPainReporter`: the pain key, and the answer to "better?")
and of a replayed recording (:class:`ReplayedPainReporter`: every drill key as it was pressed)
are pressed at a sample inside a block, through :func:`apply_command` as a user's keys are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.core.samples import SMALL_BLOCK, FloatArray
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import Check, DrillEvent, EngineStatus, EventKind
from isoforce.drills.imu_scores import (
    ImuDrillSummary,
    ImuStepScore,
    ImuTrace,
    score_imu_step,
    summarize_imu,
)
from isoforce.drills.plan import Phase
from isoforce.drills.scoring import StepScore
from isoforce.live.frame import DrillCommand
from isoforce.session.model import Labels
from isoforce.signal.effort import EffortReference
from isoforce.signal.filters import TrailingMean
from isoforce.signal.imu import ImuBlock, ImuProcessor
from isoforce.signal.pipeline import ForcePipeline

IntArray = NDArray[np.int64]

#: Phase names by code, as labels name them in files ("lift-hold", "pain-hold", ...).
PHASE_NAMES: tuple[str, ...] = tuple(
    p.name.lower().replace("_", "-") for p in sorted(Phase, key=int)
)


#: Events after which a step's label may change (its targets did).
_RELABEL = frozenset(
    {
        EventKind.STEP_STARTED,
        EventKind.STEP_ENDED,
        EventKind.PAIN_DROP,
        EventKind.PAIN_FREE_MAX,
        EventKind.ABOVE_MAX_CONSENT,
        EventKind.TARGET_CLAMPED,
    }
)

_CHECKS = {
    DrillCommand.CHECK_PINCHING: Check.PINCHING,
    DrillCommand.CHECK_CRAMPING: Check.CRAMPING,
    DrillCommand.CHECK_COMPENSATION: Check.COMPENSATION,
}


def maxima_n(
    references: Mapping[ReferenceKind, EffortReference],
) -> dict[tuple[ReferenceKind, Direction], float]:
    """Each known maximum in newtons by (reference kind, direction), for the drill engine."""
    return {
        (kind, d): value
        for kind, ref in references.items()
        for d in Direction
        if (value := ref.max_n(d)) is not None
    }


def apply_command(
    engine: DrillEngine, command: DrillCommand, t_s: float, effort_pct: float | None
) -> tuple[DrillEvent, ...]:
    """Do what a drill key asks at session time ``t_s`` (effort then, signed; None: unknown)."""
    if command is DrillCommand.PAIN:
        return engine.mark_pain(t_s, effort_pct)
    if command in (DrillCommand.BETTER, DrillCommand.NOT_BETTER):
        return engine.answer_better(t_s, better=command is DrillCommand.BETTER)
    if command is DrillCommand.CRAMP:
        return engine.mark_cramp(t_s, effort_pct)
    if command in _CHECKS:
        return engine.record_check(t_s, _CHECKS[command])
    if command is DrillCommand.PAUSE:
        paused = engine.status is EngineStatus.PAUSED
        return engine.resume(t_s) if paused else engine.pause(t_s)
    if command is DrillCommand.SKIP:
        return engine.skip(t_s)
    if command is DrillCommand.AGREE_ABOVE_MAX:
        return engine.set_above_max_consent(t_s, agreed=True, how=" (key)")
    return engine.abort(t_s)


@dataclass(frozen=True, slots=True)
class Guidance:
    """What the drill made of one block: per-sample targets and labels, and its events."""

    target_pct: FloatArray
    step: IntArray
    phase: IntArray
    rep: IntArray
    events: tuple[DrillEvent, ...] = ()
    imu_scores: tuple[ImuStepScore, ...] = ()


class ImuStepScorer:
    """Keeps the IMU's angle and stillness under the drill's step labels; scores ended steps."""

    def __init__(self, imu: ImuProcessor, engine: DrillEngine) -> None:
        self.imu = imu
        self.plan = engine.plan
        self.scores: dict[int, ImuStepScore] = {}
        self._parts: list[ImuTrace] = []
        self._known_from_s: float | None = None

    def add(self, block: ImuBlock, step: IntArray, phase: IntArray) -> None:
        """Keep one block's IMU results under the labels of the same samples."""
        t_s = block.t_s
        if self._known_from_s is None and t_s.size:
            # the stillness detector says "not still" until its first full window: unknown,
            # not moving, so those samples are left out
            self._known_from_s = float(t_s[0]) + self.imu.settings.stillness.window_s
        trace = ImuTrace(t_s, block.angle_deg, block.still, step, phase)
        self._parts.append(trace.where(trace.t_s >= (self._known_from_s or -np.inf)))

    def score(self, step: StepScore) -> ImuStepScore:
        """Score a step the engine just finished; its samples are dropped afterwards."""
        trace = ImuTrace.concat(self._parts)
        result = score_imu_step(
            step=step,
            plan_step=self.plan[step.step_index],
            trace=trace,
            lift_offs=self.imu.lift_off.completed,
        )
        self.scores[step.step_index] = result
        later = trace.step_index > step.step_index
        self._parts = [trace.where(later)] if later.any() else []
        return result

    def summary(self) -> ImuDrillSummary:
        """The drill's IMU findings so far."""
        return summarize_imu(
            list(self.scores.values()),
            self.plan,
            placement=self.imu.settings.angle.placement.value,
            dual=self.imu.view().dual,
            calibrated=self.imu.mmg.calibration is not None,
        )


class DrillGuide:
    """Feeds a :class:`DrillEngine` with each block's effort; returns targets, labels, events."""

    def __init__(
        self,
        engine: DrillEngine,
        *,
        references: Mapping[ReferenceKind, EffortReference] | None = None,
        pain_reporter: SimulatedPainReporter | None = None,
    ) -> None:
        self.engine = engine
        self.references = dict(references or {})
        self.pain_reporter = pain_reporter
        self.events: list[DrillEvent] = []
        #: Step and phase names; step names follow the targets used (:meth:`refresh_labels`).
        self.labels = Labels(tuple(step.label for step in engine.plan), PHASE_NAMES)
        self.refresh_labels()
        # the rep of each step, and 0 last: for the samples outside any step (index -1)
        self._rep_of = np.array(
            [*((step.rep_path[-1] + 1) if step.rep_path else 0 for step in engine.plan), 0],
            dtype=np.int64,
        )
        #: Scores steps from the IMU too (devices with an IMU).
        self.imu_scorer: ImuStepScorer | None = None
        self._early: list[DrillEvent] = []  # from prepare(), handed out with the next guidance

    def prepare(self, pipeline: ForcePipeline, t_s: float) -> None:
        """Compute effort in the direction of the step running at ``t_s``, against its reference.

        Steps that ended before ``t_s`` end now (their events come with the next guidance).
        """
        self._early.extend(self.engine.advance_to(t_s))
        step = self.engine.current_step
        pipeline.direction = step.direction if step is not None else None
        kind = (
            step.reference
            if step is not None and step.reference is not None
            else ReferenceKind.PAIN_FREE
        )
        wanted = self.references.get(kind) or self.references.get(ReferenceKind.PAIN_FREE)
        if wanted is not None and pipeline.reference is not wanted:
            pipeline.set_reference(wanted)

    def step_boundary(self, t_s: FloatArray) -> int | None:
        """Index of the first of ``t_s`` past the running step's end (None: all inside it).

        A block is split there, so each part's effort is computed in its own step's direction.
        """
        engine = self.engine
        if engine.status is not EngineStatus.RUNNING or t_s.size < 2:
            return None
        start = float(t_s[0])
        cut = int(np.searchsorted(t_s, start + engine.step_remaining_s(start), side="left"))
        return cut if 0 < cut < t_s.size else None

    def keep(self, events: tuple[DrillEvent, ...]) -> tuple[DrillEvent, ...]:
        """Remember events (also those of commands: pause, skip, pain, abort) and return them.

        Events that can change a step's target (a step starting or ending, pain, consent, a
        pain-free max found) refresh the step labels.
        """
        self.events.extend(events)
        if any(e.kind in _RELABEL for e in events):
            self.refresh_labels()
        return events

    def refresh_labels(self) -> None:
        """Write the step labels from the targets the engine uses now (a new object if changed)."""
        engine = self.engine
        names = tuple(engine.step_label(k) for k in range(len(engine.plan)))
        if names != self.labels.step_names:
            self.labels = Labels(names, PHASE_NAMES)

    def guide(
        self, t_s: FloatArray, effort_pct: FloatArray, imu: ImuBlock | None = None
    ) -> Guidance:
        """Advance the engine over one block's samples."""
        reporter = self.pain_reporter
        if reporter is not None:
            reporter.start_block(effort_pct)
        targets: list[FloatArray] = []
        step_parts: list[IntArray] = []
        phases: list[NDArray[np.int8]] = []
        events: list[DrillEvent] = []
        i, n = 0, t_s.shape[0]
        while True:
            press = None if reporter is None else reporter.next_press(t_s, self.engine, i)
            cut = n - 1 if press is None else press[0]
            # the key is pressed at sample `cut`: the engine sees samples up to it, then the key
            update = self.engine.update(t_s=t_s[i : cut + 1], effort_pct=effort_pct[i : cut + 1])
            targets.append(update.target_pct)
            step_parts.append(update.step_index)
            phases.append(update.phase)
            events.extend(update.events)
            if press is None:
                break
            effort = float(effort_pct[cut])
            events.extend(
                apply_command(
                    self.engine, press[1], float(t_s[cut]), None if math.isnan(effort) else effort
                )
            )
            i = cut + 1
        if len(targets) == 1:  # no key pressed: the engine's arrays as they are
            target, steps, phase = targets[0], step_parts[0], phases[0]
        else:
            target = np.concatenate(targets)
            steps = np.concatenate(step_parts)
            phase = np.concatenate(phases)
        events = [*self._early, *events]
        self._early = []
        rep = self._rep_of[steps]
        phase_code = np.where(steps >= 0, phase.astype(np.int64), -1)
        scored: list[ImuStepScore] = []
        if self.imu_scorer is not None and imu is not None:
            self.imu_scorer.add(imu, steps, phase_code)
        if self.imu_scorer is not None:
            scored += [
                self.imu_scorer.score(e.score)
                for e in events
                if e.kind is EventKind.STEP_SCORED and e.score is not None
            ]
        return Guidance(
            target_pct=target,
            step=steps,
            phase=phase_code,
            rep=rep,
            events=self.keep(tuple(events)),
            imu_scores=tuple(scored),
        )

    @property
    def ended(self) -> bool:
        """Whether the drill has finished or was stopped."""
        return self.engine.status in (EngineStatus.FINISHED, EngineStatus.ABORTED)

    def target_fn(self, scale: Mapping[Direction, float]) -> Callable[[FloatArray], FloatArray]:
        """The target curve as a function of time, rescaled per direction (for the simulator).

        ``scale[d]`` converts % of the user's reference max into % of the simulated athlete's
        true max in direction ``d``.
        """
        push, pull = scale[Direction.PUSH], scale[Direction.PULL]

        def target(t_s: FloatArray) -> FloatArray:
            pct = self.engine.targets_at(t_s)
            if pct.ndim == 1 and pct.size <= SMALL_BLOCK:  # the same bits without numpy
                return np.array([p * push if p >= 0 else p * pull for p in pct.tolist()])
            return np.where(pct >= 0, pct * push, pct * pull)

        return target


class SimulatedPainReporter:
    """The simulated user's keys: pain when effort clearly passes the athlete's threshold.

    "Clearly" means the mean effort over ``window_s`` exceeds the threshold by ``margin_pct``:
    the person at a 60 % step does not cry out at every tremor, but does at a 70 % step.
    Presses at most once per ``cooldown_s``. Asked "better?", the athlete answers
    ``answer_after_s`` later: better when the mean effort is then below the threshold, else not.
    """

    def __init__(
        self,
        *,
        threshold_pct: float,
        fs_hz: float,
        margin_pct: float = 5.0,
        window_s: float = 0.25,
        cooldown_s: float = 5.0,
        answer_after_s: float = 2.0,
    ) -> None:
        self.threshold_pct = threshold_pct
        self.margin_pct = margin_pct
        self.cooldown_s = cooldown_s
        self.answer_after_s = answer_after_s
        self._means_of = TrailingMean(max(1, round(window_s * fs_hz)))
        self._means: FloatArray = np.zeros(0)
        self._last_press = -math.inf

    def start_block(self, effort_pct: FloatArray) -> None:
        """Take in a new block's efforts (once per block, before :meth:`next_press`)."""
        self._means = self._means_of(np.nan_to_num(effort_pct, nan=0.0))

    def next_press(
        self, t_s: FloatArray, engine: DrillEngine, start: int
    ) -> tuple[int, DrillCommand] | None:
        """The next key pressed in this block at or after sample ``start``, if any."""
        if engine.status is not EngineStatus.RUNNING:
            return None
        means = self._means  # signed: the threshold is the athlete's push effort
        asked = engine.question_open_since_s
        if asked is not None:
            at = start + int(np.searchsorted(t_s[start:], asked + self.answer_after_s))
            if at >= t_s.shape[0]:
                return None
            better = means[at] < self.threshold_pct
            return at, DrillCommand.BETTER if better else DrillCommand.NOT_BETTER
        step = engine.current_step
        if engine.in_break or (step is not None and step.direction is Direction.PULL):
            return None  # a pull step's effort is against the pull max: not this threshold
        for i in np.flatnonzero(means[start:] >= self.threshold_pct + self.margin_pct):
            t = float(t_s[start + i])
            if t - self._last_press >= self.cooldown_s:
                self._last_press = t
                return start + int(i), DrillCommand.PAIN
        return None


class ReplayedPainReporter(SimulatedPainReporter):
    """Presses the drill keys at the times they were pressed in the recording."""

    def __init__(self, presses: Sequence[tuple[float, str]]) -> None:
        super().__init__(threshold_pct=math.inf, fs_hz=1.0)
        self._presses = sorted(presses, key=lambda p: p[0])

    def start_block(self, effort_pct: FloatArray) -> None:
        """Nothing to take in: the keys come from the recording."""

    def next_press(
        self, t_s: FloatArray, engine: DrillEngine, start: int
    ) -> tuple[int, DrillCommand] | None:
        """The next recorded key, if it falls in this block at or after sample ``start``."""
        del engine
        if not self._presses or t_s.shape[0] <= start or t_s[-1] < self._presses[0][0] - 1e-9:
            return None
        at, key = self._presses.pop(0)
        index = start + int(np.searchsorted(t_s[start:], at - 1e-9, side="left"))
        return min(index, t_s.shape[0] - 1), DrillCommand(key)
