"""Every decoder isoforce has, with a valid stream of each, for the property tests and the fuzz run.

A :class:`Codec` says how to build the decoder, how to turn integers into a valid stream of its
frames (one chunk per frame: a notification for BLE codecs), which channel carries the integer,
and what any emitted sample must satisfy. Every registered BLE device is fuzzed from the
documented ``EXAMPLES`` its module declares (:func:`from_examples`: integer ``i`` sends example
``i``), so a new BLE device needs no entry here; the hand-written codecs below add value sweeps
with a bound on what may come out, the serial decoders and decoder options the registry does
not use. :func:`check_items` is the one invariant every test
and the long fuzz run apply: no exception, no infinite value, NaN only where a codec marks a
channel its frame group did not carry, values within the codec's bound, time never going back.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices import isoforce_frame, witmotion_uart
from isoforce.devices.base import Decoder, DeviceMessage
from isoforce.devices.ble_profile import BleDeviceModule
from isoforce.devices.ble_specs import BLE_DEVICE_MODULES
from isoforce.devices.forceboard import ForceBoardDecoder, SampleEncoding
from isoforce.devices.hx711_lines import MAX_ABS_VALUE, Hx711LineDecoder
from isoforce.devices.progressor import MAX_ABS_KG, ProgressorDecoder
from isoforce.devices.wh_c06 import WhC06Decoder
from isoforce.devices.witmotion_ble import WitMotionBleDecoder
from isoforce.units import N_PER_KGF, N_PER_LBF

Items = list[SampleBlock | DeviceMessage]


@dataclass(frozen=True)
class Codec:
    """One decoder configuration under test."""

    name: str
    make: Callable[[], Decoder]
    frames: Callable[[Sequence[int]], list[bytes]]
    channel: str
    value_range: tuple[int, int]
    max_abs: float = math.inf
    streaming: bool = True
    """Bytes may be cut anywhere; False: one ``feed`` is one notification."""
    missing_marker: bool = False
    """NaN marks a channel a frame group did not carry (never a decoded value)."""
    channel_max_abs: Mapping[str, float] = field(default_factory=dict)
    """Bounds of named channels, where they differ from ``max_abs``."""
    samples_per_frame: int = 1
    """Samples each valid frame carries (a Frez Dyno notification always carries nine)."""

    def bounds(self, channels: Sequence[str]) -> np.ndarray:
        """The bound on each of ``channels``, in order."""
        return np.array([self.channel_max_abs.get(c, self.max_abs) for c in channels])


def _isoforce(values: Sequence[int]) -> list[bytes]:
    n = len(values)
    data = isoforce_frame.encode_frames(
        seq=np.arange(n),
        t_us=np.arange(n) * 1000,
        names=("load_raw",),
        values=np.asarray(values, dtype=np.float64).reshape(n, 1),
    )
    size = isoforce_frame.frame_bytes(isoforce_frame.mask_for(("load_raw",)))
    return [data[i : i + size] for i in range(0, len(data), size)]


def _hx711(prefix: str) -> Callable[[Sequence[int]], list[bytes]]:
    return lambda values: [f"{prefix}{v}\r\n".encode() for v in values]


def _witmotion_uart(values: Sequence[int]) -> list[bytes]:
    """Groups of acceleration, angular rate and angle frames: one sample each."""
    out = []
    for v in values:
        out += [
            witmotion_uart.encode_frames(type_code=t, words=np.array([[v, 1, 2, 3]]))
            for t in (witmotion_uart.TYPE_ACC, witmotion_uart.TYPE_GYRO, witmotion_uart.TYPE_ANGLE)
        ]
    return out


#: Each WitMotion UART channel is an int16 times its scale: acc ±16 g, temperature ±327.68 °C,
#: gyro ±2000 °/s, angles ±180°, quaternion ±1, and the magnetometer in raw counts (±32768),
#: which the fuzz run found beyond a single gyro bound (a valid 0x54 frame inside garbage).
WITMOTION_UART_BOUNDS = {
    name: witmotion_uart.INT16_FULL_SCALE * scale
    for frame in witmotion_uart.DECODED
    for name, scale in zip(frame.names, frame.scales, strict=True)
}


def _witmotion_ble(size: int) -> Callable[[Sequence[int]], list[bytes]]:
    words = (size - 2) // 2
    return lambda values: [
        b"\x55\x61" + struct.pack(f"<{words}h", v, *range(1, words)) for v in values
    ]


def _progressor(values: Sequence[int]) -> list[bytes]:
    return [bytes((1, 8)) + struct.pack("<fI", v / 10, 12_500 * i) for i, v in enumerate(values)]


def _forceboard(values: Sequence[int]) -> list[bytes]:
    return [b"\x00\x01" + (v & 0xFFFFFF).to_bytes(3, "big") for v in values]


def _wh_c06(values: Sequence[int]) -> list[bytes]:
    return [bytes(10) + v.to_bytes(2, "big", signed=True) + b"\x01\xf4\x01\x00\x00" for v in values]


def _decoded(make: Callable[[], Decoder], chunks: Sequence[bytes]) -> list[SampleBlock]:
    dec = make()
    items = [item for chunk in chunks for item in dec.feed(0.0, chunk)] + dec.flush(0.0)
    return [i for i in items if isinstance(i, SampleBlock)]


def from_examples(module: BleDeviceModule) -> Codec:
    """A registered BLE device with its documented examples as the valid frames.

    The value channel is the first channel of the first example; the codec is streaming when
    each example cut in two still gives its sample (the decoder reassembles notifications).
    """
    examples = module.EXAMPLES
    make = module.PROFILE.decoder
    channel = _decoded(make, examples[:1])[0].channels[0]

    def sample(chunks: Sequence[bytes]) -> list[list[float]]:
        return [row for b in _decoded(make, chunks) for row in b.values.tolist()]

    streaming = all(sample([e[: len(e) // 2], e[len(e) // 2 :]]) == sample([e]) for e in examples)
    return Codec(
        f"{module.SPEC.key}-examples",
        make,
        lambda values: [examples[v] for v in values],
        channel,
        (0, len(examples) - 1),
        streaming=streaming,
        samples_per_frame=getattr(module, "EXAMPLE_SAMPLES", 1),
    )


INT16 = (-32768, 32767)
CODECS: tuple[Codec, ...] = (
    *(from_examples(m) for m in BLE_DEVICE_MODULES),
    Codec("isoforce-frame", isoforce_frame.IsoforceFrameDecoder, _isoforce, "load_raw",
          (-(2**31), 2**31 - 1), 2.0**31),
    Codec("hx711-plain", Hx711LineDecoder, _hx711(""), "load_raw",
          (-(10**9), 10**9), MAX_ABS_VALUE),
    Codec("hx711-bogde", Hx711LineDecoder, _hx711("HX711 reading: "), "load_raw",
          (-(2**23), 2**23 - 1), MAX_ABS_VALUE),
    Codec("witmotion-uart", witmotion_uart.WitMotionDecoder, _witmotion_uart, "acc_x_g",
          INT16, witmotion_uart.GYRO_RANGE_DPS, missing_marker=True,
          channel_max_abs=WITMOTION_UART_BOUNDS),
    Codec("witmotion-ble", WitMotionBleDecoder, _witmotion_ble(20), "acc_x_g",
          INT16, witmotion_uart.GYRO_RANGE_DPS),
    Codec("witmotion-ble-16", lambda: WitMotionBleDecoder(frame_bytes=16), _witmotion_ble(16),
          "acc_x_g", INT16, witmotion_uart.GYRO_RANGE_DPS, missing_marker=True),
    Codec("progressor", ProgressorDecoder, _progressor, "force_n",
          (-3000, 3000), MAX_ABS_KG * N_PER_KGF, streaming=False),
    Codec("forceboard", ForceBoardDecoder, _forceboard, "force_n",
          (-(2**23), 2**23 - 1), 2**23 * N_PER_LBF, streaming=False),
    Codec("forceboard-quoted", lambda: ForceBoardDecoder(encoding=SampleEncoding.QUOTED),
          _forceboard, "force_n", (0, 2**15 - 1), 2**24 * N_PER_LBF, streaming=False),
    Codec("wh-c06", WhC06Decoder, _wh_c06, "force_n", INT16,
          2**15 * 0.01 * 14 * 0.45359237 * N_PER_KGF, streaming=False),
)  # fmt: skip
BY_NAME = {c.name: c for c in CODECS}


def check_items(codec: Codec, items: Items) -> list[SampleBlock]:
    """Assert the invariant on everything a decoder emitted; return the sample blocks."""
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    for block in blocks:
        values = block.values
        assert values.shape == (len(block), len(block.channels)), codec.name
        assert not np.isinf(values).any(), f"{codec.name}: infinite value emitted"
        nan = np.isnan(values)
        if codec.missing_marker:
            assert not nan.all(axis=1).any(), f"{codec.name}: a sample with no value at all"
        else:
            assert not nan.any(), f"{codec.name}: NaN emitted"
        inside = np.abs(values) <= codec.bounds(block.channels)
        assert (inside | nan).all(), f"{codec.name}: out of range"
        assert np.isfinite(block.t_s).all() and np.all(np.diff(block.t_s) >= 0), codec.name
    return blocks


def run(codec: Codec, chunks: Sequence[bytes], *, flush: bool = True) -> tuple[Decoder, Items]:
    """Feed ``chunks`` (then end the stream) to a fresh decoder; check and return what it gave."""
    dec = codec.make()
    items: Items = []
    for i, chunk in enumerate(chunks):
        items += dec.feed(0.01 * i, chunk)
    if flush:
        items += dec.flush(0.01 * len(chunks))
    check_items(codec, items)
    stats = dec.stats
    counters = (stats.frames_ok, stats.bytes_dropped, stats.checksum_errors, stats.resyncs)
    assert min(counters) >= 0 and min(stats.drops_by_reason().values()) >= 0, codec.name
    return dec, items


def column(codec: Codec, items: Items) -> list[float]:
    """The codec's value channel across every emitted sample, in order."""
    out: list[float] = []
    for block in (i for i in items if isinstance(i, SampleBlock)):
        out += block.column(codec.channel).tolist() if block.has(codec.channel) else []
    return out
