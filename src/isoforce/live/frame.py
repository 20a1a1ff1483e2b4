"""What a live session hands its consumers: one immutable :class:`LiveFrame` per incoming block.

A frame holds the block's samples in the columns of :data:`isoforce.core.schema.FORCE_COLUMNS`
(force, effort %, target, step, phase, rep, losses) plus the display force, the IMU's samples
and what the IMU chain derived from them, the drill's state and events, and the link state.
Its arrays are read-only: consumers (the TUI, the CLI printers, the recorder, file writers,
tests) only read; nothing reaches back into the session. User commands (pain key, pause, skip,
tare) go to the session, whose answer arrives as the next frame (a frame with no samples when it
carries only events).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.core.samples import FloatArray
from isoforce.core.schema import FORCE_COLUMNS
from isoforce.devices.base import DecodeStats, DeviceMessage, DeviceSpec
from isoforce.drills.events import DrillEvent, DrillResult, EngineStatus
from isoforce.drills.imu_scores import ImuDrillSummary, ImuStepScore
from isoforce.drills.model import Drill
from isoforce.drills.phase_clock import PhaseClock
from isoforce.drills.plan import Phase, PlanStep
from isoforce.session.model import IMU_FIELDS, ImuSamples, Labels
from isoforce.session.references import ChosenReference
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.imu import ImuBlock, ImuView, LiftOff


class LinkState(enum.Enum):
    """The device link as the session sees it."""

    OK = "ok"
    LOST = "lost"
    GONE = "gone"
    FAILED = "failed"


class LinkChange(enum.Enum):
    """What happened to the link: lost (reconnecting), restored, or given up."""

    LOST = "lost"
    RESTORED = "restored"
    GAVE_UP = "gave_up"

    @property
    def state(self) -> LinkState:
        """The link state after this change."""
        return {
            LinkChange.LOST: LinkState.LOST,
            LinkChange.RESTORED: LinkState.OK,
            LinkChange.GAVE_UP: LinkState.GONE,
        }[self]


class DrillCommand(enum.Enum):
    """What a user's key asks of the drill (see ``LiveSession.command``)."""

    PAIN = "pain"
    """Pain or a pinch: the target drops below it and "better?" is asked (in a pain hold, it
    means "not better")."""
    BETTER = "better"
    """The answer "yes, better" in a pain hold: carry on at the level held."""
    NOT_BETTER = "not_better"
    """The answer "no, not better": the target drops again."""
    CRAMP = "cramp"
    """A cramp: release and rest, then carry on (no max changes)."""
    CHECK_PINCHING = "check_pinching"
    CHECK_CRAMPING = "check_cramping"
    CHECK_COMPENSATION = "check_compensation"
    """The checks after a phase (pinching? cramping? compensation felt?), one key each."""
    PAUSE = "pause"
    SKIP = "skip"
    """Skip the step; in a max test, skip one trial (the one running or coming next)."""
    AGREE_ABOVE_MAX = "agree_above_max"
    """The athlete agrees to the targets above their max this drill asks for (else capped)."""
    ABORT = "abort"


class LinkSource(enum.Enum):
    """Whose link changed: the session's device, or the IMU paired with it (``--imu``)."""

    DEVICE = "device"
    IMU = "imu"


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """A link changed at session time ``t_s`` (the last sample before the loss).

    ``source`` says whose: the session's device (its loss pauses the drill) or the paired IMU
    (its loss is marked and the session goes on without IMU samples until it is back).
    """

    change: LinkChange
    t_s: float
    detail: str = ""
    source: LinkSource = LinkSource.DEVICE

    def text(self) -> str:
        """What happened, in a sentence for the user."""
        if self.source is LinkSource.IMU:
            return {
                LinkChange.LOST: f"IMU lost at {self.t_s:.2f} s ({self.detail}); the session "
                "goes on without it while it reconnects",
                LinkChange.RESTORED: "IMU back; its samples continue",
                LinkChange.GAVE_UP: f"gave up waiting for the IMU ({self.detail}); the session "
                "goes on with force only",
            }[self.change]
        return {
            LinkChange.LOST: f"device lost at {self.t_s:.2f} s ({self.detail}); "
            "waiting for it to come back",
            LinkChange.RESTORED: "device back; recording continues",
            LinkChange.GAVE_UP: f"gave up waiting for the device ({self.detail})",
        }[self.change]

    @property
    def stored_kind(self) -> str:
        """The event kind this change is stored as (``link_lost``, ``imu_link_lost`` …)."""
        prefix = "imu_" if self.source is LinkSource.IMU else ""
        return f"{prefix}link_{self.change.value}"


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch with no samples: from the last sample before a loss to the first after it."""

    start_t_s: float
    end_t_s: float | None = None
    samples_lost: int | None = None


@dataclass(frozen=True, slots=True)
class DrillState:
    """The drill at the end of a frame: where it is, what it asks, and the current step's curve.

    ``target_t_s``/``target_curve_pct`` are the targets of the current step from its start to its
    end as the engine plans them now (they change only on a step change, a pain mark, a skip or
    a pause), so a screen can draw the target ahead of the athlete.
    """

    status: EngineStatus
    step: PlanStep | None
    next_step: PlanStep | None
    phase: Phase
    target_pct: float
    remaining_s: float
    step_start_s: float
    target_t_s: FloatArray
    target_curve_pct: FloatArray
    step_label: str = ""
    """The current step's label, from the targets it runs at (after pain, consent …)."""
    next_label: str = ""
    """The next step's label, from the targets it would run at now."""
    above_max_prompt: str = ""
    """While targets above the max are not agreed: which steps, in newtons where known."""
    clock: PhaseClock | None = None
    """The running phase, its own countdown and the count-in to the next effort."""
    leading_in: bool = False
    """The get-ready after a skip (or a pain hold or cramp rest in it) is running: it leads into
    ``next_step`` (see :attr:`~isoforce.drills.engine.DrillEngine.leading_in`)."""
    pain_lowered: bool = False
    """A pain hold that lowered a target is running (see
    :attr:`~isoforce.drills.engine.DrillEngine.pain_lowered`)."""

    @property
    def ended(self) -> bool:
        """Whether the drill has finished or was stopped."""
        return self.status in (EngineStatus.FINISHED, EngineStatus.ABORTED)


def _frozen(values: NDArray[Any]) -> NDArray[Any]:
    values.setflags(write=False)  # half the cost of ``values.flags.writeable = False``
    return values


#: The column names every frame carries.
_FORCE_NAMES = frozenset(c.name for c in FORCE_COLUMNS)


@dataclass(frozen=True, slots=True, eq=False)
class LiveFrame:
    """One block of a live session, processed; everything in it is read-only.

    ``columns`` maps every name of :data:`~isoforce.core.schema.FORCE_COLUMNS` to an array of
    ``n`` samples; ``display_force_n`` is the display low-pass of ``force_n`` (for the eyes only).
    ``labels`` names the step and phase codes. ``imu`` holds the block's IMU samples (raw and
    derived) for a device with an IMU. ``events`` are the drill events that happened with this
    block (or with a user command, in a frame with no samples).
    """

    index: int
    columns: Mapping[str, NDArray[np.generic]]
    display_force_n: FloatArray
    labels: Labels
    link: LinkState
    effort_message: str = ""
    imu: ImuSamples | None = None
    #: Everything the IMU chain derived from this block (muscle-vibration levels, lift-offs).
    imu_derived: ImuBlock | None = None
    imu_view: ImuView | None = None
    events: tuple[DrillEvent, ...] = ()
    #: The IMU's scores of steps that ended in this frame (devices with an IMU, in a drill).
    imu_step_scores: tuple[ImuStepScore, ...] = ()
    link_events: tuple[LinkEvent, ...] = ()
    drill: DrillState | None = None
    #: What the decoder refused so far, by reason (bad checksum, bad length, non-finite value,
    #: out of range), counts > 0 only: garbage is dropped and counted, never passed on.
    refused: tuple[tuple[str, int], ...] = ()

    def __len__(self) -> int:
        return int(self.columns["t_s"].shape[0])

    @property
    def t_s(self) -> FloatArray:
        """Session time of each sample (s)."""
        return self.columns["t_s"]  # type: ignore[return-value]

    @property
    def force_n(self) -> FloatArray:
        """Calibrated force (N), push positive."""
        return self.columns["force_n"]  # type: ignore[return-value]

    @property
    def effort_pct(self) -> FloatArray:
        """Signed effort % against the reference of the current direction (NaN: not measured)."""
        return self.columns["effort_pct"]  # type: ignore[return-value]

    @property
    def target_pct(self) -> FloatArray:
        """The drill's target per sample (NaN: none)."""
        return self.columns["target_pct"]  # type: ignore[return-value]

    @property
    def last_t_s(self) -> float:
        """Time of the last sample (NaN for a frame with no samples)."""
        t = self.t_s
        return float(t[-1]) if t.shape[0] else math.nan

    @staticmethod
    def build(
        *,
        index: int,
        columns: Mapping[str, NDArray[np.generic]],
        display_force_n: FloatArray,
        labels: Labels,
        link: LinkState,
        **rest: object,
    ) -> LiveFrame:
        """A frame whose arrays are made read-only (they are the session's, shared by all)."""
        if not _FORCE_NAMES.issubset(columns):
            missing = [c.name for c in FORCE_COLUMNS if c.name not in columns]
            raise ValueError(f"frame lacks columns {missing}")
        for values in columns.values():
            values.setflags(write=False)
        cols = MappingProxyType(dict(columns))
        imu = rest.get("imu")
        if isinstance(imu, ImuSamples):
            for name in IMU_FIELDS:
                _frozen(getattr(imu, name))
        return LiveFrame(
            index=index,
            columns=cols,
            display_force_n=_frozen(display_force_n),
            labels=labels,
            link=link,
            **rest,  # type: ignore[arg-type]
        )


def refused_text(refused: tuple[tuple[str, int], ...]) -> str:
    """What the decoder refused, in words (empty when nothing was)."""
    if not refused:
        return ""
    total = sum(n for _, n in refused)
    reasons = ", ".join(f"{reason} {n}" for reason, n in refused)
    return f"{total} bad frame{'s' if total != 1 else ''} dropped ({reasons})"


@dataclass(frozen=True, slots=True)
class SessionHeader:
    """What a session is, known before its first sample: device, references, drill, rate."""

    spec: DeviceSpec
    rate_hz: float
    calibration: Calibration
    references: Mapping[ReferenceKind, EffortReference]
    drill: Drill | None = None
    plan: tuple[PlanStep, ...] = ()
    imu_placement: str | None = None
    #: Where the references came from, one line each (shown before a drill starts).
    reference_lines: tuple[str, ...] = ()
    #: Every maximum the session may divide by, with its source (pain-free max and MVIC, push
    #: and pull); a front end names the one the running step uses.
    chosen: tuple[ChosenReference, ...] = ()
    #: The IMU paired with the force device (``--imu``), a second device on its own link.
    paired_imu: DeviceSpec | None = None

    def divides_by(self, kind: ReferenceKind, direction: Direction) -> ChosenReference | None:
        """The maximum effort % in ``direction`` against ``kind`` divides by (None: unknown)."""
        for c in self.chosen:
            if c.kind is kind and c.direction is direction:
                return c
        return None


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """How a session ended and what it produced (the last thing every consumer gets)."""

    stopped_by: str
    samples: int
    last_t_s: float
    interrupted: bool
    decode: DecodeStats
    messages: tuple[DeviceMessage, ...] = ()
    gaps: tuple[Gap, ...] = ()
    drill_result: DrillResult | None = None
    events: tuple[DrillEvent, ...] = ()
    imu_scores: Mapping[int, ImuStepScore] = field(default_factory=dict)
    imu_summary: ImuDrillSummary | None = None
    imu_view: ImuView | None = None
    #: Lift-offs the IMU saw over the whole session.
    lift_offs: tuple[LiftOff, ...] = ()
    error: str = ""
