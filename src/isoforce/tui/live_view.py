"""The plain :class:`~isoforce.tui.view.LiveView` a screen draws, from what the controller kept.

Pure: the display ring of recent samples, the last drill state and the session header in, one
snapshot out (free mode or a drill step: instruction, target, band, curve, what effort %
divides by). The break phases of a drill say what to do: answer "better?" or rest a cramp.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.core.ringbuffer import RingBuffer
from isoforce.drills.events import EngineStatus
from isoforce.drills.plan import Phase, PlanStep
from isoforce.live.frame import refused_text
from isoforce.signal.imu import ImuView
from isoforce.tui.denominator import denominator_text
from isoforce.tui.view import Curve, LiveView, band_state

if TYPE_CHECKING:
    from isoforce.live import DrillState, SessionHeader
    from isoforce.session.references import ChosenReference

FREE_WINDOW_S = 20.0
DISPLAY_SMOOTH_S = 0.2
#: Columns of the display ring buffer, in order.
RING_COLUMNS = ("t_s", "t_host_s", "raw", "force_n", "display_force_n", "effort_pct", "target_pct")
COL = {name: i for i, name in enumerate(RING_COLUMNS)}


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
    side: Side | None = None,
    movement: str | None = None,
    position: str | None = None,
) -> LiveView:
    """What to draw now, from what the controller kept of the session's frames."""
    if header is None or (error and not running):
        return LiveView(instruction=f"✗ {error}" if error else "No device", status="error")
    fs = header.rate_hz
    if len(ring) == 0:
        return LiveView(instruction="Waiting for samples…", link=link)
    recent = ring.latest(max(1, int(DISPLAY_SMOOTH_S * fs)))
    last = recent[-1]
    t = float(last[COL["t_s"]])
    # for the eyes only: the mean of the last 0.2 s, so the big digits do not flicker
    effort = float(np.mean(recent[:, COL["effort_pct"]]))
    base = LiveView(
        imu=imu,
        t_s=t,
        force_n=float(last[COL["display_force_n"]]),
        effort_pct=effort,
        link=link,
        refused=refused_text(refused),
        rate_hz=fs,
        status=state.status.value if state is not None else ("running" if running else "stopped"),
        divides_by=_divides_by(
            header,
            state.step if state is not None else None,
            side=side,
            movement=header.drill.movement if header.drill is not None else movement,
            position=header.drill.position if header.drill is not None else position,
        ),
    )
    if state is None:
        window = ring.latest(int(FREE_WINDOW_S * fs))
        efforts = window[:, COL["effort_pct"]]
        finite = efforts[np.isfinite(efforts)]
        curve = Curve(
            t_s=window[:, COL["t_s"]],
            effort_pct=efforts,
            t_start_s=max(0.0, t - FREE_WINDOW_S),
            t_end_s=max(FREE_WINDOW_S, t),
        )
        return replace(
            base,
            instruction="Free mode — push or pull; t to tare",
            peak_pct=float(np.max(np.abs(finite))) if finite.size else float("nan"),
            mean_pct=float(np.mean(np.abs(finite))) if finite.size else float("nan"),
            curve=curve,
        )
    step = state.step
    phase = state.phase
    banded = step is not None and step.band_pct and phase is not Phase.CRAMP_REST
    band = step.band_pct if banded and step is not None else float("nan")
    if step is not None:
        start = state.step_start_s
        end = max(start + step.duration_s, t)
        n = int(max(1.0, t - start) * fs) + 1
        window = ring.latest(n)
        keep = window[:, COL["t_s"]] >= start
        curve = Curve(
            t_s=window[keep, COL["t_s"]],
            effort_pct=window[keep, COL["effort_pct"]],
            target_t_s=state.target_t_s,
            target_pct=state.target_curve_pct,
            band_pct=band,
            t_start_s=start,
            t_end_s=end,
        )
    else:
        curve = Curve(t_start_s=t, t_end_s=t + 10)
    nxt = state.next_step
    measured = ""
    if step is not None and step.direction is not None and math.isnan(effort):
        measured = effort_message
    return replace(
        base,
        target_pct=state.target_pct,
        band_pct=band,
        state=band_state(effort_pct=effort, target_pct=state.target_pct, band_pct=band),
        direction=(step.direction.value if step is not None and step.direction is not None else ""),
        phase=phase,
        instruction=_instruction(
            state.status, step.instruction if step else "", state.phase, state.target_pct
        ),
        step_label=state.step_label,
        step_number=(step.index + 1) if step else 0,
        steps_total=len(header.plan),
        remaining_s=state.remaining_s,
        next_label=f"{state.next_label} — {nxt.instruction}" if nxt is not None else "",
        above_max_prompt=state.above_max_prompt,
        not_measured=measured,
        curve=curve,
    )


def _divides_by(
    header: SessionHeader,
    step: PlanStep | None,
    *,
    side: Side | None,
    movement: str | None,
    position: str | None,
) -> str:
    """The maximum effort % divides by now, with its key and source (free mode: each direction)."""

    def text(c: ChosenReference) -> str:
        return denominator_text(c, side=side, movement=movement, position=position)

    if step is None:
        chosen = [
            c
            for c in header.chosen
            if c.kind is ReferenceKind.PAIN_FREE and header.spec.capabilities.measures(c.direction)
        ]
        return "\n".join(text(c) for c in chosen)
    if step.direction is None or step.reference is None:
        return ""
    c = header.divides_by(step.reference, step.direction)
    return "" if c is None else text(c)


def _instruction(status: EngineStatus, text: str, phase: Phase, target_pct: float) -> str:
    if status is EngineStatus.PAUSED:
        return "Paused — press space to carry on"
    if status is EngineStatus.FINISHED:
        return "Drill finished — well done"
    if status is EngineStatus.ABORTED:
        return "Drill stopped"
    if status is EngineStatus.PENDING:
        return "Get ready…"
    if phase is Phase.PAIN_HOLD:
        return f"Pain: target lowered to {abs(target_pct):.0f} % — better? y yes · n no, lower"
    if phase is Phase.CRAMP_REST:
        return "Cramp: release and rest — the step carries on after"
    if phase is Phase.PAIN_REST:
        return "Pain marked — relax completely"
    return text
