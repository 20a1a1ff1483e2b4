"""The plain :class:`~isoforce.tui.view.LiveView` a screen draws, from what the controller kept.

Pure: the display ring of recent samples, the last drill state and the session header in, one
snapshot out (free mode or a drill step: instruction, target, band, curve, what effort %
divides by). The break phases of a drill say what to do: answer "better?" or rest a cramp.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.core.ringbuffer import RingBuffer
from isoforce.drills.events import EngineStatus
from isoforce.drills.phase_clock import LIFT_PHASES, LOADED_PHASES, PhaseClock
from isoforce.drills.plan import Phase, PlanStep
from isoforce.live.frame import refused_text
from isoforce.signal import curve as force_curve
from isoforce.signal.imu import ImuView
from isoforce.tui.denominator import denominator_text, is_stand_in
from isoforce.tui.view import (
    MEASURING,
    NO_DIRECTION,
    NO_REFERENCE,
    Curve,
    LiveView,
    Reading,
    band_state,
    phase_word,
    rep_words,
)

if TYPE_CHECKING:
    from isoforce.core.samples import FloatArray
    from isoforce.live import DrillState, SessionHeader
    from isoforce.session.references import ChosenReference

FREE_WINDOW_S = 20.0
DISPLAY_SMOOTH_S = 0.2
#: Columns of the display ring buffer, in order.
RING_COLUMNS = ("t_s", "t_host_s", "raw", "force_n", "display_force_n", "effort_pct", "target_pct")
COL = {name: i for i, name in enumerate(RING_COLUMNS)}
#: Phases that are an effort: "next: …" is shown in the others.
EFFORT_PHASES = LOADED_PHASES | LIFT_PHASES


def live_view(
    *,
    header: SessionHeader | None,
    ring: RingBuffer,
    state: DrillState | None,
    running: bool,
    error: str,
    link: str,
    imu: ImuView | None,
    refused: tuple[tuple[str, int], ...],
    effort_message: str,
    trials: TrialCurves | None = None,
    side: Side | None = None,
    movement: str | None = None,
    position: str | None = None,
) -> LiveView:
    """What to draw now, from what the controller kept of the session's frames.

    ``trials`` keeps the finished steps' curves: the chart draws the previous trial of the same
    kind under the current one.
    """
    if header is None or (error and not running):
        return LiveView(instruction=f"✗ {error}" if error else "No device", status="error")
    fs = header.rate_hz
    if len(ring) == 0:
        return LiveView(instruction="Waiting for samples…", link=link)
    now = live_reading(header=header, ring=ring, state=state, failed=False)
    t, effort = now.t_s, now.effort_pct
    step = state.step if state is not None else None
    divides_by, unit = _STEP_TEXTS.get(
        header,
        step,
        side,
        header.drill.movement if header.drill is not None else movement,
        header.drill.position if header.drill is not None else position,
    )
    common: dict[str, Any] = {
        "imu": imu,
        "t_s": t,
        "force_n": float(ring.latest(1)[0, COL["display_force_n"]]),
        "effort_pct": effort,
        "link": link,
        "refused": refused_text(refused),
        "rate_hz": fs,
        "status": state.status.value
        if state is not None
        else ("running" if running else "stopped"),
        "divides_by": divides_by,
        "effort_unit": unit,
    }
    if state is None:
        window = ring.latest(int(FREE_WINDOW_S * fs))
        efforts = window[:, COL["effort_pct"]]
        finite = np.isfinite(efforts)
        # peak and mean of |effort| over the window: the curve module's, the one implementation
        # (no gaps needed for either, so the curve is built without looking for them)
        held = force_curve.Curve(
            window[finite, COL["t_s"]],
            np.abs(efforts[finite]),
            np.zeros(max(0, int(finite.sum()) - 1), dtype=np.bool_),
        )
        top = force_curve.peak(held)
        mean = force_curve.sample_mean(held)
        forces = window[:, COL["display_force_n"]]
        ref_n, ref_label = _free_reference(header, float(forces[-1]) if forces.size else 0.0)
        curve = Curve(
            t_s=window[:, COL["t_s"]],
            effort_pct=efforts,
            force_n=forces,
            t_start_s=t - FREE_WINDOW_S,  # the last 20 s, now at the right edge
            t_end_s=t,
            t_origin_s=t,
            reference_n=ref_n,
            reference_label=ref_label,
        )
        return LiveView(
            **common,
            instruction="Free mode — push or pull; t to tare",
            peak_pct=top.value if top is not None else float("nan"),
            mean_pct=mean if mean is not None else float("nan"),
            curve=curve,
        )
    phase = state.phase
    clock = state.clock
    band = now.band_pct
    nxt = state.next_step
    # a get-ready after a skip belongs to the step it leads into, not to the one skipped: its
    # words, its number and its chart (empty until it starts, when the get-ready ends); that
    # step has not started, so no time is left in it yet
    ready = state.leading_in and nxt is not None
    charted = nxt if ready else step
    if charted is not None:
        if ready:
            start = t + (clock.remaining_s if clock is not None else 0.0)
            target_t, target_pct = _EMPTY, _EMPTY
        else:
            start = state.step_start_s
            target_t, target_pct = state.target_t_s, state.target_curve_pct
        end = max(start + charted.duration_s, t)
        n = int(max(1.0, t - start) * fs) + 1
        window = ring.latest(n)
        keep = window[:, COL["t_s"]] >= start
        chosen = step_reference(header, charted)
        # a stand-in (no max known: this step measures it) is never a %: newtons only
        measuring = is_stand_in(chosen)
        ref_n = float("nan")
        if chosen is not None and chosen.value_n and not measuring:
            ref_n = chosen.value_n
        prev_t, prev_pct = trials.previous(charted) if trials is not None else (_EMPTY, _EMPTY)
        curve = Curve(
            t_s=window[keep, COL["t_s"]],
            effort_pct=window[keep, COL["effort_pct"]],
            force_n=window[keep, COL["display_force_n"]],
            target_t_s=target_t,
            target_pct=target_pct,
            band_pct=band,
            t_start_s=start,
            t_end_s=end,
            t_origin_s=start,
            reference_n=ref_n,
            reference_label=reference_label(chosen) if math.isfinite(ref_n) else "",
            newtons_only_why=(
                NO_DIRECTION
                if charted.direction is None
                else MEASURING
                if measuring
                else NO_REFERENCE
            ),
            previous_t_s=prev_t,
            previous_pct=prev_pct,
            sign=charted.direction.sign if charted.direction is not None else float("nan"),
        )
    else:
        curve = Curve(t_start_s=t, t_end_s=t + 10)
    named, label = (nxt, state.next_label) if ready else (step, state.step_label)
    next_text = f"{state.next_label} — {nxt.instruction}" if nxt is not None else ""
    if ready and nxt is not None:  # the one after it: its words (its label is the engine's)
        after = nxt.index + 1
        next_text = header.plan[after].instruction if after < len(header.plan) else ""
    direction = step.direction.value if step is not None and step.direction is not None else ""
    measured = ""
    if step is not None and step.direction is not None and math.isnan(effort):
        measured = effort_message
    return LiveView(
        **common,
        target_pct=now.target_pct,
        band_pct=band,
        state=now.state,
        count_in=now.count_in,
        direction=direction,
        phase=phase,
        phase_word=phase_word(phase, direction),
        angle_first=step is not None and not step.step.traits.isometric,
        still_asked=step is None or step.step.traits.isometric,
        lift_offs_asked=step is None or step.step.traits.counts_lift_offs,
        **_clock_fields(clock),
        instruction=_instruction(
            state.status,
            named.instruction if named else "",
            state.phase,
            state.target_pct,
            leading_in=ready,
            lowered=state.pain_lowered,
        ),
        step_label=label,
        step_number=(named.index + 1) if named else 0,
        steps_total=len(header.plan),
        remaining_s=float("nan") if ready else state.remaining_s,
        next_label=next_text,
        above_max_prompt=state.above_max_prompt,
        not_measured=measured,
        curve=curve,
    )


def live_reading(
    *, header: SessionHeader | None, ring: RingBuffer, state: DrillState | None, failed: bool
) -> Reading:
    """The numbers that move every frame, as :func:`live_view` shows them, and nothing more.

    ``failed``: the session ended in an error (its view shows no numbers: nor does this).
    """
    if header is None or failed or len(ring) == 0:
        return Reading()
    recent = ring.latest(max(1, int(DISPLAY_SMOOTH_S * header.rate_hz)))
    t = float(recent[-1, COL["t_s"]])
    # for the eyes only: the mean of the last 0.2 s, so the big digits do not flicker
    effort = float(recent[:, COL["effort_pct"]].sum()) / len(recent)
    if state is None:
        return Reading(t_s=t, effort_pct=effort)
    step, clock = state.step, state.clock
    banded = (
        step is not None
        and step.band_pct
        and state.phase is not Phase.CRAMP_REST
        and (clock is None or clock.banded)
    )
    band = step.band_pct if banded and step is not None else float("nan")
    return Reading(
        t_s=t,
        effort_pct=effort,
        target_pct=state.target_pct,
        band_pct=band,
        state=band_state(effort_pct=effort, target_pct=state.target_pct, band_pct=band),
        count_in=clock.count_in if clock is not None else 0,
    )


def _clock_fields(clock: PhaseClock | None) -> dict[str, Any]:
    """The phase countdown, the rep, what comes next and the count-in's word, for the view."""
    if clock is None:
        return {}
    coming = ""
    if clock.next_effort and clock.phase not in EFFORT_PHASES:
        coming = f"next: {_effort_word(clock)} · {rep_words(clock.next_effort)}"
    return {
        "phase_remaining_s": clock.remaining_s,
        "rep": rep_words(clock.rep_label),
        "coming": coming,
        "count_in_word": _effort_word(clock) if clock.count_in else "",
    }


def _effort_word(clock: PhaseClock) -> str:
    """What the next effort asks: PUSH, PULL, or LIFT (a lift-off has no direction)."""
    d = clock.next_direction
    return d.value.upper() if d is not None else "LIFT"


_EMPTY: FloatArray = np.empty(0)
#: At most this many points of a finished step are kept to draw under the next trial.
PREVIOUS_MAX_POINTS = 4000


class TrialCurves:
    """The effort curve of each finished step, the latest per step kind and direction.

    The controller calls :meth:`follow` with each frame's drill state; when the step changes,
    the step that ended is cut from the display ring (one slice, decimated to at most
    :data:`PREVIOUS_MAX_POINTS`) and kept, so the next step of the same kind — the next trial
    of a max test, the next hold of a PAILs set — is drawn over it.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], tuple[FloatArray, FloatArray]] = {}
        self._step: PlanStep | None = None
        self._start_s = math.nan

    @staticmethod
    def _key(step: PlanStep) -> tuple[str, str]:
        return (str(step.kind), step.direction.value if step.direction is not None else "")

    def follow(self, state: DrillState | None, ring: RingBuffer, fs_hz: float) -> None:
        """Keep the curve of the step that just ended, if the step changed."""
        step = state.step if state is not None else None
        old = self._step
        if (step.index if step else -1) == (old.index if old else -1):
            return
        new_start_s = state.step_start_s if state is not None and step is not None else math.nan
        if (
            old is not None
            and old.direction is not None
            and len(ring)
            and math.isfinite(self._start_s)
        ):
            newest_s = float(ring.latest(1)[0, COL["t_s"]])
            rows = ring.latest(min(len(ring), int((newest_s - self._start_s + 1) * fs_hz)))
            t = rows[:, COL["t_s"]]
            # the old step's samples only: the frame that says so may hold the new step's first
            end_s = new_start_s if math.isfinite(new_start_s) else math.inf
            mine = rows[(t >= self._start_s) & (t < end_s)]
            mine = mine[:: max(1, -(-len(mine) // PREVIOUS_MAX_POINTS))]
            if len(mine):
                self._by_key[self._key(old)] = (
                    mine[:, COL["t_s"]] - self._start_s,
                    mine[:, COL["effort_pct"]] * old.direction.sign,
                )
        self._step = step
        self._start_s = new_start_s

    def previous(self, step: PlanStep) -> tuple[FloatArray, FloatArray]:
        """Time from its start and effort % (in its direction) of the last step like ``step``."""
        return self._by_key.get(self._key(step), (_EMPTY, _EMPTY))


def reference_label(chosen: ChosenReference | None) -> str:
    """The % axis' name, e.g. ``push pain-free max 150 N``."""
    if chosen is None or not chosen.value_n:
        return ""
    name = "pain-free max" if chosen.kind is ReferenceKind.PAIN_FREE else "MVIC"
    return f"{chosen.direction.value} {name} {chosen.value_n:.0f} N"


def _free_reference(header: SessionHeader, force_n: float) -> tuple[float, str]:
    """Free mode's % axis: the pain-free max of the direction the force goes now."""
    for c in header.chosen:
        if c.kind is ReferenceKind.PAIN_FREE and c.value_n and c.direction.sign * force_n >= 0:
            return c.value_n, reference_label(c)
    return float("nan"), ""


class _StepTexts:
    """What effort % divides by and its unit, kept while the step and the header are the same.

    Both are drawn every frame but change only with the step (or a new session): a frame does
    not write them again. Headers are frozen and plan steps are not rebuilt, so identity says
    whether they are the same.
    """

    def __init__(self) -> None:
        self._key: tuple[object, ...] = ()
        #: The header and step the key's ids are of: held, so no other object takes their ids.
        self._held: tuple[object, ...] = ()
        self._texts = ("", "%")

    def get(
        self,
        header: SessionHeader,
        step: PlanStep | None,
        side: Side | None,
        movement: str | None,
        position: str | None,
    ) -> tuple[str, str]:
        """``(divides_by, effort_unit)`` for the step of ``header``."""
        key = (id(header), id(step), side, movement, position)
        if key != self._key:
            self._texts = (
                _divides_by(header, step, side=side, movement=movement, position=position),
                effort_unit(header, step),
            )
            self._key, self._held = key, (header, step)
        return self._texts


_STEP_TEXTS = _StepTexts()


def _divides_by(
    header: SessionHeader,
    step: PlanStep | None,
    *,
    side: Side | None,
    movement: str | None,
    position: str | None,
) -> str:
    """The maximum effort % divides by now, with its key and source.

    Free mode and a step that asks for no force (relax, breathe) read effort against the
    pain-free max of the direction the force goes, so both directions are named.
    """

    def text(c: ChosenReference) -> str:
        return denominator_text(c, side=side, movement=movement, position=position)

    if step is None or step.direction is None or step.reference is None:
        chosen = [
            c
            for c in header.chosen
            if c.kind is ReferenceKind.PAIN_FREE and header.spec.capabilities.measures(c.direction)
        ]
        return "\n".join(text(c) for c in chosen)
    c = step_reference(header, step)
    return "" if c is None else text(c)


def step_reference(header: SessionHeader, step: PlanStep | None) -> ChosenReference | None:
    """The maximum ``step``'s effort % divides by (None: it asks for no force, or none is known)."""
    if step is None or step.direction is None or step.reference is None:
        return None
    return header.divides_by(step.reference, step.direction)


def effort_unit(header: SessionHeader, step: PlanStep | None) -> str:
    """``N`` while ``step`` divides by the newton scale (its max is being measured), else ``%``."""
    return "N" if is_stand_in(step_reference(header, step)) else "%"


#: The banner while the drill is not running a step.
_STATUS_WORDS = {
    EngineStatus.PAUSED: "Paused — press space to carry on",
    EngineStatus.FINISHED: "Drill finished — well done",
    EngineStatus.ABORTED: "Drill stopped",
    EngineStatus.PENDING: "Get ready…",
}
#: The banner in a rest the athlete asked for.
_REST_WORDS = {
    Phase.CRAMP_REST: "Cramp: release and rest — the step carries on after",
    Phase.PAIN_REST: "Pain marked — relax completely",
}


def _instruction(
    status: EngineStatus,
    text: str,
    phase: Phase,
    target_pct: float,
    *,
    leading_in: bool,
    lowered: bool,
) -> str:
    """The banner: the step's words (``text``), or what a status or a break asks instead.

    ``leading_in``: the break comes before the step named (after a skip), not within it.
    ``lowered``: a pain hold lowered a target (else it holds at rest: nothing was loaded).
    """
    if status in _STATUS_WORDS:
        return _STATUS_WORDS[status]
    if phase is Phase.PAIN_HOLD:
        if not lowered:  # in a rest or a get-ready: nothing was loaded
            return "Pain: rest, nothing to push or pull — better? y yes · n no"
        return f"Pain: target lowered to {abs(target_pct):.0f} % — better? y yes · n no, lower"
    if phase is Phase.READY:
        return f"Get ready — {text}"
    if phase is Phase.CRAMP_REST and leading_in:
        return "Cramp: release and rest — then get ready"
    return _REST_WORDS.get(phase, text)
