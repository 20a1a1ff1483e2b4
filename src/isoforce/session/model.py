"""What a stored session is, as plain values: metadata, events, scores, maxima and sample arrays.

These types are shared by the store (SQLite), the recorder, the exporters and importers and the
history view. They hold no connection and do no I/O. Times of day are ISO 8601 text (local
time with its UTC offset for native sessions; without an offset when an imported file gave
none); session times (``t_s``) are seconds on the session's own timeline.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.core.samples import FloatArray
from isoforce.core.schema import FORCE_COLUMNS, IMU, IMU_COLUMNS, names

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
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

    @staticmethod
    def from_columns(name: str, columns: Mapping[str, NDArray[Any]]) -> ChannelData:
        """A channel from arrays keyed by the names of ``FORCE_COLUMNS`` (``t_s`` required).

        A column not given is filled with its "none" value (NaN, -1 for labels, 0 for counts).
        """
        n = np.asarray(columns["t_s"]).shape[0]
        return ChannelData(
            name,
            **{
                c.name: np.asarray(columns[c.name], dtype=c.dtype)
                if c.name in columns
                else np.full(n, c.none, dtype=c.dtype)
                for c in FORCE_COLUMNS
            },
        )

    def columns(self) -> dict[str, NDArray[Any]]:
        """The samples keyed by the names of ``FORCE_COLUMNS`` (the arrays themselves)."""
        return {name: getattr(self, name) for name in ARRAY_FIELDS}

    def part(self, start: int, stop: int) -> ChannelData:
        """Samples ``start`` to ``stop`` (views, no copy)."""
        return ChannelData(self.name, *(getattr(self, k)[start:stop] for k in ARRAY_FIELDS))

    @staticmethod
    def concat(parts: Sequence[ChannelData]) -> ChannelData:
        """The samples of ``parts`` (one channel) one after another (one copy per column)."""
        if len(parts) == 1:
            return parts[0]
        return ChannelData(
            parts[0].name,
            *(np.concatenate([getattr(p, k) for p in parts]) for k in ARRAY_FIELDS),
        )

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample (0 for fewer than two)."""
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0


#: The array fields of :class:`ChannelData`, in storage order: the force table's columns.
ARRAY_FIELDS = names(FORCE_COLUMNS)


#: The per-sample fields of :class:`ImuSamples`, in storage order.
IMU_FIELDS = (
    "t_s",
    "acc_g",
    "gyro_dps",
    "angle_deg",
    "still",
    "effort_est_pct",
    "effort_low_pct",
    "effort_high_pct",
)
_IMU_XYZ = ("acc_g", "gyro_dps")
#: The IMU table's column names (:data:`~isoforce.core.schema.IMU_COLUMNS`), in file order.
IMU_COLUMN_NAMES = names(IMU_COLUMNS)


def _xyz_names(field_name: str) -> tuple[str, str, str]:
    """The three column names of an ``(n, 3)`` IMU field (``acc_g`` → ``acc_x_g`` …)."""
    stem, unit = field_name.split("_", 1)
    x, y, z = (f"{stem}_{axis}_{unit}" for axis in "xyz")
    return x, y, z


@dataclass(frozen=True, slots=True, eq=False)
class ImuSamples:
    """IMU samples of a session as stored: raw sensor values and what isoforce derived from them.

    ``t_s`` is session time (the force channel's clock). ``acc_g`` (g) and ``gyro_dps`` (°/s)
    are ``(n, 3)`` arrays of the sensor's x, y, z axes. ``angle_deg`` is the hip rotation from
    the zero pose (internal rotation positive; NaN before the zero pose was set), ``still``
    whether the limb was still. ``effort_est_pct`` is the muscle-vibration effort *estimate*,
    ``effort_low_pct``/``effort_high_pct`` the edges of its band; all three NaN where the
    estimate was refused. The store keeps everything but ``t_s`` as float32.
    """

    t_s: FloatArray
    acc_g: FloatArray
    gyro_dps: FloatArray
    angle_deg: FloatArray
    still: BoolArray
    effort_est_pct: FloatArray
    effort_low_pct: FloatArray
    effort_high_pct: FloatArray

    def __post_init__(self) -> None:
        if self.t_s.ndim != 1:
            raise ValueError(f"IMU samples: t_s has shape {self.t_s.shape}, not (n,)")
        n = self.t_s.shape[0]
        for name in IMU_FIELDS:
            arr = getattr(self, name)
            want = (n, 3) if name in _IMU_XYZ else (n,)
            if arr.shape != want:
                raise ValueError(f"IMU samples: {name} has shape {arr.shape}, not {want}")
        if self.still.dtype != np.bool_:
            raise ValueError(f"IMU samples: still must be booleans, not {self.still.dtype}")

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @classmethod
    def empty(cls) -> ImuSamples:
        """No samples."""
        f = np.empty(0, dtype=np.float64)
        xyz = np.empty((0, 3), dtype=np.float64)
        return cls(f, xyz, xyz, f, np.empty(0, dtype=np.bool_), f, f, f)

    @classmethod
    def concat(cls, parts: Sequence[ImuSamples]) -> ImuSamples:
        """The samples of ``parts`` one after another (one array copy per field)."""
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in IMU_FIELDS))

    def part(self, start: int, stop: int) -> ImuSamples:
        """Samples ``start`` to ``stop`` (views, no copy)."""
        return ImuSamples(*(getattr(self, name)[start:stop] for name in IMU_FIELDS))

    def columns(self) -> dict[str, NDArray[Any]]:
        """The samples keyed by the names of ``IMU_COLUMNS`` (views, no copy).

        A field of shape ``(n, 3)`` gives the columns ``<stem>_x_<unit>``, ``_y_``, ``_z_``
        (``acc_g`` → ``acc_x_g``, ``acc_y_g``, ``acc_z_g``).
        """
        out: dict[str, NDArray[Any]] = {}
        for name in IMU_FIELDS:
            arr = getattr(self, name)
            if name in _IMU_XYZ:
                out.update((col, arr[:, k]) for k, col in enumerate(_xyz_names(name)))
            else:
                out[name] = arr
        return {name: out[name] for name in IMU_COLUMN_NAMES}

    @classmethod
    def from_columns(cls, columns: Mapping[str, NDArray[Any]]) -> ImuSamples:
        """Samples from arrays keyed by every name of ``IMU_COLUMNS`` (equal lengths)."""
        fields: list[NDArray[Any]] = []
        for name in IMU_FIELDS:
            if name in _IMU_XYZ:
                xyz = [np.asarray(columns[c], dtype=IMU[c].dtype) for c in _xyz_names(name)]
                fields.append(np.column_stack(xyz))
            else:
                fields.append(np.asarray(columns[name], dtype=IMU[name].dtype))
        return cls(*fields)

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample (0 for fewer than two)."""
        return float(self.t_s[-1] - self.t_s[0]) if len(self) > 1 else 0.0


#: Rotation directions of a range-of-motion record: internal and external rotation.
ROM_DIRECTIONS = ("ir", "er")


@dataclass(frozen=True, slots=True)
class RomRecord:
    """One active end-range angle measured by the IMU (range-of-motion assessment).

    ``angle_deg`` (> 0) is the furthest rotation reached in ``direction`` (``ir`` internal,
    ``er`` external) from the zero pose, for ``movement`` (e.g. ``hip-rotation``) on ``side``
    in ``position`` (e.g. ``90-90``), measured with the IMU on the ``placement`` (``shank`` or
    ``thigh``). ``detail`` keeps how it was found (e.g. per-rep angles), JSON-ready.
    """

    movement: str
    side: Side
    position: str
    direction: str
    angle_deg: float
    placement: str
    measured_at: str
    session_id: int | None = None
    source_drill: str = ""
    detail: JsonDict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.direction not in ROM_DIRECTIONS:
            raise ValueError(f"ROM direction must be 'ir' or 'er', got {self.direction!r}")
        if not (math.isfinite(self.angle_deg) and self.angle_deg > 0):
            raise ValueError(f"ROM angle must be a finite angle > 0 °, got {self.angle_deg}")


@dataclass(frozen=True, slots=True, eq=False)
class SessionRecord:
    """A whole session: metadata, results, events, gaps and every channel's samples.

    ``summary`` is the drill's pooled score and findings (JSON-ready), ``maxima`` the reference
    maxima the session measured, ``imu`` its IMU samples (None without an IMU) and ``rom`` the
    end-range angles it measured. ``session_id`` and ``imported_from`` are local to one store.
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
    imu: ImuSamples | None = None
    rom: tuple[RomRecord, ...] = ()

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
