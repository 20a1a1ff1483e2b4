"""What the screens show, read from a running session: a plain snapshot, no drawing, no logic.

The controller fills a :class:`LiveView` from the ring buffer and the drill engine at the UI's
frame rate; widgets only draw it. Nothing here computes metrics or drill logic.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.drills.segments import Phase
from isoforce.signal.imu import ImuView


class BandState(enum.Enum):
    """Where the effort is relative to the target band, in words and a shape (not only colour)."""

    NONE = ("", "·")
    UNDER = ("UNDER — more", "▲")
    IN = ("IN BAND", "●")
    OVER = ("OVER — ease off", "▼")
    NOT_MEASURED = ("NOT MEASURED", "?")

    @property
    def label(self) -> str:
        """The word shown next to the gauge."""
        return self.value[0]

    @property
    def shape(self) -> str:
        """The symbol shown next to the word."""
        return self.value[1]


def band_state(*, effort_pct: float, target_pct: float, band_pct: float) -> BandState:
    """Classify effort against a target band (magnitudes, so pull targets work the same)."""
    if math.isnan(band_pct):
        return BandState.NONE
    if math.isnan(effort_pct):
        return BandState.NOT_MEASURED
    err = abs(effort_pct) - abs(target_pct)
    if abs(err) <= band_pct:
        return BandState.IN
    return BandState.UNDER if err < 0 else BandState.OVER


_PHASE_WORDS = {
    Phase.PENDING: "GET READY",
    Phase.READY: "GET READY",
    Phase.PASSIVE: "RELAX",
    Phase.BREATH: "BREATHE",
    Phase.RELEASE: "RELEASE",
    Phase.REST: "REST",
    Phase.LIFT: "LIFT",
    Phase.LOWER: "LOWER",
    Phase.LIFT_HOLD: "HOLD UP",
    Phase.ROTATE_IN: "ROTATE IN",
    Phase.ROTATE_OUT: "ROTATE OUT",
    Phase.RETURN: "BACK TO START",
    Phase.PAIN_REST: "RELAX",
    Phase.PAIN_HOLD: "EASED OFF — HOLD",
    Phase.CRAMP_REST: "REST",
    Phase.PAUSED: "PAUSED",
    Phase.DONE: "DONE",
}
_REP_NUMBERS = re.compile(r"(\d+)/(\d+)")


def phase_word(phase: Phase | None, direction: str) -> str:
    """The phase in one or two words a glance can read (``PUSH``, ``HOLD · PULL``, ``REST``)."""
    if phase is None:
        return ""
    if phase in (Phase.RAMP, Phase.STAIR, Phase.EFFORT):
        return direction.upper() or "PUSH"
    if phase is Phase.HOLD:
        return f"HOLD · {direction.upper()}" if direction else "HOLD"
    return _PHASE_WORDS[phase]


@functools.lru_cache(maxsize=64)
def rep_words(label: str) -> str:
    """A rep label read aloud: ``trial 2/3`` → ``trial 2 of 3`` (a drill has a few: kept)."""
    return _REP_NUMBERS.sub(r"\1 of \2", label)


#: The chart's note when no reference is known (it plots newtons only).
NO_REFERENCE = "no reference: % not shown"
#: The chart's note in a step that asks for no force (relax, passive): newtons only.
NO_DIRECTION = "no push or pull in this step: newtons"
#: The chart's note in a step that measures the max it would divide by: newtons only.
MEASURING = "no max yet: this step measures it, newtons"


@dataclass(frozen=True, slots=True)
class Curve:
    """Effort and target over a time window, for the plot (x in session seconds)."""

    t_s: FloatArray = field(default_factory=lambda: np.empty(0))
    effort_pct: FloatArray = field(default_factory=lambda: np.empty(0))
    target_t_s: FloatArray = field(default_factory=lambda: np.empty(0))
    target_pct: FloatArray = field(default_factory=lambda: np.empty(0))
    band_pct: float = float("nan")
    t_start_s: float = 0.0
    t_end_s: float = 10.0
    #: Force of each sample of ``t_s`` (the display low-pass, newtons).
    force_n: FloatArray = field(default_factory=lambda: np.empty(0))
    #: What 100 % is in newtons (NaN: no reference: the chart plots newtons only).
    reference_n: float = float("nan")
    #: Its name for the chart's % axis, e.g. ``push pain-free max 150 N``.
    reference_label: str = ""
    #: Why the chart is in newtons only when ``reference_n`` is NaN.
    newtons_only_why: str = NO_REFERENCE
    #: Where the time axis' zero is (the step's start; the newest sample in free mode).
    t_origin_s: float = 0.0
    #: The previous trial of the same kind: time from its start and effort % (empty: none).
    previous_t_s: FloatArray = field(default_factory=lambda: np.empty(0))
    previous_pct: FloatArray = field(default_factory=lambda: np.empty(0))
    #: +1 push, -1 pull: effort in the step's direction is drawn up, the other way is clipped
    #: at 0 (NaN: magnitudes, as in free mode).
    sign: float = float("nan")


@dataclass(frozen=True, slots=True)
class Reading:
    """The numbers that move every frame: a frame that draws only these needs no more.

    :class:`LiveView` holds the same values (built by the same function); the player and free
    mode draw their gauge from a reading in most frames and take a whole view a few times a
    second.
    """

    t_s: float = 0.0
    effort_pct: float = float("nan")
    target_pct: float = float("nan")
    band_pct: float = float("nan")
    state: BandState = BandState.NONE
    #: The 3-2-1 before an effort (0: none now).
    count_in: int = 0


@dataclass(frozen=True, slots=True)
class LiveView:
    """Everything a screen needs for one frame."""

    t_s: float = 0.0
    effort_pct: float = float("nan")
    force_n: float = float("nan")
    target_pct: float = float("nan")
    band_pct: float = float("nan")
    state: BandState = BandState.NONE
    direction: str = ""
    phase: Phase | None = None
    """The drill's phase (``None`` without a drill)."""
    instruction: str = "Waiting for samples…"
    step_label: str = ""
    step_number: int = 0
    steps_total: int = 0
    remaining_s: float = float("nan")
    """Seconds left in the step (NaN: no step has started: none runs, or it is being led into)."""
    next_label: str = ""
    above_max_prompt: str = ""
    """While targets above the max are not agreed: which, and the key that agrees."""
    status: str = "pending"
    link: str = "ok"
    #: What the sensor's decoder dropped as garbage so far (empty when nothing).
    refused: str = ""
    not_measured: str = ""
    #: What effort % divides by now: which maximum, its newtons and where it came from.
    divides_by: str = ""
    #: ``N`` while the step measures a max nothing gave yet (effort reads in newtons, never a
    #: % of a stand-in); ``%`` otherwise.
    effort_unit: str = "%"
    peak_pct: float = float("nan")
    mean_pct: float = float("nan")
    rate_hz: float = float("nan")
    curve: Curve = field(default_factory=Curve)
    #: What the IMU says (angle, stillness, effort *estimate* band), when the session has one.
    imu: ImuView | None = None
    #: The phase in words (``GET READY``, ``PUSH``, ``HOLD · PULL``, ``REST`` …; empty: none).
    phase_word: str = ""
    #: Seconds left in the running phase (NaN: no drill); the step's are ``remaining_s``.
    phase_remaining_s: float = float("nan")
    #: The running rep in words (``trial 2 of 3``; empty: none).
    rep: str = ""
    #: What comes next when it is an effort (``next: trial 2 of 3``; empty: none soon).
    coming: str = ""
    #: The count-in before an effort: 3, 2, 1, or 0 when none runs.
    count_in: int = 0
    #: What the count-in leads to (``PUSH``, ``PULL``, ``LIFT``).
    count_in_word: str = ""
    #: The step moves the leg (range of motion, lift-offs): the angle is the big number.
    angle_first: bool = False
    #: The step asks the leg to stay still (isometric or relaxed): only then "hold still".
    still_asked: bool = True
    #: The step counts lift-offs (or no drill runs): only then the lift-off hold is shown.
    lift_offs_asked: bool = True
