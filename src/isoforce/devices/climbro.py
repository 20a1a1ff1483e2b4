"""Climbro force-sensing hangboard: a marker-switched byte stream over a transparent UART.

Spec (device-protocols.md §5, confidence B/C: hangtime-grip-connect's ``climbro.model.ts``;
the UUIDs are Microchip's RN487x "Transparent UART" service, confidence A)::

    discover   name starts with "Climbro"
    service    49535343-fe7d-4ae5-8fa9-9fafd205e455  (Microchip transparent UART)
    data       49535343-1e4d-4bd9-ba61-23c647249616  notify (TX); streams once subscribed

    stream     a byte stream whose meaning is switched by marker bytes, across notifications:
      0xF0     the bytes that follow are battery readings
      0xF5     the bytes that follow are force samples: one unsigned byte each, kilograms
      0xF6     a reserved word standing for the value 36 (a force of 36 kg)

    battery %  = 100 / (230 − 112) × (byte − 112)

The mode a marker sets carries over to the next notification (the decoder keeps it). Bytes
before the first marker cannot be read and are counted (``stats.other["unsynchronised"]``);
other bytes from 0xF0 up (0xF1–0xF4, 0xF7–0xFF) look like protocol words, not weights, and
are counted (``stats.other["reserved_bytes"]``) rather than read as 241–255 kg (the source reads
them as weights; no Climbro hangs that much). Resolution is 1 kg. The board sends no time;
samples are stamped with host arrival time spread at ``NOMINAL_RATE_HZ`` (the rate is not
published: an assumption). EXPERIMENTAL: one source, no captured bytes.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import BleProfile
from isoforce.units import N_PER_KGF

NAME_PREFIX = "Climbro"
UART_SERVICE_UUID = "49535343-fe7d-4ae5-8fa9-9fafd205e455"
DATA_UUID = "49535343-1e4d-4bd9-ba61-23c647249616"
WRITE_UUID = "49535343-8841-43f4-a8d4-ecbe34729bb3"

MARK_BATTERY = 0xF0
MARK_FORCE = 0xF5
WORD_36 = 0xF6
WORD_36_VALUE = 36
#: Bytes from here up are protocol words (markers, the 36 word, and unknown reserved ones).
RESERVED_FROM = 0xF0
BATTERY_EMPTY = 112
BATTERY_FULL = 230
#: Not published; an assumption for spacing samples that arrive in one notification.
NOMINAL_RATE_HZ = 10.0
_NO_MODE = 0

SPEC = force_spec(
    "climbro",
    "Climbro force-sensing hangboard over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "EXPERIMENTAL. Whole kilograms (1 kg resolution → N), host-timed; rate not published "
        "(10 Hz assumed); battery in the stream. Software tare only. Source: "
        "hangtime-grip-connect (device-protocols.md §5)."
    ),
    experimental=(
        "its byte protocol comes from one open-source client (hangtime-grip-connect), its "
        "rate is not published and its resolution is 1 kg; check readings against a known weight"
    ),
)

PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: ClimbroDecoder(),  # defined below
    notify_uuid=DATA_UUID,
    write_uuid=WRITE_UUID,
    name_prefixes=(NAME_PREFIX,),
)

EXAMPLES: tuple[bytes, ...] = (
    # device-protocols.md §5: force marker F5, then one sample byte 0x19 = 25 kg
    # (tests/devices/test_climbro.py)
    bytes.fromhex("F5 19"),
    # the reserved word F6 after the force marker: a sample of 36 kg
    bytes.fromhex("F5 F6"),
)


def battery_percent(byte: int) -> float:
    """Battery level from one battery byte, 0–100 % (the source's linear map, clipped)."""
    pct = 100.0 / (BATTERY_FULL - BATTERY_EMPTY) * (byte - BATTERY_EMPTY)
    return min(100.0, max(0.0, pct))


class ClimbroDecoder(HostTimedDecoder):
    """Decodes the Climbro byte stream (vectorised per notification); never raises.

    ``stats.other`` counts ``unsynchronised`` bytes (before any marker), ``reserved_bytes``
    and ``battery_bytes``; :attr:`battery_pct` holds the latest battery level. Every sample
    byte is delivered as it arrives: nothing is held for :meth:`flush`.
    """

    COUNTERS = ("unsynchronised", "reserved_bytes", "battery_bytes")
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def __init__(self, *, nominal_rate_hz: float = NOMINAL_RATE_HZ) -> None:
        super().__init__(nominal_rate_hz=nominal_rate_hz)
        self.mode = _NO_MODE
        """The marker in force at the end of the latest notification (0 before any)."""
        self.battery_pct: float | None = None

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one notification."""
        if not data:
            return []
        b = np.frombuffer(data, dtype=np.uint8)
        marker = (b == MARK_BATTERY) | (b == MARK_FORCE)
        positions = np.where(marker, np.arange(b.size), -1)
        np.maximum.accumulate(positions, out=positions)
        mode = np.where(positions >= 0, b[np.maximum(positions, 0)], self.mode)
        self.mode = int(mode[-1])
        value_bytes = ~marker
        reserved = value_bytes & (b >= RESERVED_FROM) & (b != WORD_36)
        usable = value_bytes & ~reserved
        lost = usable & (mode == _NO_MODE)
        force = usable & (mode == MARK_FORCE)
        battery = usable & (mode == MARK_BATTERY)
        n_reserved, n_lost = int(np.count_nonzero(reserved)), int(np.count_nonzero(lost))
        self.stats.other["reserved_bytes"] += n_reserved
        self.stats.other["unsynchronised"] += n_lost
        self.stats.bytes_dropped += n_reserved + n_lost
        out: list[SampleBlock | DeviceMessage] = []
        if battery.any():
            self.stats.other["battery_bytes"] += int(np.count_nonzero(battery))
            pct = battery_percent(int(b[battery][-1]))
            if self.battery_pct is None or round(pct) != round(self.battery_pct):
                out.append(DeviceMessage(t_host_s, "battery", f"{pct:.0f} %"))
            self.battery_pct = pct
        n = int(np.count_nonzero(force))
        if n == 0:
            return out
        self.stats.frames_ok += 1
        kg = b[force].astype(np.float64)
        kg[kg == WORD_36] = WORD_36_VALUE
        block = self._force_block(t_host_s, kg * N_PER_KGF)
        return out if block is None else [*out, block]
