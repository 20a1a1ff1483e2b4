"""Entralpi force plate (sold also as Lefu / Unique CW275): one weight per notification.

Spec (device-protocols.md §4, confidence B: one source, hangtime-grip-connect's
``entralpi.model.ts``)::

    discover   name "ENTRALPI"
    data       0000fff1-0000-1000-8000-00805f9b34fb  notify, in the ISSC transparent-UART
               service 0000fff0-…; the same UUID appears again under service 0x181D
               (the SIG Weight Scale UUID, with this non-standard payload), so isoforce
               subscribes to the one in 0000fff0-… (``notify_service_uuid``)
    battery    0x180F / 0x2A19; firmware 0x180A / 0x2A26

    notification = [weight, uint16 big-endian, 0.01 kg][anything else: not documented]

The example in the source's tests: ``04 CE`` is 12.30 kg. The plate has no tare command (use
isoforce's software tare), no start command (it streams once subscribed) and sends no time:
samples are stamped with host arrival time. Its rate is not published: ``NOMINAL_RATE_HZ`` is
an assumption used only to space samples that arrive together. Bytes after the weight are
counted (``stats.other["extra_bytes"]``), never read as weight. EXPERIMENTAL: a single source,
no captured bytes from a real plate.
"""

from __future__ import annotations

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceKind, DeviceMessage, HostTimedDecoder, force_spec
from isoforce.devices.ble_profile import (
    BATTERY_QUERY,
    FIRMWARE_REVISION_UUID,
    BleProfile,
    Query,
    utf8_text,
)
from isoforce.units import N_PER_KGF

NAME = "ENTRALPI"
UART_SERVICE_UUID = "0000fff0-0000-1000-8000-00805f9b34fb"
DATA_UUID = "0000fff1-0000-1000-8000-00805f9b34fb"
WEIGHT_BYTES = 2
KG_PER_COUNT = 0.01
#: Not published; an assumption for spacing samples that arrive in one notification.
NOMINAL_RATE_HZ = 10.0

SPEC = force_spec(
    "entralpi",
    "Entralpi force plate (also Lefu / Unique CW275) over Bluetooth",
    DeviceKind.BLE,
    nominal_rate_hz=NOMINAL_RATE_HZ,
    notes=(
        "EXPERIMENTAL. Weight in 0.01 kg (→ N), host-timed; rate not published (10 Hz "
        "assumed). No remote tare: isoforce's software tare. Source: hangtime-grip-connect "
        "(device-protocols.md §4)."
    ),
    experimental=(
        "its byte layout comes from one open-source client (hangtime-grip-connect) and its "
        "sample rate is not published; check readings against a known weight"
    ),
)

PROFILE = BleProfile(
    key=SPEC.key,
    decoder=lambda: EntralpiDecoder(),  # defined below
    notify_uuid=DATA_UUID,
    notify_service_uuid=UART_SERVICE_UUID,
    queries=(BATTERY_QUERY, Query("firmware", utf8_text, read_uuid=FIRMWARE_REVISION_UUID)),
    names=(NAME,),
)

EXAMPLES: tuple[bytes, ...] = (
    # hangtime-grip-connect's test: 04 CE = 1230 × 0.01 kg = 12.30 kg
    # (device-protocols.md §4; tests/devices/test_entralpi.py)
    bytes.fromhex("04CE"),
)


class EntralpiDecoder(HostTimedDecoder):
    """Decodes one Entralpi weight notification per ``feed``; never raises."""

    COUNTERS = ("extra_bytes",)
    NOMINAL_RATE_HZ = NOMINAL_RATE_HZ

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one notification."""
        if len(data) < WEIGHT_BYTES:
            return self._refuse(len(data))
        self.stats.other["extra_bytes"] += len(data) - WEIGHT_BYTES
        counts = int.from_bytes(data[:WEIGHT_BYTES], "big")
        self.stats.frames_ok += 1
        block = self._force_block(t_host_s, np.array([counts * KG_PER_COUNT * N_PER_KGF]))
        return [] if block is None else [block]
