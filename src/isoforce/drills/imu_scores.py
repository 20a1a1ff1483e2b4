"""What the IMU adds to a drill step's score: stillness, range of motion, lift-offs.

Pure functions over an :class:`ImuTrace` (the IMU's per-sample angle and stillness, labelled
with the drill's step and phase) and the engine's own :class:`StepScore`:

* every step: how long the leg was **moving** (an isometric hold that leaks into movement is a
  compensation; MISSION.md) and how far the angle wandered;
* ``rom`` steps: the active **end range** each way, per rotation and best of the step — the
  furthest angle the leg *held* for ``hold_s`` (a trailing mean), so a jolt does not count;
* ``lift_off`` steps: :func:`~isoforce.drills.lift_off_imu.score_lift_off_step` (lift-offs
  detected, end range reached, the held rep's hold time, off the block).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray
from isoforce.drills.kinds import LiftOffStep
from isoforce.drills.lift_off_imu import LiftOffStepScore, score_lift_off_step
from isoforce.drills.plan import PlanStep
from isoforce.drills.scoring import StepScore, estimate_fs_hz
from isoforce.drills.segments import Phase
from isoforce.signal.filters import window_means
from isoforce.signal.imu.liftoff import LiftOff
from isoforce.signal.imu.report import DualModeReport
from isoforce.signal.imu.stillness import runs

#: A rotation's end range is the furthest angle held this long (trailing mean).
END_RANGE_HOLD_S = 0.5
_ROTATIONS = {int(Phase.ROTATE_IN): "ir", int(Phase.ROTATE_OUT): "er"}


@dataclass(frozen=True, slots=True)
class ImuTrace:
    """Per-sample IMU results labelled with the drill's step index and phase code."""

    t_s: FloatArray
    angle_deg: FloatArray
    still: NDArray[np.bool_]
    step_index: NDArray[np.int64]
    phase: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def where(self, mask: NDArray[np.bool_]) -> ImuTrace:
        """The samples where ``mask`` is True."""
        return ImuTrace(
            self.t_s[mask],
            self.angle_deg[mask],
            self.still[mask],
            self.step_index[mask],
            self.phase[mask],
        )

    def of_step(self, step_index: int) -> ImuTrace:
        """The samples labelled with one step."""
        return self.where(self.step_index == step_index)

    @classmethod
    def concat(cls, parts: Sequence[ImuTrace]) -> ImuTrace:
        """Join consecutive traces."""
        if not parts:
            e = np.empty(0)
            return cls(e, e, np.empty(0, dtype=bool), np.empty(0, np.int64), np.empty(0, np.int64))
        return cls(
            np.concatenate([p.t_s for p in parts]),
            np.concatenate([p.angle_deg for p in parts]),
            np.concatenate([p.still for p in parts]),
            np.concatenate([p.step_index for p in parts]),
            np.concatenate([p.phase for p in parts]),
        )


@dataclass(frozen=True, slots=True)
class StillnessScore:
    """How still the leg stayed over a step: moving time, its longest stretch, angle wander."""

    moving_s: float
    moving_fraction: float
    longest_moving_s: float
    moving_stretches: int
    angle_range_deg: float | None


@dataclass(frozen=True, slots=True)
class RomRep:
    """One rotation of a ``rom`` step: its direction and the end range it reached.

    Degrees, positive both ways; None when no angle was known (the zero pose was not set).
    """

    label: str
    direction: str
    end_range_deg: float | None


@dataclass(frozen=True, slots=True)
class RomStepScore:
    """A ``rom`` step's rotations and its best end range each way (None if not measured)."""

    reps: tuple[RomRep, ...]
    ir_deg: float | None
    er_deg: float | None


@dataclass(frozen=True, slots=True)
class ImuStepScore:
    """Everything the IMU says about one step (``rom``/``lift_off`` only for those kinds)."""

    step_index: int
    stillness: StillnessScore | None
    rom: RomStepScore | None = None
    lift_off: LiftOffStepScore | None = None


def _sample_period_s(t_s: FloatArray) -> float:
    fs = estimate_fs_hz(t_s)
    return 1.0 / fs if fs else 0.0


def score_stillness(trace: ImuTrace) -> StillnessScore | None:
    """Moving time (samples not still × sample period) and angle wander; None with no samples."""
    n = len(trace)
    if n == 0:
        return None
    dt = _sample_period_s(trace.t_s)
    moving = ~trace.still
    stretches = runs(moving)
    longest = max((b - a for a, b in stretches), default=0)
    angles = trace.angle_deg[np.isfinite(trace.angle_deg)]
    return StillnessScore(
        moving_s=float(np.count_nonzero(moving)) * dt,
        moving_fraction=float(np.count_nonzero(moving)) / n,
        longest_moving_s=longest * dt,
        moving_stretches=len(stretches),
        angle_range_deg=float(angles.max() - angles.min()) if angles.size else None,
    )


def _held_extreme(angle_deg: FloatArray, sign: float, window: int) -> float | None:
    """Furthest ``sign × angle`` held for ``window`` samples (trailing mean); None if unknown."""
    a = sign * angle_deg[np.isfinite(angle_deg)]
    if a.size == 0:
        return None
    best = float(window_means(x=a, window=max(1, min(window, a.size))).max())
    return best if best > 0 else 0.0


def score_rom_step(trace: ImuTrace, *, hold_s: float = END_RANGE_HOLD_S) -> RomStepScore:
    """End range of every rotation in a ``rom`` step's trace (runs of rotate-in/out phases)."""
    dt = _sample_period_s(trace.t_s)
    window = max(1, round(hold_s / dt)) if dt > 0 else 1
    reps: list[RomRep] = []
    counts = {"ir": 0, "er": 0}
    totals = {d: 0 for d in counts}
    phase_runs: list[tuple[str, int, int]] = []
    for code, direction in _ROTATIONS.items():
        phase_runs += [(direction, a, b) for a, b in runs(trace.phase == code)]
    phase_runs.sort(key=lambda r: r[1])
    for direction, _, _ in phase_runs:
        totals[direction] += 1
    for direction, a, b in phase_runs:
        counts[direction] += 1
        sign = 1.0 if direction == "ir" else -1.0
        reached = _held_extreme(trace.angle_deg[a:b], sign, window)
        label = f"{direction.upper()} {counts[direction]}/{totals[direction]}"
        reps.append(RomRep(label, direction, reached))

    def best(direction: str) -> float | None:
        values = [r.end_range_deg for r in reps if r.direction == direction]
        known = [v for v in values if v is not None]
        return max(known) if known else None

    return RomStepScore(tuple(reps), best("ir"), best("er"))


def score_imu_step(
    *,
    step: StepScore,
    plan_step: PlanStep,
    trace: ImuTrace,
    lift_offs: Sequence[LiftOff] = (),
) -> ImuStepScore:
    """The IMU's part of a finished step's score (``trace`` may hold other steps too)."""
    mine = trace.of_step(step.step_index) if len(trace) else trace
    traits = plan_step.step.traits
    rom = score_rom_step(mine) if traits.records_rom else None
    lift = None
    if traits.counts_lift_offs and isinstance(plan_step.step, LiftOffStep):
        lift = score_lift_off_step(step=step, plan_step=plan_step.step, lift_offs=lift_offs)
    return ImuStepScore(step.step_index, score_stillness(mine), rom, lift)


def best_end_range(scores: Sequence[ImuStepScore]) -> tuple[float | None, float | None]:
    """The best internal and external end range over all ``rom`` steps (degrees, positive)."""
    ir = [s.rom.ir_deg for s in scores if s.rom is not None and s.rom.ir_deg is not None]
    er = [s.rom.er_deg for s in scores if s.rom is not None and s.rom.er_deg is not None]
    return (max(ir) if ir else None, max(er) if er else None)


def moving_s_in(scores: Sequence[ImuStepScore], step_indices: Sequence[int]) -> float:
    """Total moving time over the given steps (e.g. the isometric ones)."""
    wanted = set(step_indices)
    return math.fsum(
        s.stillness.moving_s for s in scores if s.step_index in wanted and s.stillness is not None
    )


@dataclass(frozen=True, slots=True)
class ImuDrillSummary:
    """The IMU's findings over a drill.

    End range each way (``rom`` steps), moving time in the steps that should be still, the
    lift-offs, and in dual mode how the effort estimate compared with the load cell.
    """

    placement: str
    ir_deg: float | None
    er_deg: float | None
    still_steps: int
    moving_s: float
    steps_with_movement: int
    lift_offs_expected: int
    lift_offs_detected: int
    lift_off_sets: int
    lift_off_sets_complete: int
    dual: DualModeReport | None
    calibrated: bool = False
    """Whether this session had an effort (MMG) calibration, without which there is no estimate."""


def summarize_imu(
    scores: Sequence[ImuStepScore],
    plan: Sequence[PlanStep],
    *,
    placement: str,
    dual: DualModeReport | None,
    calibrated: bool = False,
) -> ImuDrillSummary:
    """Pool the IMU step scores of a drill."""
    ir, er = best_end_range(scores)
    still = [s for s in scores if plan[s.step_index].step.traits.isometric]
    moved = [s for s in still if s.stillness is not None and s.stillness.moving_s > 0]
    lifts = [s.lift_off for s in scores if s.lift_off is not None]
    return ImuDrillSummary(
        placement=placement,
        ir_deg=ir,
        er_deg=er,
        still_steps=len(still),
        moving_s=moving_s_in(scores, [s.step_index for s in still]),
        steps_with_movement=len(moved),
        lift_offs_expected=sum(s.expected for s in lifts),
        lift_offs_detected=sum(s.detected for s in lifts),
        lift_off_sets=len(lifts),
        lift_off_sets_complete=sum(1 for s in lifts if s.complete),
        dual=dual,
        calibrated=calibrated,
    )
