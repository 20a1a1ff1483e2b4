"""What every device codec shares: its spec, its decoder interface, its drop counters.

The base classes :class:`CountingDecoder` and :class:`HostTimedDecoder` count refusals by
reason, guard against impossible values and stamp host time, the same way for every device.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Capabilities
from isoforce.core.host_time import HostTimeline
from isoforce.core.samples import FloatArray, SampleBlock


class DeviceKind(enum.StrEnum):
    """How a device's bytes reach isoforce; the transport registry is keyed by it."""

    SIM = "sim"
    SERIAL = "serial"
    BLE = "ble"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """A declarative description of a supported device, read by the device picker and the runner.

    ``n_per_count`` and ``offset_counts`` are the factory calibration for devices that report raw
    counts (``None`` where the device reports newtons itself). ``text_commands``: the device reads
    command lines such as ``r 40`` (isoforce's firmware; :mod:`isoforce.devices.commands`).
    ``experimental`` says which facts
    of the device's protocol could not be confirmed (empty when all are): the CLI and the TUI
    show it whenever the device is used. ``calibration_hint`` tells a user of a raw-count device
    where its calibration comes from (shown when a session lacks one).
    """

    key: str
    title: str
    transport: DeviceKind
    capabilities: Capabilities
    nominal_rate_hz: float
    force_channel: str | None = "force_n"
    n_per_count: float | None = None
    offset_counts: float = 0.0
    notes: str = ""
    text_commands: bool = False
    experimental: str = ""
    calibration_hint: str = ""

    def experimental_note(self) -> str | None:
        """What the CLI and the TUI say when an experimental device is used (None otherwise)."""
        if not self.experimental:
            return None
        return f"{self.key} is EXPERIMENTAL: {self.experimental}"


#: What a pushing (or hanging) gauge measures: the direction it is rigged for.
PUSH_ONLY = Capabilities(push=True, pull=False)
#: The single channel of a device that reports its force in newtons (after its own units).
FORCE_CHANNELS = ("force_n",)


def force_spec(
    key: str,
    title: str,
    transport: DeviceKind,
    *,
    nominal_rate_hz: float,
    notes: str,
    capabilities: Capabilities = PUSH_ONLY,
    experimental: str = "",
) -> DeviceSpec:
    """The spec of a device whose decoder delivers newtons on ``force_n`` (no calibration)."""
    force_n = FORCE_CHANNELS[0]
    return DeviceSpec(
        key, title, transport, capabilities, nominal_rate_hz, force_n, 1.0, notes=notes,
        experimental=experimental,
    )  # fmt: skip


#: The six channels of an accelerometer + gyroscope, in g and °/s.
IMU6_CHANNELS = ("acc_x_g", "acc_y_g", "acc_z_g", "gyro_x_dps", "gyro_y_dps", "gyro_z_dps")
#: What an IMU alone measures: no force, an effort estimate at most.
IMU_ONLY = Capabilities(push=False, pull=False, imu=True)


def imu_spec(
    key: str,
    title: str,
    transport: DeviceKind,
    *,
    nominal_rate_hz: float,
    notes: str,
    experimental: str = "",
) -> DeviceSpec:
    """The spec of an IMU: no force channel, angle and stillness (and an effort estimate)."""
    return DeviceSpec(
        key, title, transport, IMU_ONLY, nominal_rate_hz, None, notes=notes,
        experimental=experimental,
    )  # fmt: skip


def push_only(spec: DeviceSpec, key: str, title: str) -> DeviceSpec:
    """The compression-only variant of a load-cell spec: a button cell under the block."""
    notes = "Button cell under the block: RAILs and lift-offs are not force-measured."
    return replace(spec, key=key, title=title, capabilities=PUSH_ONLY, notes=notes)


@dataclass(slots=True)
class DecodeStats:
    """Counters a decoder keeps so that nothing is lost silently.

    Whatever a decoder refuses is counted by reason: ``checksum_errors`` (frames whose checksum
    failed), ``bad_lengths`` (frames whose checksum held but whose length disagrees with their
    content), ``non_finite`` (samples with a NaN or infinite value) and ``out_of_range`` (samples
    beyond what the sensor can report). :meth:`drops_by_reason` names them for display.
    """

    frames_ok: int = 0
    bytes_dropped: int = 0
    checksum_errors: int = 0
    samples_lost: int = 0
    resyncs: int = 0
    bad_lengths: int = 0
    non_finite: int = 0
    out_of_range: int = 0
    other: dict[str, int] = field(default_factory=dict)

    def drops_by_reason(self) -> dict[str, int]:
        """What was refused, by reason, in words (for the link status and the session events)."""
        return {
            "bad checksum": self.checksum_errors,
            "bad length": self.bad_lengths,
            "non-finite value": self.non_finite,
            "out of range": self.out_of_range,
        }


def plausible_rows(stats: DecodeStats, values: FloatArray, *, max_abs: float) -> NDArray[np.bool_]:
    """Which rows of ``values`` are all finite and within ``±max_abs``; counts the others.

    A row with a non-finite value counts as ``non_finite``, else one beyond the bound as
    ``out_of_range``. Decoders call this on whatever their wire format lets through, so no
    non-finite or impossible sample reaches a :class:`SampleBlock`.
    """
    finite = np.isfinite(values).all(axis=1)
    with np.errstate(invalid="ignore"):
        inside = (np.abs(values) <= max_abs).all(axis=1)
    stats.non_finite += int(np.count_nonzero(~finite))
    stats.out_of_range += int(np.count_nonzero(finite & ~inside))
    return np.asarray(finite & inside)


def force_block(
    t_s: FloatArray, t_host_s: float | FloatArray, force_n: FloatArray, lost_before: int = 0
) -> SampleBlock:
    """A block of the single ``force_n`` channel (``t_host_s`` one arrival time or one each)."""
    t_host = np.full(t_s.shape[0], t_host_s) if isinstance(t_host_s, float) else t_host_s
    return SampleBlock(
        t_s=t_s,
        t_host_s=t_host,
        values=force_n[:, None],
        channels=FORCE_CHANNELS,
        lost_before=lost_before,
    )


@dataclass(frozen=True, slots=True)
class DeviceMessage:
    """A non-sample message from a device (battery level, firmware version, low-power warning...)."""

    t_host_s: float
    kind: str
    text: str


#: The ``kind`` of a device's free-text message (firmware replies, a sketch's text lines).
TEXT_KIND = "text"


class Decoder(Protocol):
    """Turns a device's byte stream into sample blocks; never raises on garbage."""

    stats: DecodeStats

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume one chunk of bytes and return whatever complete samples/messages it finished."""
        ...

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: deliver every complete frame still held back; drop and count the rest.

        A streaming decoder may hold a valid frame while it waits for the bytes that would show
        it to be garbage; when no more bytes will come, that frame is delivered here.
        """
        ...


class CountingDecoder:
    """What decoders do alike: start their counters, drop and count bytes, end a stream.

    ``COUNTERS`` names a subclass's own counters in ``stats.other`` (each starts at 0).
    :meth:`_drop` counts bytes that are no frame, with one resync per loss of sync (the next
    good frame restores it: ``self._in_sync = True``); :meth:`_refuse` counts a whole
    notification that cannot hold a reading. A streaming decoder keeps the bytes of an
    unfinished frame in ``self._buf``; :meth:`flush` drops and counts them (a decoder that
    holds nothing between notifications has nothing to drop).
    """

    COUNTERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self.stats = DecodeStats()
        self.stats.other.update(dict.fromkeys(self.COUNTERS, 0))
        self._in_sync = True
        self._buf = bytearray()

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: bytes held for a frame that can never complete are dropped, counted."""
        self.stats.bytes_dropped += len(self._buf)
        self._buf.clear()
        return []

    def _drop(self, count: int) -> None:
        if count <= 0:
            return
        self.stats.bytes_dropped += count
        if self._in_sync:
            self.stats.resyncs += 1
            self._in_sync = False

    def _refuse(self, count: int) -> list[SampleBlock | DeviceMessage]:
        """Count ``count`` bytes that cannot be read (one resync if any); nothing to deliver."""
        self.stats.bytes_dropped += count
        self.stats.resyncs += 1 if count else 0
        return []


class HostTimedDecoder(CountingDecoder):
    """A decoder for a device that sends no clock: its samples carry host arrival time.

    Samples arriving together are spread at ``NOMINAL_RATE_HZ`` (or the ``nominal_rate_hz``
    given) by :class:`~isoforce.core.host_time.HostTimeline`.
    """

    NOMINAL_RATE_HZ: ClassVar[float]

    def __init__(self, *, nominal_rate_hz: float | None = None) -> None:
        super().__init__()
        rate_hz = self.NOMINAL_RATE_HZ if nominal_rate_hz is None else nominal_rate_hz
        self._timeline = HostTimeline(nominal_rate_hz=rate_hz)

    def _force_block(
        self, t_host_s: float, force_n: FloatArray, *, max_abs_n: float | None = None
    ) -> SampleBlock | None:
        """Forces that arrived at ``t_host_s`` as a block (None when no force is left).

        With ``max_abs_n``, the non-finite or impossible forces are refused and counted first.
        """
        if max_abs_n is not None:
            force_n = force_n[plausible_rows(self.stats, force_n[:, None], max_abs=max_abs_n)]
        if force_n.size == 0:
            return None
        t_s, t_host = self._timeline.stamp(t_host_s=t_host_s, count=force_n.size)
        return force_block(t_s, t_host, force_n)
