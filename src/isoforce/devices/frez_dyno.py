"""Frez Dyno (protocol v1): raw ADC at 250 Hz, nine samples per notification, device time.

Spec (device-protocols.md §8: hangtime-grip-connect's ``dyno.md``, which calls it Frez's
official protocol v1; the layout, commands, tare and conversion agree with Grip Gains
Companion's ``FrezDynoService.swift`` / ``FrezMeasurement.swift``, read for these notes; the
name prefix and the 250 Hz rate have one source)::

    discover   name starts with "FrezDyno-"
    service    da8a6c41-154b-4b9a-9b00-2f84dfcebfe9
      data     da8a6c42-…  notify
      command  da8a6c43-…  write with response: start 01 00, stop 02 00, power off FF 00
    serial     0x180A / 0x2A25 (the coefficient is looked up by it); battery 0x180F / 0x2A19

    notification = exactly 74 bytes: 01 00, then 9 × [raw ADC int32 LE][elapsed ms uint32 LE]

    conversion   tare  = mean of the first 100 unloaded samples
                 kg    = a × (raw − tare)      a: per device, from Frez's API (access key)
                 N     = kg × 9.80665

The decoder applies the documented tare: it holds the first ``TARE_SAMPLES`` samples (0.4 s),
averages them and then emits every sample, those included, as ``load_raw`` = raw − tare (ADC
counts). The coefficient ``a`` is **not** known to isoforce and never guessed: the device has
no factory scale here (``n_per_count`` None), so a session needs ``--calibration`` with
``n_per_raw`` = a × 9.80665 (see docs/devices.md). A notification of any other length or
header is dropped and counted. Elapsed time that goes back (the device restarts it on every
start, so after a reconnect) starts a new clock segment on the host clock
(:class:`~isoforce.core.device_time.RestartingCounter`): those samples are kept, where the
source refuses them; such records are counted (``stats.other["time_not_increasing"]``). EXPERIMENTAL.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.device_time import CounterSpec, RestartingCounter
from isoforce.core.effort_key import Capabilities
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import CountingDecoder, DeviceKind, DeviceMessage, DeviceSpec
from isoforce.devices.ble_profile import (
    BATTERY_QUERY,
    SERIAL_NUMBER_UUID,
    BleProfile,
    GattWrite,
    Query,
    utf8_text,
)

NAME_PREFIX = "FrezDyno-"
SERVICE_UUID = "da8a6c41-154b-4b9a-9b00-2f84dfcebfe9"
DATA_UUID = "da8a6c42-154b-4b9a-9b00-2f84dfcebfe9"
COMMAND_UUID = "da8a6c43-154b-4b9a-9b00-2f84dfcebfe9"
CMD_START = bytes.fromhex("0100")
CMD_STOP = bytes.fromhex("0200")
CMD_POWER_OFF = bytes.fromhex("FF00")
HEADER = bytes.fromhex("0100")
RECORDS = 9
RECORD_BYTES = 8
NOTIFICATION_BYTES = len(HEADER) + RECORDS * RECORD_BYTES  # 74
RATE_HZ = 250.0
TARE_SAMPLES = 100
ELAPSED = CounterSpec(bits=32, tick_s=1e-3)
CHANNELS = ("load_raw",)
_RECORD = np.dtype([("raw", "<i4"), ("ms", "<u4")])

SPEC = DeviceSpec(
    key="frez-dyno",
    title="Frez Dyno over Bluetooth (needs its coefficient from Frez)",
    transport=DeviceKind.BLE,
    capabilities=Capabilities(push=True, pull=False),
    nominal_rate_hz=RATE_HZ,
    force_channel="load_raw",
    n_per_count=None,
    notes=(
        "EXPERIMENTAL. Raw ADC at 250 Hz with device time; tared on its first 100 unloaded "
        "samples. Needs its per-device coefficient from Frez as --calibration (never "
        "guessed). Sources: hangtime-grip-connect, Grip Gains Companion (device-protocols.md "
        "§8)."
    ),
    experimental=(
        "its bytes agree in two open-source clients (hangtime-grip-connect, Grip Gains "
        "Companion) but none was captured from a real Dyno, and its 250 Hz rate has one source; "
        "keep it unloaded for the first 0.4 s (the tare)"
    ),
    calibration_hint=(
        "Its coefficient a (kg per count) is per device, from Frez (looked up by the serial "
        "number); isoforce never guesses it. Write it to a calibration file, "
        '{"n_per_raw": <a × 9.80665>, "offset_raw": 0, "source": "Frez coefficient"}, '
        "and pass --calibration FILE (docs/devices.md, Frez Dyno)"
    ),
)

PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: FrezDynoDecoder(),  # defined below
    notify_uuid=DATA_UUID,
    write_uuid=COMMAND_UUID,
    start=(GattWrite(COMMAND_UUID, CMD_START),),
    stop=(GattWrite(COMMAND_UUID, CMD_STOP),),
    queries=(BATTERY_QUERY, Query("serial", utf8_text, read_uuid=SERIAL_NUMBER_UUID)),
    name_prefixes=(NAME_PREFIX,),
    service_uuids=(SERVICE_UUID,),
)


def notification(raw: list[int], elapsed_ms: list[int]) -> bytes:
    """A protocol-v1 notification from nine raw readings and their elapsed times."""
    records = np.zeros(len(raw), dtype=_RECORD)
    records["raw"], records["ms"] = raw, elapsed_ms
    return HEADER + records.tobytes()


#: Samples in each example (the format has no shorter notification).
EXAMPLE_SAMPLES = RECORDS
EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §8 layout: 01 00 and nine records, raw 1000 … 1008 at 0, 4, … 32 ms
    # (250 Hz): nine samples, as every notification carries (tests/devices/test_frez_dyno.py)
    notification(list(range(1000, 1009)), list(range(0, 36, 4))),
)


class FrezDynoDecoder(CountingDecoder):
    """Decodes Frez Dyno notifications (vectorised), tared on the first ``tare_samples``."""

    COUNTERS = ("time_not_increasing", "bad_headers")

    def __init__(self, *, tare_samples: int = TARE_SAMPLES) -> None:
        super().__init__()
        self.tare_samples = max(1, tare_samples)
        self.tare_raw: float | None = None
        """The tare in ADC counts, once the first samples are in."""
        self._held: list[SampleBlock] = []
        self._clock = RestartingCounter(ELAPSED)
        self._last_ms: int | None = None

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one notification."""
        if len(data) != NOTIFICATION_BYTES or data[:2] != HEADER:
            if data:
                if len(data) != NOTIFICATION_BYTES:
                    self.stats.bad_lengths += 1
                else:
                    self.stats.other["bad_headers"] += 1
            return self._refuse(len(data))
        records = np.frombuffer(data, dtype=_RECORD, offset=len(HEADER))
        ms = records["ms"].astype(np.int64)
        last = -1 if self._last_ms is None else self._last_ms
        self.stats.other["time_not_increasing"] += int(
            np.count_nonzero(np.diff(ms, prepend=last) <= 0)
        )
        self.stats.frames_ok += 1
        self._last_ms = int(ms[-1])
        t_s = self._clock.stamp(ms, t_host_s=t_host_s)
        raw: FloatArray = records["raw"].astype(np.float64)
        block = SampleBlock(
            t_s=t_s,
            t_host_s=np.full(t_s.shape[0], t_host_s),
            values=raw[:, None],
            channels=CHANNELS,
        )
        if self.tare_raw is not None:
            return [self._tared(block)]
        self._held.append(block)
        if sum(len(b) for b in self._held) < self.tare_samples:
            return []
        return self._release(t_host_s)

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: samples held for the tare are delivered, tared on what arrived."""
        return self._release(t_host_s) if self._held else []

    def _release(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        held = SampleBlock.concat(self._held)
        self._held = []
        first = held.values[: self.tare_samples, 0]
        self.tare_raw = float(first.mean())
        text = f"Frez Dyno tared on its first {first.size} samples: {self.tare_raw:.1f} counts"
        return [DeviceMessage(t_host_s, "tare", text), self._tared(held)]

    def _tared(self, block: SampleBlock) -> SampleBlock:
        assert self.tare_raw is not None
        return SampleBlock(
            t_s=block.t_s,
            t_host_s=block.t_host_s,
            values=block.values - self.tare_raw,
            channels=CHANNELS,
            lost_before=block.lost_before,
        )
