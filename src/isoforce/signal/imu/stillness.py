"""Is the limb still? Movement detection for isometric holds, blind to muscle vibration.

Following domain-science §4.6: the gyro, the accelerometer and the angle are low-passed at
``cutoff_hz`` (~4 Hz, below the 5–100 Hz band of mechanomyography, so a hard contraction does
not read as movement), and a sample is *still* when

* the angular speed ``|ω|`` is below ``gyro_dps`` now and on average over the trailing
  ``window_s`` (ADI's reference detector uses 0.05 rad/s ≈ 2.9 °/s [I18]);
* the acceleration vector's SD over ``window_s`` is below ``acc_sd_g``: a bump or a
  translation (an SD needs no accelerometer calibration [I20]; the vector's, not the
  magnitude's, so a sideways jolt counts too);
* the angle changed by less than ``angle_deg`` (max − min) over ``window_s``, and has not
  crept ``angle_deg`` away from where this still stretch began. A creep under the gyro
  threshold is effort leaking into movement; after one, the limb counts as still again only
  once the angle range over the longer ``angle_window_s`` is back under ``angle_deg`` (so a
  steady creep faster than ``angle_deg / angle_window_s`` stays "moving").

Until a full window has been seen the answer is "not still". The decision trails the motion by
up to one window at the end of a move (a settled limb must stay settled for ``window_s``) but
turns to "moving" within a fraction of it when a move starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray
from isoforce.signal.filters import SosFilter, window_means
from isoforce.signal.imu._settings import require_finite_fields

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class StillnessSettings:
    """Thresholds of :class:`StillnessDetector`; units are in the names."""

    cutoff_hz: float = 4.0
    window_s: float = 0.5
    angle_window_s: float = 1.0
    gyro_dps: float = 2.5
    angle_deg: float = 1.0
    acc_sd_g: float = 0.02

    def __post_init__(self) -> None:
        require_finite_fields(self, what="stillness settings")


class StillnessDetector:
    """Streaming stillness per sample; ``update()`` is chunk-invariant."""

    def __init__(self, settings: StillnessSettings, *, fs_hz: float) -> None:
        if not (math.isfinite(fs_hz) and fs_hz > 0.0):
            raise ValueError("fs_hz must be > 0")
        cutoff = min(settings.cutoff_hz, 0.45 * fs_hz)
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self.window = max(2, round(settings.window_s * fs_hz))
        self.angle_window = max(2, round(settings.angle_window_s * fs_hz))
        self._span = max(self.window, self.angle_window)
        # gyro xyz, acc xyz and angle, from steady state on the first sample (no ringing)
        self._lp = SosFilter.butterworth(order=2, cutoff_hz=cutoff, fs_hz=fs_hz, channels=7)
        self._history = np.empty((0, 5))  # speed, angle, acc xyz of the last span - 1 samples
        self._last_angle = 0.0
        self._ref: float | None = None
        self._crept = False

    def update(
        self, *, gyro_dps: FloatArray, acc_g: FloatArray, angle_deg: FloatArray
    ) -> BoolArray:
        """Still (True) or moving per sample, for ``(n, 3)`` gyro and accelerometer and ``(n,)`` angle.

        ``gyro_dps`` should have its bias removed; NaN angles (no zero pose yet) count as
        unchanged. Until the first ``window_s`` is full the answer is False.
        """
        gyro = np.asarray(gyro_dps, dtype=np.float64)
        acc = np.asarray(acc_g, dtype=np.float64)
        angle = np.array(angle_deg, dtype=np.float64)
        n = gyro.shape[0]
        if gyro.shape != (n, 3) or acc.shape != (n, 3) or angle.shape != (n,):
            raise ValueError("gyro_dps and acc_g must be (n, 3) and angle_deg (n,)")
        if n == 0:
            return np.zeros(0, dtype=bool)
        angle = _fill_nan(angle, self._last_angle)
        self._last_angle = float(angle[-1])
        smooth = self._lp(np.column_stack((gyro, acc, angle)))
        features = np.column_stack(
            (np.linalg.norm(smooth[:, 0:3], axis=1), smooth[:, 6], smooth[:, 3:6])
        )
        joined = np.concatenate((self._history, features))
        self._history = joined[-(self._span - 1) :]
        return self._decide(joined, n)

    def _decide(self, joined: FloatArray, n: int) -> BoolArray:
        """Verdicts for the windows that end in this chunk.

        Max/min are exact in any chunking; the window means come from running sums, so other
        chunkings agree to rounding (a verdict could differ only at exactly the threshold).
        """
        from scipy.ndimage import maximum_filter1d, minimum_filter1d  # exact in any chunking

        w, wa = self.window, self.angle_window
        out = np.zeros(n, dtype=bool)
        m = min(n, joined.shape[0] - w + 1)  # complete short windows ending in this chunk
        if m <= 0:
            return out
        s = self.settings
        first = joined.shape[0] - m  # index in ``joined`` of the first sample with a verdict
        angle = joined[:, 1]

        def angle_range(size: int) -> FloatArray:
            # 'nearest' padding: at the very start of the stream, the range of what there is
            top = maximum_filter1d(angle, size=size, origin=_trailing(size), mode="nearest")
            bottom = minimum_filter1d(angle, size=size, origin=_trailing(size), mode="nearest")
            return np.asarray(top[first:] - bottom[first:], dtype=np.float64)

        recent = joined[first - w + 1 :]
        mean_speed = window_means(x=recent[:, 0], window=w)
        centred = recent[:, 2:5] - recent[-1, 2:5]  # near zero: no cancellation in the sums
        mean_acc = window_means(x=centred, window=w)
        acc_var = np.maximum(window_means(x=centred * centred, window=w) - mean_acc * mean_acc, 0.0)
        acc_sd = np.sqrt(acc_var.sum(axis=1))
        base = (
            (mean_speed < s.gyro_dps)
            & (joined[first:, 0] < s.gyro_dps)
            & (acc_sd < s.acc_sd_g)
            & (angle_range(w) < s.angle_deg)
        )
        settled = angle_range(wa) < s.angle_deg
        out[n - m :] = self._creep_guard(base, settled, angle[first:])
        return out

    def _creep_guard(self, base: BoolArray, settled: BoolArray, angle: FloatArray) -> BoolArray:
        """Break a still stretch when the angle creeps ``angle_deg`` from where it began."""
        limit = self.settings.angle_deg
        out = np.empty(base.size, dtype=bool)
        ref, crept = self._ref, self._crept
        for i, (ok, calm, a) in enumerate(
            zip(base.tolist(), settled.tolist(), angle.tolist(), strict=True)
        ):
            if ok and crept and calm:
                crept = False
            if not ok or crept:
                ref = None
                out[i] = False
                continue
            if ref is None:
                ref = a
            if abs(a - ref) >= limit:
                ref, crept = None, True
                out[i] = False
                continue
            out[i] = True
        self._ref, self._crept = ref, crept
        return out


def _trailing(size: int) -> int:
    """The ``origin`` that makes a scipy.ndimage filter window end at its sample."""
    return size // 2 - 1 if size % 2 == 0 else size // 2


def _fill_nan(x: FloatArray, before: float) -> FloatArray:
    """Replace NaNs by the last finite value (``before`` at the start)."""
    bad = ~np.isfinite(x)
    if not bad.any():
        return x
    idx = np.where(bad, 0, np.arange(x.shape[0]))
    np.maximum.accumulate(idx, out=idx)
    filled = x[idx]
    filled[~np.isfinite(filled)] = before
    return filled


def runs(mask: BoolArray) -> list[tuple[int, int]]:
    """``(start, stop)`` index pairs of the runs of True in ``mask`` (stop exclusive)."""
    m = np.asarray(mask, dtype=bool).astype(np.int8)
    edges = np.diff(np.concatenate(([0], m, [0])))
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True)
    )


def segment_f1(*, truth: BoolArray, detected: BoolArray, min_iou: float = 0.5) -> float:
    """F1 of detected still segments against labelled ones (one-to-one, IoU ≥ ``min_iou``).

    A labelled run of True counts as found when a detected run overlaps it with an
    intersection-over-union of at least ``min_iou``; every other detected run is a false alarm.
    """
    t_runs, d_runs = runs(truth), runs(detected)
    matched = 0
    used: set[int] = set()
    for t0, t1 in t_runs:
        for j, (d0, d1) in enumerate(d_runs):
            if j in used:
                continue
            inter = min(t1, d1) - max(t0, d0)
            if inter > 0 and inter / (max(t1, d1) - min(t0, d0)) >= min_iou:
                matched += 1
                used.add(j)
                break
    total = len(t_runs) + len(d_runs)
    return 2.0 * matched / total if total else 1.0


def sample_f1(*, truth: BoolArray, detected: BoolArray) -> float:
    """Sample-by-sample F1 of ``detected`` against ``truth`` (True = still = positive)."""
    t = np.asarray(truth, dtype=bool)
    d = np.asarray(detected, dtype=bool)
    tp = int(np.count_nonzero(t & d))
    denominator = int(np.count_nonzero(t)) + int(np.count_nonzero(d))
    return 2.0 * tp / denominator if denominator else 1.0
