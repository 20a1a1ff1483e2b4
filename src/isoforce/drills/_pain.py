"""The pain key, the "better?" question, the cramp key and the checks after a phase.

Part of :class:`~isoforce.drills.engine.DrillEngine` (its rules are in that module's docstring),
kept apart so each module stays small. The breaks (:class:`~isoforce.drills._runtime.Interlude`)
stop the step's clock: a pain hold at the lowered level, a cramp rest at 0.
"""

from __future__ import annotations

import math

from isoforce.core.effort_key import ReferenceKind
from isoforce.drills._runtime import ACTIVE, EngineRuntime
from isoforce.drills.events import (
    Check,
    CheckRecord,
    DrillEvent,
    EngineStatus,
    EventKind,
    PainDrop,
    PainRecord,
    pain_drop_level,
)
from isoforce.drills.plan import PlanStep
from isoforce.drills.scoring import EndReason
from isoforce.drills.segments import Phase


class PainControls(EngineRuntime):
    """The engine's pain, cramp and check keys (public through ``DrillEngine``)."""

    def mark_pain(self, t_s: float, effort_pct: float | None = None) -> tuple[DrillEvent, ...]:
        """The pain/pinch key at ``t_s`` with the (signed) effort then; see the module docstring.

        During a pain hold it means "not better": the target drops again. Before the start or
        after the end it is recorded only.
        """
        t, events, mark = self._mark(t_s, effort_pct, EventKind.PAIN_MARKED, "pain", self._pains)
        effort, target = mark.effort_pct, mark.target_pct
        running = self._status is EngineStatus.RUNNING
        if not running:
            return tuple(events)
        brk = self._break
        if brk is not None and brk.segment.phase is Phase.PAIN_HOLD:
            self._answer_pain(t, "pain again", events)
            self._drop(t, abs(brk.level_pct), "pain again", events)
            return tuple(events)
        ps = self.plan[self._k]
        painful = abs(target) if brk is None else abs(brk.from_pct)
        if effort is not None and ps.direction is not None and brk is None:
            painful = min(painful, max(0.0, effort * ps.direction.sign))
        self._drop(t, painful, "pain", events, at_most=self._last_stair_pct(ps))
        return tuple(events)

    def _mark(
        self,
        t_s: float,
        effort_pct: float | None,
        kind: EventKind,
        text: str,
        records: list[PainRecord],
    ) -> tuple[float, list[DrillEvent], PainRecord]:
        """What the pain and cramp keys share: resume a pause, then record the key.

        The key at ``t_s`` goes into ``records`` with the effort and target then and the running
        step (-1: not running), and into the events as ``kind`` with ``text``. Returns the engine
        time, the events so far and the record.
        """
        t, events = self._control(t_s)
        if self._status is EngineStatus.PAUSED:
            self._resume(t, events)
        effort = None if effort_pct is None or math.isnan(effort_pct) else float(effort_pct)
        index = self._k if self._status is EngineStatus.RUNNING else -1
        mark = PainRecord(t, effort, self._target_now(t), index)
        records.append(mark)
        events.append(DrillEvent(kind, t, index, text, effort))
        return t, events, mark

    def _last_stair_pct(self, ps: PlanStep) -> float:
        """In a staircase's stair, the level below the running one (the last comfortable)."""
        if self._break is not None or self._segment().phase is not Phase.STAIR:
            return math.inf
        if not ps.step.traits.finds_pain_free_max:
            return math.inf
        seg = self._seg - 1
        while seg >= 0 and ps.segments[seg].phase is not Phase.STAIR:
            seg -= 1
        if seg < 0:
            return 0.0
        return abs(self._level_value(ps, ps.segments[seg].start_pct))

    def answer_better(self, t_s: float, *, better: bool) -> tuple[DrillEvent, ...]:
        """The answer to "better?": carry on at the level held, or drop again.

        Outside a pain hold it does nothing.
        """
        t, events = self._control(t_s)
        brk = self._break
        if self._status is not EngineStatus.RUNNING or brk is None or not brk.asking:
            return tuple(events)
        if better:
            self._answer_pain(t, "better", events)
            self._leave_break(t, events)
        else:
            self._answer_pain(t, "not better", events)
            self._drop(t, abs(brk.level_pct), "not better", events)
        return tuple(events)

    def mark_cramp(self, t_s: float, effort_pct: float | None = None) -> tuple[DrillEvent, ...]:
        """The cramp key: release to 0 and rest ``cramp_rest_s``, then carry on; no cap.

        In a pain hold the cramp is recorded and the hold goes on (pain comes first).
        """
        t, events, _ = self._mark(t_s, effort_pct, EventKind.CRAMP_MARKED, "cramp", self._cramps)
        running = self._status is EngineStatus.RUNNING
        brk = self._break
        if running and (brk is None or brk.segment.phase is not Phase.PAIN_HOLD):
            self._enter_break(t, Phase.CRAMP_REST, 0.0, step_done=False, events=events)
        return tuple(events)

    def record_check(self, t_s: float, check: Check) -> tuple[DrillEvent, ...]:
        """A check answered after a phase (one key each), about the step it concerns.

        That is the step that ended within ``check_window_s`` before, else the running one.
        Pinching is pain found afterwards: later targets in that step's direction are capped
        below the highest level the step reached (the pain rule), with no question asked.
        """
        t, events = self._control(t_s)
        index = self._k if self._status in ACTIVE else -1
        last = self._last_ended
        if last is not None and (index < 0 or t - last[1] <= self.settings.check_window_s):
            index = last[0]
        self._checks.append(CheckRecord(t, index, check))
        events.append(DrillEvent(EventKind.CHECK, t, index, check.value))
        if check is Check.PINCHING and 0 <= index < len(self.plan):
            ps = self.plan[index]
            if ps.direction is not None:
                painful = self._effective_peak(ps)
                level = pain_drop_level(painful, self.settings.pain_drop_pct)
                self._record_drop(t, ps, painful, level, "pinching", events)
        return tuple(events)

    def _drop(
        self,
        t: float,
        painful_pct: float,
        cause: str,
        events: list[DrillEvent],
        *,
        at_most: float = math.inf,
    ) -> None:
        """Drop the running step's target below ``painful_pct`` and ask "better?".

        ``at_most``: a level the drop may not stay above (a staircase's last comfortable stair).
        """
        ps = self.plan[self._k]
        level = min(pain_drop_level(painful_pct, self.settings.pain_drop_pct), at_most)
        if ps.direction is None or painful_pct <= 0:
            # nothing loaded to lower: hold at rest and ask (the max is not touched)
            self._enter_break(t, Phase.PAIN_HOLD, 0.0, step_done=False, events=events)
            return
        self._record_drop(t, ps, painful_pct, level, cause, events)
        ends = ps.step.traits.finds_pain_free_max or ps.step.traits.measures_mvic
        brk = self._break
        brk_done = brk is not None and brk.step_done
        if ends and not brk_done:  # a staircase or a max trial stops at the first pain
            self._finish_step(t, EndReason.PAIN, events)
            brk_done = True
        if ps.step.traits.finds_pain_free_max and brk_done:
            self._found_pain_free_max(ps, level, True, t, events)
        self._enter_break(
            t, Phase.PAIN_HOLD, level * ps.direction.sign, step_done=brk_done, events=events
        )
        assert self._break is not None
        self._break.lowered = True

    def _record_drop(
        self,
        t: float,
        ps: PlanStep,
        painful_pct: float,
        level_pct: float,
        cause: str,
        events: list[DrillEvent],
    ) -> None:
        assert ps.direction is not None
        kind = ps.reference if ps.reference is not None else ReferenceKind.PAIN_FREE
        self._drops.append(PainDrop(t, ps.index, ps.direction, kind, painful_pct, level_pct, cause))
        self._lower_cap(ps, level_pct)
        unit = "N" if (kind, ps.direction) in self.newton_scale else "%"  # no max known: newtons
        text = f"{cause}: target {painful_pct:.0f} {unit} → {level_pct:.0f} {unit}"
        events.append(DrillEvent(EventKind.PAIN_DROP, t, ps.index, text, level_pct))
