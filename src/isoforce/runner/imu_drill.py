"""Scores drill steps from the IMU as the drill runs (stillness, range of motion, lift-offs).

:class:`ImuDrillScorer` sits next to the :class:`~isoforce.runner.drill.DrillGuide`: the guide
hands it every block's labels after the IMU chain has processed that block, and every step
score the engine emits; it keeps the IMU trace of the steps still open and returns an
:class:`~isoforce.drills.imu_scores.ImuStepScore` per finished step.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.drills.imu_scores import (
    ImuDrillSummary,
    ImuStepScore,
    ImuTrace,
    score_imu_step,
    summarize_imu,
)
from isoforce.drills.plan import PlanStep
from isoforce.drills.scoring import StepScore
from isoforce.export.context import SampleLabels
from isoforce.signal.imu import ImuProcessor


class ImuDrillScorer:
    """Collects the IMU's per-sample results under drill labels and scores finished steps."""

    def __init__(self, imu: ImuProcessor, plan: tuple[PlanStep, ...]) -> None:
        self.imu = imu
        self.plan = plan
        self.scores: dict[int, ImuStepScore] = {}
        self._parts: list[ImuTrace] = []
        self._known_from_s: float | None = None

    def add(self, t_s: FloatArray, labels: SampleLabels) -> None:
        """Take one block's labels; the IMU chain must have just processed the same samples."""
        last = self.imu.last
        if last is None or last.t_s.shape != t_s.shape or not np.array_equal(last.t_s, t_s):
            return  # a block without IMU channels: nothing to keep
        if self._known_from_s is None and t_s.size:
            # the stillness detector says "not still" until its first full window: unknown,
            # not moving, so those samples are left out
            self._known_from_s = float(t_s[0]) + self.imu.settings.stillness.window_s
        trace = ImuTrace(
            last.t_s,
            last.angle_deg,
            last.still,
            labels.step_index.astype(np.int64),
            labels.phase_code.astype(np.int64),
        )
        self._parts.append(trace.where(trace.t_s >= (self._known_from_s or -np.inf)))

    def score(self, step: StepScore) -> ImuStepScore:
        """Score a step the engine just finished; its samples are dropped afterwards."""
        trace = ImuTrace.concat(self._parts)
        result = score_imu_step(
            step=step,
            plan_step=self.plan[step.step_index],
            trace=trace,
            lift_offs=self.imu.lift_off.completed,
        )
        self.scores[step.step_index] = result
        later = trace.step_index > step.step_index
        self._parts = [trace.where(later)] if later.any() else []
        return result

    def summary(self) -> ImuDrillSummary:
        """The drill's IMU findings so far."""
        return summarize_imu(
            list(self.scores.values()),
            self.plan,
            placement=self.imu.settings.angle.placement.value,
            dual=self.imu.view().dual,
            calibrated=self.imu.mmg.calibration is not None,
        )
