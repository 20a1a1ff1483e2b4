"""Engine state and the internal moves of :class:`~isoforce.drills.engine.DrillEngine`.

Kept apart from the public API so each module stays small; nothing here is public.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills._step_samples import StepSamples
from isoforce.drills.events import (
    AboveMaxStep,
    CheckRecord,
    DrillEvent,
    EngineSettings,
    EngineStatus,
    EventKind,
    PainDrop,
    PainFreeFound,
    PainRecord,
    SkippedTrial,
)
from isoforce.drills.kinds.base import MAX_PCT, pct_levels
from isoforce.drills.kinds.staircase import StaircaseStep
from isoforce.drills.model import Drill
from isoforce.drills.open_scale import NEWTON_SCALE_N
from isoforce.drills.phase_clock import COUNT_IN_S, PhaseWalk, is_effort
from isoforce.drills.plan import PlanStep, build_plan, with_passes
from isoforce.drills.plateau import PlateauWatch
from isoforce.drills.scoring import EndReason, MaxEffort, StepScore, score_step
from isoforce.drills.segments import GET_READY, Phase, Segment

FloatArray = NDArray[np.float64]
Outputs = tuple[FloatArray, FloatArray, NDArray[np.int64], NDArray[np.int8], NDArray[np.bool_]]
Values = tuple[list[float], list[float], list[int], list[int], list[bool]]
"""A short block's outputs as plain values, in the order of :data:`Outputs`."""
ACTIVE = (EngineStatus.RUNNING, EngineStatus.PAUSED)
#: The get-ready that leads into a step opening with an effort after a skip or a pain hold.
GET_READY_SEGMENT = Segment(
    Phase.READY, COUNT_IN_S, banded=False, scored=False, cues=((0.0, GET_READY),)
)


@dataclass(slots=True)
class Interlude:
    """A break in a step: the pain hold or the cramp rest, with where the step stood.

    ``level_pct`` is the signed target held. ``step_done``: the step is over (skipped, or
    ended by a pain) and the drill goes on with the next one when the break ends; otherwise
    the step's clock stands still from ``at_t`` and it carries on from segment ``seg``
    (started at ``seg_t0``, ``cue_next`` cues given) when the break ends. ``asking``:
    "better?" is waiting for an answer.
    """

    segment: Segment
    level_pct: float
    step_done: bool
    at_t: float
    seg: int
    seg_t0: float
    cue_next: int
    from_pct: float = 0.0
    """The signed target when the break began (what a cramp interrupted)."""
    asking: bool = False
    lowered: bool = False
    """The hold lowered a target (not a pain with nothing loaded, which holds at rest)."""
    leads_in: bool = False
    """The get-ready after a skip, or a pain hold or cramp rest in it: the next step's time."""


class EngineRuntime:
    """The drill engine's state machine internals (time cursor, pain, scoring hand-off)."""

    def __init__(
        self,
        drill: Drill,
        settings: EngineSettings | None = None,
        *,
        start_t_s: float = 0.0,
        references_n: Mapping[tuple[ReferenceKind, Direction], float] | None = None,
        above_max_consent: bool | None = None,
        newton_scale: Collection[tuple[ReferenceKind, Direction]] = (),
    ) -> None:
        self.drill = drill
        self.settings = settings if settings is not None else EngineSettings()
        s = self.settings
        self.plan: tuple[PlanStep, ...] = build_plan(
            drill, default_band_pct=s.default_band_pct, passive_band_pct=s.passive_band_pct
        )
        #: The maxima behind each reference (newtons), to carry a pain cap across references.
        self.references_n = dict(references_n or {})
        #: The references whose 100 % is the 100 N scale (no max known): labels say newtons.
        self.newton_scale = frozenset(newton_scale)
        #: Targets above the max: agreed (True), declined (False) or not asked (None).
        self.above_max_consent = above_max_consent
        self._consent_how = ""
        self._start_t = float(start_t_s)
        self._status = EngineStatus.PENDING
        self._last_sample_t = -math.inf
        self._now = -math.inf
        self._k = 0
        self._seg = 0
        self._t0 = self._start_t
        self._step_t0 = self._start_t
        self._break: Interlude | None = None
        self._pause_t = 0.0
        self._cue_next = 0
        self._band_prev = -1
        self._acc = StepSamples()
        #: The last walk ahead for the phase clock, under the state it was walked from.
        self._walked: tuple[tuple[object, ...], PhaseWalk | None] | None = None
        self._scale: dict[Direction, float] = {}
        #: The pain cap per direction: (the reference it is in, its level in % of it).
        self._caps: dict[Direction, tuple[ReferenceKind, float]] = {}
        #: When each direction's pain cap was last lowered (session seconds).
        self._cap_t: dict[Direction, float] = {}
        self._labels: dict[int, str] = {}  # steps whose label is fixed (started or ended)
        self._skipped: list[SkippedTrial] = []
        self._scores: list[StepScore] = []
        self._pains: list[PainRecord] = []
        self._cramps: list[PainRecord] = []
        self._drops: list[PainDrop] = []
        self._checks: list[CheckRecord] = []
        self._last_ended: tuple[int, float] | None = None
        self._pf_max: float | None = None
        self._pf_by_pain = False
        self._pf_how = ""
        self._pf_in_n = False
        self._pf_found: list[PainFreeFound] = []
        self._plateau: PlateauWatch | None = None
        self._trials: list[MaxEffort] = []

    def _control(self, t_s: float) -> tuple[float, list[DrillEvent]]:
        t = float(t_s)
        if not math.isfinite(t):
            raise ValueError(f"control time must be finite, got {t_s!r}")
        t = max(t, self._now)
        self._now = t
        events: list[DrillEvent] = []
        if self._status is EngineStatus.PENDING and t >= self._start_t:
            self._begin(events)
        while self._status is EngineStatus.RUNNING:
            if self._t0 + self._segment().duration_s > t:
                events.extend(self._cue_events(t))
                break
            self._end_segment(events)
        return t, events

    def _segment(self) -> Segment:
        if self._break is not None:
            return self._break.segment
        return self.plan[self._k].segments[self._seg]

    def _convert_pct(
        self, pct: float, direction: Direction, src: ReferenceKind, dst: ReferenceKind
    ) -> float:
        """``pct`` of reference ``src`` in % of ``dst`` (same value when a maximum is unknown)."""
        if src is dst:
            return pct
        src_n = self.references_n.get((src, direction))
        dst_n = self.references_n.get((dst, direction))
        if src_n is None or dst_n is None or not dst_n > 0:
            return pct
        return pct * src_n / dst_n

    def _cap_pct(self, ps: PlanStep) -> float:
        """The highest target pain allows for step ``ps``, in % of its own reference."""
        if ps.direction is None or ps.direction not in self._caps:
            return math.inf
        kind, pct = self._caps[ps.direction]
        return self._convert_pct(pct, ps.direction, kind, _kind(ps))

    def _lower_cap(self, ps: PlanStep, level_pct: float) -> None:
        """Later targets of ``ps``'s direction stay at or below ``level_pct`` (of its reference)."""
        if ps.direction is None:
            return
        self._caps[ps.direction] = (_kind(ps), min(level_pct, self._cap_pct(ps)))
        self._cap_t[ps.direction] = self._now

    # ---- the ceiling above the max, and consent to go above it ----

    def _needs_consent(self, ps: PlanStep) -> bool:
        """Whether ``ps`` asks for more than 100 % of its reference max.

        A staircase climbing on the newton scale is not above anything: no max is known.
        """
        if ps.direction is None or (isinstance(ps.step, StaircaseStep) and ps.step.in_newtons):
            return False
        return ps.peak_pct > MAX_PCT + 1e-9

    def _limit(self, ps: PlanStep) -> float:
        """The highest nominal target ``ps`` may run at (% of its reference max)."""
        if isinstance(ps.step, StaircaseStep) and ps.step.in_newtons:
            return math.inf  # bounded by its own ceiling
        if self.drill.allow_above_max and self.above_max_consent:
            return self.settings.above_max_ceiling_pct
        return MAX_PCT

    def _scale_of(self, ps: PlanStep) -> float:
        """What a nominal % of ``ps`` is multiplied by (a pain-free max found in this drill)."""
        if ps.direction is None or ps.reference is not ReferenceKind.PAIN_FREE:
            return 1.0
        return self._scale.get(ps.direction, 1.0)

    def _effective_peak(self, ps: PlanStep) -> float:
        """The highest target ``ps`` runs at now (unsigned, % of its reference)."""
        return abs(self._level_value(ps, ps.peak_pct))

    def above_max_steps(self) -> tuple[AboveMaxStep, ...]:
        """The steps asking for more than 100 % of their max, and the newtons that means."""
        out = []
        for ps in self.plan:
            if not self._needs_consent(ps) or ps.direction is None:
                continue
            kind = _kind(ps)
            pct = min(ps.peak_pct, self.settings.above_max_ceiling_pct)
            if not self.drill.allow_above_max:
                continue  # refused by the loader; clamped with a warning if built by hand
            max_n = self.references_n.get((kind, ps.direction))
            known = max_n is not None and (kind, ps.direction) not in self.newton_scale
            value_n = pct / MAX_PCT * max_n if known and max_n is not None else None
            out.append(AboveMaxStep(ps.index, ps.label, ps.direction, kind, pct, value_n))
        return tuple(out)

    def _consent_event(self, t: float, steps: Sequence[AboveMaxStep]) -> DrillEvent:
        listed = "; ".join(s.text() for s in steps)
        if self.above_max_consent:
            text = f"agreed{self._consent_how}: {listed}"
        else:
            what = "declined" if self.above_max_consent is False else "not asked"
            text = f"{what}{self._consent_how}: capped at 100 % of the max — {listed}"
        return DrillEvent(EventKind.ABOVE_MAX_CONSENT, t, -1, text, max(s.pct for s in steps))

    @property
    def above_max(self) -> str:
        """``agreed``, ``declined`` or ``not asked``; empty when no step goes above its max."""
        if not self.above_max_steps():
            return ""
        return {True: "agreed", False: "declined", None: "not asked"}[self.above_max_consent]

    # ---- labels from the targets actually used ----

    def step_label(self, index: int) -> str:
        """The label of plan step ``index``, written from the targets it runs (or ran) at.

        E.g. ``hold push 90 % 20 s (capped after pain at 3:12)``, or ``ramp push 0→140 N``
        on the newton scale. A step that has ended keeps the label it ended with; a staircase
        or a max trial keeps the one it started with (pain ends it, it does not lower it).
        """
        fixed = self._labels.get(index)
        return fixed if fixed is not None else self._label_now(self.plan[index])

    def _label_now(self, ps: PlanStep) -> str:
        def levels(nominal: Sequence[float]) -> str:
            used = [abs(v) for v in self._level_values(ps, nominal)]
            if ps.direction is not None and (_kind(ps), ps.direction) in self.newton_scale:
                if ps.direction not in self._scale and not isinstance(ps.step, StaircaseStep):
                    return pct_levels(nominal)  # % of a max not found yet
                return _arrowed([f"{u * NEWTON_SCALE_N / MAX_PCT:.0f}" for u in used]) + " N"
            return _arrowed([f"{round(u, 1):g}" for u in used]) + " %"

        text = with_passes(ps.step.describe(levels), ps.rep_path)
        notes = []
        if ps.direction is not None:
            wanted = min(ps.peak_pct, self._limit(ps)) * self._scale_of(ps)
            if self._needs_consent(ps) and ps.peak_pct > self._limit(ps) + 1e-9:
                notes.append("capped at the max: going above it not agreed")
            if ps.direction in self._caps and wanted > self._cap_pct(ps) + 1e-9:
                t = max(0.0, self._cap_t.get(ps.direction, 0.0) - self._start_t)
                notes.append(f"capped after pain at {int(t // 60)}:{int(t % 60):02d}")
        return f"{text} ({', '.join(notes)})" if notes else text

    def _level(self, ps: PlanStep, nominal: FloatArray) -> FloatArray:
        if ps.direction is None:
            return np.zeros_like(nominal)
        asked = np.minimum(nominal, self._limit(ps)) * self._scale_of(ps)
        level = np.clip(asked, 0.0, self._cap_pct(ps))
        return level * ps.direction.sign

    def _level_values(self, ps: PlanStep, nominal: Iterable[float]) -> list[float]:
        """:meth:`_level` of plain floats, to the bit."""
        if ps.direction is None:
            return [0.0 for _ in nominal]
        limit, scale, cap = self._limit(ps), self._scale_of(ps), self._cap_pct(ps)
        sign = ps.direction.sign
        return [_clip(_minimum(x, limit) * scale, 0.0, cap) * sign for x in nominal]

    def _level_value(self, ps: PlanStep, nominal: float) -> float:
        """:meth:`_level` of one value."""
        return self._level_values(ps, (nominal,))[0]

    def _seg_targets(self, ps: PlanStep, seg: Segment, t0: float, t: FloatArray) -> FloatArray:
        dur = seg.duration_s
        frac = np.clip((t - t0) / dur, 0.0, 1.0) if dur > 0 else np.ones_like(t)
        return self._level(ps, seg.start_pct + (seg.end_pct - seg.start_pct) * frac)

    def _seg_target_values(
        self, ps: PlanStep, seg: Segment, t0: float, t: Iterable[float]
    ) -> list[float]:
        """:meth:`_seg_targets` of plain floats, to the bit."""
        dur, start = seg.duration_s, seg.start_pct
        rise = seg.end_pct - start
        if dur > 0:
            return self._level_values(
                ps, (start + rise * _clip((x - t0) / dur, 0.0, 1.0) for x in t)
            )
        return self._level_values(ps, (start + rise * 1.0 for _ in t))

    def _seg_target_value(self, ps: PlanStep, seg: Segment, t0: float, t: float) -> float:
        """:meth:`_seg_targets` at one time."""
        return self._seg_target_values(ps, seg, t0, (t,))[0]

    def _cue_events(self, upto: float) -> list[DrillEvent]:
        cues = self._segment().cues
        out: list[DrillEvent] = []
        while self._cue_next < len(cues) and self._t0 + cues[self._cue_next][0] <= upto:
            offset, text = cues[self._cue_next]
            out.append(DrillEvent(EventKind.CUE, self._t0 + offset, self._k, text))
            self._cue_next += 1
        return out

    def _fill(self, t: FloatArray, e: FloatArray, events: list[DrillEvent]) -> Outputs:
        """Targets, band and labels of samples inside the running segment; band and cue events."""
        seg = self._segment()
        ps = self.plan[self._k]
        brk = self._break
        target = (
            np.full(t.shape, brk.level_pct, dtype=np.float64)
            if brk is not None
            else self._seg_targets(ps, seg, self._t0, t)
        )
        band = ps.band_pct if seg.banded else math.nan
        state = np.full(t.shape, -1, dtype=np.int8)
        if seg.banded:
            measured = np.isfinite(e)
            state[measured] = np.abs(e[measured] - target[measured]) <= band
        prev = np.concatenate(([self._band_prev], state[:-1]))
        self._band_prev = int(state[-1])
        entered = np.flatnonzero((state == 1) & (prev != 1))
        left = np.flatnonzero((state == 0) & (prev == 1))
        self._emit(t, entered.tolist(), left.tolist(), events)
        if brk is None:
            self._acc.add_arrays(t, e, target, self._seg)
        return (
            target,
            np.full(t.shape, band, dtype=np.float64),
            np.full(t.shape, self._k, dtype=np.int64),
            np.full(t.shape, seg.phase, dtype=np.int8),
            state == 1,
        )

    def _fill_values(self, t: list[float], e: list[float], events: list[DrillEvent]) -> Values:
        """:meth:`_fill` of a short block's plain floats, to the bit."""
        seg = self._segment()
        ps = self.plan[self._k]
        brk = self._break
        n = len(t)
        target = (
            [brk.level_pct] * n
            if brk is not None
            else self._seg_target_values(ps, seg, self._t0, t)
        )
        band = ps.band_pct if seg.banded else math.nan
        if seg.banded:
            state = [
                int(abs(x - y) <= band) if math.isfinite(x) else -1
                for x, y in zip(e, target, strict=True)
            ]
        else:
            state = [-1] * n
        prev = self._band_prev
        entered: list[int] = []
        left: list[int] = []
        for i, now in enumerate(state):
            if now == 1 and prev != 1:
                entered.append(i)
            elif now == 0 and prev == 1:
                left.append(i)
            prev = now
        self._band_prev = prev
        self._emit(t, entered, left, events)
        if brk is None:
            self._acc.add_values(t, e, target, self._seg)
        return target, [band] * n, [self._k] * n, [int(seg.phase)] * n, [s == 1 for s in state]

    def _emit(
        self,
        t: Sequence[float] | FloatArray,
        entered: list[int],
        left: list[int],
        events: list[DrillEvent],
    ) -> None:
        """Add the cues due by the last of ``t`` and the band crossings, in time order."""
        timed = [(float(ev.t_s), 0, ev) for ev in self._cue_events(float(t[-1]))]
        for kind, hits in ((EventKind.BAND_ENTERED, entered), (EventKind.BAND_LEFT, left)):
            timed.extend((float(t[x]), 1, DrillEvent(kind, float(t[x]), self._k)) for x in hits)
        timed.sort(key=lambda item: (item[0], item[1]))
        events.extend(item[2] for item in timed)

    def _begin(self, events: list[DrillEvent]) -> None:
        self._status = EngineStatus.RUNNING
        events.append(DrillEvent(EventKind.DRILL_STARTED, self._start_t, -1, self.drill.name))
        above = self.above_max_steps()
        if above:
            events.append(self._consent_event(self._start_t, above))
        self._start_step(0, self._start_t, events)

    def _enter_segment(
        self, t: float, events: list[DrillEvent], *, keep_band: bool = False
    ) -> None:
        self._t0 = t
        self._cue_next = 0
        if not keep_band:
            self._band_prev = -1
        events.extend(self._cue_events(t))

    def _start_step(self, k: int, t: float, events: list[DrillEvent]) -> None:
        self._k = min(k, len(self.plan))
        if k >= len(self.plan):
            self._status = EngineStatus.FINISHED
            events.append(DrillEvent(EventKind.DRILL_FINISHED, t, -1, self.drill.name))
            return
        self._seg, self._step_t0, self._acc = 0, t, StepSamples()
        ps = self.plan[k]
        self._plateau = (
            PlateauWatch(ps.step.step_pct, ps.band_pct, self.settings.plateau_levels)
            if isinstance(ps.step, StaircaseStep)
            else None
        )
        events.append(DrillEvent(EventKind.STEP_STARTED, t, k, ps.instruction))
        if ps.direction is not None:
            scale, limit, cap = self._scale_of(ps), self._limit(ps), self._cap_pct(ps)
            asked = ps.peak_pct * scale
            if ps.peak_pct > limit + 1e-9 and limit * scale <= cap:
                used = limit * scale
                if self.drill.allow_above_max and not self.above_max_consent:
                    text = f"target {asked:g} % capped at {used:g} %: going above the max was not agreed"
                else:
                    text = f"target {asked:g} % is above the allowed {used:g} %: clamped"
                events.append(DrillEvent(EventKind.TARGET_CLAMPED, t, k, text, used))
            elif min(ps.peak_pct, limit) * scale > cap + 1e-9:
                text = f"target {asked:g} % capped at {cap:.0f} % after pain"
                events.append(DrillEvent(EventKind.TARGET_CLAMPED, t, k, text, cap))
        if ps.step.traits.finds_pain_free_max or ps.step.traits.measures_mvic:
            self._labels[k] = self._label_now(ps)  # pain ends these steps: it never lowers them
        self._enter_segment(t, events)

    def _end_segment(self, events: list[DrillEvent]) -> None:
        seg = self._segment()
        end = self._t0 + seg.duration_s
        events.extend(self._cue_events(end))
        if self._break is not None:
            if self._break.asking:
                self._answer_pain(end, "no answer", events)
            self._leave_break(end, events)
            return
        if seg.ends_rep:
            events.append(DrillEvent(EventKind.REP_DONE, end, self._k, seg.rep_label))
        ps = self.plan[self._k]
        if self._plateau is not None and seg.phase is Phase.STAIR and self._at_plateau(ps, seg):
            self._finish_step(end, EndReason.PLATEAU, events)
            best = self._plateau.best_pct
            self._found_pain_free_max(ps, best, False, end, events, how="plateau")
            self._start_step(self._k + 1, end, events)
            return
        if self._plateau is not None and self._plateau.blind:
            self._finish_step(end, EndReason.NOT_MEASURED, events)
            self._start_step(self._k + 1, end, events)
            return
        if self._seg + 1 < len(ps.segments):
            self._seg += 1
            nxt = ps.segments[self._seg]
            # Band state carries over unless the target jumps (a new stair level).
            same = nxt.banded and seg.banded and nxt.start_pct == seg.end_pct
            self._enter_segment(end, events, keep_band=same)
            return
        self._finish_step(end, EndReason.COMPLETED, events)
        if ps.step.traits.finds_pain_free_max:
            level = abs(self._level_value(ps, ps.segments[-1].start_pct))
            self._found_pain_free_max(ps, level, False, end, events, how="ceiling")
        self._start_step(self._k + 1, end, events)

    def _finish_step(self, t: float, reason: EndReason, events: list[DrillEvent]) -> None:
        ps = self.plan[self._k]
        t_s, effort_pct, target_pct, segment_index = self._acc.columns()
        score = score_step(
            plan_step=ps,
            t_s=t_s,
            effort_pct=effort_pct,
            target_pct=target_pct,
            segment_index=segment_index,
            started_t_s=self._step_t0,
            ended_t_s=t,
            ended_by=reason,
            middle_fraction=self.settings.steadiness_middle_fraction,
        )
        self._acc = StepSamples()
        label = self.step_label(self._k)
        self._labels[self._k] = label
        score = replace(score, label=label)
        self._scores.append(score)
        self._last_ended = (self._k, t)
        if ps.step.traits.measures_mvic:
            self._trials.extend(r.max_effort for r in score.reps if r.max_effort is not None)
        events.append(DrillEvent(EventKind.STEP_ENDED, t, self._k, reason.value))
        if reason is not EndReason.ABORTED:
            events.extend(DrillEvent(EventKind.REP_DONE, t, self._k, x) for x in ps.reps_ending)
        events.append(DrillEvent(EventKind.STEP_SCORED, t, self._k, label, score=score))

    def _at_plateau(self, ps: PlanStep, seg: Segment) -> bool:
        """Whether the level just finished makes a plateau (see :mod:`isoforce.drills.plateau`)."""
        assert self._plateau is not None and ps.direction is not None
        t, measured = self._acc.of_segment(self._seg)
        if not t.size:
            return False
        effort = measured * ps.direction.sign
        level = abs(self._level_value(ps, seg.start_pct))
        return self._plateau.level_done(level, t, effort)

    def _found_pain_free_max(
        self,
        ps: PlanStep,
        level: float,
        by_pain: bool,
        t: float,
        events: list[DrillEvent],
        *,
        how: str = "pain",
    ) -> None:
        self._pf_max, self._pf_by_pain, self._pf_how = level, by_pain, how
        self._pf_in_n = isinstance(ps.step, StaircaseStep) and ps.step.in_newtons
        if ps.direction is not None:
            self._pf_found.append(PainFreeFound(ps.direction, level, by_pain, how, self._pf_in_n))
        if ps.direction is not None and ps.reference is ReferenceKind.PAIN_FREE:
            # Later "max" (100 %) lands exactly on the found level.
            self._scale[ps.direction] = level / MAX_PCT
        unit = " N" if self._pf_in_n else " %"
        text = f"pain-free max {level:.0f}{unit}" + (
            " (plateau: the force rose no further)" if how == "plateau" else ""
        )
        events.append(DrillEvent(EventKind.PAIN_FREE_MAX, t, ps.index, text, level))

    # ---- breaks: the pain hold and the cramp rest ----

    def _enter_break(
        self, t: float, phase: Phase, level_pct: float, *, step_done: bool, events: list[DrillEvent]
    ) -> None:
        """Hold ``level_pct`` (signed) from ``t`` in a pain hold, a cramp rest or a get-ready.

        A get-ready (:data:`Phase.READY`, :data:`COUNT_IN_S` long) comes between a step that
        ended early (skipped, or ended by a pain, after its hold) and a next one that opens with
        an effort, so that a 3-2-1 comes before it too.
        """
        prev = self._break
        leads_in = phase is Phase.READY
        if prev is not None:  # a break within a break keeps where the step stood
            at_t, seg, seg_t0, cue = prev.at_t, prev.seg, prev.seg_t0, prev.cue_next
            step_done = step_done or prev.step_done
            from_pct = prev.from_pct
            leads_in = leads_in or prev.leads_in
        else:
            at_t, seg, seg_t0, cue = t, self._seg, self._t0, self._cue_next
            from_pct = (
                0.0  # a get-ready loads nothing: a pain in it lowers no target
                if phase is Phase.READY
                else self._seg_target_value(self.plan[self._k], self._segment(), self._t0, t)
            )
        s = self.settings
        if phase is Phase.PAIN_HOLD:
            segment = Segment(
                Phase.PAIN_HOLD, s.pain_hold_s, banded=True, scored=False, cues=((0.0, "better?"),)
            )
        elif phase is Phase.READY:
            segment = GET_READY_SEGMENT
        else:
            segment = Segment(
                Phase.CRAMP_REST,
                s.cramp_rest_s,
                banded=False,
                scored=False,
                cues=((0.0, "release, rest"),),
            )
        self._break = Interlude(
            segment,
            level_pct,
            step_done,
            at_t,
            seg,
            seg_t0,
            cue,
            from_pct=from_pct,
            asking=phase is Phase.PAIN_HOLD,
            leads_in=leads_in,
        )
        self._enter_segment(t, events)

    def _leave_break(self, t: float, events: list[DrillEvent]) -> None:
        """End the break at ``t``: the next step, or the interrupted one where it stood."""
        brk = self._break
        assert brk is not None
        self._break = None
        if brk.step_done:  # after a pain hold or cramp rest, a get-ready before an effort
            if brk.segment.phase is Phase.READY:
                self._start_step(self._k + 1, t, events)
            else:
                self._lead_into_next(t, events)
            return
        self._seg = brk.seg
        self._t0 = brk.seg_t0 + (t - brk.at_t)
        self._cue_next = brk.cue_next
        self._band_prev = -1
        events.append(DrillEvent(EventKind.CUE, t, self._k, "carry on"))
        events.extend(self._cue_events(t))

    def _opens_with_effort(self, k: int) -> bool:
        """Whether plan step ``k`` exists and its first segment is an effort."""
        return k < len(self.plan) and is_effort(self.plan[k], self.plan[k].segments[0])

    def _lead_into_next(self, t: float, events: list[DrillEvent]) -> None:
        """Start the step after the one ended at ``t``, after a get-ready if it opens with effort.

        The step was skipped, or the pain that ended it was followed by a pain hold. Neither
        throws the athlete straight into a push, a pull or a lift: the get-ready gives the 3-2-1
        every other effort has.
        """
        if self._opens_with_effort(self._k + 1):
            self._enter_break(t, Phase.READY, 0.0, step_done=True, events=events)
        else:
            self._start_step(self._k + 1, t, events)

    def _answer_pain(self, t: float, answer: str, events: list[DrillEvent]) -> None:
        """Close the open "better?" question with ``answer`` (recorded on the last drop)."""
        brk = self._break
        if brk is None or not brk.asking:
            return
        brk.asking = False
        if self._drops and self._drops[-1].step_index == self._k and not self._drops[-1].answer:
            last = self._drops[-1]
            self._drops[-1] = PainDrop(
                last.t_s,
                last.step_index,
                last.direction,
                last.reference,
                last.painful_pct,
                last.level_pct,
                last.cause,
                answer,
            )
        level = abs(brk.level_pct) if brk.lowered else None
        events.append(DrillEvent(EventKind.PAIN_ANSWER, t, self._k, answer, level))

    def _target_now(self, t: float) -> float:
        """The signed target at ``t`` inside the running segment (0 unless running)."""
        if self._status is not EngineStatus.RUNNING:
            return 0.0
        if self._break is not None:
            return self._break.level_pct
        ps = self.plan[self._k]
        return self._seg_target_value(ps, self._segment(), self._t0, t)

    def _resume(self, t: float, events: list[DrillEvent]) -> None:
        """Resume a paused drill at ``t``; drill time stood still meanwhile."""
        if self._status is EngineStatus.PAUSED:
            shift = t - self._pause_t
            self._t0 += shift
            self._status = EngineStatus.RUNNING
            events.append(DrillEvent(EventKind.RESUMED, t, self._k, value=shift))


def _arrowed(levels: list[str]) -> str:
    """Levels joined by arrows, each run of one level written once.

    A ramp that a cap after pain flattened reads ``29 %``, not ``29→29 %``.
    """
    return "→".join(v for i, v in enumerate(levels) if i == 0 or v != levels[i - 1])


def _minimum(a: float, b: float) -> float:
    """``np.minimum`` of two floats, to the bit (NaN wins)."""
    return a if a < b or a != a else b


def _clip(x: float, lo: float, hi: float) -> float:
    """``np.clip`` of one float, to the bit: NaN stays NaN, and a tie keeps ``x`` (its zero)."""
    x = lo if x < lo else x
    return hi if x > hi else x


def _kind(ps: PlanStep) -> ReferenceKind:
    return ps.reference if ps.reference is not None else ReferenceKind.PAIN_FREE
