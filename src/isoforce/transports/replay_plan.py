"""What a replay needs, built from a stored session record handed in (no store access here).

:func:`replay_plan` turns a :class:`~isoforce.session.model.SessionRecord` into a
:class:`ReplayPlan`: the samples to send as isoforce frames (:class:`ReplaySource`, every
channel: the force channel and the IMU's accelerometer and gyro), the device the replay
pretends to be, the calibration, the reference maxima by kind, the drill the session ran, the
recorded pain-key presses and the link drops. It is pure: whoever holds the record (the store,
an importer, a test) builds the plan, and :class:`~isoforce.transports.replay.ReplayTransport`
streams it.

Force and IMU samples are put on one time axis. Where they share a timestamp (a load cell and
an IMU in one device, as ``sim-dual`` records them) one frame carries both; where they do not
(separate sensors) each frame carries the channels that have a sample at its time, so the
decoder yields blocks whose channel set says which sensor spoke. Integer raw counts replay
exactly through the frame's ``load_raw`` channel; other force (e.g. imported kilograms) goes
through ``force_n`` (1 mN steps). The IMU's acc (1 µg steps) and gyro (0.001 °/s steps) come
back as they were decoded live: the store keeps them as float32, which is finer than a step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Capabilities, ReferenceKind
from isoforce.core.samples import FloatArray
from isoforce.devices.base import DeviceKind, DeviceSpec
from isoforce.drills.events import EventKind
from isoforce.errors import ConfigError
from isoforce.session.model import BoolArray, ChannelData, DrillInfo, ImuSamples, SessionRecord
from isoforce.signal.calibration import Calibration
from isoforce.signal.effort import EffortReference
from isoforce.signal.imu import ACC_CHANNELS, GYRO_CHANNELS

#: The frame channels an IMU sample goes out on: accelerometer (g), then gyro (°/s).
IMU_FRAME_CHANNELS = (*ACC_CHANNELS, *GYRO_CHANNELS)
_INT32 = 2**31 - 1
_FALLBACK_RATE_HZ = 80.0


@dataclass(frozen=True, slots=True, eq=False)
class ReplaySource:
    """What to send: sample times (s), one value column per frame channel, and the losses.

    ``lost_before[i]`` samples were lost just before sample ``i``; ``link_gaps`` are the
    ``(last sample before, first sample after)`` times of each link drop. ``present[i, j]``
    says whether sample ``i`` carries channel ``j`` (None: every sample carries every
    channel); every sample carries at least one, and absent values are never sent.
    """

    t_s: FloatArray
    values: FloatArray
    channels: tuple[str, ...]
    lost_before: NDArray[np.int64]
    link_gaps: tuple[tuple[float, float], ...] = ()
    present: BoolArray | None = None

    def __post_init__(self) -> None:
        n = self.t_s.shape[0]
        if self.values.shape != (n, len(self.channels)) or self.lost_before.shape != (n,):
            raise ConfigError("replay source arrays do not match")
        if self.present is not None:
            if self.present.shape != self.values.shape:
                raise ConfigError("replay source presence does not match its values")
            if n and not self.present.any(axis=1).all():
                raise ConfigError("every replayed sample needs at least one channel")
        if n > 1 and not np.all(np.diff(self.t_s) > 0):
            raise ConfigError("replay source times must increase")

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def carries(self, channel: str) -> bool:
        """Whether any sample carries ``channel``."""
        if channel not in self.channels:
            return False
        return self.present is None or bool(self.present[:, self.channels.index(channel)].any())


@dataclass(frozen=True, slots=True, eq=False)
class ReplayPlan:
    """Everything a replay of one stored session needs, as plain values.

    ``spec`` is the device the replay pretends to be (capabilities include ``imu`` when the
    record has IMU samples; its force channel is None for an IMU-only session).
    ``references`` holds the maxima the session ran against, only for the kinds it stored.
    ``drill`` is the drill it ran (its file text when stored) and ``key_presses`` the drill
    keys pressed, in time order, each as (session time, command value: ``pain``, ``better``,
    ``not_better``, ``cramp``, ``check_pinching`` …).
    """

    session_id: int | None
    spec: DeviceSpec
    source: ReplaySource
    calibration: Calibration
    references: Mapping[ReferenceKind, EffortReference]
    drill: DrillInfo | None
    key_presses: tuple[tuple[float, str], ...]

    @property
    def pain_presses_s(self) -> tuple[float, ...]:
        """The session times the pain key was pressed."""
        return tuple(t for t, key in self.key_presses if key == "pain")

    @property
    def link_gaps(self) -> tuple[tuple[float, float], ...]:
        """The ``(lost at, back at)`` session times of each recorded link drop."""
        return self.source.link_gaps

    @property
    def has_imu(self) -> bool:
        """Whether the replay sends IMU samples."""
        return self.spec.capabilities.imu


def replay_plan(record: SessionRecord) -> ReplayPlan:
    """The plan to replay ``record``: every channel it holds, and how it was run."""
    meta = record.meta
    ch = record.channels[0] if record.channels else ChannelData.empty()
    imu = record.imu if record.imu is not None and len(record.imu) else None
    has_force = bool(np.isfinite(ch.force_n).any() or np.isfinite(ch.raw).any())
    if not has_force and imu is None:
        raise ConfigError(f"session {record.session_id} has no samples to replay")
    stored = Calibration.from_dict(meta.calibration) if meta.calibration else Calibration()
    force_channel, force_values, cal = (
        _force_columns(ch, stored) if has_force else (None, None, stored)
    )
    source = _merge(
        ch,
        force_channel=force_channel,
        force_values=force_values,
        imu=imu,
        link_gaps=tuple((g.start_t_s, g.end_t_s) for g in record.gaps if g.end_t_s is not None),
    )
    if not len(source):
        raise ConfigError(f"session {record.session_id} has no samples to replay")
    rate = meta.rate_hz
    if rate is None:
        rate = float(1.0 / np.median(np.diff(source.t_s))) if len(source) > 1 else _FALLBACK_RATE_HZ
    spec = DeviceSpec(
        key="replay",
        title=f"Replay of session {record.session_id} ({meta.device.title})",
        transport=DeviceKind.REPLAY,
        capabilities=replay_capabilities(
            meta.device.capabilities, force=has_force, imu=imu is not None
        ),
        nominal_rate_hz=rate,
        force_channel=force_channel,
        n_per_count=cal.n_per_raw if has_force else None,
        offset_counts=cal.offset_raw if has_force else 0.0,
    )
    references = {
        kind: ref for kind in ReferenceKind if (ref := stored_reference(record, kind)) is not None
    }
    return ReplayPlan(
        session_id=record.session_id,
        spec=spec,
        source=source,
        calibration=cal,
        references=references,
        drill=meta.drill,
        key_presses=key_presses(record),
    )


def replay_capabilities(text: str, *, force: bool, imu: bool) -> Capabilities:
    """What a replayed device measures, from its stored capability text and its samples.

    Force directions as recorded (both when the text names neither; none without force
    samples), and the IMU exactly when there are IMU samples.
    """
    parts = {p.strip().lower() for p in text.split(",")}
    if not force:
        return Capabilities(push=False, pull=False, imu=imu)
    if not parts & {"push", "pull"}:
        return Capabilities(push=True, pull=True, imu=imu)
    return Capabilities(push="push" in parts, pull="pull" in parts, imu=imu)


def stored_reference(record: SessionRecord, kind: ReferenceKind) -> EffortReference | None:
    """The maxima of ``kind`` the session ran against, if it stored any."""
    values = record.meta.references.get(kind.value)
    if not values:
        return None
    push, pull = values.get("push_max_n"), values.get("pull_max_n")
    if push is None and pull is None:
        return None
    return EffortReference(push_max_n=push, pull_max_n=pull)


#: The answers to "better?" a person gave (others, "no answer" and "pain again", the engine
#: gives itself), by their stored text.
_ANSWERS = {"better": "better", "not better": "not_better"}


#: The keys that leave an event of their own, by the event's kind: the pain and cramp marks, a
#: skip (of a step or of one max trial), a pause and its resume (one key, pressed again), and
#: stopping the drill early. (The answers, the checks and consent are told apart by their text.)
_KEY_OF_EVENT = {
    EventKind.PAIN_MARKED.value: "pain",
    EventKind.CRAMP_MARKED.value: "cramp",
    EventKind.SKIPPED.value: "skip",
    EventKind.TRIAL_SKIPPED.value: "skip",
    EventKind.PAUSED.value: "pause",
    EventKind.RESUMED.value: "pause",
    EventKind.DRILL_ABORTED.value: "abort",
}


#: The marks whose key resumes a paused drill first.
_RESUMING_MARKS = frozenset({EventKind.PAIN_MARKED.value, EventKind.CRAMP_MARKED.value})


def key_presses(record: SessionRecord) -> tuple[tuple[float, str], ...]:
    """The drill keys pressed during a session, as (session time, command value), in order.

    Read from the events the keys left: pain marks, answers to "better?", cramp marks, the
    checks after a phase, consent to go above the max, skips, pauses and an early stop. A
    pain or cramp key pressed in a pause resumes it itself (the resume comes just before its
    mark, at the same time): that resume is not a key of its own.
    """
    out: list[tuple[float, str]] = []
    events = record.events
    for i, e in enumerate(events):
        if e.kind in _KEY_OF_EVENT:
            following = events[i + 1] if i + 1 < len(events) else None
            resumed_by_mark = (
                e.kind == EventKind.RESUMED.value
                and following is not None
                and following.kind in _RESUMING_MARKS
                and following.t_s == e.t_s
            )
            if not resumed_by_mark:
                out.append((e.t_s, _KEY_OF_EVENT[e.kind]))
        elif e.kind == EventKind.PAIN_ANSWER.value and e.text in _ANSWERS:
            out.append((e.t_s, _ANSWERS[e.text]))
        elif e.kind == EventKind.CHECK.value:
            out.append((e.t_s, f"check_{e.text}"))
        elif e.kind == EventKind.ABOVE_MAX_CONSENT.value and e.text.startswith("agreed"):
            out.append((e.t_s, "agree_above_max"))
    return tuple(sorted(out, key=lambda p: p[0]))


def _force_columns(ch: ChannelData, stored: Calibration) -> tuple[str, FloatArray, Calibration]:
    """The frame channel, values and calibration that bring the force channel back."""
    raw = ch.raw
    exact = (
        np.isfinite(raw).all()
        and np.abs(raw).max() <= _INT32
        and np.array_equal(raw, np.rint(raw))
        and np.allclose(stored.force_n(raw), ch.force_n, rtol=0, atol=1e-9, equal_nan=True)
    )
    if exact:
        return "load_raw", raw, stored
    cal = Calibration(
        lever_arm_m=stored.lever_arm_m, body_mass_kg=stored.body_mass_kg, source=stored.source
    )
    return "force_n", np.nan_to_num(ch.force_n), cal


def _increasing(t_s: FloatArray, what: str) -> None:
    if t_s.shape[0] > 1 and not np.all(np.diff(t_s) > 0):
        raise ConfigError(f"replay: the {what} sample times must increase")


def _merge(
    ch: ChannelData,
    *,
    force_channel: str | None,
    force_values: FloatArray | None,
    imu: ImuSamples | None,
    link_gaps: tuple[tuple[float, float], ...],
) -> ReplaySource:
    """Force and IMU samples on one time axis, each sample carrying the channels it has.

    The force channel's rows give the sequence gaps (``lost_before``) even when they hold no
    force (an IMU-only device records them with NaN force); a row that carries nothing is not
    sent and its lost count moves to the next row that is.
    """
    _increasing(ch.t_s, "force")
    imu_t = imu.t_s if imu is not None else np.empty(0)
    _increasing(imu_t, "IMU")
    t_all = np.union1d(ch.t_s, imu_t)
    names: list[str] = []
    parts: list[tuple[FloatArray, BoolArray]] = []
    if force_channel is not None and force_values is not None:
        names.append(force_channel)
        parts.append(_on_axis(t_all, t_s=ch.t_s, values=force_values[:, None]))
    if imu is not None:
        names.extend(IMU_FRAME_CHANNELS)
        parts.append(_on_axis(t_all, t_s=imu.t_s, values=np.hstack([imu.acc_g, imu.gyro_dps])))
    values = np.hstack([v for v, _ in parts])
    present = np.hstack([np.repeat(has[:, None], v.shape[1], axis=1) for v, has in parts])
    lost = np.zeros(t_all.shape[0], dtype=np.int64)
    lost[np.searchsorted(t_all, ch.t_s)] = ch.lost_before
    keep = present.any(axis=1)
    if not keep.all():
        lost = np.diff(np.cumsum(lost)[keep], prepend=0).astype(np.int64)
        t_all, values, present = t_all[keep], values[keep], present[keep]
    return ReplaySource(
        t_s=t_all,
        values=values,
        channels=tuple(names),
        lost_before=lost,
        link_gaps=link_gaps,
        present=None if present.all() else present,
    )


def _on_axis(
    t_axis: FloatArray, *, t_s: FloatArray, values: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """One sensor's ``(m, k)`` values at its times ``t_s``, placed on ``t_axis`` (which holds them).

    Also says whether each axis row has a sample from the sensor; a sample with a non-finite
    value counts as none (a frame cannot carry NaN).
    """
    at = np.searchsorted(t_axis, t_s)
    ok = np.isfinite(values).all(axis=1)
    out = np.zeros((t_axis.shape[0], values.shape[1]))
    out[at[ok]] = values[ok]
    has = np.zeros(t_axis.shape[0], dtype=np.bool_)
    has[at[ok]] = True
    return out, has
