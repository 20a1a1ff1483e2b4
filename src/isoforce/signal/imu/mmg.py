"""An effort *estimate* from muscle vibration (accelerometer mechanomyography, MMG).

What the estimate is, and is not (domain-science §4.2–4.4):

* the accelerometer is band-passed to the MMG band the sample rate allows (5 Hz up to 100 Hz,
  or 0.45 × the sample rate), and the RMS of its vector magnitude over ``window_s`` tracks
  motor-unit recruitment;
* that RMS only means something per person, per placement and per session: a calibration at
  rest, a moderate effort and a max effort *at the training angle*, taken this session
  (against the load cell when one is connected), maps it to % of max;
* best case, within a session and between 10 and 75 % of max, published per-subject models
  miss by about ±11–15 % of max (RMS) [I6]; above ~75 % the amplitude plateaus [I2][I5], so
  the estimate cannot tell 80 % from 100 %. Each estimate therefore carries a band (at least
  ``base_band_pct`` either side, open to 100 % on the plateau) and an activity level;
* it refuses, with a reason, when the sample rate is below 200 Hz (the band does not fit
  [I8]), when the limb is moving (motion artefacts share the 5–20 Hz band and no filter
  separates them [I12]), and before a calibration. It is never used to set a max.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray
from isoforce.errors import CalibrationError
from isoforce.signal.calibration import json_number
from isoforce.signal.filters import SosFilter, TrailingMean

MIN_FS_HZ = 200.0
"""Below this sample rate no effort estimate is made (domain-science §4.3)."""


class Refusal(enum.IntEnum):
    """Why there is no estimate for a sample (stored per sample as a small integer)."""

    NONE = 0
    LOW_RATE = 1
    MOVING = 2
    NOT_CALIBRATED = 3
    WARMING_UP = 4

    def message(self, *, fs_hz: float = 0.0) -> str:
        """A user-facing sentence (empty for ``NONE``)."""
        return {
            Refusal.NONE: "",
            Refusal.LOW_RATE: (
                f"no effort estimate: {fs_hz:g} Hz is too slow for muscle vibration "
                f"(needs ≥ {MIN_FS_HZ:g} Hz, 500 Hz or more preferred)"
            ),
            Refusal.MOVING: "no effort estimate while the limb moves: hold still",
            Refusal.NOT_CALIBRATED: (
                "no effort estimate yet: calibrate at rest, a moderate and a max effort first"
            ),
            Refusal.WARMING_UP: "no effort estimate yet: reading the muscle vibration",
        }[self]


class ActivityLevel(enum.Enum):
    """A coarse muscle activity level: what an IMU-only session can honestly show."""

    REST = "rest"
    LIGHT = "light"
    MODERATE = "moderate"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class MmgSettings:
    """Settings of the MMG meter and estimate; units are in the names.

    ``level_edges_pct`` split estimates into the four :class:`ActivityLevel` s.
    """

    band_low_hz: float = 5.0
    band_high_hz: float = 100.0
    filter_order: int = 4
    window_s: float = 1.0
    base_band_pct: float = 15.0
    plateau_pct: float = 75.0
    min_fs_hz: float = MIN_FS_HZ
    level_edges_pct: tuple[float, float, float] = (15.0, 40.0, 70.0)

    def __post_init__(self) -> None:
        if not 0.0 < self.band_low_hz < self.band_high_hz:
            raise ValueError("need 0 < band_low_hz < band_high_hz")
        if self.filter_order < 1 or self.window_s <= 0.0 or self.base_band_pct < 0.0:
            raise ValueError("filter_order >= 1, window_s > 0 and base_band_pct >= 0 required")
        if list(self.level_edges_pct) != sorted(self.level_edges_pct):
            raise ValueError("level_edges_pct must be increasing")

    def band_hz(self, *, fs_hz: float) -> tuple[float, float]:
        """The pass band used at this sample rate (top clipped to 0.45 × ``fs_hz``)."""
        return self.band_low_hz, min(self.band_high_hz, 0.45 * fs_hz)

    def level(self, effort_pct: float) -> ActivityLevel:
        """The activity level of an estimate."""
        edges = self.level_edges_pct
        levels = (ActivityLevel.REST, ActivityLevel.LIGHT, ActivityLevel.MODERATE)
        for edge, level in zip(edges, levels, strict=True):
            if effort_pct < edge:
                return level
        return ActivityLevel.HIGH


@dataclass(frozen=True, slots=True)
class MmgCalibration:
    """A session's map from MMG RMS (g) to effort (% of max): points, increasing in both.

    ``source`` says what the efforts were measured with: ``"nominal"`` (the user was asked for
    rest, ~50 % and max) or ``"load cell"`` (the cell's effort % during each point).
    """

    rms_g: tuple[float, ...]
    effort_pct: tuple[float, ...]
    source: str = "nominal"

    def __post_init__(self) -> None:
        if len(self.rms_g) != len(self.effort_pct) or len(self.rms_g) < 2:
            raise CalibrationError("an MMG calibration needs at least two points (rest and max)")
        if not all(math.isfinite(v) for v in (*self.rms_g, *self.effort_pct)):
            raise CalibrationError("MMG calibration points must be finite")
        if any(b <= a for a, b in zip(self.effort_pct, self.effort_pct[1:], strict=False)):
            raise CalibrationError("MMG calibration efforts must increase")
        if any(b <= a for a, b in zip(self.rms_g, self.rms_g[1:], strict=False)):
            raise CalibrationError(
                "muscle vibration did not rise with effort: check the strap and the placement, "
                "then calibrate again"
            )

    @classmethod
    def from_points(
        cls, points: list[tuple[float, float]] | tuple[tuple[float, float], ...], *, source: str
    ) -> MmgCalibration:
        """Build from ``(rms_g, effort_pct)`` pairs in any order (sorted by effort)."""
        ordered = sorted(points, key=lambda p: p[1])
        return cls(tuple(p[0] for p in ordered), tuple(p[1] for p in ordered), source)

    def effort_pct_of(self, rms_g: FloatArray) -> FloatArray:
        """Piecewise-linear effort % for RMS values, held flat beyond the end points."""
        return np.asarray(
            np.interp(rms_g, np.asarray(self.rms_g), np.asarray(self.effort_pct)),
            dtype=np.float64,
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "rms_g": list(self.rms_g),
            "effort_pct": list(self.effort_pct),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> MmgCalibration:
        """Inverse of :meth:`to_dict`."""
        rms = data.get("rms_g")
        eff = data.get("effort_pct")
        source = data.get("source", "nominal")
        if not isinstance(rms, list) or not isinstance(eff, list) or not isinstance(source, str):
            raise CalibrationError(
                "MMG calibration needs lists 'rms_g' and 'effort_pct' and a text 'source'"
            )
        return cls(
            tuple(json_number(v, field="rms_g") for v in rms),
            tuple(json_number(v, field="effort_pct") for v in eff),
            source,
        )


class MmgMeter:
    """Band-passed accelerometer → RMS of its vector magnitude over a trailing window.

    The filter state and the last window of squared samples carry over, so any chunking
    gives the same RMS (to rounding: window sums are running sums). NaN until the first full
    window.
    """

    def __init__(self, settings: MmgSettings, *, fs_hz: float) -> None:
        low, high = settings.band_hz(fs_hz=fs_hz)
        if not low < high:
            raise ValueError(f"no MMG band fits below {0.45 * fs_hz:g} Hz")
        self._band = SosFilter.butterworth(
            order=settings.filter_order,
            cutoff_hz=(low, high),
            fs_hz=fs_hz,
            btype="bandpass",
            channels=3,
            settle_on_first=False,
        )
        self.window = max(2, round(settings.window_s * fs_hz))
        self._power_mean = TrailingMean(self.window)
        self._first: FloatArray | None = None

    def update(self, *, acc_g: FloatArray) -> FloatArray:
        """RMS (g) per sample of one ``(n, 3)`` chunk."""
        acc = np.asarray(acc_g, dtype=np.float64)
        n = acc.shape[0]
        if n == 0:
            return np.empty(0)
        if self._first is None:  # start from rest at the first reading: no gravity step
            self._first = acc[0].copy()
        band = self._band.process(acc - self._first)
        power = np.einsum("ij,ij->i", band, band)
        return np.sqrt(np.maximum(self._power_mean(power), 0.0))


@dataclass(frozen=True, slots=True)
class EffortEstimate:
    """One effort estimate: a value with its band and level, or a refusal with its reason."""

    estimate_pct: float
    low_pct: float
    high_pct: float
    level: ActivityLevel | None
    refusal: Refusal
    reason: str = ""

    @property
    def available(self) -> bool:
        """Whether there is an estimate (not a refusal)."""
        return self.refusal is Refusal.NONE

    def label(self) -> str:
        """Text for a screen: the band first, never a bare number."""
        if not self.available or self.level is None:
            return self.reason
        return (
            f"{self.level.value} — est. {self.low_pct:.0f}–{self.high_pct:.0f} % "
            "(IMU estimate, not measured)"
        )


@dataclass(frozen=True, slots=True)
class MmgBlock:
    """Per-sample MMG output of one chunk (NaN estimates where refused, with the reason)."""

    rms_g: FloatArray
    estimate_pct: FloatArray
    low_pct: FloatArray
    high_pct: FloatArray
    refusal: NDArray[np.uint8]


class MmgEstimator:
    """Streams MMG RMS and, where allowed, the calibrated effort estimate with its band."""

    def __init__(
        self,
        settings: MmgSettings,
        *,
        fs_hz: float,
        calibration: MmgCalibration | None = None,
    ) -> None:
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self.calibration = calibration
        self.rate_ok = fs_hz >= settings.min_fs_hz
        self._meter = MmgMeter(settings, fs_hz=fs_hz) if self.rate_ok else None
        self.window = self._meter.window if self._meter else 1
        self._still_run = 0
        low, high = settings.band_hz(fs_hz=fs_hz)
        # relative SD of an RMS estimated from band-limited noise over the window
        self._rms_rel_sd = 1.0 / (2.0 * math.sqrt(max(high - low, 1.0) * settings.window_s))
        self.latest = EffortEstimate(
            math.nan,
            math.nan,
            math.nan,
            None,
            Refusal.NONE if self.rate_ok else Refusal.LOW_RATE,
            "" if self.rate_ok else Refusal.LOW_RATE.message(fs_hz=fs_hz),
        )

    def update(self, *, acc_g: FloatArray, still: NDArray[np.bool_]) -> MmgBlock:
        """One chunk of ``(n, 3)`` accelerometer samples and the stillness of each sample."""
        n = int(np.asarray(acc_g).shape[0])
        nan = np.full(n, np.nan)
        if self._meter is None:
            code = np.full(n, Refusal.LOW_RATE, dtype=np.uint8)
            block = MmgBlock(nan, nan.copy(), nan.copy(), nan.copy(), code)
        else:
            rms = self._meter.update(acc_g=acc_g)
            block = self._estimate(rms, self._still_window(np.asarray(still, dtype=bool)))
        if n:
            self.latest = self._at(block, n - 1)
        return block

    def _still_window(self, still: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """True where the whole RMS window was still (the run of still samples is long enough)."""
        idx = np.arange(still.size)
        last_moving = np.maximum.accumulate(np.where(still, -1, idx)) if still.size else idx
        run = np.where(last_moving < 0, self._still_run + idx + 1, idx - last_moving)
        if still.size:
            self._still_run = int(run[-1])
        return np.asarray(run >= self.window)

    def _estimate(self, rms: FloatArray, still: NDArray[np.bool_]) -> MmgBlock:
        n = rms.size
        code = np.full(n, Refusal.NONE, dtype=np.uint8)
        code[~still] = Refusal.MOVING
        if self.calibration is None:
            code[still] = Refusal.NOT_CALIBRATED
        code[~np.isfinite(rms)] = Refusal.WARMING_UP
        est = np.full(n, np.nan)
        low = est.copy()
        high = est.copy()
        ok = code == Refusal.NONE
        if self.calibration is not None and ok.any():
            cal = self.calibration
            x = rms[ok]
            value = cal.effort_pct_of(x)
            spread = cal.effort_pct_of(x * (1 + 2 * self._rms_rel_sd)) - cal.effort_pct_of(
                x * (1 - 2 * self._rms_rel_sd)
            )
            half = np.maximum(self.settings.base_band_pct, 0.5 * spread)
            est[ok] = value
            low[ok] = np.maximum(value - half, 0.0)
            top = np.minimum(value + half, cal.effort_pct[-1])
            high[ok] = np.where(value >= self.settings.plateau_pct, 100.0, top)
        return MmgBlock(rms, est, low, high, code)

    def _at(self, block: MmgBlock, i: int) -> EffortEstimate:
        code = Refusal(int(block.refusal[i]))
        if code is not Refusal.NONE:
            return EffortEstimate(
                math.nan, math.nan, math.nan, None, code, code.message(fs_hz=self.fs_hz)
            )
        value = float(block.estimate_pct[i])
        return EffortEstimate(
            value,
            float(block.low_pct[i]),
            float(block.high_pct[i]),
            self.settings.level(value),
            code,
        )
