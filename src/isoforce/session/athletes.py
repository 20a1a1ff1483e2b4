"""Athletes: whose data a session, a maximum or a history belongs to, as plain values.

A coach or physio keeps several athletes in one store; a single user only ever has the
``default`` one and never needs to name it. Each athlete has a body mass, a lever arm per body
position (metres from the joint's axis to the block, so force becomes torque) and the choices
they last used (side, movement, position, device), which a run takes when no flag gives them.
Pure: no database here (the store's side is :mod:`isoforce.session._athletes`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.effort_key import Side
from isoforce.core.movements import check_slug
from isoforce.errors import AthleteNameError
from isoforce.session.model import ProfileInfo
from isoforce.signal.calibration import Calibration

#: The athlete of everyone who never names one.
DEFAULT_ATHLETE = "default"
#: The choices remembered per athlete (a device with its serial port or Bluetooth address).
REMEMBERED = ("device", "port", "address", "side", "movement", "position")
#: Lever arms a limb can have (the same bounds as a calibration's lever arm).
LEVER_ARM_LIMITS_M = (0.0, 2.0)
#: Body masses an athlete can have (the same bounds as a calibration's body mass).
BODY_MASS_LIMITS_KG = (10.0, 400.0)
MAX_NAME_CHARS = 60


def check_name(text: str) -> str:
    """``text`` stripped if it can name an athlete, else :class:`AthleteNameError`."""
    name = text.strip()
    if not name:
        raise AthleteNameError("an athlete needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise AthleteNameError(f"athlete names hold at most {MAX_NAME_CHARS} characters")
    if any(not ch.isprintable() for ch in name):
        raise AthleteNameError(f"athlete name {name!r}: control characters are not allowed")
    return name


def check_body_mass(kg: float) -> float:
    """``kg`` if a person can weigh it, else ``ValueError`` naming the range."""
    low, high = BODY_MASS_LIMITS_KG
    if not math.isfinite(kg) or not low <= kg <= high:
        raise ValueError(f"body mass must be {low:g}–{high:g} kg, got {kg:g}")
    return kg


def check_lever_arm(metres: float) -> float:
    """``metres`` if a limb can be that long, else ``ValueError`` naming the range."""
    low, high = LEVER_ARM_LIMITS_M
    if not math.isfinite(metres) or not low < metres < high:
        raise ValueError(f"lever arm must be above {low:g} and below {high:g} m, got {metres:g}")
    return metres


def parse_lever_arm(text: str) -> tuple[str, float]:
    """``("90-90", 0.35)`` from ``90-90=0.35``; ``ValueError`` in the user's words otherwise."""
    position, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"expected POSITION=METRES (e.g. 90-90=0.35), got {text!r}")
    slug = check_slug(position.strip().lower(), "position")
    try:
        metres = float(value)
    except ValueError:
        raise ValueError(f"lever arm for {slug}: not a number: {value!r}") from None
    return slug, check_lever_arm(metres)


@dataclass(frozen=True, slots=True)
class Athlete:
    """One athlete as stored: name, body mass, lever arm per position, remembered choices."""

    name: str
    body_mass_kg: float | None = None
    dominant_side: str | None = None
    lever_arms_m: Mapping[str, float] = field(default_factory=dict)
    remembered: Mapping[str, str] = field(default_factory=dict)
    created_at: str = ""
    sessions: int = 0

    @property
    def profile(self) -> ProfileInfo:
        """What a session records about its athlete."""
        return ProfileInfo(self.name, self.body_mass_kg, self.dominant_side)

    def lever_arm_m(self, position: str | None) -> float | None:
        """The lever arm at ``position``, if one was given."""
        return None if position is None else self.lever_arms_m.get(position)

    def remembered_side(self) -> Side | None:
        """The side last used, if any (a stored value that is not a side counts as none)."""
        value = self.remembered.get("side")
        return Side(value) if value in {s.value for s in Side} else None


@dataclass(frozen=True, slots=True)
class Chosen:
    """A value a run uses and whether it came from the athlete's remembered choices."""

    value: str | None
    remembered: bool = False

    def text(self) -> str:
        """``left (remembered)`` or ``left``."""
        return f"{self.value} (remembered)" if self.remembered else str(self.value)


def choose(given: str | None, athlete: Athlete | None, what: str) -> Chosen:
    """The value given on the command line, else the athlete's remembered one, else none."""
    if given is not None:
        return Chosen(given)
    value = None if athlete is None else athlete.remembered.get(what)
    if not value:  # "" is remembered for "the drill's own" (the TUI's choice)
        return Chosen(None)
    return Chosen(value, remembered=True)


@dataclass(frozen=True, slots=True)
class TorqueBasis:
    """What turns a force into a torque (and normalises it): lever arm and body mass, sourced."""

    athlete: str
    position: str
    lever_arm_m: float | None
    body_mass_kg: float | None

    def source(self) -> str:
        """E.g. ``lever arm 0.35 m at 90-90 from athlete anna, body mass 62 kg``."""
        parts = []
        if self.lever_arm_m is not None:
            parts.append(
                f"lever arm {self.lever_arm_m:g} m at {self.position} from athlete {self.athlete}"
            )
        if self.body_mass_kg is not None:
            parts.append(f"body mass {self.body_mass_kg:g} kg")
        return ", ".join(parts)


def torque_basis(athlete: Athlete, position: str | None) -> TorqueBasis | None:
    """The athlete's lever arm at ``position`` and body mass; None when no lever arm is known."""
    lever = athlete.lever_arm_m(position)
    if lever is None or position is None:
        return None
    return TorqueBasis(athlete.name, position, lever, athlete.body_mass_kg)


def lever_arms_text(lever_arms_m: Mapping[str, float]) -> str:
    """``90-90 0.35 m, supine-45 0.38 m`` (sorted), or ``—`` when none is known."""
    if not lever_arms_m:
        return "—"
    return ", ".join(f"{pos} {m:g} m" for pos, m in sorted(lever_arms_m.items()))


@dataclass(frozen=True, slots=True)
class Torque:
    """A force as torque about the joint (N·m) and per kg of body mass, with its basis."""

    force_n: float
    torque_nm: float
    per_kg: float | None
    basis: TorqueBasis

    def text(self) -> str:
        """``88.0 N·m, 1.42 N·m/kg (lever arm 0.35 m at 90-90 from athlete anna, …)``."""
        per_kg = f", {self.per_kg:.2f} N·m/kg" if self.per_kg is not None else ""
        return f"{self.torque_nm:.1f} N·m{per_kg} ({self.basis.source()})"


def torque_of(force_n: float, basis: TorqueBasis) -> Torque:
    """``force_n`` about the joint: τ = F·d, and τ / body mass when the mass is known.

    Uses the calibration's own torque and per-kg functions, so every torque in isoforce is
    computed one way.
    """
    cal = Calibration(n_per_raw=1.0, lever_arm_m=basis.lever_arm_m, body_mass_kg=basis.body_mass_kg)
    torque = cal.torque_nm(np.array([force_n], dtype=float))
    per_kg = float(cal.per_kg(torque)[0]) if basis.body_mass_kg is not None else None
    return Torque(force_n, float(torque[0]), per_kg, basis)


def torque_to_dict(torque: Torque | None) -> dict[str, float | str | None] | None:
    """JSON-ready form of a peak torque with its basis (None stays None)."""
    if torque is None:
        return None
    return {
        "peak_torque_nm": torque.torque_nm,
        "peak_torque_nm_per_kg": torque.per_kg,
        "lever_arm_m": torque.basis.lever_arm_m,
        "position": torque.basis.position,
        "body_mass_kg": torque.basis.body_mass_kg,
        "athlete": torque.basis.athlete,
    }
