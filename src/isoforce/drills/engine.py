"""The drill engine: a pure state machine that runs a drill on time the caller supplies.

It never reads a clock, sleeps or does I/O. The caller feeds sample times (session seconds)
and measured signed effort (% of the current step's reference, push positive, NaN = not
measured) in chunks of any size; the engine answers with the signed target, band, step and
phase of every sample, plus events. Feeding the same samples in different chunks gives the
same outputs, events and scores. Segment boundaries fall at exact times (start + durations,
shifted by pauses); events at a boundary are emitted once a sample (or a control call) at or
after that time arrives, and carry the boundary's time.

Control calls (:meth:`pause`, :meth:`resume`, :meth:`skip`, :meth:`abort`, :meth:`mark_pain`)
take a time too; one earlier than anything already seen is treated as "now" (the latest
time seen). Each returns the events it caused.

Pain: the target drops to 0 at once, the step ends (scored, ``ended_by = pain``), a relaxed
``pain_rest_s`` follows, and every later target is lowered by ``regress_pct_on_pain`` points.
In a staircase the step back to the last comfortable level *is* the regression: that level
becomes the pain-free max, and later pain-free-referenced targets in the same direction are
rescaled so that "max" means it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from isoforce.drills._runtime import ACTIVE as _ACTIVE
from isoforce.drills._runtime import EngineRuntime, FloatArray
from isoforce.drills.events import (
    DrillEvent,
    DrillResult,
    EngineStatus,
    EngineUpdate,
    EventKind,
    PainRecord,
)
from isoforce.drills.plan import PlanStep
from isoforce.drills.scoring import EndReason, best_max_effort, summarize
from isoforce.drills.segments import Phase, Segment


class DrillEngine(EngineRuntime):
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
        """The step running now (``None`` before the start, in a pain rest, after the end)."""
        if self._status in _ACTIVE and not self._pain_rest:
            return self.plan[self._k]
        return None

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
        """Seconds of drill time left in the current step (or pain rest) at ``t_s``."""
        if self._status not in _ACTIVE:
            return 0.0
        now = self._pause_t if self._status is EngineStatus.PAUSED else float(t_s)
        left = max(0.0, self._t0 + self._segment().duration_s - now)
        if not self._pain_rest:
            left += sum(seg.duration_s for seg in self.plan[self._k].segments[self._seg + 1 :])
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
        out = np.zeros_like(t)
        for ps, seg, t0, mask in self._timeline(t):
            if ps is not None:
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
        out = np.full(t.shape, int(fill), dtype=np.int8)
        if self._status is EngineStatus.PAUSED:
            out[:] = int(Phase.PAUSED)
        for _, seg, _, mask in self._timeline(t):
            out[mask] = int(seg.phase)
        return out

    def _timeline(
        self, t: FloatArray
    ) -> Iterator[tuple[PlanStep | None, Segment, float, NDArray[np.bool_]]]:
        """Walk the segments ahead from now, yielding which of ``t`` fall in each.

        Yields ``(step, or None in a pain rest; segment; its start; mask of the times in it)``.
        Times before the walk's start fall in its first segment, times after the last in none.
        """
        if self._status not in (EngineStatus.PENDING, EngineStatus.RUNNING) or not t.size:
            return
        done = np.zeros(t.shape, dtype=bool)
        if self._status is EngineStatus.PENDING:
            k, seg_i, t0, rest = 0, 0, self._start_t, False
            done |= t < self._start_t
        else:
            k, seg_i, t0, rest = self._k, self._seg, self._t0, self._pain_rest
        while k < len(self.plan) and not done.all():
            ps = self.plan[k]
            seg = self._rest_seg if rest else ps.segments[seg_i]
            end = t0 + seg.duration_s
            mask = ~done & (t < end)
            if mask.any():
                yield (None if rest else ps), seg, t0, mask
            done |= mask
            if not rest and seg_i + 1 < len(ps.segments):
                seg_i += 1
            else:
                k, seg_i, rest = k + 1, 0, False
            t0 = end

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
            regressed_pct=self._offset,
            pain_free_max_found_by=self._pf_how,
        )

    # ---- feeding samples ----

    def update(self, *, t_s: ArrayLike, effort_pct: ArrayLike) -> EngineUpdate:
        """Advance over samples at ``t_s`` (non-decreasing) with measured ``effort_pct``."""
        t = np.asarray(t_s, dtype=np.float64)
        e = np.asarray(effort_pct, dtype=np.float64)
        if t.ndim != 1 or e.shape != t.shape:
            raise ValueError(f"t_s and effort_pct must be equal 1-D arrays: {t.shape} {e.shape}")
        if t.size and (
            not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0) or t[0] < self._last_sample_t
        ):
            raise ValueError("sample times must be finite and non-decreasing across updates")
        n = t.size
        out = (
            np.zeros(n),
            np.full(n, np.nan),
            np.full(n, -1, dtype=np.int64),
            np.zeros(n, dtype=np.int8),
            np.zeros(n, dtype=bool),
        )
        events: list[DrillEvent] = []
        i = 0
        while i < n:
            if self._status is EngineStatus.PENDING:
                j = i + int(np.searchsorted(t[i:], self._start_t, side="left"))
                out[3][i:j] = Phase.PENDING
                i = j
                if i < n:
                    self._begin(events)
            elif self._status is EngineStatus.PAUSED:
                out[2][i:] = self._k
                out[3][i:] = Phase.PAUSED
                self._band_prev = -1
                break
            elif self._status is not EngineStatus.RUNNING:
                out[3][i:] = Phase.DONE
                break
            else:
                end = self._t0 + self._segment().duration_s
                j = i + int(np.searchsorted(t[i:], end, side="left"))
                if j > i:
                    self._fill(t[i:j], e[i:j], out, slice(i, j), events)
                i = j
                if i < n:
                    self._end_segment(events)
        if n:
            self._last_sample_t = float(t[-1])
            self._now = max(self._now, self._last_sample_t)
        target, band, step, phase, in_band = out
        return EngineUpdate(target, band, step, phase, in_band, tuple(events))

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
        if self._status is EngineStatus.PAUSED:
            shift = t - self._pause_t
            self._t0 += shift
            self._status = EngineStatus.RUNNING
            events.append(DrillEvent(EventKind.RESUMED, t, self._k, value=shift))
        return tuple(events)

    def skip(self, t_s: float) -> tuple[DrillEvent, ...]:
        """End the current step (scored as skipped) or pain rest, and start the next now."""
        t, events = self._control(t_s)
        if self._status not in _ACTIVE:
            return tuple(events)
        events.append(DrillEvent(EventKind.SKIPPED, t, self._k))
        if self._pain_rest:
            self._pain_rest = False
        else:
            self._finish_step(t, EndReason.SKIPPED, events)
        self._start_step(self._k + 1, t, events)
        self._pause_t = t
        return tuple(events)

    def abort(self, t_s: float) -> tuple[DrillEvent, ...]:
        """Stop the drill for good; the step in progress is scored as aborted."""
        t, events = self._control(t_s)
        if self._status in _ACTIVE and not self._pain_rest:
            self._finish_step(t, EndReason.ABORTED, events)
        if self._status in (*_ACTIVE, EngineStatus.PENDING):
            self._status = EngineStatus.ABORTED
            events.append(DrillEvent(EventKind.DRILL_ABORTED, t, -1))
        return tuple(events)

    def mark_pain(self, t_s: float, effort_pct: float | None = None) -> tuple[DrillEvent, ...]:
        """Mark pain or a pinch at ``t_s`` with the effort then; see the module docstring.

        A mark during a pain rest, before the start or after the end is recorded only.
        """
        t, events = self._control(t_s)
        effort = None if effort_pct is None or math.isnan(effort_pct) else float(effort_pct)
        active = self._status in _ACTIVE
        target = self.target_at(t) if self._status is EngineStatus.RUNNING else 0.0
        index = self._k if active else -1
        self._pains.append(PainRecord(t, effort, target, index))
        events.append(DrillEvent(EventKind.PAIN_MARKED, t, index, "pain", effort))
        if not active or self._pain_rest:
            return tuple(events)
        ps, seg = self.plan[self._k], self._segment()
        if ps.step.traits.finds_pain_free_max and seg.phase is Phase.STAIR:
            last = ps.segments[self._seg - 1].start_pct if self._seg > 0 else 0.0
            found = float(abs(self._level(ps, np.array([last]))[0]))
            self._finish_step(t, EndReason.PAIN, events)
            self._found_pain_free_max(ps, found, True, t, events)
        else:
            self._finish_step(t, EndReason.PAIN, events)
            self._offset += self.settings.regress_pct_on_pain
        self._pain_rest = True
        self._pause_t = t
        self._enter_segment(t, events)
        return tuple(events)
