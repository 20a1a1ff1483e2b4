"""Scores for drill steps, reps and whole drills, built on :mod:`isoforce.signal.metrics`.

All values are in the effort units the engine was fed (normally % of the step's reference),
taken *in the step's direction*: a pull step's samples are sign-flipped so that a good RAILs
hold scores like a good PAILs hold. Steps without a direction (passive, breaths, lift-offs)
use the magnitude of the effort, since any force there is unwanted.

A metric the samples cannot define (no samples, all NaN, too short, no band) is ``None``.
Sampling is assumed roughly even; the rate is estimated per step from the median interval.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.drills.kinds import StepKind, traits_of
from isoforce.drills.plan import PlanStep
from isoforce.drills.segments import Phase
from isoforce.signal import curve, metrics

FloatArray = NDArray[np.float64]


class EndReason(enum.Enum):
    """Why a step ended."""

    COMPLETED = "completed"
    SKIPPED = "skipped"
    PAIN = "pain"
    PLATEAU = "plateau"
    """A staircase ended because the athlete could not raise the force any further."""
    NOT_MEASURED = "not force-measured"
    """A staircase ended because the sensor measured nothing at its levels (a direction it
    cannot see): it found no pain-free max."""
    ABORTED = "aborted"


def _opt(value: float) -> float | None:
    return value if math.isfinite(value) else None


def estimate_fs_hz(t_s: FloatArray) -> float | None:
    """Sample rate from the median interval of ``t_s``; ``None`` with < 2 distinct times."""
    if t_s.size < 2:
        return None
    dt = float(np.median(np.diff(t_s)))
    return 1.0 / dt if dt > 0 else None


@dataclass(frozen=True, slots=True)
class Metrics:
    """How a run of samples went against its target.

    ``n_samples`` counts the scored samples, ``n_tracked`` those with a measured effort that
    were compared with a target; ``n_banded`` those judged against a band (NaN effort counts
    as out of band). Errors are effort − target (positive = above target).
    """

    n_samples: int
    n_tracked: int
    n_banded: int
    fs_hz: float | None
    in_band_fraction: float | None
    in_band_s: float | None
    rmse: float | None
    constant_error: float | None
    absolute_error: float | None
    steadiness_cv_pct: float | None
    mean_effort: float | None
    peak_effort: float | None


@dataclass(frozen=True, slots=True)
class MaxEffort:
    """A maximal effort: instantaneous peak, best 0.5 s and best 1 s moving means."""

    peak: float | None
    best_0_5s: float | None
    best_1s: float | None


@dataclass(frozen=True, slots=True)
class RepScore:
    """One rep inside a step (a breath, a stair level, a max trial, a lift-off)."""

    rep: int
    label: str
    metrics: Metrics
    max_effort: MaxEffort | None = None


@dataclass(frozen=True, slots=True)
class StepScore:
    """The score of one plan step (each pass of a repeat block is its own step)."""

    step_index: int
    top_index: int
    rep_path: tuple[int, ...]
    kind: StepKind
    label: str
    direction: Direction | None
    started_t_s: float
    ended_t_s: float
    ended_by: EndReason
    metrics: Metrics
    reps: tuple[RepScore, ...] = ()
    reference: ReferenceKind | None = None
    """What the step's % divides by (``None``: no force target)."""


def compute_metrics(
    *,
    t_s: FloatArray,
    effort: FloatArray,
    target: FloatArray,
    band_pct: float | None,
    tracked: bool,
    steady: bool,
    middle_fraction: float = 0.5,
) -> Metrics:
    """Metrics of directed ``effort`` against directed ``target`` (equal-length arrays).

    ``tracked`` compares with the target (RMSE, CE, AE and, given ``band_pct``, time in band);
    ``steady`` adds the steadiness CV of the detrended middle ``middle_fraction`` (holds).
    Mean and peak effort use the measured (finite) samples only, through the curve module's
    :func:`~isoforce.signal.curve.peak` and :func:`~isoforce.signal.curve.sample_mean`.
    """
    fs = estimate_fs_hz(t_s)
    finite = effort[np.isfinite(effort)]
    trace = curve.Curve.of(t_s=t_s, force_n=effort)
    top = curve.peak(trace)
    n_tracked = int(np.count_nonzero(np.isfinite(effort) & np.isfinite(target))) if tracked else 0
    rmse = ce = ae = None
    frac = secs = None
    n_banded = 0
    if tracked and n_tracked:
        err = metrics.tracking_error(actual=effort, target=target)
        rmse, ce, ae = _opt(err.rmse), _opt(err.constant_error), _opt(err.absolute_error)
    if tracked and band_pct is not None and fs is not None and finite.size:
        # NaN samples among measured ones count as out of band; with none measured at all
        # (a device that measures no force) there is no time in band to speak of
        band = metrics.time_in_band(actual=effort, target=target, band=band_pct, t_s=t_s)
        frac, secs, n_banded = _opt(band.fraction), band.seconds, int(effort.size)
    cv = None
    if steady and fs is not None:
        cv = _opt(
            metrics.steadiness_cv(force_n=finite, fs_hz=fs, middle_fraction=middle_fraction).cv_pct
        )
    return Metrics(
        n_samples=int(effort.size),
        n_tracked=n_tracked,
        n_banded=n_banded,
        fs_hz=fs,
        in_band_fraction=frac,
        in_band_s=secs,
        rmse=rmse,
        constant_error=ce,
        absolute_error=ae,
        steadiness_cv_pct=cv,
        mean_effort=curve.sample_mean(trace),
        peak_effort=None if top is None else top.value,
    )


def max_effort(*, t_s: FloatArray, effort: FloatArray) -> MaxEffort:
    """Peak, best 0.5 s and best 1 s mean of a maximal effort, on the samples' real times.

    The windows are the curve module's (:func:`isoforce.signal.curve.best_window_mean`):
    seconds, not sample counts; an unmeasured (NaN) sample is a gap no window crosses.
    """
    trial = curve.Curve.of(t_s=t_s, force_n=effort)
    top = curve.peak(trial)
    half = curve.best_window_mean(trial, window_s=0.5)
    one = curve.best_window_mean(trial, window_s=1.0)
    return MaxEffort(
        top.value if top is not None else None,
        half.value if half is not None else None,
        one.value if one is not None else None,
    )


def best_max_effort(efforts: Sequence[MaxEffort]) -> MaxEffort | None:
    """Best of several trials, field by field (the best 1 s mean is the MVIC candidate)."""
    if not efforts:
        return None

    def best(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return max(present) if present else None

    return MaxEffort(
        best([e.peak for e in efforts]),
        best([e.best_0_5s for e in efforts]),
        best([e.best_1s for e in efforts]),
    )


def score_step(
    *,
    plan_step: PlanStep,
    t_s: FloatArray,
    effort_pct: FloatArray,
    target_pct: FloatArray,
    segment_index: NDArray[np.int64],
    started_t_s: float,
    ended_t_s: float,
    ended_by: EndReason,
    middle_fraction: float = 0.5,
) -> StepScore:
    """Score one step from its samples (signed effort and target, and each sample's segment).

    The step's metrics use its scored segments (a max test's trials, not its rests); every rep
    gets its own :class:`RepScore`, with a :class:`MaxEffort` for max trials.
    """
    direction = plan_step.direction
    effort = effort_pct * direction.sign if direction is not None else np.abs(effort_pct)
    target = np.abs(target_pct)
    segs = plan_step.segments

    def part(seg_ids: list[int], steady: bool) -> Metrics:
        mask = np.isin(segment_index, seg_ids)
        banded = any(segs[i].banded for i in seg_ids)
        return compute_metrics(
            t_s=t_s[mask],
            effort=effort[mask],
            target=target[mask],
            band_pct=plan_step.band_pct if banded else None,
            tracked=banded,
            steady=steady,
            middle_fraction=middle_fraction,
        )

    scored = [i for i, seg in enumerate(segs) if seg.scored]
    traits = plan_step.step.traits
    overall = part(scored, traits.steady)
    reps: list[RepScore] = []
    seen = set(int(i) for i in np.unique(segment_index))
    for rep in sorted({seg.rep for seg in segs if seg.rep >= 0}):
        ids = [i for i in scored if segs[i].rep == rep and i in seen]
        if not ids:
            continue
        steady = segs[ids[0]].phase in (Phase.HOLD, Phase.STAIR)
        best = None
        if traits.measures_mvic:
            mask = np.isin(segment_index, ids)
            best = max_effort(t_s=t_s[mask], effort=effort[mask])
        reps.append(RepScore(rep, segs[ids[0]].rep_label, part(ids, steady), best))
    return StepScore(
        step_index=plan_step.index,
        top_index=plan_step.top_index,
        rep_path=plan_step.rep_path,
        kind=plan_step.kind,
        label=plan_step.label,
        direction=direction,
        reference=plan_step.reference if direction is not None else None,
        started_t_s=started_t_s,
        ended_t_s=ended_t_s,
        ended_by=ended_by,
        metrics=overall,
        reps=tuple(reps),
    )


@dataclass(frozen=True, slots=True)
class DrillScore:
    """Whole-drill summary pooled over steps, weighting each step by its sample counts.

    Force steps only (ramps, holds, releases, staircases): ``in_band_fraction`` pools time in
    band, ``rmse`` pools squared errors (√(Σ n·rmse² / Σ n)), ``constant_error`` is the
    sample-weighted mean. ``hold_*``, ``ramp_rmse`` and ``release_rmse`` (ramp-down control)
    restrict that to one kind; ``hold_cv_pct`` is the mean CV of the holds that have one.
    """

    steps_scored: int
    in_band_fraction: float | None
    rmse: float | None
    constant_error: float | None
    hold_in_band_fraction: float | None
    hold_cv_pct: float | None
    ramp_rmse: float | None
    release_rmse: float | None
    peak_effort: float | None


def _pooled_band(ms: list[Metrics]) -> float | None:
    pairs = [(m.in_band_fraction, m.n_banded) for m in ms if m.in_band_fraction is not None]
    n = sum(w for _, w in pairs)
    return sum(f * w for f, w in pairs) / n if n else None


def _pooled_rmse(ms: list[Metrics]) -> float | None:
    pairs = [(m.rmse, m.n_tracked) for m in ms if m.rmse is not None and m.n_tracked]
    n = sum(w for _, w in pairs)
    return math.sqrt(sum(r * r * w for r, w in pairs) / n) if n else None


def _pooled_ce(ms: list[Metrics]) -> float | None:
    pairs = [(m.constant_error, m.n_tracked) for m in ms if m.constant_error is not None]
    n = sum(w for _, w in pairs)
    return sum(c * w for c, w in pairs) / n if n else None


def summarize(scores: Sequence[StepScore]) -> DrillScore:
    """Pool step scores into a :class:`DrillScore`."""
    force = [s.metrics for s in scores if traits_of(s.kind).tracked]
    holds = [s.metrics for s in scores if s.kind is StepKind.HOLD]
    cvs = [m.steadiness_cv_pct for m in holds if m.steadiness_cv_pct is not None]
    peaks = [s.metrics.peak_effort for s in scores if s.direction is not None]
    present = [p for p in peaks if p is not None]
    return DrillScore(
        steps_scored=len(scores),
        in_band_fraction=_pooled_band(force),
        rmse=_pooled_rmse(force),
        constant_error=_pooled_ce(force),
        hold_in_band_fraction=_pooled_band(holds),
        hold_cv_pct=sum(cvs) / len(cvs) if cvs else None,
        ramp_rmse=_pooled_rmse([s.metrics for s in scores if s.kind is StepKind.RAMP]),
        release_rmse=_pooled_rmse([s.metrics for s in scores if s.kind is StepKind.RELEASE]),
        peak_effort=max(present) if present else None,
    )
