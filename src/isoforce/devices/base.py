"""What every device codec shares: its declarative spec, its decoder interface and drop counters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from isoforce.core.effort_key import Capabilities
from isoforce.core.samples import SampleBlock


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
    counts (``None`` where the device reports newtons itself).
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


@dataclass(slots=True)
class DecodeStats:
    """Counters a decoder keeps so that nothing is lost silently."""

    frames_ok: int = 0
    bytes_dropped: int = 0
    checksum_errors: int = 0
    samples_lost: int = 0
    resyncs: int = 0
    other: dict[str, int] = field(default_factory=dict)


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
