"""The isoforce frame: the compact binary sample frame of isoforce's own firmware and simulator.

Byte layout (all multi-byte fields little-endian; specified in ``firmware_notes/frame-format.md``)::

    offset  size  field
    0       2     sync 0xA5 0x5A
    2       1     frame type (0x01 = samples, version 1)
    3       1     payload length L (bytes 4 .. 4+L-1)
    4       2     sequence number, uint16, +1 per frame, wraps
    6       4     device time of the sample, uint32 microseconds, wraps every 2^32 µs
    10      2     channel mask, uint16: bit i set = channel i present
    12      4·k   one int32 per present channel, in ascending bit order, scaled as CHANNELS says
    4+L     2     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over bytes 2 .. 4+L-1

The decoder resynchronises on garbage, keeps partial frames across chunks, counts dropped
bytes, checksum failures, frames whose length disagrees with their channel mask (skipped whole,
``stats.bad_lengths``) and sequence gaps. A run of identical frames is decoded at once: frame by frame in plain Python
while it is short (a notification carries one or a few samples), column-wise with numpy when it
is long (a file, a fast serial stream); both give the same bits.
"""

from __future__ import annotations

import binascii
import functools
import itertools
import struct
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.device_time import CounterSpec, CounterUnwrapper
from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import TEXT_KIND, CountingDecoder, DeviceMessage

SYNC = b"\xa5\x5a"
SYNC0, SYNC1 = 0xA5, 0x5A
TYPE_SAMPLES_V1 = 0x01
#: A text message from the firmware (command replies, warnings): UTF-8 payload, no seq/time.
TYPE_TEXT_V1 = 0x02
MAX_TEXT_BYTES = 64
HEADER_BYTES = 4  # sync, type, length
FIXED_PAYLOAD_BYTES = 8  # seq (2) + time (4) + mask (2)
CRC_BYTES = 2
CRC_INIT = 0xFFFF
VALUE_BYTES = 4
MAX_CHANNELS = 16
MAX_PAYLOAD_BYTES = FIXED_PAYLOAD_BYTES + VALUE_BYTES * MAX_CHANNELS
SEQ_MODULUS = 1 << 16
TIME_COUNTER = CounterSpec(bits=32, tick_s=1e-6)


@dataclass(frozen=True, slots=True)
class Channel:
    """One channel of the frame: its bit, name (with unit) and the value of one int32 step."""

    bit: int
    name: str
    scale: float


CHANNELS: tuple[Channel, ...] = (
    Channel(0, "load_raw", 1.0),  # ADC counts as the amplifier gives them
    Channel(1, "acc_x_g", 1e-6),
    Channel(2, "acc_y_g", 1e-6),
    Channel(3, "acc_z_g", 1e-6),
    Channel(4, "gyro_x_dps", 1e-3),
    Channel(5, "gyro_y_dps", 1e-3),
    Channel(6, "gyro_z_dps", 1e-3),
    Channel(7, "force_n", 1e-3),  # firmware that calibrates on the device
    Channel(12, "truth_target_pct", 1e-3),  # simulator only: the target the athlete follows
    Channel(13, "truth_angle_deg", 1e-3),  # simulator only: true rotation angle
    Channel(14, "truth_force_n", 1e-3),  # simulator only: force before sensor noise and drift
)
_BY_BIT = {c.bit: c for c in CHANNELS}
_BY_NAME = {c.name: c for c in CHANNELS}


def mask_for(names: tuple[str, ...]) -> int:
    """The channel mask for channel names; raises ``KeyError`` for an unknown name."""
    mask = 0
    for name in names:
        mask |= 1 << _BY_NAME[name].bit
    return mask


@functools.lru_cache(maxsize=64)
def channels_in(mask: int) -> tuple[Channel, ...]:
    """The channels a mask selects, in wire order; unknown bits are kept as ``chN`` with scale 1."""
    return tuple(
        _BY_BIT.get(bit, Channel(bit, f"ch{bit}", 1.0)) for bit in range(16) if mask >> bit & 1
    )


def frame_bytes(mask: int) -> int:
    """Total size of one frame with this mask."""
    return HEADER_BYTES + FIXED_PAYLOAD_BYTES + VALUE_BYTES * bin(mask).count("1") + CRC_BYTES


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the codec needs of one channel mask, worked out once (a stream has one or two)."""

    mask: int
    names: tuple[str, ...]
    scales: tuple[float, ...]
    scale_array: FloatArray
    size: int
    #: seq, time, (mask,) and the int32 values, from byte 4 of a frame
    fields: struct.Struct


@functools.lru_cache(maxsize=64)
def _layout(mask: int) -> _Layout:
    wire = channels_in(mask)
    scales = tuple(c.scale for c in wire)
    scale_array = np.array(scales, dtype=np.float64)
    scale_array.setflags(write=False)
    fields = struct.Struct(f"<HIH{len(wire)}i")
    return _Layout(
        mask, tuple(c.name for c in wire), scales, scale_array, frame_bytes(mask), fields
    )


def _crc_table() -> NDArray[np.uint16]:
    table = np.zeros(256, dtype=np.uint16)
    for i in range(256):
        crc = i << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table[i] = crc & 0xFFFF
    return table


CRC_TABLE = _crc_table()
#: Up to this many frames a loop over frames beats the column-wise numpy code, whose dozen or
#: two numpy calls cost about the same for 1 frame as for 100 (measured: decoding crosses over
#: at ~24 frames, encoding at ~10, one CRC per C call at ~256).
_FEW_ROWS = 20
_FEW_ENCODE_ROWS = 8
_FEW_CRC_ROWS = 256


def crc16_ccitt(data: bytes | bytearray) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (check value for ``b"123456789"`` is 0x29B1).

    ``binascii.crc_hqx`` is this CRC (poly 0x1021, not reflected, no final xor) from any start.
    """
    return binascii.crc_hqx(data, CRC_INIT)


def crc16_rows(rows: NDArray[np.uint8]) -> NDArray[np.uint16]:
    """CRC-16/CCITT-FALSE of every row of a 2-D byte array at once."""
    if rows.shape[0] <= _FEW_CRC_ROWS:
        return np.array([crc16_ccitt(row.tobytes()) for row in rows], dtype=np.uint16)
    crc = np.full(rows.shape[0], 0xFFFF, dtype=np.uint16)
    for col in range(rows.shape[1]):
        idx = ((crc >> 8) ^ rows[:, col]) & 0xFF
        crc = ((crc << 8) & 0xFFFF) ^ CRC_TABLE[idx]
    return crc.astype(np.uint16)


def _crc_ok(buf: bytearray, pos: int, size: int) -> bool:
    """Whether the frame of ``size`` bytes at ``pos`` carries the right CRC."""
    end = pos + size - CRC_BYTES
    return crc16_ccitt(buf[pos + 2 : end]) == buf[end] | buf[end + 1] << 8


@functools.lru_cache(maxsize=64)
def _encoding(names: tuple[str, ...]) -> tuple[_Layout, tuple[int, ...]]:
    """The layout for channels ``names`` and, per wire channel, its column in ``values``."""
    layout = _layout(mask_for(names))
    return layout, tuple(names.index(name) for name in layout.names)


def encode_frames(
    *,
    seq: NDArray[np.integer],
    t_us: NDArray[np.integer],
    names: tuple[str, ...],
    values: FloatArray,
) -> bytes:
    """Encode samples as consecutive frames.

    ``values`` has one column per name in ``names`` in physical units; columns are reordered to
    wire order and scaled to int32 with rounding. Out-of-range values saturate.
    """
    layout, order = _encoding(names)
    n = int(seq.shape[0])
    if n <= _FEW_ENCODE_ROWS:
        try:
            return _encode_few(layout, order, seq.tolist(), t_us.tolist(), values.tolist())
        except ValueError:  # a NaN has no int32: the array path casts it as numpy does
            pass
    return _encode_many(layout, order, seq, t_us, values)


def _encode_few(
    layout: _Layout,
    order: tuple[int, ...],
    seq: list[int],
    t_us: list[int],
    values: list[list[float]],
) -> bytes:
    """A few frames, one at a time in plain Python (the same bytes as :func:`_encode_many`)."""
    lead = SYNC + bytes((TYPE_SAMPLES_V1, layout.size - HEADER_BYTES - CRC_BYTES))
    scales = layout.scales
    frames = []
    for s, t, row in zip(seq, t_us, values, strict=True):
        ints = [
            round(min(max(row[j] / scale, -(2.0**31)), 2.0**31 - 1))
            for j, scale in zip(order, scales, strict=True)
        ]
        body = lead + layout.fields.pack(
            int(s) % SEQ_MODULUS, int(t) % (1 << 32), layout.mask, *ints
        )
        frames.append(body + crc16_ccitt(body[2:]).to_bytes(CRC_BYTES, "little"))
    return b"".join(frames)


def _encode_many(
    layout: _Layout,
    order: tuple[int, ...],
    seq: NDArray[np.integer],
    t_us: NDArray[np.integer],
    values: FloatArray,
) -> bytes:
    """Many frames at once, column by column with numpy."""
    n = int(seq.shape[0])
    k = len(order)
    size = layout.size
    out = np.zeros((n, size), dtype=np.uint8)
    out[:, 0] = SYNC0
    out[:, 1] = SYNC1
    out[:, 2] = TYPE_SAMPLES_V1
    out[:, 3] = FIXED_PAYLOAD_BYTES + VALUE_BYTES * k
    out[:, 4:6] = (
        (np.asarray(seq, dtype=np.int64) % SEQ_MODULUS).astype("<u2").view(np.uint8).reshape(n, 2)
    )
    out[:, 6:10] = (
        (np.asarray(t_us, dtype=np.int64) % (1 << 32)).astype("<u4").view(np.uint8).reshape(n, 4)
    )
    out[:, 10:12] = np.full(n, layout.mask, dtype="<u2").view(np.uint8).reshape(n, 2)
    if k:
        scaled = np.rint(values[:, list(order)] / layout.scale_array)
        ints = np.ascontiguousarray(np.clip(scaled, -(2**31), 2**31 - 1), dtype="<i4")
        out[:, 12 : 12 + 4 * k] = ints.view(np.uint8).reshape(n, 4 * k)
    crc = crc16_rows(out[:, 2 : size - CRC_BYTES])
    out[:, size - 2 :] = crc.astype("<u2").view(np.uint8).reshape(n, 2)
    return out.tobytes()


def encode_text(text: str) -> bytes:
    """A text frame (type 0x02) carrying ``text`` as UTF-8, cut to ``MAX_TEXT_BYTES``."""
    payload = text.encode("utf-8")[:MAX_TEXT_BYTES]
    body = bytes((TYPE_TEXT_V1, len(payload))) + payload
    return SYNC + body + crc16_ccitt(body).to_bytes(CRC_BYTES, "little")


def _header_ok(kind: int, length: int) -> bool:
    """Whether a frame type and payload length are ones the format allows."""
    if kind == TYPE_TEXT_V1:
        return length <= MAX_TEXT_BYTES
    return (
        kind == TYPE_SAMPLES_V1
        and FIXED_PAYLOAD_BYTES <= length <= MAX_PAYLOAD_BYTES
        and (length - FIXED_PAYLOAD_BYTES) % VALUE_BYTES == 0
    )


def _whole_frame_inside(buf: bytearray, pos: int, size: int) -> bool:
    """Whether a complete frame with a good CRC starts after ``pos`` within ``size`` bytes."""
    n = len(buf)
    stop = min(n, pos + size)
    start = buf.find(SYNC, pos + 1, stop)
    while start >= 0:
        if n - start < HEADER_BYTES:
            return False
        length = buf[start + 3]
        if _header_ok(buf[start + 2], length):
            frame_size = HEADER_BYTES + length + CRC_BYTES
            if start + frame_size <= n and _crc_ok(buf, start, frame_size):
                return True
        start = buf.find(SYNC, start + 1, stop)
    return False


def _length_fits_mask(buf: bytearray, pos: int) -> bool:
    """Whether the sample frame at ``pos`` holds exactly one value per channel of its mask."""
    mask = buf[pos + 10] | buf[pos + 11] << 8
    return buf[pos + 3] == FIXED_PAYLOAD_BYTES + VALUE_BYTES * bin(mask).count("1")


class IsoforceFrameDecoder(CountingDecoder):
    """Streaming decoder for isoforce frames. Never raises on garbage; counts what it drops.

    Bytes that are no frame are counted by ``_discard``, a frame given up for a new sync by
    ``_resync``; :meth:`flush` (the base's) drops and counts the bytes of an unfinished frame.
    """

    def __init__(self) -> None:
        super().__init__()
        self._clock = CounterUnwrapper(TIME_COUNTER)
        self._next_seq: int | None = None

    @property
    def pending_bytes(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a chunk; return the sample blocks completed by it (one per run of equal masks)."""
        self._buf += data
        buf = self._buf
        out: list[SampleBlock | DeviceMessage] = []
        pos = 0
        n = len(buf)
        while pos < n:
            start = buf.find(SYNC, pos)
            if start < 0:
                # keep a trailing 0xA5 that may be the first half of a sync
                keep = 1 if buf[n - 1] == SYNC0 else 0
                self._discard(n - keep - pos)
                pos = n - keep
                break
            if start > pos:
                self._discard(start - pos)
                pos = start
            if n - pos < HEADER_BYTES:
                break
            kind, length = buf[pos + 2], buf[pos + 3]
            if not _header_ok(kind, length):
                self._resync()
                pos += 1
                continue
            size = HEADER_BYTES + length + CRC_BYTES
            if n - pos < size:
                if not _whole_frame_inside(buf, pos, size):
                    break
                # A damaged length byte makes the frame look longer than the bytes at hand;
                # a complete, checked frame starting inside it shows the header is garbage.
                self._resync()
                pos += 1
                continue
            if not _crc_ok(buf, pos, size):
                self.stats.checksum_errors += 1
                self._resync()
                pos += 1
                continue
            if kind == TYPE_TEXT_V1:
                text = bytes(buf[pos + HEADER_BYTES : pos + size - CRC_BYTES])
                out.append(DeviceMessage(t_host_s, TEXT_KIND, text.decode("utf-8", "replace")))
                self.stats.other["text_frames"] = self.stats.other.get("text_frames", 0) + 1
                pos += size
                continue
            if not _length_fits_mask(buf, pos):
                # a checked frame whose channel mask and payload length disagree: skip it whole
                self.stats.bad_lengths += 1
                self._discard(size)
                pos += size
                continue
            count = self._good_run(buf, pos, size)
            out.append(self._decode_run(buf, pos, count, t_host_s))
            pos += count * size
        del self._buf[:pos]
        return out

    # -- internals -------------------------------------------------------------------------

    def _discard(self, count: int) -> None:
        self.stats.bytes_dropped += max(0, count)

    def _resync(self) -> None:
        self.stats.resyncs += 1
        self._discard(1)

    @staticmethod
    def _good_run(buf: bytearray, pos: int, size: int) -> int:
        """How many frames like the checked one at ``pos`` (same header and mask, good CRC) follow.

        The frame at ``pos`` counts; the run is contiguous.
        """
        avail = (len(buf) - pos) // size
        if avail <= _FEW_CRC_ROWS:
            header, mask = buf[pos : pos + HEADER_BYTES], buf[pos + 10 : pos + 12]
            count = 1
            for at in range(pos + size, pos + avail * size, size):
                if not (
                    buf.startswith(header, at)
                    and buf.startswith(mask, at + 10)
                    and _crc_ok(buf, at, size)
                ):
                    break
                count += 1
            return count
        rows = _rows(buf, pos, avail, size)
        same = (
            (rows[:, 0] == SYNC0)
            & (rows[:, 1] == SYNC1)
            & (rows[:, 2] == rows[0, 2])
            & (rows[:, 3] == rows[0, 3])
            & (rows[:, 10] == rows[0, 10])
            & (rows[:, 11] == rows[0, 11])
        )
        crc = crc16_rows(rows[:, 2 : size - CRC_BYTES])
        got = rows[:, size - 2].astype(np.uint16) | (rows[:, size - 1].astype(np.uint16) << 8)
        good = same & (crc == got)
        return int(np.argmin(good)) if not good.all() else avail

    def _decode_run(self, buf: bytearray, pos: int, count: int, t_host_s: float) -> SampleBlock:
        """The block of ``count`` checked frames of one mask starting at ``pos``."""
        layout = _layout(buf[pos + 10] | buf[pos + 11] << 8)
        size = layout.size
        if count <= _FEW_ROWS:
            fields = layout.fields
            seq, ticks, values = [], [], []
            for at in range(pos + 4, pos + 4 + count * size, size):
                s, t, _mask, *ints = fields.unpack_from(buf, at)
                seq.append(s)
                ticks.append(t)
                values.append([v * scale for v, scale in zip(ints, layout.scales, strict=True)])
            inside = sum((b - a - 1) % SEQ_MODULUS for a, b in itertools.pairwise(seq))
            lost = self._count_lost(seq[0], seq[-1], inside)
            t_s = self._clock.unwrap(ticks)
            array = np.array(values, dtype=np.float64).reshape(count, len(layout.names))
        else:
            rows = _rows(buf, pos, count, size)
            seq_a = rows[:, 4].astype(np.int64) | rows[:, 5].astype(np.int64) << 8
            t_us = np.ascontiguousarray(rows[:, 6:10]).view("<u4").reshape(count)
            wire_ints = (
                np.ascontiguousarray(rows[:, 12 : size - CRC_BYTES])
                .view("<i4")
                .reshape(count, len(layout.names))
            )
            array = wire_ints.astype(np.float64) * layout.scale_array
            inside = int(((seq_a[1:] - seq_a[:-1] - 1) % SEQ_MODULUS).sum())
            lost = self._count_lost(int(seq_a[0]), int(seq_a[-1]), inside)
            t_s = self._clock.unwrap(t_us)
        self.stats.frames_ok += count
        return SampleBlock(
            t_s=t_s,
            t_host_s=np.full(count, t_host_s),
            values=array,
            channels=layout.names,
            lost_before=lost,
        )

    def _count_lost(self, first_seq: int, last_seq: int, inside: int) -> int:
        """Samples missing before a run (returned) and ``inside`` it, added to the stats."""
        prev = self._next_seq
        before = 0 if prev is None else (first_seq - prev) % SEQ_MODULUS
        self._next_seq = (last_seq + 1) % SEQ_MODULUS
        self.stats.samples_lost += before + inside
        return before


def _rows(buf: bytearray, pos: int, count: int, size: int) -> NDArray[np.uint8]:
    """``count`` frames of ``size`` bytes from ``pos`` as the rows of a (copied) byte array."""
    data = bytes(buf[pos : pos + count * size])
    return np.frombuffer(data, dtype=np.uint8).reshape(count, size)
