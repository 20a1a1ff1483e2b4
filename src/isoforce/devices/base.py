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
    counts (``None`` where the device reports newtons itself). ``experimental`` is empty for a
    device whose protocol facts are confirmed, else says in one sentence which fact is not: such
    a device is marked EXPERIMENTAL wherever it is listed or used.
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
    experimental: str = ""


def experimental_warning(spec: DeviceSpec) -> str | None:
    """The one-line warning shown when an EXPERIMENTAL device is used, None for the others."""
    if not spec.experimental:
        return None
    return f"{spec.title} is EXPERIMENTAL: {spec.experimental}"


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
