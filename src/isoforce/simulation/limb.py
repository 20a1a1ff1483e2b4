"""The simulated person's leg: where the hip is rotated while a drill runs.

Pure model, state carried in the object. The drill says what to do (its phase per sample: lift
off, rotate in, rotate out …); :class:`LimbFollower` turns that into a hip rotation angle
(degrees from the zero pose, internal rotation positive) the way a careful person moves: at a
limited speed, speeding up and slowing down at a limited acceleration, so every move is a
smooth trapezoid of angular speed and every stop is exact.

Optionally the leg *creeps* during hard efforts (``creep_above_pct``): the hold leaks into
movement, the compensation the stillness detector exists to catch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray
from isoforce.errors import ConfigError

#: Phase codes (:class:`isoforce.drills.plan.Phase` values) that move the leg. Numbers, not
#: the enum, so the simulator does not depend on the drill engine.
PHASE_LIFT, PHASE_LOWER, PHASE_LIFT_HOLD = 10, 11, 12
PHASE_ROTATE_IN, PHASE_ROTATE_OUT = 16, 17


@dataclass(frozen=True, slots=True)
class LimbSettings:
    """How the simulated person moves the leg; angles in degrees from the zero pose.

    ``ir_end_range_deg`` / ``er_end_range_deg`` are the active end ranges reached in a
    range-of-motion test (both positive). Lift-offs start from the training position (the zero
    pose of that drill) and rise ``lift_off_deg`` in ``lift_sign`` (+1 internal rotation).
    """

    ir_end_range_deg: float = 36.0
    er_end_range_deg: float = 42.0
    lift_off_deg: float = 12.0
    lift_sign: int = 1
    max_speed_dps: float = 12.0
    accel_dps2: float = 40.0
    creep_above_pct: float | None = None
    creep_deg: float = 6.0
    creep_speed_dps: float = 4.0

    def __post_init__(self) -> None:
        positive = (
            self.ir_end_range_deg,
            self.er_end_range_deg,
            self.lift_off_deg,
            self.max_speed_dps,
            self.accel_dps2,
            self.creep_speed_dps,
        )
        if not all(math.isfinite(v) and v > 0 for v in positive):
            raise ConfigError(
                "limb end ranges, lift-off angle, speeds and acceleration must be > 0"
            )
        if self.lift_sign not in (1, -1):
            raise ConfigError("lift_sign must be +1 (internal rotation) or -1 (external)")


class LimbFollower:
    """Turns drill phases (and effort, for creep) into a smooth hip angle, chunk by chunk."""

    def __init__(self, settings: LimbSettings) -> None:
        self.settings = settings
        self._angle = 0.0
        self._rate = 0.0
        self._t: float | None = None

    def goals_deg(self, phase: NDArray[np.integer], effort_pct: FloatArray) -> FloatArray:
        """Where the leg heads for at each sample, and the speed limit there (as a pair)."""
        s = self.settings
        goal = np.zeros(phase.shape, dtype=np.float64)
        goal[np.isin(phase, (PHASE_LIFT, PHASE_LIFT_HOLD))] = s.lift_sign * s.lift_off_deg
        goal[phase == PHASE_ROTATE_IN] = s.ir_end_range_deg
        goal[phase == PHASE_ROTATE_OUT] = -s.er_end_range_deg
        if s.creep_above_pct is not None:
            creeping = np.abs(effort_pct) > s.creep_above_pct
            goal[creeping] = s.lift_sign * s.creep_deg
        return goal

    def step(
        self, *, t_s: FloatArray, phase: NDArray[np.integer], effort_pct: FloatArray
    ) -> FloatArray:
        """The hip angle at each of ``t_s`` (increasing; gaps allowed) for these phases."""
        s = self.settings
        t = np.asarray(t_s, dtype=np.float64)
        effort = np.asarray(effort_pct, dtype=np.float64)
        goal = self.goals_deg(np.asarray(phase), effort)
        creeping = (
            np.abs(effort) > s.creep_above_pct
            if s.creep_above_pct is not None
            else np.zeros(t.shape, dtype=bool)
        )
        out = np.empty(t.shape, dtype=np.float64)
        angle, rate, last = self._angle, self._rate, self._t
        accel = s.accel_dps2
        for i in range(t.size):
            dt = 0.0 if last is None else max(0.0, float(t[i]) - last)
            last = float(t[i])
            top = s.creep_speed_dps if creeping[i] else s.max_speed_dps
            gap = float(goal[i]) - angle
            # fastest speed from which the leg can still stop at the goal, capped at ``top``
            wanted = math.copysign(min(top, math.sqrt(2.0 * accel * abs(gap))), gap)
            change = accel * dt
            rate += min(max(wanted - rate, -change), change)
            move = rate * dt
            if gap * move >= 0 and abs(move) >= abs(gap):
                angle, rate = float(goal[i]), 0.0  # arrived (the last step is ≤ one sample's)
            else:
                angle += move
            out[i] = angle
        self._angle, self._rate, self._t = angle, rate, last
        return out
