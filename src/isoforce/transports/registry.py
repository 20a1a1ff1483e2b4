"""Which transport carries a device's bytes: one factory per :class:`DeviceKind`.

A new kind of link is one factory here; a new device of an existing kind needs nothing here
(its spec and profile live in ``devices``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from isoforce.devices.base import DeviceKind, DeviceSpec
from isoforce.errors import ConfigError
from isoforce.transports.base import Transport
from isoforce.transports.pacing import Clock, PlaybackClock

if TYPE_CHECKING:
    from isoforce.transports.replay_plan import ReplayPlan
    from isoforce.transports.sim import SimSettings


@dataclass(frozen=True, slots=True)
class TransportRequest:
    """What a transport needs besides the device's spec.

    ``calibrated`` says whether a calibration comes with the session (raw-count devices need
    one). ``sim`` holds the simulator's settings, ``replay`` what a replay plays back.
    """

    rate_hz: float
    speed: float = 1.0
    port: str | None = None
    baud: int | None = None
    address: str | None = None
    ble_name: str | None = None
    calibrated: bool = False
    sim: SimSettings | None = None
    replay: ReplayPlan | None = None


TransportFactory = Callable[[DeviceSpec, TransportRequest], Transport]


def _raw_counts(spec: DeviceSpec, request: TransportRequest) -> bool:
    return spec.force_channel is not None and spec.n_per_count is None and not request.calibrated


def _serial(spec: DeviceSpec, request: TransportRequest) -> Transport:
    from isoforce.transports.serial import serial_transport_for

    if not request.port:
        raise ConfigError(f"{spec.key} needs --port (a serial port; 'isoforce scan' lists them)")
    if _raw_counts(spec, request):
        raise ConfigError(
            f"{spec.title} reports raw readings, not newtons. Calibrate once with "
            f"'isoforce calibrate --device {spec.key} --port {request.port} --known-kg 10 "
            "--out cal.json', then pass --calibration cal.json"
        )
    return serial_transport_for(spec, request.port, baud=request.baud, rate_hz=request.rate_hz)


def _ble(spec: DeviceSpec, request: TransportRequest) -> Transport:
    from isoforce.transports.ble import ble_transport_for
    from isoforce.transports.ble_stream import BleSettings

    if not request.address and not request.ble_name:
        raise ConfigError(
            f"{spec.key} needs --address (a Bluetooth address; 'isoforce scan' lists them)"
        )
    if _raw_counts(spec, request):
        hint = spec.calibration_hint or "Pass a calibration with --calibration FILE"
        raise ConfigError(f"{spec.title} reports raw readings, not newtons. {hint}")
    settings = BleSettings(address=request.address, name=request.ble_name, rate_hz=request.rate_hz)
    return ble_transport_for(spec, settings)


def _sim(spec: DeviceSpec, request: TransportRequest) -> Transport:
    from isoforce.transports.sim import SimSettings, SimTransport

    settings = request.sim if request.sim is not None else SimSettings()
    return SimTransport(spec, settings=settings, clock=Clock(request.speed))


def _replay(spec: DeviceSpec, request: TransportRequest) -> Transport:
    from isoforce.transports.replay import ReplayTransport

    if request.replay is None:
        raise ConfigError("a replay needs a stored session")
    return ReplayTransport.from_plan(request.replay, clock=PlaybackClock(request.speed))


TRANSPORTS: dict[DeviceKind, TransportFactory] = {
    DeviceKind.SIM: _sim,
    DeviceKind.SERIAL: _serial,
    DeviceKind.BLE: _ble,
    DeviceKind.REPLAY: _replay,
}


def transport_for(spec: DeviceSpec, request: TransportRequest) -> Transport:
    """The transport for ``spec``'s kind of link, set up by ``request``."""
    return TRANSPORTS[spec.transport](spec, request)
