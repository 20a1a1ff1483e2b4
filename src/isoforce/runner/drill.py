"""Drives the pure drill engine from the live path, and a simulated user who marks pain."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.core.samples import FloatArray
from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import DrillEvent, EngineStatus, EventKind
from isoforce.drills.plan import Phase
from isoforce.export.context import SampleLabels
from isoforce.runner import Guidance
from isoforce.runner.imu_drill import ImuDrillScorer
from isoforce.signal.effort import EffortReference
from isoforce.signal.pipeline import ForcePipeline, ProcessedBlock

PHASE_NAMES: tuple[str, ...] = tuple(
    p.name.lower().replace("_", "-") for p in sorted(Phase, key=int)
)
_ENDED = (EngineStatus.FINISHED, EngineStatus.ABORTED)


class DrillGuide:
    """Feeds processed blocks to a :class:`DrillEngine`; returns targets, labels and events.

    Events are also passed to ``on_events`` (the TUI, audio cues) and kept in ``events`` so
    nothing is coalesced away, however fast samples arrive.
    """

    def __init__(
        self,
        engine: DrillEngine,
        *,
        references: dict[ReferenceKind, EffortReference] | None = None,
        on_events: Callable[[tuple[DrillEvent, ...]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.references = references or {}
        self.on_events = on_events
        self.events: list[DrillEvent] = []
        self.step_names = tuple(step.label for step in engine.plan)
        self._rep = np.array(
            [(step.rep_path[-1] + 1) if step.rep_path else 0 for step in engine.plan],
            dtype=np.int64,
        )
        self.pain_reporter: SimulatedPainReporter | None = None
        #: Scores steps from the IMU too (devices with an IMU); its scores are ready when the
        #: engine's ``step_scored`` event is published.
        self.imu_scorer: ImuDrillScorer | None = None

    def prepare(self, pipeline: ForcePipeline, t_s: float) -> None:
        """Compute effort in the running step's direction, against its reference (MVIC or pain-free)."""
        del t_s
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

    def pause(self, t_s: float) -> bool:
        """Pause the drill (device lost, or the user pressed pause); True if it was running."""
        events = self.engine.pause(t_s)
        self.publish(events)
        return any(e.kind is EventKind.PAUSED for e in events)

    def resume(self, t_s: float) -> None:
        """Resume a paused drill."""
        self.publish(self.engine.resume(t_s))

    def guide(self, block: ProcessedBlock) -> Guidance:
        """Advance the engine over one block."""
        t, effort = block.t_s, block.effort_pct
        cut = (
            None
            if self.pain_reporter is None
            else self.pain_reporter.first_press(t, effort, self.engine)
        )
        if cut is None:
            update = self.engine.update(t_s=t, effort_pct=effort)
            events = list(update.events)
            target, steps, phase = update.target_pct, update.step_index, update.phase
        else:
            # the key is pressed at sample `cut`: the engine sees samples up to it, then the press
            first = self.engine.update(t_s=t[: cut + 1], effort_pct=effort[: cut + 1])
            pressed = self.engine.mark_pain(float(t[cut]), float(effort[cut]))
            rest = self.engine.update(t_s=t[cut + 1 :], effort_pct=effort[cut + 1 :])
            events = [*first.events, *pressed, *rest.events]
            target = np.concatenate([first.target_pct, rest.target_pct])
            steps = np.concatenate([first.step_index, rest.step_index])
            phase = np.concatenate([first.phase, rest.phase])
        rep = (
            np.where(steps >= 0, self._rep[np.clip(steps, 0, max(0, len(self._rep) - 1))], 0)
            if len(self._rep)
            else np.zeros_like(steps)
        )
        labels = SampleLabels(
            step_index=steps.astype(np.int64),
            phase_code=np.where(steps >= 0, phase.astype(np.int64), -1),
            rep=rep.astype(np.int64),
            step_names=self.step_names,
            phase_names=PHASE_NAMES,
        )
        if self.imu_scorer is not None:
            self.imu_scorer.add(t, labels)
            for event in events:
                if event.kind is EventKind.STEP_SCORED and event.score is not None:
                    self.imu_scorer.score(event.score)
        self.publish(tuple(events))
        finished = self.engine.status in _ENDED
        return Guidance(target_pct=target, labels=labels, events=tuple(events), finished=finished)

    def publish(self, events: tuple[DrillEvent, ...]) -> None:
        """Keep and forward events (also those from pause/skip/pain calls made by a UI)."""
        if not events:
            return
        self.events.extend(events)
        if self.on_events is not None:
            self.on_events(events)

    def target_fn(self, scale: dict[Direction, float]) -> Callable[[FloatArray], FloatArray]:
        """The target curve as a function of time, rescaled per direction (for the simulator).

        ``scale[d]`` converts % of the user's reference max into % of the simulated athlete's
        true max in direction ``d``.
        """

        def target(t_s: FloatArray) -> FloatArray:
            pct = self.engine.targets_at(t_s)
            return np.where(pct >= 0, pct * scale[Direction.PUSH], pct * scale[Direction.PULL])

        return target


class SimulatedPainReporter:
    """The simulated user's pain key: pressed when effort clearly passes the athlete's threshold.

    "Clearly" means the mean effort over ``window_s`` exceeds the threshold by ``margin_pct``:
    the person at a 60 % step does not cry out at every tremor, but does at a 70 % step.
    Presses at most once per ``cooldown_s``.
    """

    def __init__(
        self,
        *,
        threshold_pct: float,
        fs_hz: float,
        margin_pct: float = 5.0,
        window_s: float = 0.25,
        cooldown_s: float = 5.0,
    ) -> None:
        self.threshold_pct = threshold_pct
        self.margin_pct = margin_pct
        self.cooldown_s = cooldown_s
        self._window = max(1, round(window_s * fs_hz))
        self._recent = np.full(self._window, np.nan)
        self._last_press = -math.inf

    def first_press(
        self, t_s: FloatArray, effort_pct: FloatArray, engine: DrillEngine
    ) -> int | None:
        """Index of the sample in this block at which the key is pressed, if any."""
        values = np.concatenate([self._recent, effort_pct])
        kernel = np.ones(self._window) / self._window
        means = np.convolve(np.nan_to_num(values, nan=0.0), kernel, mode="valid")[1:]
        self._recent = values[-self._window :]
        if engine.status is not EngineStatus.RUNNING:
            return None
        for i in np.flatnonzero(means >= self.threshold_pct + self.margin_pct):
            t = float(t_s[i])
            if t - self._last_press >= self.cooldown_s:
                self._last_press = t
                return int(i)
        return None
