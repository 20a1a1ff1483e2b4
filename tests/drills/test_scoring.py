"""Scores against values worked out by hand on tiny inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from isoforce.core.effort_key import Direction
from isoforce.drills.kinds import HoldStep, MaxTrialStep, StaircaseStep, StepKind
from isoforce.drills.model import Drill
from isoforce.drills.plan import build_plan
from isoforce.drills.scoring import (
    EndReason,
    MaxEffort,
    Metrics,
    StepScore,
    best_max_effort,
    compute_metrics,
    max_effort,
    score_step,
    summarize,
)


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_tracking_band_mean_and_peak_by_hand() -> None:
    # 10 Hz; errors effort - target = -1, +1, 0, +4
    m = compute_metrics(
        t_s=arr(0.0, 0.1, 0.2, 0.3),
        effort=arr(9, 11, 10, 14),
        target=arr(10, 10, 10, 10),
        band_pct=2.0,
        tracked=True,
        steady=False,
    )
    assert m.fs_hz == pytest.approx(10.0)
    assert m.rmse == pytest.approx(math.sqrt((1 + 1 + 0 + 16) / 4))  # √4.5
    assert m.constant_error == pytest.approx(1.0)  # (−1 + 1 + 0 + 4) / 4
    assert m.absolute_error == pytest.approx(1.5)  # (1 + 1 + 0 + 4) / 4
    assert m.in_band_fraction == pytest.approx(0.75)  # |e| ≤ 2 for three of four
    assert m.in_band_s == pytest.approx(0.3)  # three samples at 10 Hz
    assert (m.mean_effort, m.peak_effort) == (11.0, 14.0)
    assert (m.n_samples, m.n_tracked, m.n_banded) == (4, 4, 4)
    assert m.steadiness_cv_pct is None


def test_steadiness_cv_of_a_flat_wobble_and_of_pure_drift() -> None:
    # Centred times −1.5 −0.5 0.5 1.5 against deviations −1 +1 +1 −1: no trend, SD 1, mean 11.
    t = arr(0.0, 0.1, 0.2, 0.3)
    m = compute_metrics(
        t_s=t,
        effort=arr(10, 12, 12, 10),
        target=arr(11, 11, 11, 11),
        band_pct=None,
        tracked=True,
        steady=True,
        middle_fraction=1.0,
    )
    assert m.steadiness_cv_pct == pytest.approx(100.0 / 11.0)
    assert m.in_band_fraction is None
    # A straight-line drift (fatigue) is removed before the CV: 0 %.
    drift = compute_metrics(
        t_s=t,
        effort=arr(10, 11, 12, 13),
        target=arr(11, 11, 11, 11),
        band_pct=5.0,
        tracked=True,
        steady=True,
        middle_fraction=1.0,
    )
    assert drift.steadiness_cv_pct == pytest.approx(0.0, abs=1e-12)


def test_nan_effort_is_ignored_for_errors_and_out_of_band() -> None:
    m = compute_metrics(
        t_s=arr(0, 1, 2, 3),
        effort=arr(10, np.nan, 12, 10),
        target=arr(10, 10, 10, 10),
        band_pct=1.0,
        tracked=True,
        steady=False,
    )
    assert m.n_tracked == 3
    assert m.rmse == pytest.approx(math.sqrt(4 / 3))  # errors 0, 2, 0
    assert m.in_band_fraction == pytest.approx(0.5)  # the NaN counts as out of band
    assert m.mean_effort == pytest.approx(32 / 3)


def test_max_effort_windows_by_hand() -> None:
    # 4 Hz; the windows are seconds of the straight-line curve through the samples.
    t = np.arange(6) / 4.0
    best = max_effort(t_s=t, effort=arr(0, 10, 30, 20, 20, 0))
    assert best.peak == 30.0
    # [0.375, 0.875] s: F rises 20 → 30, holds the 30 → 20 → 20 line: 11.875 N·s / 0.5 s
    assert best.best_0_5s == pytest.approx(23.75)
    # [1/6, 7/6] s: the whole 20 N·s less 5/9 before and 5/18 after, over 1 s
    assert best.best_1s == pytest.approx(20 - 5 / 9 - 5 / 18)
    short = max_effort(t_s=t[:3], effort=arr(1, 5, 2))
    assert short.best_1s is None and short.best_0_5s == pytest.approx(3.25)


def test_best_of_trials_field_by_field() -> None:
    trials = [
        MaxEffort(400.0, 312.0, 311.0),
        MaxEffort(330.0, 320.0, 320.0),
        MaxEffort(None, None, None),
    ]
    assert best_max_effort(trials) == MaxEffort(400.0, 320.0, 320.0)
    assert best_max_effort([]) is None


def _plan(step: object) -> object:
    drill = Drill(name="t", movement="m", steps=(step,))  # type: ignore[arg-type]
    return build_plan(drill, default_band_pct=5.0, passive_band_pct=5.0)[0]


def test_score_step_of_a_pull_hold_uses_the_pull_direction() -> None:
    ps = _plan(HoldStep(direction=Direction.PULL, target_pct=40.0, seconds=0.4))
    score = score_step(
        plan_step=ps,  # type: ignore[arg-type]
        t_s=arr(0.0, 0.1, 0.2, 0.3),
        effort_pct=arr(-38, -42, -46, -40),  # 2 under, 2 over, 6 over, on target
        target_pct=arr(-40, -40, -40, -40),
        segment_index=np.ones(4, dtype=np.int64),  # after the settle window (segment 0)
        started_t_s=0.0,
        ended_t_s=0.4,
        ended_by=EndReason.COMPLETED,
    )
    assert score.direction is Direction.PULL
    assert score.metrics.constant_error == pytest.approx((-2 + 2 + 6 + 0) / 4)
    assert score.metrics.rmse == pytest.approx(math.sqrt((4 + 4 + 36 + 0) / 4))
    assert score.metrics.in_band_fraction == pytest.approx(0.75)  # default ±5 band
    assert score.metrics.peak_effort == 46.0


def test_staircase_levels_are_scored_rep_by_rep() -> None:
    ps = _plan(StaircaseStep(direction=Direction.PUSH, step_pct=10.0, step_s=0.4, ceiling_pct=20.0))
    score = score_step(
        plan_step=ps,  # type: ignore[arg-type]
        t_s=np.arange(8) / 10.0,
        effort_pct=arr(10, 10, 12, 10, 20, 20, 20, 26),
        target_pct=arr(10, 10, 10, 10, 20, 20, 20, 20),
        segment_index=np.array([1, 1, 1, 1, 2, 2, 2, 2]),  # segment 0: the settle window
        started_t_s=0.0,
        ended_t_s=0.8,
        ended_by=EndReason.COMPLETED,
    )
    assert [r.label for r in score.reps] == ["level 10 %", "level 20 %"]
    assert score.reps[0].metrics.constant_error == pytest.approx(0.5)
    assert score.reps[1].metrics.rmse == pytest.approx(3.0)  # √(36 / 4)
    assert score.reps[1].metrics.in_band_fraction == pytest.approx(0.75)


def test_max_trial_scores_trials_not_rests() -> None:
    ps = _plan(MaxTrialStep(direction=Direction.PUSH, seconds=1.0, rest_s=1.0, trials=2, ready_s=0))
    t = np.arange(12) / 4.0  # trial 0-1 s, rest 1-2 s, trial 2-3 s
    seg = np.repeat([0, 1, 2], 4)
    effort = arr(50, 60, 70, 60, 900, 900, 900, 900, 40, 80, 80, 40)
    score = score_step(
        plan_step=ps,
        t_s=t,
        effort_pct=effort,
        target_pct=np.zeros(12),  # type: ignore[arg-type]
        segment_index=seg,
        started_t_s=0.0,
        ended_t_s=3.0,
        ended_by=EndReason.COMPLETED,
    )
    assert score.metrics.peak_effort == 80.0  # the rest's 900 is not a trial
    first, second = (r.max_effort for r in score.reps)
    # four samples at 4 Hz span 0.75 s: no whole second to average (windows are seconds)
    assert first == MaxEffort(70.0, 65.0, None)  # [0.25, 0.75] s on the 60-70-60 line
    # [0.125, 0.625] s: 60 → 80, 80, 80 → 60 on the straight lines: 37.5 N·s / 0.5 s
    assert second == MaxEffort(80.0, 75.0, None)
    assert score.metrics.rmse is None  # nothing to track in a maximal effort


def _metrics(**kw: float | int | None) -> Metrics:
    base: dict[str, float | int | None] = dict(
        n_samples=0,
        n_tracked=0,
        n_banded=0,
        fs_hz=10.0,
        in_band_fraction=None,
        in_band_s=None,
        rmse=None,
        constant_error=None,
        absolute_error=None,
        steadiness_cv_pct=None,
        mean_effort=None,
        peak_effort=None,
    )
    base.update(kw)
    return Metrics(**base)  # type: ignore[arg-type]


def _score(kind: str, metrics: Metrics) -> StepScore:
    return StepScore(
        step_index=0,
        top_index=0,
        rep_path=(),
        kind=StepKind(kind),
        label=kind,
        direction=Direction.PUSH,
        started_t_s=0.0,
        ended_t_s=1.0,
        ended_by=EndReason.COMPLETED,
        metrics=metrics,
    )


def test_drill_summary_pools_by_sample_counts() -> None:
    hold_a = _metrics(
        n_tracked=100,
        n_banded=100,
        in_band_fraction=0.9,
        rmse=2.0,
        constant_error=1.0,
        steadiness_cv_pct=4.0,
        peak_effort=55.0,
    )
    hold_b = _metrics(
        n_tracked=300,
        n_banded=300,
        in_band_fraction=0.5,
        rmse=4.0,
        constant_error=-1.0,
        steadiness_cv_pct=6.0,
        peak_effort=104.0,
    )
    ramp = _metrics(
        n_tracked=100,
        n_banded=100,
        in_band_fraction=1.0,
        rmse=1.0,
        constant_error=0.0,
        peak_effort=50.0,
    )
    passive = _metrics(n_tracked=50, n_banded=50, in_band_fraction=0.0, rmse=30.0)
    s = summarize(
        [
            _score("hold", hold_a),
            _score("hold", hold_b),
            _score("ramp", ramp),
            _score("passive", passive),
        ]
    )
    assert s.steps_scored == 4
    assert s.hold_in_band_fraction == pytest.approx((90 + 150) / 400)
    assert s.in_band_fraction == pytest.approx((90 + 150 + 100) / 500)  # passive not pooled
    assert s.rmse == pytest.approx(math.sqrt((100 * 4 + 300 * 16 + 100 * 1) / 500))
    assert s.constant_error == pytest.approx((100 - 300 + 0) / 500)
    assert s.hold_cv_pct == pytest.approx(5.0)
    assert s.ramp_rmse == pytest.approx(1.0) and s.release_rmse is None
    assert s.peak_effort == 104.0
