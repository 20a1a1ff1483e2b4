"""What a live session is asked to run: device, rate, simulator, references, IMU settings."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from isoforce.devices.commands import DeviceCommand
from isoforce.drills.open_scale import NEWTON_SCALE_N
from isoforce.signal.calibration import Calibration
from isoforce.signal.imu import MmgCalibration

#: Scale while a drill measures a max nothing else gives (effort then reads in N): the same
#: for a max test's MVIC and a first tension drill's pain-free max.
PROVISIONAL_MVIC_N = NEWTON_SCALE_N


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """What to run: device and rate, simulator seed/speed/person, reference maxima."""

    device: str = "sim"
    rate_hz: float | None = None
    seed: int = 0
    speed: float = 1.0
    push_max_n: float | None = None
    pull_max_n: float | None = None
    mvic_push_n: float | None = None
    mvic_pull_n: float | None = None
    #: Calibration to use instead of the device's factory calibration (e.g. after a tare).
    calibration: Calibration | None = None
    #: Simulated athlete only, with no drill: ``demo`` follows a push/pull demo curve, ``rest``
    #: keeps the load off (what the calibration screen asks of a real person).
    sim_profile: str = "demo"
    #: Simulated athlete only: effort (% of true max) at which pinching starts.
    pain_threshold_pct: float | None = None
    #: Simulated device only: link drops as ``(at_s, for_s)``; see ``SimSettings.drops``.
    drops: tuple[tuple[float, float], ...] = ()
    #: Serial devices: the port (a path, ``COM3`` or any pyserial URL such as ``socket://h:p``).
    port: str | None = None
    #: Serial devices: baud rate; ``None`` tries the device's usual rates.
    baud: int | None = None
    #: Bluetooth LE devices: the address the user picked (``isoforce scan`` lists them).
    address: str | None = None
    #: Bluetooth LE devices: an advertised name instead of an address (must be unique nearby).
    ble_name: str | None = None
    #: IMU devices: where the sensor is strapped (``shank`` or ``thigh``; see docs/imu.md).
    imu_placement: str = "shank"
    #: IMU devices: this session's muscle-vibration calibration (no effort estimate without).
    imu_calibration: MmgCalibration | None = None
    #: Devices that read command lines (``DeviceSpec.text_commands``): lines to write, each when
    #: the session clock reaches its time (``isoforce record --send``).
    device_commands: tuple[DeviceCommand, ...] = ()
    #: An IMU paired with the force device, on its own link (``--imu``; None: no second device).
    imu_device: str | None = None
    #: The paired IMU's serial port, baud rate, Bluetooth address or advertised name.
    imu_port: str | None = None
    imu_baud: int | None = None
    imu_address: str | None = None
    imu_ble_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-ready values (stored with a session)."""
        out = asdict(self)
        out["speed"] = "max" if math.isinf(self.speed) else self.speed
        out["device_commands"] = [str(c) for c in self.device_commands]
        return out
