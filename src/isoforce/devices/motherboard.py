"""Griptonite Motherboard hangboard: hex text lines over the Nordic UART Service.

Spec (device-protocols.md §6, confidence A: hangtime-grip-connect's ``motherboard.model.ts``
and jtvjan's independent notes agree; §14 for NUS)::

    discover   name "Motherboard"; NUS 6e400001-… (write 6e400002-…, notify 6e400003-…)
    commands   ASCII, no terminator: "C" prints the calibration table, "S30" streams at 30 Hz
               ("S" + rate; the device answers "Stream:" + rate); any other write (isoforce
               writes nothing: an empty write) stops the stream
    lines      CRLF-terminated, split across ≤20-byte notifications
      stream       32 hex digits = 16 bytes: [sample number u16 LE][battery u16 LE]
                   [4 × ADC int24 LE: left, center, right, unused]
      calibration  "sensor,point,mass,adc" (4 points for each of 4 sensors)
      errors       lines starting "Error" (e.g. "Error VAL")

Force: each sensor's ADC goes through its calibration table piecewise-linearly (mass per the
table's points, extrapolated along the end segments); a reading below the table's first ADC
point is mirrored, ``-f(-adc)``, as hangtime-grip-connect does, and the center and right
sensors are negated after calibration (mounted the other way; confidence B). The force is
the sum of the three, in kilograms (the table's mass unit, confidence B) → newtons. isoforce
asks for the table before each start (``C``, then ``S30``); samples that arrive before a
table are not converted and are counted as lost. The sample number (u16, wraps after 36 min
at 30 Hz) is the device clock: gaps show as ``lost_before``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from isoforce.core.device_time import CounterSpec, RestartingCounter
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import (
    CountingDecoder,
    DeviceKind,
    DeviceMessage,
    force_block,
    force_spec,
    plausible_rows,
)
from isoforce.devices.ble_profile import (
    NUS_RX_UUID,
    NUS_SERVICE_UUID,
    NUS_TX_UUID,
    BleProfile,
    GattWrite,
)
from isoforce.units import N_PER_KGF

NAME = "Motherboard"
RATE_HZ = 30
START_COMMAND = f"S{RATE_HZ}".encode()
CALIBRATION_COMMAND = b"C"
#: Time for the 16 calibration lines to arrive before the stream is started.
CALIBRATION_PAUSE_S = 1.0
STREAM_HEX_DIGITS = 32
SENSORS = 3  # left, center, right; the fourth ADC is unused
#: Sensors negated after calibration (center and right).
SIGNS = np.array([1.0, -1.0, -1.0])
SAMPLE_COUNTER = CounterSpec(bits=16, tick_s=1.0 / RATE_HZ)
MAX_LINE_BYTES = 256
#: No hangboard carries more; beyond this a reading (a garbled table) is refused and counted.
MAX_ABS_KG = 1000.0
_HEX = frozenset(b"0123456789abcdefABCDEF")

SPEC = force_spec(
    "motherboard",
    "Griptonite Motherboard hangboard over Bluetooth (left + center + right)",
    DeviceKind.BLE,
    nominal_rate_hz=float(RATE_HZ),
    notes=(
        "Three load cells summed (kg from the board's own calibration table → N) at 30 Hz, "
        "device-numbered samples. Software tare. Sources: hangtime-grip-connect and jtvjan's "
        "notes (device-protocols.md §6)."
    ),
)

PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: MotherboardDecoder(),  # defined below
    notify_uuid=NUS_TX_UUID,
    write_uuid=NUS_RX_UUID,
    start=(
        GattWrite(NUS_RX_UUID, CALIBRATION_COMMAND, pause_s=CALIBRATION_PAUSE_S),
        GattWrite(NUS_RX_UUID, START_COMMAND),
    ),
    stop=(GattWrite(NUS_RX_UUID, b""),),
    names=(NAME,),
    service_uuids=(NUS_SERVICE_UUID,),
    requires_name=True,
)

#: A calibration table (sensor, point, kg, ADC) for the examples: 4000 counts per kg above 500.
EXAMPLE_CALIBRATION = b"".join(
    f"{s},{p},{kg},{500 + 4000 * kg}\r\n".encode()
    for s in range(4)
    for p, kg in enumerate((0, 10, 20, 50))
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §6 layout: sample 7, battery 0x0F00, left 40 500 (10 kg on the table
    # above), center and right −500 (mounted reversed: their zero), the unused fourth 0;
    # preceded by the table
    # (tests/devices/test_motherboard.py)
    EXAMPLE_CALIBRATION + b"0700000F349E000CFEFF0CFEFF000000\r\n",
)


def int24_le(rows: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Signed 24-bit little-endian integers from rows of 3 bytes."""
    value = rows[..., 0].astype(np.int64) | rows[..., 1].astype(np.int64) << 8
    value |= rows[..., 2].astype(np.int64) << 16
    return value - ((value & 0x800000) << 1)


class SensorTable:
    """One sensor's calibration points, ADC → kilograms, piecewise-linear."""

    def __init__(self) -> None:
        self.points: dict[int, tuple[float, float]] = {}
        """Point number → (kg, ADC); set with :meth:`set`."""
        self._arrays: tuple[FloatArray, FloatArray] | None = None

    def set(self, point: int, kg: float, adc: float) -> None:
        """Set one calibration point."""
        self.points[point] = (kg, adc)
        self._arrays = None

    @property
    def ready(self) -> bool:
        """Whether two points with different ADC values define a line."""
        return len({adc for _kg, adc in self.points.values()}) >= 2

    def kg(self, adc: FloatArray) -> FloatArray:
        """Kilograms for ADC values (mirrored below the first point, extrapolated beyond)."""
        if self._arrays is None:
            by_adc = {adc: kg for kg, adc in sorted(self.points.values(), reverse=True)}
            adc_sorted = sorted(by_adc)  # one point per ADC value: no zero-width segment
            kg_arr = np.array([by_adc[a] for a in adc_sorted], dtype=np.float64)
            self._arrays = (kg_arr, np.array(adc_sorted, dtype=np.float64))
        kg_pts, adc_pts = self._arrays
        below = adc < adc_pts[0]
        x = np.where(below, -adc, adc)
        y = np.interp(x, adc_pts, kg_pts)
        lo = (kg_pts[1] - kg_pts[0]) / (adc_pts[1] - adc_pts[0])
        hi = (kg_pts[-1] - kg_pts[-2]) / (adc_pts[-1] - adc_pts[-2])
        y = np.where(x < adc_pts[0], kg_pts[0] + (x - adc_pts[0]) * lo, y)
        y = np.where(x > adc_pts[-1], kg_pts[-1] + (x - adc_pts[-1]) * hi, y)
        result: FloatArray = np.where(below, -y, y)
        return result


class MotherboardDecoder(CountingDecoder):
    """Decodes the Motherboard's text lines (stream lines vectorised per chunk); never raises.

    ``stats.other`` counts ``uncalibrated`` samples (before a table), ``text_lines`` and
    ``long_lines`` (no line end within ``MAX_LINE_BYTES``: dropped).
    """

    COUNTERS = ("uncalibrated", "text_lines", "long_lines")

    def __init__(self) -> None:
        super().__init__()
        self.tables = [SensorTable() for _ in range(4)]
        self.battery_raw: int | None = None
        """The battery word of the latest stream line (its unit is not documented)."""
        self._buffer = b""
        self._clock = RestartingCounter(SAMPLE_COUNTER)
        self._last_t_s: float | None = None
        self._warned = False

    @property
    def calibrated(self) -> bool:
        """Whether left, center and right each have a usable table."""
        return all(t.ready for t in self.tables[:SENSORS])

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume one notification (a piece of a line, or several lines)."""
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        if len(self._buffer) > MAX_LINE_BYTES:
            self.stats.other["long_lines"] += 1
            self._refuse(len(self._buffer))
            self._buffer = b""
        out: list[SampleBlock | DeviceMessage] = []
        stream: list[bytes] = []
        for raw in lines:
            line = raw.rstrip(b"\r")
            if len(line) == STREAM_HEX_DIGITS and _HEX.issuperset(line):
                stream.append(line)
                continue
            out += self._flush_stream(t_host_s, stream)
            stream = []
            out += self._text(t_host_s, line)
        out += self._flush_stream(t_host_s, stream)
        return out

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: a line without its line end is incomplete; drop and count it."""
        if self._buffer:
            self.stats.bytes_dropped += len(self._buffer)
            self._buffer = b""
        return []

    def _text(self, t_host_s: float, line: bytes) -> list[SampleBlock | DeviceMessage]:
        text = line.decode("ascii", "replace").strip()
        if not text:
            return []
        parts = text.split(",")
        if len(parts) == 4:
            try:
                sensor, point = int(parts[0]), int(parts[1])
                kg, adc = float(parts[2]), float(parts[3])
            except ValueError:
                pass
            else:
                if 0 <= sensor < len(self.tables) and np.isfinite([kg, adc]).all():
                    self.tables[sensor].set(point, kg, adc)
                    self.stats.frames_ok += 1
                    return []
        self.stats.other["text_lines"] += 1
        if text.startswith("Error"):
            return [DeviceMessage(t_host_s, "warning", f"Motherboard: {text}")]
        return [DeviceMessage(t_host_s, "response", text)]

    def _flush_stream(
        self, t_host_s: float, lines: list[bytes]
    ) -> list[SampleBlock | DeviceMessage]:
        if not lines:
            return []
        raw = np.frombuffer(bytes.fromhex(b"".join(lines).decode()), dtype=np.uint8)
        rows = raw.reshape(len(lines), STREAM_HEX_DIGITS // 2)
        seq = rows[:, 0].astype(np.int64) | rows[:, 1].astype(np.int64) << 8
        self.battery_raw = int(rows[-1, 2]) | int(rows[-1, 3]) << 8
        if not self.calibrated:
            self.stats.other["uncalibrated"] += len(lines)
            self.stats.samples_lost += len(lines)
            if self._warned:
                return []
            self._warned = True
            text = "Motherboard streams without its calibration table: samples not converted"
            return [DeviceMessage(t_host_s, "warning", text)]
        adc = int24_le(rows[:, 4 : 4 + 3 * SENSORS].reshape(len(lines), SENSORS, 3))
        kg = np.zeros(len(lines))
        for i in range(SENSORS):
            kg += SIGNS[i] * self.tables[i].kg(adc[:, i].astype(np.float64))
        ok = plausible_rows(self.stats, kg[:, None], max_abs=MAX_ABS_KG)
        if not ok.all():
            kg, seq = kg[ok], seq[ok]
            if kg.size == 0:
                return []
        self.stats.frames_ok += kg.size
        restarts = self._clock.restarts
        t_s = self._clock.stamp(seq, t_host_s=t_host_s)
        restarted = self._last_t_s is None or self._clock.restarts > restarts
        previous = float(t_s[0]) if restarted or self._last_t_s is None else self._last_t_s
        ticks = np.round(np.diff(t_s, prepend=previous) * RATE_HZ)
        gaps = np.clip(ticks - 1, 0, None).astype(np.int64)
        self.stats.samples_lost += int(gaps.sum())
        self._last_t_s = float(t_s[-1])
        return [force_block(t_s, t_host_s, kg * N_PER_KGF, lost_before=int(gaps[0]))]
