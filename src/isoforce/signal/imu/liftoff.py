"""Lift-offs from the hip rotation angle: lift, end range reached, hold, lower.

A lift-off (step 8 of the hip sequence) is an active move from a passive position to end
range, often held there, then lowered. The detector works in two layers:

* a coarse per-sample phase (``rest``, ``lift``, ``hold``, ``lower``) for the live screen,
  with generous thresholds (a lift counts once the angle leaves the rest angle by
  ``min_lift_deg``);
* exact timing, computed when a rep is complete from the rep's samples: each move starts and
  ends where its angular speed (gyro about the limb axis, low-passed at ``cutoff_hz``) crosses
  ``speed_fraction`` of that move's peak speed (at least ``speed_floor_dps``), a threshold
  that scales with slow and fast moves alike; the hold is the time between the end of the
  lift and the start of the lowering. The low-pass filter's own delay is taken off.

With slow, smooth moves the speed leaves zero gently, so any threshold cuts a little off each
end of a move; at 2 % of peak speed that is ~4 % of the move's duration (0.06 s of a 1.5 s
lift), which makes a hold read about that much too long at each end.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from isoforce.core.ringbuffer import RingBuffer
from isoforce.core.samples import FloatArray
from isoforce.signal.filters import SosFilter
from isoforce.signal.imu._settings import require_finite_fields


class LiftPhase(enum.Enum):
    """Where the limb is in a lift-off, live."""

    REST = "rest"
    LIFT = "lift"
    HOLD = "hold"
    LOWER = "lower"


@dataclass(frozen=True, slots=True)
class LiftOffSettings:
    """Thresholds of :class:`LiftOffDetector`; units are in the names."""

    min_lift_deg: float = 4.0
    quiet_dps: float = 1.0
    settle_s: float = 0.2
    lower_drop_deg: float = 2.0
    speed_fraction: float = 0.02
    speed_floor_dps: float = 0.2
    cutoff_hz: float = 4.0
    pre_s: float = 2.0
    history_s: float = 90.0

    def __post_init__(self) -> None:
        require_finite_fields(self, what="lift-off settings")
        if self.speed_fraction >= 1.0:
            raise ValueError("speed_fraction must be < 1")


@dataclass(frozen=True, slots=True)
class LiftOff:
    """One completed lift-off, times in session seconds, angles in degrees (IR positive).

    ``top_s`` is when the lift stopped at end range (the hold starts), ``lower_s`` when the
    lowering started (the hold ends); ``top_deg`` is the median angle over the hold (the peak
    angle for a lift with no hold).
    """

    start_s: float
    top_s: float
    lower_s: float
    end_s: float
    rest_deg: float
    top_deg: float

    @property
    def hold_s(self) -> float:
        """How long the limb stayed at the top."""
        return self.lower_s - self.top_s

    @property
    def lift_deg(self) -> float:
        """Rotation from the rest angle to the top (signed: IR positive)."""
        return self.top_deg - self.rest_deg


def time_lift_off(
    *,
    t_s: FloatArray,
    angle_deg: FloatArray,
    rate_dps: FloatArray,
    rest_deg: float,
    speed_fraction: float = 0.02,
    speed_floor_dps: float = 0.2,
    delay_s: float = 0.0,
) -> LiftOff | None:
    """Exact timing of the one lift-off in these samples (low-passed rate about the limb axis).

    ``rest_deg`` is roughly where the limb rested before (it picks the lift's direction);
    ``delay_s`` is the low-pass filter's delay, taken off every time. Samples with no angle
    (NaN) are ignored. Returns None when the samples do not hold a lift away from rest and back.
    """
    keep = np.isfinite(angle_deg) & np.isfinite(rate_dps)
    a = np.asarray(angle_deg, dtype=np.float64)[keep]
    r = np.asarray(rate_dps, dtype=np.float64)[keep]
    t = np.asarray(t_s, dtype=np.float64)[keep] - delay_s
    if a.size < 4:
        return None
    top_i = int(np.argmax(np.abs(a - rest_deg)))
    sign = 1.0 if a[top_i] >= rest_deg else -1.0
    s = sign * r  # speed away from rest (lift positive)
    up_peak = int(np.argmax(s[: top_i + 1]))
    down_peak = top_i + int(np.argmax(-s[top_i:]))
    thr_up = max(speed_floor_dps, speed_fraction * float(s[up_peak]))
    thr_down = max(speed_floor_dps, speed_fraction * float(-s[down_peak]))
    if s[up_peak] <= thr_up or -s[down_peak] <= thr_down:
        return None
    calm_before = np.flatnonzero(s[:up_peak] < thr_up)
    start = int(calm_before[-1]) + 1 if calm_before.size else 0
    stopped = np.flatnonzero(s[up_peak:down_peak] < thr_up)
    top = up_peak + int(stopped[0]) if stopped.size else top_i
    still_before = np.flatnonzero(-s[top:down_peak] < thr_down)
    lower = top + int(still_before[-1]) + 1 if still_before.size else top
    settled = np.flatnonzero(-s[down_peak:] < thr_down)
    end = down_peak + int(settled[0]) if settled.size else a.size - 1
    held = a[top:lower]
    top_deg = float(np.median(held)) if held.size else float(a[top_i])
    return LiftOff(
        start_s=float(t[start]),
        top_s=float(t[top]),
        lower_s=float(t[lower]),
        end_s=float(t[end]),
        rest_deg=float(a[max(start - 1, 0)]),
        top_deg=top_deg,
    )


class LiftOffDetector:
    """Streams angle and limb-axis rate; reports the live phase and each completed lift-off.

    ``update()`` is chunk-invariant. The rate should be the bias-corrected gyro about the limb
    axis (:class:`~isoforce.signal.imu.angle.AngleBlock.axis_rate_dps`); samples with no
    angle yet (NaN) are skipped for the phase but kept in time.
    """

    def __init__(self, settings: LiftOffSettings, *, fs_hz: float) -> None:
        if not (math.isfinite(fs_hz) and fs_hz > 0.0):
            raise ValueError("fs_hz must be > 0")
        self.settings = settings
        self.fs_hz = float(fs_hz)
        cutoff = min(settings.cutoff_hz, 0.45 * fs_hz)
        self._rate_lp = SosFilter.butterworth(order=2, cutoff_hz=cutoff, fs_hz=fs_hz)
        self.delay_s = math.sqrt(2.0) / (2.0 * math.pi * cutoff)
        """Delay of the rate low-pass for slow signals (2nd-order Butterworth: √2 / ωc)."""
        self._ring = RingBuffer(max(16, round(settings.history_s * fs_hz)), 3)
        self._settle_n = max(1, round(settings.settle_s * fs_hz))
        self._pre_n = round(settings.pre_s * fs_hz)
        self.phase = LiftPhase.REST
        self.completed: list[LiftOff] = []
        self._index = 0
        self._rest_deg: float | None = None
        self._sign = 1.0
        self._rep_start = 0
        self._floor_index = 0
        self._top = 0.0
        self._quiet_run = 0
        self._hold_since_s: float | None = None
        self._down_peak = 0.0

    def hold_elapsed_s(self, t_s: float) -> float:
        """Seconds the limb has been held at the top so far (0 outside a hold)."""
        if self.phase is not LiftPhase.HOLD or self._hold_since_s is None:
            return 0.0
        return max(0.0, t_s - self._hold_since_s)

    def update(
        self, *, t_s: FloatArray, angle_deg: FloatArray, rate_dps: FloatArray
    ) -> tuple[LiftOff, ...]:
        """Advance over one chunk; returns the lift-offs completed in it."""
        t = np.asarray(t_s, dtype=np.float64)
        a = np.asarray(angle_deg, dtype=np.float64)
        r = np.asarray(rate_dps, dtype=np.float64)
        if not (t.shape == a.shape == r.shape and t.ndim == 1):
            raise ValueError("t_s, angle_deg and rate_dps must be 1-D arrays of one length")
        if t.size == 0:
            return ()
        smooth = self._rate_lp.process(r)
        self._ring.extend(np.column_stack((t, a, smooth)))
        done: list[LiftOff] = []
        for i, (ti, ai, ri) in enumerate(zip(t.tolist(), a.tolist(), smooth.tolist(), strict=True)):
            found = self._step(self._index + i, ti, ai, ri)
            if found is not None:
                done.append(found)
        self._index += t.size
        self.completed.extend(done)
        return tuple(done)

    def _step(self, index: int, t: float, a: float, r: float) -> LiftOff | None:
        s = self.settings
        if math.isnan(a):
            return None
        quiet = abs(r) < s.quiet_dps
        self._quiet_run = self._quiet_run + 1 if quiet else 0
        if self.phase is LiftPhase.REST:
            if quiet or self._rest_deg is None:
                self._rest_deg = a if self._rest_deg is None or quiet else self._rest_deg
            if abs(a - self._rest_deg) >= s.min_lift_deg:
                self._sign = 1.0 if a > self._rest_deg else -1.0
                self._rep_start = max(self._floor_index, index - self._pre_n)
                self._top = abs(a - self._rest_deg)
                self.phase = LiftPhase.LIFT
            return None
        assert self._rest_deg is not None
        excursion = self._sign * (a - self._rest_deg)
        if self.phase in (LiftPhase.LIFT, LiftPhase.HOLD):
            self._top = max(self._top, excursion)
            if excursion < self._top - s.lower_drop_deg:
                self.phase, self._hold_since_s, self._down_peak = LiftPhase.LOWER, None, 0.0
            elif self._quiet_run >= self._settle_n and self.phase is LiftPhase.LIFT:
                self.phase, self._hold_since_s = LiftPhase.HOLD, t - s.settle_s
            elif not quiet and self._sign * r > 0.0:  # moving further out: still lifting
                self.phase, self._hold_since_s = LiftPhase.LIFT, None
            return None
        self._down_peak = max(self._down_peak, -self._sign * r)
        calm = max(s.speed_floor_dps, s.speed_fraction * self._down_peak)
        if abs(r) < calm or self._quiet_run >= 4 * self._settle_n:
            return self._finish(index)
        return None

    def _finish(self, index: int) -> LiftOff | None:
        back = self._ring.total_written - self._rep_start
        rows = self._ring.latest(back)[: index + 1 - self._rep_start]
        rest = self._rest_deg if self._rest_deg is not None else 0.0
        found = time_lift_off(
            t_s=rows[:, 0],
            angle_deg=rows[:, 1],
            rate_dps=rows[:, 2],
            rest_deg=rest,
            speed_fraction=self.settings.speed_fraction,
            speed_floor_dps=self.settings.speed_floor_dps,
            delay_s=self.delay_s,
        )
        self.phase = LiftPhase.REST
        self._rest_deg = float(rows[-1, 1])
        self._floor_index = index + 1
        return found
