"""Ground-truth scripts of motion and effort, for tests and the headless demo.

A :class:`MotionScript` is what a limb really did, sample by sample, with labels: feed its
``angle_deg`` and ``effort_pct`` into :class:`~isoforce.simulation.imu.VirtualImu` and compare a
detector's output with ``still`` and ``lift_off_hold``. Moves follow a minimum-jerk profile
(zero velocity and acceleration at both ends), the way slow controlled rotations look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray

DEMO_PERIOD_S = 34.0

# Illustrative effort levels (% of max) for the scripted motions.
_CARS_MOVE_EFFORT_PCT = 20.0
_CARS_END_RANGE_EFFORT_PCT = 30.0
_LIFT_OFF_EFFORT_PCT = 50.0


@dataclass(frozen=True, slots=True)
class MotionScript:
    """A scripted hip motion sampled at ``fs_hz``, with its ground-truth labels.

    ``angle_deg`` is the hip rotation from the zero pose (IR positive). ``still`` is True exactly
    where the script holds the angle constant (pauses, rests and holds) and False wherever it
    moves, including the slow first and last moments of a move. ``effort_pct`` is an
    illustrative effort magnitude for the IMU's muscle vibration. ``lift_off_hold`` lists the
    ``(start_s, end_s)`` of every hold at the top of a lift-off (empty for CARs).
    """

    fs_hz: float
    angle_deg: FloatArray
    still: NDArray[np.bool_]
    effort_pct: FloatArray
    lift_off_hold: tuple[tuple[float, float], ...]

    @property
    def t_s(self) -> FloatArray:
        """Time of each sample in seconds from the start of the script."""
        return np.arange(self.angle_deg.shape[0], dtype=np.float64) / self.fs_hz


@dataclass(frozen=True, slots=True)
class _Segment:
    duration_s: float
    start_deg: float
    end_deg: float
    effort_pct: float


def _min_jerk(u: FloatArray) -> FloatArray:
    return np.asarray(u**3 * (10.0 - 15.0 * u + 6.0 * u**2), dtype=np.float64)


def _render(
    segments: list[_Segment], *, fs_hz: float, duration_s: float
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray]:
    """Sample a list of segments; returns angle, still, effort and each segment's start time."""
    if not 1.0 <= fs_hz <= 10_000.0:
        raise ValueError("fs_hz must be within 1..10000 Hz")
    durations = np.array([s.duration_s for s in segments])
    starts = np.concatenate(([0.0], np.cumsum(durations)[:-1]))
    t = np.arange(round(duration_s * fs_hz), dtype=np.float64) / fs_hz
    index = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(segments) - 1)
    begin = np.array([s.start_deg for s in segments])[index]
    end = np.array([s.end_deg for s in segments])[index]
    u = np.clip((t - starts[index]) / durations[index], 0.0, 1.0)
    angle = begin + (end - begin) * _min_jerk(u)
    still = begin == end
    effort = np.array([s.effort_pct for s in segments])[index]
    return angle, still, effort, starts


def cars_sequence(
    *,
    fs_hz: float,
    duration_s: float = 60.0,
    ir_end_deg: float = 35.0,
    er_end_deg: float = -40.0,
    seed: int = 0,
) -> MotionScript:
    """Script controlled articular rotations (CARs): slow sweeps between the end ranges.

    Starts still at 0° (1.5–2.5 s), moves to ``ir_end_deg``, pauses, moves to ``er_end_deg``,
    pauses, and so on until ``duration_s`` (the last segment may be cut short). Pauses last
    1.5–2.5 s; sweeps run at an average 9–13 °/s; both are drawn from ``seed``. End ranges are
    reached exactly.
    """
    if not ir_end_deg > 0.0 > er_end_deg:
        raise ValueError("ir_end_deg must be > 0 and er_end_deg < 0")
    if duration_s <= 0.0:
        raise ValueError("duration_s must be > 0")
    rng = np.random.Generator(np.random.PCG64(seed))
    segments = [_Segment(float(rng.uniform(1.5, 2.5)), 0.0, 0.0, 0.0)]
    total = segments[0].duration_s
    here, goal = 0.0, ir_end_deg
    while total < duration_s:
        move_s = abs(goal - here) / float(rng.uniform(9.0, 13.0))
        pause_s = float(rng.uniform(1.5, 2.5))
        segments.append(_Segment(move_s, here, goal, _CARS_MOVE_EFFORT_PCT))
        segments.append(_Segment(pause_s, goal, goal, _CARS_END_RANGE_EFFORT_PCT))
        total += move_s + pause_s
        here, goal = goal, (er_end_deg if goal == ir_end_deg else ir_end_deg)
    angle, still, effort, _ = _render(segments, fs_hz=fs_hz, duration_s=duration_s)
    return MotionScript(fs_hz, angle, still, effort, ())


def lift_off_sequence(
    *,
    fs_hz: float,
    count: int = 3,
    hold_last_s: float = 5.0,
    end_range_deg: float = 30.0,
    lift_deg: float = 10.0,
) -> MotionScript:
    """Lift-offs from a passive position to the active end range (step 8 of the hip sequence).

    Rests still 2 s at ``end_range_deg`` minus ``lift_deg`` (towards 0°), then ``count`` times:
    lift over 1.5 s to ``end_range_deg``, hold (1 s, the last one ``hold_last_s``), lower over
    1.5 s, rest 2 s. ``lift_off_hold`` holds the interval of every top hold, in order.
    """
    if count < 1:
        raise ValueError("count must be >= 1")
    if hold_last_s <= 0.0 or lift_deg <= 0.0:
        raise ValueError("hold_last_s and lift_deg must be > 0")
    rest_deg = end_range_deg - float(np.copysign(lift_deg, end_range_deg))
    segments = [_Segment(2.0, rest_deg, rest_deg, 0.0)]
    for rep in range(count):
        hold_s = hold_last_s if rep == count - 1 else 1.0
        segments += [
            _Segment(1.5, rest_deg, end_range_deg, _LIFT_OFF_EFFORT_PCT),
            _Segment(hold_s, end_range_deg, end_range_deg, _LIFT_OFF_EFFORT_PCT),
            _Segment(1.5, end_range_deg, rest_deg, _LIFT_OFF_EFFORT_PCT),
            _Segment(2.0, rest_deg, rest_deg, 0.0),
        ]
    duration_s = sum(s.duration_s for s in segments)
    angle, still, effort, starts = _render(segments, fs_hz=fs_hz, duration_s=duration_s)
    holds = tuple(
        (float(starts[i]), float(starts[i] + segments[i].duration_s))
        for i in range(2, len(segments), 4)
    )
    return MotionScript(fs_hz, angle, still, effort, holds)


def demo_effort_profile(*, t_s: FloatArray | float) -> FloatArray:
    """Signed target (% of max) for the headless demo, periodic in time (34 s per cycle).

    One cycle: rest 2 s; push ramp 0 → 50 % at 5 %/s (10 s); hold 50 % for 8 s; release to 0
    over 2 s; rest 3 s; pull hold −40 % for 6 s; rest 3 s. A pure function of ``t_s``.
    """
    phase = np.mod(np.asarray(t_s, dtype=np.float64), DEMO_PERIOD_S)
    conditions = [
        phase < 2.0,
        phase < 12.0,
        phase < 20.0,
        phase < 22.0,
        phase < 25.0,
        phase < 31.0,
    ]
    choices = [
        np.zeros_like(phase),
        5.0 * (phase - 2.0),
        np.full_like(phase, 50.0),
        50.0 - 25.0 * (phase - 20.0),
        np.zeros_like(phase),
        np.full_like(phase, -40.0),
    ]
    return np.asarray(np.select(conditions, choices, default=0.0), dtype=np.float64)


def demo_angle_profile(*, t_s: FloatArray) -> FloatArray:
    """Hip rotation for the IMU demo, periodic with :func:`demo_effort_profile` (34 s).

    Still at 0° through the rest, push ramp, hold and release (0–22 s: an isometric push does
    not move the limb); a controlled rotation to 30° of internal rotation during the rest
    (22–25 s); still there through the pull hold (25–31 s); back to 0° (31–34 s). A pure
    function of ``t_s``.
    """
    phase = np.mod(np.asarray(t_s, dtype=np.float64), DEMO_PERIOD_S)
    out_u = np.clip((phase - 22.0) / 3.0, 0.0, 1.0)
    back_u = np.clip((phase - 31.0) / 3.0, 0.0, 1.0)
    return np.asarray(30.0 * (_min_jerk(out_u) - _min_jerk(back_u)), dtype=np.float64)


#: The simulated push free mode asks for: ramp up, hold, ramp down (seconds) and its height.
PUSH_PULSE_RAMP_S = 1.0
PUSH_PULSE_HOLD_S = 3.0
PUSH_PULSE_PCT = 60.0


def push_pulse_profile(
    *, t_s: FloatArray | float, start_s: float, peak_pct: float = PUSH_PULSE_PCT
) -> FloatArray:
    """One push asked of the simulated athlete at ``start_s``: 1 s up, 3 s hold, 1 s down.

    Target in % of the athlete's max; zero (rest) before and after. A pure function of ``t_s``.
    """
    rel = np.asarray(t_s, dtype=np.float64) - start_s
    up = np.clip(rel / PUSH_PULSE_RAMP_S, 0.0, 1.0)
    down = np.clip((PUSH_PULSE_RAMP_S * 2 + PUSH_PULSE_HOLD_S - rel) / PUSH_PULSE_RAMP_S, 0.0, 1.0)
    return np.asarray(peak_pct * np.minimum(up, down), dtype=np.float64)
