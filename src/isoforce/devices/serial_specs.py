"""The serial-port devices isoforce reads, and how to recognise each one from a few bytes.

A serial device has no name to discover: a port scan or a baud-rate search reads a second of
bytes and asks each codec how many valid frames it finds. :func:`identify` does that, purely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from isoforce.core.effort_key import Capabilities
from isoforce.devices.base import (
    Decoder,
    DeviceKind,
    DeviceMessage,
    DeviceSpec,
    imu_spec,
    push_only,
)
from isoforce.devices.hx711_lines import Hx711LineDecoder
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from isoforce.devices.witmotion_uart import WitMotionDecoder

#: Baud rates of the sources: bogde/HX711 and HX711_ADC examples use 57600 (full example 38400);
#: isoforce firmware 115200; WitMotion boards ship at 9600 or 115200 (device-protocols §13, §16).
HX711_EXAMPLE_BAUD = 57600
ISOFORCE_FIRMWARE_BAUD = 115200
WITMOTION_BAUDS = (9600, 115200, 230400, 460800, 921600, 57600, 38400, 19200, 4800)
#: Bauds a port scan tries, most likely first.
SCAN_BAUDS = (115200, 57600, 9600, 38400, 230400)
#: A probe must find this many frames, and at most this share of dropped bytes, to match.
MIN_PROBE_FRAMES = 3
MAX_PROBE_GARBAGE = 0.5


@dataclass(frozen=True, slots=True)
class SerialProfile:
    """How to talk to a serial device: its usual baud and the bauds worth trying."""

    default_baud: int
    detect_bauds: tuple[int, ...]
    decoder: Callable[[], Decoder]

    @property
    def bauds(self) -> tuple[int, ...]:
        """Bauds to try in order: the default first."""
        return (self.default_baud, *(b for b in self.detect_bauds if b != self.default_baud))


HX711_SERIAL = DeviceSpec(
    key="hx711",
    title="HX711 load cell on USB serial (text lines)",
    transport=DeviceKind.SERIAL,
    capabilities=Capabilities(push=True, pull=True),
    nominal_rate_hz=80.0,
    force_channel="load_raw",
    notes=(
        "Arduino + HX711 printing one reading per line (bogde/HX711 or HX711_ADC examples, "
        "plain numbers). S-beam cell with a strap: push and pull. Needs a calibration "
        "(isoforce calibrate)."
    ),
)

HX711_SERIAL_PUSH = push_only(
    HX711_SERIAL, "hx711-push", "HX711 compression-only cell on USB serial (text lines)"
)

ISOFORCE_SERIAL = replace(
    HX711_SERIAL,
    key="isoforce-serial",
    title="isoforce firmware on USB serial (binary frames)",
    notes=(
        "The reference firmware in firmware_notes/ (ESP32, Uno/Nano): HX711 at 80 SPS, optional "
        "IMU, sequence numbers and device time. Needs a calibration (isoforce calibrate)."
    ),
    text_commands=True,
)

WITMOTION_SERIAL = imu_spec(
    "witmotion",
    "WitMotion IMU on a serial port (JY901, WT901C, BWT901CL)",
    DeviceKind.SERIAL,
    nominal_rate_hz=200.0,
    notes="Acceleration, angular rate, angles, quaternion; baud rate found automatically.",
)

SERIAL_DEVICES: tuple[DeviceSpec, ...] = (
    HX711_SERIAL,
    HX711_SERIAL_PUSH,
    ISOFORCE_SERIAL,
    WITMOTION_SERIAL,
)

_HX711 = SerialProfile(HX711_EXAMPLE_BAUD, (57600, 115200, 38400, 9600), Hx711LineDecoder)
SERIAL_PROFILES: dict[str, SerialProfile] = {
    "hx711": _HX711,
    "hx711-push": _HX711,
    "isoforce-serial": SerialProfile(
        ISOFORCE_FIRMWARE_BAUD, (ISOFORCE_FIRMWARE_BAUD,), IsoforceFrameDecoder
    ),
    "witmotion": SerialProfile(9600, WITMOTION_BAUDS, WitMotionDecoder),
}

#: The device families a port scan tells apart (one key per wire format).
SCAN_FAMILIES: tuple[str, ...] = ("isoforce-serial", "witmotion", "hx711")


@dataclass(frozen=True, slots=True)
class Identification:
    """What a probe found in a sample of bytes."""

    device: str
    frames: int
    garbage_share: float
    detail: str


def probe(device: str, data: bytes) -> Identification:
    """Decode ``data`` as ``device`` would be decoded: how many frames, how much garbage."""
    decoder = SERIAL_PROFILES[device].decoder()
    items = decoder.feed(0.0, data)
    frames = decoder.stats.frames_ok
    share = decoder.stats.bytes_dropped / len(data) if data else 1.0
    formats = [m.text for m in items if isinstance(m, DeviceMessage) and m.kind == "format"]
    detail = formats[-1] if formats else f"{frames} valid frames"
    return Identification(device, frames, share, detail)


def matches(found: Identification) -> bool:
    """Whether a probe result is convincing: enough frames and little garbage."""
    return found.frames >= MIN_PROBE_FRAMES and found.garbage_share <= MAX_PROBE_GARBAGE


def identify(data: bytes, families: tuple[str, ...] = SCAN_FAMILIES) -> Identification | None:
    """The device family whose codec reads ``data`` best, or None if none is convincing."""
    results = [probe(key, data) for key in families]
    good = [r for r in results if matches(r)]
    return max(good, key=lambda r: r.frames * (1.0 - r.garbage_share)) if good else None
