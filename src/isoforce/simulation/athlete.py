"""A virtual athlete pushing into (or pulling on) a load cell.

Pure model: arrays in, arrays out, state carried in the object. No clock, no I/O.

Signal chain, per sample, for a signed target in % of the athlete's own max in that direction
(positive = push, % of ``push_max_n``; negative = pull, % of ``pull_max_n``):

1. **Reaction delay** — a delay line of ``reaction_delay_s`` (the line starts at rest, 0 %).
2. **Overshoot** — once the delayed target has stayed unchanged for 0.1 s after a change (a new
   plateau), the athlete overshoots with probability ``overshoot_probability`` by about
   ``overshoot_pct`` % of the smaller of the plateau and the size of the change (×0.5…1.5,
   drawn per event), in the direction of the change, as a smooth bump peaking ~0.2 s later.
   Relaxing to 0 % never overshoots into the other direction.
3. **Tracking bias** — the athlete aims at ``target × (1 + tracking_bias_pct / 100)``.
4. **Fatigue** — one capacity per direction, a fraction of the fresh max. While the intended
   effort in that direction exceeds ``fatigue_onset_pct`` it falls by ``fatigue_per_s`` per
   second (down to ``capacity_floor_fraction``); otherwise it recovers by ``recovery_per_s``
   per second up to 1. Intended force is capped at ``capacity × max`` of its direction.
   Fatigue is driven by the intended effort (the motor drive), not by the force achieved.
5. **Dynamics** — a second-order low-pass with time constant τ = ``response_time_s``
   (ωn = 1/τ) and ``damping`` ζ, discretised exactly for a held input (ZOH); ζ < 1 gives the
   small overshoot of a real step response (≈1.5 % at ζ = 0.8). Slow changes lag by ≈2ζτ
   on top of the reaction delay (≈0.39 s in all with the defaults).
6. **Physiological variability** — tremor (narrow-band noise centred on ``tremor_hz`` with a
   1.5 Hz bandwidth, so its frequency wanders around the centre; RMS ``tremor_fraction`` × |F|
   plus a 0.05 N floor; left out when ``tremor_hz`` ≥ 0.4 fs, where a sampling sensor would
   average it away) and slow force wobble below ~1.5 Hz (RMS ``steadiness_cv_pct`` % of |F|).
   The sum so far is :attr:`AthleteOutput.true_force_n`.
7. **Sensor** — leaky random-walk drift (``drift_n_per_sqrt_s``, 60 s leak) and white noise
   (``noise_n`` SD) give :attr:`AthleteOutput.force_n`, what a load cell reports.

Every noise source has its own generator spawned from the seed and draws one value per sample
in order, and every recursion is a filter with carried state, so output does not depend on how
the input is cut into chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from isoforce.core.samples import FloatArray
from isoforce.errors import ConfigError
from isoforce.signal.filters import SosFilter
from isoforce.simulation._dsp import (
    DelayLine,
    child_generators,
    sos_row,
    unit_noise_sos,
)

ATHLETE_FS_MIN_HZ = 10.0
ATHLETE_FS_MAX_HZ = 2000.0

_TREMOR_FLOOR_N = 0.05
_TREMOR_BANDWIDTH_HZ = 1.5
_TREMOR_MAX_FRACTION_OF_FS = 0.4
_WOBBLE_CUTOFF_HZ = 1.5
_DRIFT_LEAK_S = 60.0
_SETTLE_S = 0.1
_OVERSHOOT_PEAK_S = 0.2
_CHANGE_TOLERANCE_PCT = 1e-9
#: Chunks up to this many samples run on plain floats (see ``VirtualAthlete.step``).
SMALL_CHUNK = 64


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True, slots=True)
class AthleteSettings:
    """How a virtual athlete behaves; every field carries its unit in its name.

    ``tremor_fraction`` and ``steadiness_cv_pct`` are RMS values relative to the current
    |force|. ``tracking_bias_pct`` is relative (−10 aims at 45 % for a 50 % target).
    ``pain_threshold_pct`` is the push effort (% of ``push_max_n``) at which this athlete feels
    pinching; ``None`` means never.
    """

    push_max_n: float = 250.0
    pull_max_n: float = 170.0
    reaction_delay_s: float = 0.15
    response_time_s: float = 0.08
    damping: float = 0.8
    tremor_hz: float = 10.0
    tremor_fraction: float = 0.01
    noise_n: float = 0.4
    drift_n_per_sqrt_s: float = 0.05
    fatigue_per_s: float = 0.0025
    fatigue_onset_pct: float = 60.0
    recovery_per_s: float = 0.01
    overshoot_probability: float = 0.2
    overshoot_pct: float = 4.0
    pain_threshold_pct: float | None = None
    tracking_bias_pct: float = 0.0
    steadiness_cv_pct: float = 1.5
    capacity_floor_fraction: float = 0.3

    def __post_init__(self) -> None:
        _require(self.push_max_n > 0.0, "push_max_n must be > 0")
        _require(self.pull_max_n > 0.0, "pull_max_n must be > 0")
        _require(0.0 <= self.reaction_delay_s <= 1.0, "reaction_delay_s must be within 0..1 s")
        _require(0.005 <= self.response_time_s <= 2.0, "response_time_s must be within 0.005..2 s")
        _require(0.1 <= self.damping <= 3.0, "damping must be within 0.1..3")
        _require(self.tremor_hz > 0.0, "tremor_hz must be > 0")
        _require(0.0 <= self.tremor_fraction <= 0.2, "tremor_fraction must be within 0..0.2")
        _require(self.noise_n >= 0.0, "noise_n must be >= 0")
        _require(self.drift_n_per_sqrt_s >= 0.0, "drift_n_per_sqrt_s must be >= 0")
        _require(self.fatigue_per_s >= 0.0, "fatigue_per_s must be >= 0")
        _require(0.0 <= self.fatigue_onset_pct <= 100.0, "fatigue_onset_pct must be within 0..100")
        _require(self.recovery_per_s >= 0.0, "recovery_per_s must be >= 0")
        _require(
            0.0 <= self.overshoot_probability <= 1.0, "overshoot_probability must be within 0..1"
        )
        _require(0.0 <= self.overshoot_pct <= 50.0, "overshoot_pct must be within 0..50")
        _require(
            self.pain_threshold_pct is None or self.pain_threshold_pct > 0.0,
            "pain_threshold_pct must be > 0 or None",
        )
        _require(self.tracking_bias_pct > -100.0, "tracking_bias_pct must be > -100")
        _require(0.0 <= self.steadiness_cv_pct <= 20.0, "steadiness_cv_pct must be within 0..20")
        _require(
            0.0 < self.capacity_floor_fraction <= 1.0,
            "capacity_floor_fraction must be within (0, 1]",
        )
        values = [getattr(self, f.name) for f in fields(self)]
        _require(
            all(v is None or math.isfinite(v) for v in values), "settings must be finite numbers"
        )


@dataclass(frozen=True, slots=True)
class AthleteOutput:
    """One chunk of athlete output, one value per input sample.

    ``force_n`` is what the load cell reports (signed: push positive, pull negative), including
    sensor drift and noise. ``true_force_n`` is the force the athlete really produced (tremor
    and wobble included, no sensor drift or noise).
    """

    force_n: FloatArray
    true_force_n: FloatArray


class _Capacity:
    """One direction's capacity: linear loss while fatiguing, linear recovery otherwise.

    Each sample's value is computed from the start of its run (anchor + rate × samples since),
    never from the previous chunk's last value, so it is bit-identical however the stream is
    chunked. Runs change only where the fatigue flag flips (a few times per drill).
    """

    __slots__ = ("_anchor", "_fatiguing", "_floor", "_gain", "_loss", "_steps", "value")

    def __init__(self, settings: AthleteSettings, *, fs_hz: float) -> None:
        self._loss = -settings.fatigue_per_s / fs_hz
        self._gain = settings.recovery_per_s / fs_hz
        self._floor = settings.capacity_floor_fraction
        self._anchor = 1.0
        self._fatiguing = False
        self._steps = 0
        self.value = 1.0

    def __call__(self, fatiguing: NDArray[np.bool_]) -> FloatArray:
        """Capacity per sample for the next chunk of the fatigue flag."""
        n = int(fatiguing.shape[0])
        if n == 0:
            return np.empty(0)
        if self.value == 1.0 and not self._fatiguing and not fatiguing.any():
            self._steps += n  # fresh and resting: stays exactly 1
            return np.ones(n)
        out = np.empty(n)
        bounds = np.flatnonzero(np.diff(fatiguing)) + 1
        for lo, hi in zip(
            np.concatenate(([0], bounds)), np.concatenate((bounds, [n])), strict=True
        ):
            flag = bool(fatiguing[lo])
            if lo > 0 or flag != self._fatiguing:  # a new run starts here
                self._anchor, self._fatiguing, self._steps = self.value, flag, 0
            steps = self._steps + np.arange(1, hi - lo + 1, dtype=np.float64)
            rate = self._loss if flag else self._gain
            out[lo:hi] = np.clip(self._anchor + rate * steps, self._floor, 1.0)
            self._steps += int(hi - lo)
            self.value = float(out[hi - 1])
        return out

    def values(self, fatiguing: list[bool]) -> list[float]:
        """Same as calling the capacity, on plain values (one sample after the other)."""
        if self.value == 1.0 and not self._fatiguing and not any(fatiguing):
            self._steps += len(fatiguing)  # fresh and resting: stays exactly 1
            return [1.0] * len(fatiguing)
        out: list[float] = []
        floor = self._floor
        for flag in fatiguing:
            if flag != self._fatiguing:  # a new run starts here
                self._anchor, self._fatiguing, self._steps = self.value, flag, 0
            self._steps += 1
            value = self._anchor + (self._loss if flag else self._gain) * self._steps
            self.value = floor if value < floor else (1.0 if value > 1.0 else value)
            out.append(self.value)
        return out


class VirtualAthlete:
    """A human-like athlete following a signed target in % of their own max.

    ``step()`` takes consecutive chunks of the target, one value per sample at ``fs_hz``, and
    returns the force for the same samples. See the module docstring for the model.
    """

    def __init__(self, settings: AthleteSettings, *, fs_hz: float, seed: int) -> None:
        _require(
            ATHLETE_FS_MIN_HZ <= fs_hz <= ATHLETE_FS_MAX_HZ,
            f"fs_hz must be within {ATHLETE_FS_MIN_HZ:g}..{ATHLETE_FS_MAX_HZ:g} Hz",
        )
        self.settings = settings
        self.fs_hz = float(fs_hz)
        dt = 1.0 / self.fs_hz
        (
            self._rng_tremor,
            self._rng_wobble,
            self._rng_drift,
            self._rng_noise,
            self._rng_overshoot,
        ) = child_generators(seed, 5)

        self._delay = DelayLine(round(settings.reaction_delay_s * self.fs_hz))
        self._settle_samples = max(1, round(_SETTLE_S * self.fs_hz))
        # Overshoot bump: h[k] = (k dt / τ) e^(1 − k dt / τ), peak 1 at k dt = τ.
        r = math.exp(-dt / _OVERSHOOT_PEAK_S)
        self._bump = SosFilter(
            sos_row((0.0, r * math.e * dt / _OVERSHOOT_PEAK_S), (1.0, -2 * r, r * r))
        )
        wn = 1.0 / settings.response_time_s
        num, den, _ = signal.cont2discrete(
            ([wn * wn], [1.0, 2.0 * settings.damping * wn, wn * wn]), dt, method="zoh"
        )
        self._dynamics = SosFilter(sos_row(tuple(np.ravel(num)[-3:]), tuple(np.ravel(den))))
        self._tremor_on = settings.tremor_hz < _TREMOR_MAX_FRACTION_OF_FS * self.fs_hz
        if self._tremor_on:
            b, a = signal.iirpeak(
                settings.tremor_hz, settings.tremor_hz / _TREMOR_BANDWIDTH_HZ, fs=self.fs_hz
            )
            self._tremor = SosFilter(unit_noise_sos(sos_row(tuple(b), tuple(a)), fs_hz=self.fs_hz))
        wobble_sos = signal.butter(2, _WOBBLE_CUTOFF_HZ, fs=self.fs_hz, output="sos")
        self._wobble = SosFilter(unit_noise_sos(wobble_sos, fs_hz=self.fs_hz))
        leak = math.exp(-dt / _DRIFT_LEAK_S)
        step_n = settings.drift_n_per_sqrt_s * math.sqrt(dt)
        self._drift = SosFilter(sos_row((step_n,), (1.0, -leak)))

        self._samples_done = 0
        self._last_target_pct = 0.0
        self._last_change_index = -1
        self._last_change_sign = 0.0
        self._last_plateau_pct = 0.0
        self._push_capacity = _Capacity(settings, fs_hz=self.fs_hz)
        self._pull_capacity = _Capacity(settings, fs_hz=self.fs_hz)

    @property
    def push_capacity(self) -> float:
        """Current push capacity, a fraction of ``push_max_n`` (1.0 = fresh)."""
        return self._push_capacity.value

    @property
    def pull_capacity(self) -> float:
        """Current pull capacity, a fraction of ``pull_max_n`` (1.0 = fresh)."""
        return self._pull_capacity.value

    @property
    def samples_done(self) -> int:
        """How many samples ``step()`` has produced so far."""
        return self._samples_done

    @property
    def delay_samples(self) -> int:
        """The reaction delay in samples at this sample rate."""
        return round(self.settings.reaction_delay_s * self.fs_hz)

    def feels_pain(self, *, effort_pct: float) -> bool:
        """Whether this athlete feels pinching at a signed push effort (% of push max).

        True when a pain threshold is set and ``effort_pct`` reaches it; pulls (negative
        efforts) never reach a positive threshold.
        """
        threshold = self.settings.pain_threshold_pct
        return threshold is not None and effort_pct >= threshold

    def step(self, *, target_pct: FloatArray) -> AthleteOutput:
        """Produce the force for the next chunk of the signed target (% of own max).

        Chunks of up to :data:`SMALL_CHUNK` samples (a simulator paced one sample at a time)
        go through the same steps on plain floats (:meth:`_step_values`), where numpy's
        per-call cost would outweigh the work. Both ways give the same bits.
        """
        target = np.asarray(target_pct, dtype=np.float64)
        if target.ndim != 1:
            raise ValueError("target_pct must be a 1-D array")
        n = int(target.shape[0])
        if 0 < n <= SMALL_CHUNK:
            values = target.tolist()
            if not all(map(math.isfinite, values)):
                raise ValueError("target_pct must be finite")
            force, true = self._step_values(values)
            # lists of Python floats become float64 arrays (a dtype argument costs ~0.1 µs each)
            return AthleteOutput(force_n=np.array(force), true_force_n=np.array(true))
        if not np.all(np.isfinite(target)):
            raise ValueError("target_pct must be finite")
        s = self.settings
        delayed = self._delay(target)
        bump_pct = self._bump(self._overshoot_impulses(delayed))
        gain = 1.0 + s.tracking_bias_pct / 100.0
        aim_pct = delayed * gain
        push_cap = self._push_capacity(aim_pct > s.fatigue_onset_pct)
        pull_cap = self._pull_capacity(aim_pct < -s.fatigue_onset_pct)
        ref_pct = (delayed + bump_pct) * gain
        ref_n = np.where(ref_pct >= 0.0, ref_pct * s.push_max_n, ref_pct * s.pull_max_n) / 100.0
        ref_n = np.clip(ref_n, -pull_cap * s.pull_max_n, push_cap * s.push_max_n)
        smooth_n = self._dynamics(ref_n)
        magnitude_n = np.abs(smooth_n)
        tremor_unit = self._rng_tremor.standard_normal(n)
        true_n = smooth_n + (s.steadiness_cv_pct / 100.0) * magnitude_n * self._wobble(
            self._rng_wobble.standard_normal(n)
        )
        if self._tremor_on:
            true_n += (s.tremor_fraction * magnitude_n + _TREMOR_FLOOR_N) * self._tremor(
                tremor_unit
            )
        drift_n = self._drift(self._rng_drift.standard_normal(n))
        force_n = true_n + drift_n + s.noise_n * self._rng_noise.standard_normal(n)
        self._samples_done += n
        return AthleteOutput(force_n=force_n, true_force_n=true_n)

    def _step_values(self, target: list[float]) -> tuple[list[float], list[float]]:
        """:meth:`step` on plain floats: the same steps in the same order of operations.

        Returns ``(force_n, true_force_n)``. Every noise source draws its ``n`` values in one
        call as in :meth:`step`, and the filters run :meth:`SosFilter.process_values`, so the
        bits are those of the array path.
        """
        s = self.settings
        n = len(target)
        delayed = self._delay.values(target)
        bump_pct = self._bump.process_values(self._overshoot_values(delayed))
        gain = 1.0 + s.tracking_bias_pct / 100.0
        onset = s.fatigue_onset_pct
        aim_pct = [d * gain for d in delayed]
        push_cap = self._push_capacity.values([a > onset for a in aim_pct])
        pull_cap = self._pull_capacity.values([a < -onset for a in aim_pct])
        push_max, pull_max = s.push_max_n, s.pull_max_n
        ref_n: list[float] = []
        for d, b, push, pull in zip(delayed, bump_pct, push_cap, pull_cap, strict=True):
            ref_pct = (d + b) * gain
            f = (ref_pct * push_max if ref_pct >= 0.0 else ref_pct * pull_max) / 100.0
            lo, hi = -pull * pull_max, push * push_max
            ref_n.append(lo if f < lo else (hi if f > hi else f))
        smooth_n = self._dynamics.process_values(ref_n)
        tremor_unit = self._rng_tremor.standard_normal(n).tolist()
        wobble = self._wobble.process_values(self._rng_wobble.standard_normal(n).tolist())
        cv = s.steadiness_cv_pct / 100.0
        true_n = [y + cv * abs(y) * w for y, w in zip(smooth_n, wobble, strict=True)]
        if self._tremor_on:
            tremor = self._tremor.process_values(tremor_unit)
            fraction = s.tremor_fraction
            true_n = [
                t + (fraction * abs(y) + _TREMOR_FLOOR_N) * r
                for t, y, r in zip(true_n, smooth_n, tremor, strict=True)
            ]
        drift_n = self._drift.process_values(self._rng_drift.standard_normal(n).tolist())
        noise = self._rng_noise.standard_normal(n).tolist()
        noise_n = s.noise_n
        force_n = [t + d + noise_n * z for t, d, z in zip(true_n, drift_n, noise, strict=True)]
        self._samples_done += n
        return force_n, true_n

    def _overshoot_impulses(self, delayed: FloatArray) -> FloatArray:
        """Impulses (in % points) at the samples where a new plateau has settled."""
        n = delayed.shape[0]
        impulses = np.zeros(n)
        if n == 0:
            return impulses
        diff = np.diff(delayed, prepend=self._last_target_pct)
        changing = np.abs(diff) > _CHANGE_TOLERANCE_PCT
        index = self._samples_done + np.arange(n, dtype=np.int64)
        last_change = np.maximum.accumulate(np.where(changing, index, self._last_change_index))
        events = np.flatnonzero((last_change >= 0) & (index - last_change == self._settle_samples))
        for i in events:
            j = int(last_change[i] - self._samples_done)
            sign = float(np.sign(diff[j])) if j >= 0 else self._last_change_sign
            impulses[i] = self._overshoot(sign, float(delayed[i]))
        if changing.any():
            self._last_change_sign = float(np.sign(diff[np.flatnonzero(changing)[-1]]))
        self._last_change_index = int(last_change[-1])
        self._last_target_pct = float(delayed[-1])
        return impulses

    def _overshoot_values(self, delayed: list[float]) -> list[float]:
        """:meth:`_overshoot_impulses` on plain floats, one sample after the other."""
        impulses: list[float] = []
        last, change_at = self._last_target_pct, self._last_change_index
        sign, index, settle = self._last_change_sign, self._samples_done, self._settle_samples
        for plateau in delayed:
            diff = plateau - last
            if abs(diff) > _CHANGE_TOLERANCE_PCT:
                change_at, sign = index, (1.0 if diff > 0.0 else -1.0)
            settled = change_at >= 0 and index - change_at == settle
            impulses.append(self._overshoot(sign, plateau) if settled else 0.0)
            last = plateau
            index += 1
        self._last_target_pct, self._last_change_index = last, change_at
        self._last_change_sign = sign
        return impulses

    def _overshoot(self, sign: float, plateau: float) -> float:
        """The impulse (% points) where a plateau has settled after a change of ``sign``."""
        draw = self._rng_overshoot.random(2)
        size = min(abs(plateau - self._last_plateau_pct), abs(plateau))
        self._last_plateau_pct = plateau
        if draw[0] < self.settings.overshoot_probability:
            return float(sign * self.settings.overshoot_pct / 100.0 * size * (0.5 + draw[1]))
        return 0.0
