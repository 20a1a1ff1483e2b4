"""Calibration as data: raw counts to newtons, tare, known-weight calibration, torque and N/kg.

A calibration is a frozen value that serialises to a plain dict (JSON) and back, so it can be
stored with every recording and reloaded.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.errors import CalibrationError
from isoforce.units import STANDARD_GRAVITY_M_S2

CALIBRATION_SCHEMA = 1
DEFAULT_TARE_MAX_SD_N = 2.0
#: A known weight may sway a little more than an empty cell (newtons of standard deviation).
LOADED_MAX_SD_N = 5.0


#: The source of the device's own scale (newtons as the sensor reports them, or its spec's
#: counts per newton), before any calibration in isoforce.
FACTORY_SOURCE = "factory"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Linear map from raw sensor values to force, plus optional lever arm and body mass.

    ``force_n = (raw - offset_raw) * n_per_raw``. For devices that already report newtons,
    ``n_per_raw`` is 1 and ``offset_raw`` is the tare.
    """

    n_per_raw: float = 1.0
    offset_raw: float = 0.0
    lever_arm_m: float | None = None
    body_mass_kg: float | None = None
    source: str = FACTORY_SOURCE

    def __post_init__(self) -> None:
        if not np.isfinite(self.n_per_raw) or self.n_per_raw == 0:
            raise CalibrationError(
                f"calibration scale must be finite and non-zero, got {self.n_per_raw}"
            )
        if self.lever_arm_m is not None and not 0 < self.lever_arm_m < 2:
            raise CalibrationError(f"lever arm must be between 0 and 2 m, got {self.lever_arm_m} m")
        if self.body_mass_kg is not None and not 10 <= self.body_mass_kg <= 400:
            raise CalibrationError(
                f"body mass must be between 10 and 400 kg, got {self.body_mass_kg} kg"
            )

    def force_n(self, raw: FloatArray) -> FloatArray:
        """Convert raw values to newtons."""
        return (raw - self.offset_raw) * self.n_per_raw

    def raw_for(self, force_n: float) -> float:
        """The raw value that reads as ``force_n`` (inverse of :meth:`force_n`)."""
        return force_n / self.n_per_raw + self.offset_raw

    def torque_nm(self, force_n: FloatArray) -> FloatArray:
        """Torque about the joint axis, τ = F·d (domain-science §2.6); needs ``lever_arm_m``."""
        if self.lever_arm_m is None:
            raise CalibrationError(
                "no lever arm set: measure from the rotation axis to the block centre"
            )
        return force_n * self.lever_arm_m

    def per_kg(self, value: FloatArray) -> FloatArray:
        """Normalise force (N/kg) or torque (N·m/kg) by body mass; needs ``body_mass_kg``."""
        if self.body_mass_kg is None:
            raise CalibrationError("no body mass set")
        return value / self.body_mass_kg

    def with_tare(self, offset_raw: float) -> Calibration:
        """The same calibration with a new zero."""
        return replace(self, offset_raw=float(offset_raw))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (with a schema number)."""
        return {"schema": CALIBRATION_SCHEMA, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """Rebuild from :meth:`to_dict` output; a newer schema or bad field is a CalibrationError."""
        schema = data.get("schema", CALIBRATION_SCHEMA)
        if schema != CALIBRATION_SCHEMA:
            raise CalibrationError(
                f"calibration schema {schema} is not supported (expected {CALIBRATION_SCHEMA})"
            )
        unknown = sorted(set(data) - {"schema", *cls.__dataclass_fields__})
        if unknown:
            raise CalibrationError(f"bad calibration data: unknown field {unknown[0]!r}")
        source = data.get("source", FACTORY_SOURCE)
        if not isinstance(source, str):
            raise CalibrationError("bad calibration data: 'source' must be text")
        optional = {
            key: None if data.get(key) is None else json_number(data[key], field=key)
            for key in ("lever_arm_m", "body_mass_kg")
        }
        return cls(
            n_per_raw=json_number(data.get("n_per_raw", 1.0), field="n_per_raw"),
            offset_raw=json_number(data.get("offset_raw", 0.0), field="offset_raw"),
            lever_arm_m=optional["lever_arm_m"],
            body_mass_kg=optional["body_mass_kg"],
            source=source,
        )


def json_number(value: object, *, field: str) -> float:
    """A value read from JSON as a finite float, or a :class:`CalibrationError` naming ``field``.

    Text, booleans, lists, null, NaN and infinities are refused here, so a hand-edited file
    never reaches numpy as the wrong type.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CalibrationError(f"bad calibration data: {field!r} must be a number, not {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise CalibrationError(f"bad calibration data: {field!r} must be finite, not {value!r}")
    return number


def tare_offset(
    *, raw: FloatArray, calibration: Calibration, max_sd_n: float = DEFAULT_TARE_MAX_SD_N
) -> float:
    """The raw zero to tare with: the mean of a quiet window.

    Refuses (``CalibrationError``) a window with fewer than 5 samples or whose standard deviation,
    in newtons, exceeds ``max_sd_n``: taring while someone pushes would shift every reading.
    """
    raw = raw[np.isfinite(raw)]
    if raw.shape[0] < 5:
        raise CalibrationError(
            "tare needs at least 5 samples; wait a moment with no load and try again"
        )
    sd_n = float(np.std(raw) * abs(calibration.n_per_raw))
    if sd_n > max_sd_n:
        raise CalibrationError(
            f"tare refused: the sensor is not quiet (SD {sd_n:.2f} N > {max_sd_n:.2f} N). "
            "Take all load off the block, keep still, and tare again."
        )
    return float(np.mean(raw))


def two_point(
    *, raw_a: float, force_a_n: float, raw_b: float, force_b_n: float, source: str = "two-point"
) -> Calibration:
    """Calibration from two (raw, known force) points, e.g. empty and a known weight."""
    if raw_a == raw_b:
        raise CalibrationError(
            "the two calibration points read the same raw value: is the load cell connected?"
        )
    if force_a_n == force_b_n:
        raise CalibrationError("the two calibration forces are equal: use two different loads")
    n_per_raw = (force_b_n - force_a_n) / (raw_b - raw_a)
    offset_raw = raw_a - force_a_n / n_per_raw
    return Calibration(n_per_raw=n_per_raw, offset_raw=offset_raw, source=source)


def known_weight(*, raw_empty: float, raw_loaded: float, mass_kg: float) -> Calibration:
    """Calibration from an empty reading and a reading with a known mass hanging/resting on the cell."""
    if mass_kg <= 0:
        raise CalibrationError(f"known mass must be positive, got {mass_kg} kg")
    return two_point(
        raw_a=raw_empty,
        force_a_n=0.0,
        raw_b=raw_loaded,
        force_b_n=mass_kg * STANDARD_GRAVITY_M_S2,
        source=f"known weight {mass_kg:g} kg",
    )


#: What a raw-count sensor streams with before it is calibrated: readings stay in counts.
UNCALIBRATED = Calibration(source="uncalibrated: raw counts")


def calibrate_with_weight(
    *, empty_raw: FloatArray, loaded_raw: FloatArray, mass_kg: float
) -> Calibration:
    """The calibration from a quiet empty window and a quiet window with ``mass_kg`` on the cell.

    Uses the means of the two windows (:func:`known_weight`) and then refuses either window if
    it was not quiet in the new newtons (the empty one as a tare, the loaded one a little
    looser): a reading taken while the weight still swung would scale every later force.
    """
    empty = empty_raw[np.isfinite(empty_raw)]
    loaded = loaded_raw[np.isfinite(loaded_raw)]
    for name, raw in (("empty", empty), ("loaded", loaded)):
        if raw.size < 5:
            raise CalibrationError(
                f"only {raw.size} samples while measuring {name}: is the device streaming?"
            )
    cal = known_weight(
        raw_empty=float(np.mean(empty)), raw_loaded=float(np.mean(loaded)), mass_kg=mass_kg
    )
    tare_offset(raw=empty, calibration=cal)
    tare_offset(raw=loaded, calibration=cal, max_sd_n=LOADED_MAX_SD_N)
    return cal


@dataclass(frozen=True, slots=True)
class CalibrationCheck:
    """A calibration checked against a known load: what it reads and what it should."""

    mass_kg: float
    reads_n: float

    @property
    def expected_n(self) -> float:
        """The known load's force (mass times standard gravity)."""
        return self.mass_kg * STANDARD_GRAVITY_M_S2

    @property
    def error_pct(self) -> float:
        """How far the reading is from the known load, in % of it."""
        return 100.0 * (self.reads_n - self.expected_n) / self.expected_n

    def text(self) -> str:
        """One line for the user."""
        return (
            f"{self.mass_kg:g} kg reads {self.reads_n:.1f} N, expected {self.expected_n:.1f} N "
            f"({self.error_pct:+.1f} %)"
        )


def check_with_weight(
    *, raw: FloatArray, calibration: Calibration, mass_kg: float
) -> CalibrationCheck:
    """Check ``calibration`` with a known mass on the cell: the mean force of a quiet window."""
    if not mass_kg > 0:
        raise CalibrationError(f"check mass must be positive, got {mass_kg} kg")
    tare_offset(raw=raw, calibration=calibration, max_sd_n=LOADED_MAX_SD_N)
    reads = float(np.mean(calibration.force_n(raw[np.isfinite(raw)])))
    return CalibrationCheck(mass_kg=mass_kg, reads_n=reads)
