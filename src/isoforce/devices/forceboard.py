"""PitchSix Force Board (Portable): force notifications in pounds, device modes, tare.

Spec (device-protocols.md §2: hangtime-grip-connect and Grip Gains Companion, which both quote
PitchSix's "Force Board Public API v1.0")::

    discover       name "Force Board"
    force service  9a88d67f-8df2-4afe-9e0d-c2bbbe773dd0
      data         9a88d682-…  notify
      tare         9a88d683-…  write 0x01
      threshold    9a88d686-…  Quick-Start threshold, lbs, 3 bytes big-endian
    mode service   467a8516-6e39-11eb-9439-0242ac130002
      mode         467a8517-…  write 0x04 stream, 0x05 tare, 0x06 Quick-Start, 0x07 idle
    battery        0x180F / 0x2A19 (percent, read; ble_profile.BATTERY_QUERY)

    notification = [sample count, uint16 big-endian][count × 3-byte sample]

A sample is pounds-force. Both sources quote the formula ``b0·32768 + b1·256 + b2`` and treat
it as unsigned; signedness and resolution are unverified (§19.3). isoforce's default is the
**safer** reading: a signed 24-bit big-endian integer. It equals the quoted formula for every
value below 32768 lbf (far beyond the board's range), reads a post-tare dip as a small
negative force instead of millions of pounds, and never reports *less* force than the quoted
formula for plausible values. ``SampleEncoding.QUOTED`` selects the formula as quoted.
Samples with a non-zero top byte that are not negative are counted in
``stats.other["high_byte_samples"]`` and reported once: they are where the readings differ.

The count header is trusted: bytes beyond ``count`` samples are dropped and counted; samples
announced but missing count as lost. The board sends no timestamps, so samples are stamped with
host arrival time spread at the nominal rate (unknown for this device; see the firmware notes).
"""

from __future__ import annotations

import enum

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BATTERY_QUERY, BleProfile, GattWrite
from isoforce.units import N_PER_LBF

NAME = "Force Board"
FORCE_SERVICE_UUID = "9a88d67f-8df2-4afe-9e0d-c2bbbe773dd0"
DATA_UUID = "9a88d682-8df2-4afe-9e0d-c2bbbe773dd0"
TARE_UUID = "9a88d683-8df2-4afe-9e0d-c2bbbe773dd0"
THRESHOLD_UUID = "9a88d686-8df2-4afe-9e0d-c2bbbe773dd0"
MODE_SERVICE_UUID = "467a8516-6e39-11eb-9439-0242ac130002"
MODE_UUID = "467a8517-6e39-11eb-9439-0242ac130002"

MODE_STREAM = 0x04
MODE_TARE = 0x05
MODE_QUICK_START = 0x06
MODE_IDLE = 0x07
TARE_VALUE = 0x01

COUNT_BYTES = 2  # uint16 big-endian
SAMPLE_BYTES = 3
#: Pounds-force per count in the sources; the true resolution is unverified (§19.3).
LBF_PER_COUNT = 1.0
#: Assumed rate: the sources do not state one (Grip Gains Companion assumes 10 Hz for timing).
NOMINAL_RATE_HZ = 80.0
_SIGN_BIT = 1 << 23


class SampleEncoding(enum.Enum):
    """How the three sample bytes make a number (§19.3)."""

    SIGNED_24 = "signed-24"
    """Two's-complement 24-bit big-endian (default, the safer reading)."""
    QUOTED = "quoted"
    """``b0·32768 + b1·256 + b2``, unsigned, exactly as the sources quote it."""


SPEC = force_spec(
    "forceboard",
    "PitchSix Force Board over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes="Reports pounds-force (→ N); its sample rate is not published. Tare over Bluetooth.",
)


def mode_command(mode: int) -> bytes:
    """The byte to write to the mode characteristic."""
    return bytes((mode,))


PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: ForceBoardDecoder(),  # defined below
    notify_uuid=DATA_UUID,
    write_uuid=MODE_UUID,
    start=(GattWrite(MODE_UUID, mode_command(MODE_STREAM)),),
    stop=(GattWrite(MODE_UUID, mode_command(MODE_IDLE)),),
    tare=(GattWrite(TARE_UUID, bytes((TARE_VALUE,))),),
    queries=(BATTERY_QUERY,),
    names=(NAME,),
    service_uuids=(FORCE_SERVICE_UUID,),
)

EXAMPLES: tuple[bytes, ...] = (
    # The sources' formula "b0·32768 + b1·256 + b2": 00 01 2C = 300 lbf and 00 00 05 = 5 lbf,
    # one sample per notification (tests/devices/test_forceboard.py)
    bytes.fromhex("0001 00012C"),
    bytes.fromhex("0001 000005"),
)


class ForceBoardDecoder(HostTimedDecoder):
    """Decodes Force Board force notifications (one per ``feed``); never raises."""

    COUNTERS = ("high_byte_samples", "extra_bytes")
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def __init__(
        self,
        *,
        encoding: SampleEncoding = SampleEncoding.SIGNED_24,
        lbf_per_count: float = LBF_PER_COUNT,
        nominal_rate_hz: float = NOMINAL_RATE_HZ,
    ) -> None:
        super().__init__(nominal_rate_hz=nominal_rate_hz)
        self.encoding = encoding
        self.n_per_count = lbf_per_count * N_PER_LBF
        self._warned = False

    def counts(self, samples: bytes) -> np.ndarray:
        """Integer counts of whole 3-byte samples (the selected encoding)."""
        n = len(samples) // SAMPLE_BYTES
        rows = np.frombuffer(samples, dtype=np.uint8, count=n * SAMPLE_BYTES).reshape(n, 3)
        b0, b1, b2 = (rows[:, i].astype(np.int64) for i in range(3))
        if self.encoding is SampleEncoding.QUOTED:
            return b0 * 32768 + b1 * 256 + b2
        value = (b0 << 16) | (b1 << 8) | b2
        return value - ((value & _SIGN_BIT) << 1)

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one notification."""
        if len(data) < COUNT_BYTES:
            return self._refuse(len(data))
        announced = int.from_bytes(data[:COUNT_BYTES], "big")
        body = data[COUNT_BYTES:]
        present = min(announced, len(body) // SAMPLE_BYTES)
        used = present * SAMPLE_BYTES
        if len(body) > used:
            self.stats.other["extra_bytes"] += len(body) - used
            self.stats.bytes_dropped += len(body) - used
        self.stats.samples_lost += announced - present
        if present == 0:
            return []
        self.stats.frames_ok += 1
        raw = body[:used]
        counts = self.counts(raw)
        out: list[SampleBlock | DeviceMessage] = []
        top = np.frombuffer(raw, dtype=np.uint8)[0::SAMPLE_BYTES]
        high = int(np.count_nonzero((top > 0) & (top < 0x80)))
        if high:
            self.stats.other["high_byte_samples"] += high
            if not self._warned:
                self._warned = True
                out.append(
                    DeviceMessage(
                        t_host_s,
                        "warning",
                        "Force Board sent readings above 65535 counts: the sources disagree "
                        "on how to read them (firmware_notes/forceboard.md)",
                    )
                )
        block = self._force_block(t_host_s, counts.astype(np.float64) * self.n_per_count)
        return out if block is None else [*out, block]
