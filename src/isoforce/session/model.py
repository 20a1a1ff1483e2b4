"""What a stored session is, as plain values: metadata, events, scores, maxima and sample arrays.

These types are shared by the store (SQLite), the recorder, the exporters and importers and the
history view. They hold no connection and do no I/O. Times of day are ISO 8601 text (local
time with its UTC offset for native sessions; without an offset when an imported file gave
none); session times (``t_s``) are seconds on the session's own timeline.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.core.samples import FloatArray

IntArray = NDArray[np.int64]
JsonDict = dict[str, Any]

#: Name of the force channel of a single-cell session (the CSV ``channel`` column).
DEFAULT_CHANNEL = "load"


class SessionStatus(enum.Enum):
    """Where a session is in its life.

    ``recording`` while samples arrive; ``complete`` once it ended normally (the duration was
    reached, the drill finished, the user stopped it, or an import finished); ``interrupted``
    when the recording process died (crash, SIGKILL, power loss, full disk) — everything up to
    the last commit is kept.
    """

    RECORDING = "recording"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"


class SessionKind(enum.Enum):
    """How a session came to be."""

    RECORD = "record"
    DRILL = "drill"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """The sensor a session was recorded with."""

    key: str
    title: str
    capabilities: str = ""
    serial: str = ""


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """The person a session belongs to."""

    name: str = "default"
    body_mass_kg: float | None = None
    dominant_side: str | None = None


@dataclass(frozen=True, slots=True)
class DrillInfo:
    """The drill a session ran: its name, what it trains, and its file text when known."""

    name: str
    title: str = ""
    source: str = ""
    toml: str | None = None


@dataclass(frozen=True, slots=True)
class Labels:
    """Names behind the per-sample codes: ``step`` indexes ``step_names``, ``phase`` ``phase_names``."""

    step_names: tuple[str, ...] = ()
    phase_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionMeta:
    """Everything about a session except its samples and what it produced.

    ``references`` are the maxima effort % was computed against, per kind (``pain_free``,
    ``mvic``) and direction (``push_max_n``, ``pull_max_n``). ``options`` are the settings the
    session ran with (rate, seed, speed …); ``source`` describes an imported file's origin
    (format, app header values). ``movement``, ``side`` and ``position`` key the maxima found.
    """

    uuid: str
    kind: SessionKind
    status: SessionStatus
    started_at: str
    device: DeviceInfo
    ended_at: str | None = None
    stopped_by: str = ""
    rate_hz: float | None = None
    options: JsonDict = field(default_factory=dict)
    calibration: JsonDict | None = None
    profile: ProfileInfo = ProfileInfo()
    drill: DrillInfo | None = None
    movement: str | None = None
    side: Side | None = None
    position: str | None = None
    references: dict[str, dict[str, float | None]] = field(default_factory=dict)
    labels: Labels = Labels()
    source: JsonDict = field(default_factory=dict)
    notes: str = ""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """Something that happened at session time ``t_s``: a drill event, pain, link change, note.

    ``kind`` is a drill :class:`~isoforce.drills.events.EventKind` value, ``link_lost``,
    ``link_restored``, ``link_gave_up`` or ``note``; ``data`` holds extra JSON-ready fields.
    """

    t_s: float
    kind: str
    step_index: int = -1
    text: str = ""
    value: float | None = None
    data: JsonDict | None = None


@dataclass(frozen=True, slots=True)
class GapRecord:
    """A stretch without samples because the device link was lost (never interpolated)."""

    start_t_s: float
    end_t_s: float | None = None
    samples_lost: int | None = None


@dataclass(frozen=True, slots=True)
class StepRecord:
    """The score of one drill step, with its metrics and per-rep scores as JSON-ready data."""

    step_index: int
    label: str
    kind: str
    direction: str | None
    started_t_s: float
    ended_t_s: float
    ended_by: str
    score: JsonDict


@dataclass(frozen=True, slots=True)
class ReferenceRecord:
    """A reference maximum measured at ``measured_at``, in newtons, for one movement key.

    ``detail`` keeps how it was found: ``trials_n`` (each trial's best 1 s mean, for the
    trial-to-trial variability), ``peak_n``, ``best_0_5s_n``, ``by_pain`` …
    """

    key: MovementKey
    kind: ReferenceKind
    value_n: float
    measured_at: str
    source_drill: str = ""
    session_id: int | None = None
    detail: JsonDict = field(default_factory=dict)

    @property
    def trials_n(self) -> tuple[float, ...]:
        """The per-trial values in newtons, if the measurement had several trials."""
        raw = self.detail.get("trials_n") or ()
        return tuple(float(v) for v in raw if v is not None)


@dataclass(frozen=True, slots=True, eq=False)
class ChannelData:
    """All samples of one channel, as equal-length arrays.

    ``step`` and ``phase`` index the session's :class:`Labels` (-1 = none), ``rep`` is the
    repeat pass (0 = none), ``lost_before`` counts samples the device numbered but that never
    arrived just before each sample (almost always 0).
    """

    name: str
    t_s: FloatArray
    t_host_s: FloatArray
    raw: FloatArray
    force_n: FloatArray
    effort_pct: FloatArray
    target_pct: FloatArray
    step: IntArray
    phase: IntArray
    rep: IntArray
    lost_before: IntArray

    def __post_init__(self) -> None:
        n = self.t_s.shape[0]
        for name in ARRAY_FIELDS:
            arr = getattr(self, name)
            if arr.shape != (n,):
                raise ValueError(f"channel {self.name!r}: {name} has shape {arr.shape}, not ({n},)")

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @staticmethod
    def empty(name: str = DEFAULT_CHANNEL) -> ChannelData:
        """A channel without samples."""
        f = np.empty(0, dtype=np.float64)
        i = np.empty(0, dtype=np.int64)
        return ChannelData(name, f, f, f, f, f, f, i, i, i, i)

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample (0 for fewer than two)."""
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0


#: The array fields of :class:`ChannelData`, in storage order.
ARRAY_FIELDS = (
    "t_s",
    "t_host_s",
    "raw",
    "force_n",
    "effort_pct",
    "target_pct",
    "step",
    "phase",
    "rep",
    "lost_before",
)


@dataclass(frozen=True, slots=True, eq=False)
class SessionRecord:
    """A whole session: metadata, results, events, gaps and every channel's samples.

    ``summary`` is the drill's pooled score and findings (JSON-ready), ``maxima`` the reference
    maxima the session measured. ``session_id`` and ``imported_from`` are local to one store.
    """

    meta: SessionMeta
    channels: tuple[ChannelData, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    summary: JsonDict | None = None
    events: tuple[EventRecord, ...] = ()
    gaps: tuple[GapRecord, ...] = ()
    maxima: tuple[ReferenceRecord, ...] = ()
    session_id: int | None = None
    imported_from: str | None = None

    @property
    def samples(self) -> int:
        """Samples over all channels."""
        return sum(len(c) for c in self.channels)

    @property
    def duration_s(self) -> float:
        """The longest channel's time span."""
        return max((c.duration_s for c in self.channels), default=0.0)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One line of the session list: what, when, how long, and whether it is complete."""

    id: int
    uuid: str
    kind: SessionKind
    status: SessionStatus
    started_at: str
    device: str
    drill: str | None
    movement: str | None
    side: Side | None
    position: str | None
    samples: int
    duration_s: float
    stopped_by: str
    imported_from: str | None = None

    @property
    def title(self) -> str:
        """A short description like ``tension-drill hip-ir left`` or ``record sim``."""
        what = self.drill or (
            "import" if self.kind is SessionKind.IMPORT else f"record {self.device}"
        )
        side = self.side.value if self.side is not None else ""
        return " ".join(p for p in (what, self.movement or "", side) if p)


def movement_key(
    movement: str, side: Side, direction: Direction, position: str | None
) -> MovementKey:
    """A :class:`MovementKey` with ``default`` for an unknown position."""
    return MovementKey(movement, side, direction, position or "default")
