"""What every device codec shares: its declarative spec, its decoder interface and drop counters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from isoforce.core.effort_key import Capabilities
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
