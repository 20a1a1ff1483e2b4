"""Helpers for the drill tests: feed an engine simulated samples on simulated time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from isoforce.drills import DrillEngine, DrillEvent, EventKind

FloatArray = NDArray[np.float64]
EffortFn = Callable[[DrillEngine, FloatArray], FloatArray]
Action = tuple[float, Callable[[DrillEngine, float], Sequence[DrillEvent]]]


def follow(engine: DrillEngine, t: FloatArray) -> FloatArray:
    """An athlete who tracks the target exactly (the engine's own look-ahead)."""
    return engine.targets_at(t)


@dataclass
class Run:
    t: FloatArray
    effort: FloatArray
    target: FloatArray
    band: FloatArray
    step: NDArray[np.int64]
    phase: NDArray[np.int8]
    in_band: NDArray[np.bool_]
    events: list[DrillEvent] = field(default_factory=list)

    def at(self, t_s: float) -> int:
        """Index of the first sample at or after ``t_s``."""
        return int(np.searchsorted(self.t, t_s - 1e-9))

    def target_at(self, t_s: float) -> float:
        return float(self.target[self.at(t_s)])

    def kinds(self, kind: EventKind) -> list[DrillEvent]:
        return [e for e in self.events if e.kind is kind]


def simulate(
    engine: DrillEngine,
    *,
    t_end: float,
    fs_hz: float = 80.0,
    t_start: float = 0.0,
    chunk: int = 40,
    effort: EffortFn = follow,
    actions: Sequence[Action] = (),
) -> Run:
    """Feed samples every ``1/fs_hz`` s from ``t_start`` to ``t_end`` in chunks of ``chunk``.

    Each action runs before the first chunk whose first sample is at or after its time, so
    control calls land between chunks, as a UI's key presses would.
    """
    t = t_start + np.arange(round((t_end - t_start) * fs_hz)) / fs_hz
    parts: list[tuple[FloatArray, ...]] = []
    events: list[DrillEvent] = []
    pending = sorted(actions, key=lambda a: a[0])
    i = 0
    while i < t.size:
        j = min(i + chunk, t.size)
        while pending and pending[0][0] <= t[i]:
            when, act = pending.pop(0)
            events.extend(act(engine, when))
        if pending and pending[0][0] < t[j - 1]:
            j = i + int(np.searchsorted(t[i:j], pending[0][0]))
            j = max(j, i + 1)
        tt = t[i:j]
        e = effort(engine, tt)
        upd = engine.update(t_s=tt, effort_pct=e)
        parts.append((e, upd.target_pct, upd.band_pct, upd.step_index, upd.phase, upd.in_band))
        events.extend(upd.events)
        i = j
    for when, act in pending:
        events.extend(act(engine, when))
    cols = [np.concatenate([p[k] for p in parts]) for k in range(6)]
    return Run(t, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], events)
