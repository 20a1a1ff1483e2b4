"""The drill engine: a pure state machine that runs a drill on time the caller supplies.

It never reads a clock, sleeps or does I/O. The caller feeds sample times (session seconds)
and measured signed effort (% of the current step's reference, push positive, NaN = not
measured) in chunks of any size; the engine answers with the signed target, band, step and
phase of every sample, plus events. Feeding the same samples in different chunks gives the
same outputs, events and scores. Segment boundaries fall at exact times (start + durations,
shifted by pauses); events at a boundary are emitted once a sample (or a control call) at or
after that time arrives, and carry the boundary's time.

Control calls (:meth:`pause`, :meth:`resume`, :meth:`skip`, :meth:`abort`, :meth:`mark_pain`,
:meth:`answer_better`, :meth:`mark_cramp`, :meth:`record_check`) take a time too; one earlier
than anything already seen is treated as "now" (the latest time seen). Each returns the events
it caused.

Pain (seed 000: "regress the percentage. Better? Good. No? Keep lowering."): the painful level
L is the target at the key, or the effort then if lower (the athlete may not have reached the
target). The target drops at once to :func:`~isoforce.drills.events.pain_drop_level` (L − 10
points or L × 0.9, the lower) and holds there in a ``PAIN_HOLD`` of ``pain_hold_s`` while
"better?" is asked. "Not better" (or the pain key again) drops it again by the same rule; "better"
(or no answer by the end of the hold) carries on. From then on every target in that direction
is capped at the level held (converted between the pain-free max and the MVIC with
``references_n``). A hold, ramp or release carries on where it stopped, capped; a staircase
ends and the level held is its pain-free max (never above the stair before the painful one,
the seed's "60 % felt great, 70 % hurt: 60 % is your max"); a max trial ends with no MVIC.

Cramp (seed 000: usually a good sign; back off, then repeat): the target drops to 0 for
``cramp_rest_s`` (``CRAMP_REST``), then the step carries on where it stopped. Nothing is capped.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Callable, Iterator
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from isoforce.core.samples import SMALL_BLOCK
from isoforce.drills._pain import PainControls
from isoforce.drills._runtime import ACTIVE as _ACTIVE
from isoforce.drills._runtime import GET_READY_SEGMENT, FloatArray, Outputs, Values
from isoforce.drills.events import (
    DrillEvent,
    DrillResult,
    EngineStatus,
    EngineUpdate,
    EventKind,
    SkippedTrial,
)
from isoforce.drills.phase_clock import PhaseClock, walk
from isoforce.drills.plan import PlanStep
from isoforce.drills.scoring import EndReason, best_max_effort, summarize
from isoforce.drills.segments import Phase, Segment


class DrillEngine(PainControls):
    """Runs one drill from ``start_t_s`` (session seconds); see the module docstring.

    ``DrillEngine(drill, settings=None, *, start_t_s=0.0)``: ``settings`` defaults to
    :class:`~isoforce.drills.events.EngineSettings`; ``plan`` is the unrolled drill, whose
    step indices label the samples.
    """

    # ---- queries ----

    @property
    def status(self) -> EngineStatus:
        """Pending, running, paused, finished or aborted."""
        return self._status

    @property
    def current_step(self) -> PlanStep | None:
        """The step running now or interrupted by a break (``None`` before or after the drill)."""
        if self._status in _ACTIVE:
            return self.plan[self._k]
        return None

    @property
    def question_open_since_s(self) -> float | None:
        """When "better?" was asked, while it waits for an answer (else ``None``)."""
        brk = self._break
        if brk is None or not brk.asking or self._status is not EngineStatus.RUNNING:
            return None
        return self._t0

    @property
    def in_break(self) -> bool:
        """Whether a pain hold or a cramp rest is running."""
        return self._break is not None and self._status in _ACTIVE

    @property
    def leading_in(self) -> bool:
        """Whether the get-ready after a skip is running, or a pain hold or cramp rest in it.

        The skipped step is over and this time belongs to the next step, which opens with an
        effort (unlike a max trial's own get-ready, which is a phase of its step).
        """
        brk = self._break
        return brk is not None and brk.leads_in and self._status in _ACTIVE

    @property
    def pain_lowered(self) -> bool:
        """Whether a pain hold that lowered a target is running.

        Not one at rest: a pain with nothing loaded (in a rest or a get-ready) holds at 0 and
        lowers nothing.
        """
        brk = self._break
        return brk is not None and brk.lowered and self._status in _ACTIVE

    @property
    def next_step(self) -> PlanStep | None:
        """The step that comes next, for a preview."""
        if self._status is EngineStatus.PENDING:
            return self.plan[0] if self.plan else None
        if self._status not in _ACTIVE:
            return None
        nxt = self._k + 1
        return self.plan[nxt] if nxt < len(self.plan) else None

    @property
    def current_phase(self) -> Phase:
        """The phase now (``PAUSED`` while paused)."""
        if self._status is EngineStatus.PENDING:
            return Phase.PENDING
        if self._status is EngineStatus.PAUSED:
            return Phase.PAUSED
        if self._status is EngineStatus.RUNNING:
            return self._segment().phase
        return Phase.DONE

    def step_remaining_s(self, t_s: float) -> float:
        """Seconds of drill time left in the current step (with a break in it) at ``t_s``."""
        if self._status not in _ACTIVE:
            return 0.0
        now = self._pause_t if self._status is EngineStatus.PAUSED else float(t_s)
        left = max(0.0, self._t0 + self._segment().duration_s - now)
        segments = self.plan[self._k].segments
        brk = self._break
        if brk is None:
            left += sum(seg.duration_s for seg in segments[self._seg + 1 :])
        elif not brk.step_done:
            left += max(0.0, brk.seg_t0 + segments[brk.seg].duration_s - brk.at_t)
            left += sum(seg.duration_s for seg in segments[brk.seg + 1 :])
        return left

    def advance_to(self, t_s: float) -> tuple[DrillEvent, ...]:
        """End every segment and step that ends at or before ``t_s``, as a sample there would.

        For a caller about to feed samples from ``t_s`` that must know the step they fall in
        first (the live session computes effort in that step's direction).
        """
        return tuple(self._control(t_s)[1])

    def target_at(self, t_s: float) -> float:
        """Signed target at ``t_s`` if nothing intervenes (for drawing ahead); 0 when paused."""
        return float(self.targets_at(np.array([t_s], dtype=np.float64))[0])

    def targets_at(self, t_s: ArrayLike) -> FloatArray:
        """Vectorised :meth:`target_at`. Times before the current segment read as its start."""
        t = np.asarray(t_s, dtype=np.float64)
        if t.ndim == 1 and t.size <= SMALL_BLOCK:
            times = t.tolist()
            values = [0.0] * len(times)
            for ps, seg, t0, inside in self._timeline_values(times):
                if ps is None:
                    level = self._break.level_pct if self._break is not None else 0.0
                    targets = [level] * len(inside)
                else:
                    targets = self._seg_target_values(ps, seg, t0, [times[i] for i in inside])
                for i, target in zip(inside, targets, strict=True):
                    values[i] = target
            return np.array(values, dtype=np.float64)
        out = np.zeros_like(t)
        for ps, seg, t0, mask in self._timeline(t):
            if ps is None:
                out[mask] = self._break.level_pct if self._break is not None else 0.0
            else:
                out[mask] = self._seg_targets(ps, seg, t0, t[mask])
        return out

    def phases_at(self, t_s: ArrayLike) -> NDArray[np.int8]:
        """The phase each time falls in if nothing intervenes.

        ``PENDING`` before the start, ``DONE`` after the end or once stopped, ``PAUSED`` while
        paused; earlier times read as the running segment. What a simulated person watches
        to move the leg (lift-offs, rotations).
        """
        t = np.asarray(t_s, dtype=np.float64)
        fill = Phase.PENDING if self._status is EngineStatus.PENDING else Phase.DONE
        if self._status is EngineStatus.PAUSED:
            fill = Phase.PAUSED
        if t.ndim == 1 and t.size <= SMALL_BLOCK:
            times = t.tolist()
            values = [int(fill)] * len(times)
            for _, seg, _, inside in self._timeline_values(times):
                for i in inside:
                    values[i] = int(seg.phase)
            return np.array(values, dtype=np.int8)
        out = np.full(t.shape, int(fill), dtype=np.int8)
        for _, seg, _, mask in self._timeline(t):
            out[mask] = int(seg.phase)
        return out

    def phase_clock(self, t_s: float) -> PhaseClock | None:
        """The running phase, its own countdown and the count-in to the next effort at ``t_s``.

        ``None`` before the start and once the drill has ended; while paused, as it was when
        paused (drill time stands still).
        """
        if self._status not in _ACTIVE:
            return None
        now = self._pause_t if self._status is EngineStatus.PAUSED else float(t_s)
        # the walk ahead changes only when the drill moves on (asked for every frame)
        key = (self._status, self._k, self._seg, self._t0, self._break)
        if self._walked is None or self._walked[0] != key:
            self._walked = (key, walk(self._ahead()))
        found = self._walked[1]
        return found.at(now) if found is not None else None

    def _ahead(self) -> Iterator[tuple[PlanStep | None, Segment, float]]:
        """The segments from the running one on, with their start times if nothing intervenes.

        Yields ``(step, or None for a break; segment; its start)``; before the start, from the
        first segment. A step interrupted by a break carries on after it, shifted.
        """
        if self._status not in (EngineStatus.PENDING, *_ACTIVE):
            return
        k, seg_i, t0 = self._k, self._seg, self._t0
        if self._status is EngineStatus.PENDING:
            k, seg_i, t0 = 0, 0, self._start_t
        brk = self._break if self._status in _ACTIVE else None
        if brk is not None:
            yield None, brk.segment, t0
            end = t0 + brk.segment.duration_s
            if brk.step_done:
                if brk.segment.phase is not Phase.READY and self._opens_with_effort(k + 1):
                    yield None, GET_READY_SEGMENT, end  # as _leave_break will do
                    end += GET_READY_SEGMENT.duration_s
                k, seg_i, t0 = k + 1, 0, end
            else:
                seg_i, t0 = brk.seg, brk.seg_t0 + (end - brk.at_t)
        while k < len(self.plan):
            ps = self.plan[k]
            seg = ps.segments[seg_i]
            yield ps, seg, t0
            t0 += seg.duration_s
            if seg_i + 1 < len(ps.segments):
                seg_i += 1
            else:
                k, seg_i = k + 1, 0

    def _timeline(
        self, t: FloatArray
    ) -> Iterator[tuple[PlanStep | None, Segment, float, NDArray[np.bool_]]]:
        """Walk the segments ahead from now, yielding which of ``t`` fall in each.

        Yields ``(step, or None in a break; segment; its start; mask of the times in it)``.
        Times before the walk's start fall in its first segment, times after the last in none.
        """
        if self._status not in (EngineStatus.PENDING, EngineStatus.RUNNING) or not t.size:
            return
        done = np.zeros(t.shape, dtype=bool)
        if self._status is EngineStatus.PENDING:
            done |= t < self._start_t
        if done.all():
            return
        for ps, seg, t0 in self._ahead():
            mask = ~done & (t < t0 + seg.duration_s)
            if mask.any():
                yield ps, seg, t0, mask
                done |= mask
                if done.all():
                    return

    def _timeline_values(
        self, t: list[float]
    ) -> Iterator[tuple[PlanStep | None, Segment, float, list[int]]]:
        """:meth:`_timeline` of plain floats: the indices of the times in each segment."""
        if self._status not in (EngineStatus.PENDING, EngineStatus.RUNNING) or not t:
            return
        pending = self._status is EngineStatus.PENDING
        left = [i for i, x in enumerate(t) if not (pending and x < self._start_t)]
        if not left:
            return
        for ps, seg, t0 in self._ahead():
            end = t0 + seg.duration_s
            inside = [i for i in left if t[i] < end]
            if inside:
                yield ps, seg, t0, inside
                left = [i for i in left if not t[i] < end]
                if not left:
                    return

    def result(self) -> DrillResult:
        """Scores and findings so far (the step in progress is not included until it ends)."""
        return DrillResult(
            drill_name=self.drill.name,
            status=self._status,
            step_scores=tuple(self._scores),
            summary=summarize(self._scores),
            pains=tuple(self._pains),
            pain_free_max_pct=self._pf_max,
            pain_free_max_by_pain=self._pf_by_pain,
            max_effort=best_max_effort(self._trials),
            drops=tuple(self._drops),
            cramps=tuple(self._cramps),
            checks=tuple(self._checks),
            pain_free_max_found_by=self._pf_how,
            skipped_trials=tuple(self._skipped),
            above_max=self.above_max,
            pain_free_max_in_newtons=self._pf_in_n,
            newton_scale=self.newton_scale,
            pain_free_found=tuple(self._pf_found),
        )

    # ---- feeding samples ----

    def update(self, *, t_s: ArrayLike, effort_pct: ArrayLike) -> EngineUpdate:
        """Advance over samples at ``t_s`` (non-decreasing) with measured ``effort_pct``.

        Blocks of up to :data:`SMALL_BLOCK` samples run on plain
        floats, with the same outputs to the bit.
        """
        t = np.asarray(t_s, dtype=np.float64)
        e = np.asarray(effort_pct, dtype=np.float64)
        if t.ndim != 1 or e.shape != t.shape:
            raise ValueError(f"t_s and effort_pct must be equal 1-D arrays: {t.shape} {e.shape}")
        events: list[DrillEvent] = []
        if t.size <= SMALL_BLOCK:
            ts, es = t.tolist(), e.tolist()
            ordered = all(map(math.isfinite, ts)) and all(map(operator.le, ts, ts[1:]))
            self._check_start(ts, ordered)
            values = self._run(
                ts,
                lambda i, j: self._fill_values(ts[i:j], es[i:j], events),
                _constant_values,
                events,
            )
            outputs = _values_as_arrays(values)
        else:
            self._check_start(t, bool(np.all(np.isfinite(t)) and not np.any(np.diff(t) < 0)))
            parts = self._run(
                t,
                lambda i, j: self._fill(t[i:j], e[i:j], events),
                _constant_arrays,
                events,
            )
            outputs = parts[0] if len(parts) == 1 else _concatenate(parts)
        target, band, step, phase, in_band = outputs
        return EngineUpdate(target, band, step, phase, in_band, tuple(events))

    def _check_start(self, t: Times, ordered: bool) -> None:
        if len(t) and (not ordered or t[0] < self._last_sample_t):
            raise ValueError("sample times must be finite and non-decreasing across updates")

    def _run(
        self,
        t: Times,
        fill: Callable[[int, int], _Part],
        constant: Callable[[int, int, Phase], _Part],
        events: list[DrillEvent],
    ) -> list[_Part]:
        """Walk the drill over samples at ``t``: the outputs of each run of them, in order.

        ``fill(i, j)`` does samples ``i:j`` inside the running segment; ``constant(count,
        step, phase)`` gives the outputs of samples before the start, paused or after the end.
        """
        parts: list[_Part] = []
        n = len(t)
        i = 0
        while i < n:
            if self._status is EngineStatus.PENDING:
                j = _first_at(t, self._start_t, i)
                if j > i:
                    parts.append(constant(j - i, -1, Phase.PENDING))
                i = j
                if i < n:
                    self._begin(events)
            elif self._status is EngineStatus.PAUSED:
                parts.append(constant(n - i, self._k, Phase.PAUSED))
                self._band_prev = -1
                break
            elif self._status is not EngineStatus.RUNNING:
                parts.append(constant(n - i, -1, Phase.DONE))
                break
            else:
                j = _first_at(t, self._t0 + self._segment().duration_s, i)
                if j > i:
                    parts.append(fill(i, j))
                i = j
                if i < n:
                    self._end_segment(events)
        if n:
            self._last_sample_t = float(t[-1])
            self._now = max(self._now, self._last_sample_t)
        return parts

    # ---- control ----

    def pause(self, t_s: float) -> tuple[DrillEvent, ...]:
        """Pause: target 0, and drill time stands still until :meth:`resume`."""
        t, events = self._control(t_s)
        if self._status is EngineStatus.RUNNING:
            self._status = EngineStatus.PAUSED
            self._pause_t = t
            self._band_prev = -1
            events.append(DrillEvent(EventKind.PAUSED, t, self._k))
        return tuple(events)

    def resume(self, t_s: float) -> tuple[DrillEvent, ...]:
        """Resume where the drill was paused; ``value`` of the event is the paused seconds."""
        t, events = self._control(t_s)
        self._resume(t, events)
        return tuple(events)

    def set_above_max_consent(
        self, t_s: float, *, agreed: bool, how: str = ""
    ) -> tuple[DrillEvent, ...]:
        """The athlete's answer to going above their max (see :meth:`above_max_steps`).

        Agreed, steps of a drill with ``allow_above_max`` may go up to ``above_max_ceiling_pct``;
        otherwise they are capped at 100 % of their max, with a warning when each starts.
        ``how`` says how it was given (`` (--yes-above-max)``, `` (key)``). Before the start it
        is recorded with the start; afterwards at once. Steps already running follow it too.
        """
        if self._status is EngineStatus.PENDING:
            self.above_max_consent, self._consent_how = agreed, how
            return ()  # recorded with the start
        t, events = self._control(t_s)
        self.above_max_consent = agreed
        self._consent_how = how
        above = self.above_max_steps()
        if above:
            events.append(self._consent_event(t, above))
        return tuple(events)

    def skip(self, t_s: float) -> tuple[DrillEvent, ...]:
        """End the current step (scored as skipped; a break ends with it) and start the next now.

        In a max test it skips one trial only: the one running, or the one coming next (in the
        get-ready time or a rest); the MVIC comes from the other trials (see :meth:`_skip_trial`).
        """
        t, events = self._control(t_s)
        if self._status not in _ACTIVE:
            return tuple(events)
        running = self._status is EngineStatus.RUNNING and self._break is None
        if running and self._skip_trial(t, events):
            return tuple(events)
        events.append(DrillEvent(EventKind.SKIPPED, t, self._k))
        brk = self._break
        if brk is not None and brk.asking:
            self._answer_pain(t, "no answer", events)
        self._break = None
        if brk is None or not brk.step_done:
            self._finish_step(t, EndReason.SKIPPED, events)
            self._lead_into_next(t, events)
        else:  # a break that had ended the step (a second skip skips the get-ready too)
            self._start_step(self._k + 1, t, events)
        self._pause_t = t
        return tuple(events)

    def _skip_trial(self, t: float, events: list[DrillEvent]) -> bool:
        """Skip the max trial running or coming next at ``t``; False when not in a max test.

        Its samples are dropped (a half-done trial is no MVIC candidate) and the step goes on
        with the rest after it, or ends when it was the last trial.
        """
        ps = self.plan[self._k]
        if not ps.step.traits.measures_mvic or ps.direction is None:
            return False
        segs = ps.segments
        efforts = [i for i, seg in enumerate(segs) if seg.phase is Phase.EFFORT]
        coming = [i for i in efforts if i >= self._seg]
        if not coming:
            return False
        at = coming[0]
        trial = efforts.index(at) + 1
        text = f"trial {trial} of {len(efforts)} skipped"
        events.append(DrillEvent(EventKind.TRIAL_SKIPPED, t, self._k, text, float(trial)))
        self._skipped.append(SkippedTrial(t, self._k, ps.direction, trial, len(efforts)))
        self._acc.drop_segment(at)
        if at + 1 < len(segs):
            self._seg = at + 1
            self._enter_segment(t, events)
        else:
            self._finish_step(t, EndReason.COMPLETED, events)
            self._lead_into_next(t, events)
        return True

    def abort(self, t_s: float) -> tuple[DrillEvent, ...]:
        """Stop the drill for good; the step in progress is scored as aborted."""
        t, events = self._control(t_s)
        brk = self._break
        if self._status in _ACTIVE and (brk is None or not brk.step_done):
            self._finish_step(t, EndReason.ABORTED, events)
        self._break = None
        if self._status in (*_ACTIVE, EngineStatus.PENDING):
            self._status = EngineStatus.ABORTED
            events.append(DrillEvent(EventKind.DRILL_ABORTED, t, -1))
        return tuple(events)


_Part = TypeVar("_Part", Values, Outputs)
_T = TypeVar("_T")
Times = list[float] | FloatArray
"""Sample times: plain floats of a short block, or an array."""


def _first_at(t: Times, x: float, lo: int) -> int:
    """Index of the first of sorted ``t`` at or after ``x``, from ``lo`` on."""
    if isinstance(t, list):
        return bisect.bisect_left(t, x, lo)
    return lo + int(np.searchsorted(t[lo:], x, side="left"))


def _constant_values(count: int, step: int, phase: Phase) -> Values:
    """Outputs of ``count`` samples of a short block with no target (pending, paused, done)."""
    return [0.0] * count, [math.nan] * count, [step] * count, [int(phase)] * count, [False] * count


def _constant_arrays(count: int, step: int, phase: Phase) -> Outputs:
    """:func:`_constant_values` as arrays."""
    return (
        np.zeros(count),
        np.full(count, np.nan),
        np.full(count, step, dtype=np.int64),
        np.full(count, phase, dtype=np.int8),
        np.zeros(count, dtype=bool),
    )


def _joined(columns: list[list[_T]]) -> list[_T]:
    """One list of the values of several (most often one)."""
    return columns[0] if len(columns) == 1 else [v for column in columns for v in column]


def _values_as_arrays(parts: list[Values]) -> Outputs:
    """The outputs of a short block's runs as one set of arrays."""
    return (
        np.array(_joined([p[0] for p in parts]), dtype=np.float64),
        np.array(_joined([p[1] for p in parts]), dtype=np.float64),
        np.array(_joined([p[2] for p in parts]), dtype=np.int64),
        np.array(_joined([p[3] for p in parts]), dtype=np.int8),
        np.array(_joined([p[4] for p in parts]), dtype=np.bool_),
    )


def _concatenate(parts: list[Outputs]) -> Outputs:
    """The outputs of a long block's runs as one set of arrays (none: empty ones)."""
    if not parts:
        return _constant_arrays(0, -1, Phase.PENDING)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
        np.concatenate([p[4] for p in parts]),
    )
