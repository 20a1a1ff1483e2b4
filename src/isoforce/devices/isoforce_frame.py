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
``stats.bad_lengths``) and sequence gaps, and decodes runs of identical frames with numpy.
"""

from __future__ import annotations

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


def channels_in(mask: int) -> tuple[Channel, ...]:
    """The channels a mask selects, in wire order; unknown bits are kept as ``chN`` with scale 1."""
    return tuple(
        _BY_BIT.get(bit, Channel(bit, f"ch{bit}", 1.0)) for bit in range(16) if mask >> bit & 1
    )


def frame_bytes(mask: int) -> int:
    """Total size of one frame with this mask."""
    return HEADER_BYTES + FIXED_PAYLOAD_BYTES + VALUE_BYTES * bin(mask).count("1") + CRC_BYTES


def _crc_table() -> NDArray[np.uint16]:
    table = np.zeros(256, dtype=np.uint16)
    for i in range(256):
        crc = i << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table[i] = crc & 0xFFFF
    return table


CRC_TABLE = _crc_table()
_CRC_LIST: list[int] = CRC_TABLE.tolist()
#: Below this many frames a per-frame loop beats the column-wise numpy CRC.
_FEW_ROWS = 16


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (check value for ``b"123456789"`` is 0x29B1)."""
    crc = 0xFFFF
    table = _CRC_LIST
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ byte) & 0xFF]
    return crc


def crc16_rows(rows: NDArray[np.uint8]) -> NDArray[np.uint16]:
    """CRC-16/CCITT-FALSE of every row of a 2-D byte array at once."""
    if rows.shape[0] < _FEW_ROWS:
        return np.array([crc16_ccitt(row.tobytes()) for row in rows], dtype=np.uint16)
    crc = np.full(rows.shape[0], 0xFFFF, dtype=np.uint16)
    for col in range(rows.shape[1]):
        idx = ((crc >> 8) ^ rows[:, col]) & 0xFF
        crc = ((crc << 8) & 0xFFFF) ^ CRC_TABLE[idx]
    return crc.astype(np.uint16)


def encode_frames(
    *,
    seq: NDArray[np.integer],
    t_us: NDArray[np.integer],
    names: tuple[str, ...],
    values: FloatArray,
) -> bytes:
    """Encode samples as consecutive frames (vectorised).

    ``values`` has one column per name in ``names`` in physical units; columns are reordered to
    wire order and scaled to int32 with rounding. Out-of-range values saturate.
    """
    n = int(seq.shape[0])
    mask = mask_for(names)
    wire = channels_in(mask)
    order = [names.index(c.name) for c in wire]
    k = len(wire)
    size = frame_bytes(mask)
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
    out[:, 10:12] = np.full(n, mask, dtype="<u2").view(np.uint8).reshape(n, 2)
    if k:
        scales = np.array([c.scale for c in wire])
        scaled = np.rint(values[:, order] / scales)
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


def _whole_frame_inside(buf: NDArray[np.uint8], pos: int, size: int) -> bool:
    """Whether a complete frame with a good CRC starts after ``pos`` within ``size`` bytes."""
    n = buf.shape[0]
    view = buf[pos + 1 : min(n, pos + size)]
    hits = np.flatnonzero((view[:-1] == SYNC0) & (view[1:] == SYNC1)) + pos + 1
    for start in hits.tolist():
        if n - start < HEADER_BYTES:
            return False
        kind, length = int(buf[start + 2]), int(buf[start + 3])
        ok_samples = (
            kind == TYPE_SAMPLES_V1
            and FIXED_PAYLOAD_BYTES <= length <= MAX_PAYLOAD_BYTES
            and (length - FIXED_PAYLOAD_BYTES) % VALUE_BYTES == 0
        )
        if not (ok_samples or (kind == TYPE_TEXT_V1 and length <= MAX_TEXT_BYTES)):
            continue
        end = start + HEADER_BYTES + length + CRC_BYTES
        if end <= n and crc16_ccitt(bytes(buf[start + 2 : end - CRC_BYTES])) == int(
            buf[end - 2]
        ) | (int(buf[end - 1]) << 8):
            return True
    return False


def _length_fits_mask(row: NDArray[np.uint8]) -> bool:
    """Whether a sample frame's payload length holds exactly one value per channel of its mask."""
    mask = int(row[10]) | int(row[11]) << 8
    return int(row[3]) == FIXED_PAYLOAD_BYTES + VALUE_BYTES * bin(mask).count("1")


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
        buf = np.frombuffer(bytes(self._buf), dtype=np.uint8)
        out: list[SampleBlock | DeviceMessage] = []
        pos = 0
        n = buf.shape[0]
        while pos < n:
            start = self._find_sync(buf, pos)
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
            length = int(buf[pos + 3])
            if buf[pos + 2] == TYPE_TEXT_V1 and length <= MAX_TEXT_BYTES:
                size = HEADER_BYTES + length + CRC_BYTES
                if n - pos < size:
                    if not _whole_frame_inside(buf, pos, size):
                        break
                    self._resync()  # a damaged length: a complete frame starts inside it
                    pos += 1
                    continue
                if self._crc_ok(buf[pos : pos + size].reshape(1, size), size)[0]:
                    text = bytes(buf[pos + HEADER_BYTES : pos + size - CRC_BYTES])
                    out.append(DeviceMessage(t_host_s, TEXT_KIND, text.decode("utf-8", "replace")))
                    self.stats.other["text_frames"] = self.stats.other.get("text_frames", 0) + 1
                    pos += size
                    continue
                self.stats.checksum_errors += 1
                self._resync()
                pos += 1
                continue
            if (
                buf[pos + 2] != TYPE_SAMPLES_V1
                or length < FIXED_PAYLOAD_BYTES
                or length > MAX_PAYLOAD_BYTES
                or (length - FIXED_PAYLOAD_BYTES) % VALUE_BYTES
            ):
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
            count = self._run_length(buf, pos, size)
            rows = buf[pos : pos + count * size].reshape(count, size)
            good = self._crc_ok(rows, size)
            if not good[0]:
                self.stats.checksum_errors += 1
                self._resync()
                pos += 1
                continue
            if not _length_fits_mask(rows[0]):
                # a checked frame whose channel mask and payload length disagree: skip it whole
                self.stats.bad_lengths += 1
                self._discard(size)
                pos += size
                continue
            if not good.all():
                count = int(np.argmin(good))
                rows = rows[:count]
            out.extend(self._decode_rows(rows, t_host_s))
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
    def _find_sync(buf: NDArray[np.uint8], pos: int) -> int:
        view = buf[pos:]
        if view.shape[0] < 2:
            return -1
        hits = np.flatnonzero((view[:-1] == SYNC0) & (view[1:] == SYNC1))
        return pos + int(hits[0]) if hits.size else -1

    @staticmethod
    def _run_length(buf: NDArray[np.uint8], pos: int, size: int) -> int:
        """How many frames of ``size`` with the same header and mask follow contiguously."""
        avail = (buf.shape[0] - pos) // size
        rows = buf[pos : pos + avail * size].reshape(avail, size)
        same = (
            (rows[:, 0] == SYNC0)
            & (rows[:, 1] == SYNC1)
            & (rows[:, 2] == rows[0, 2])
            & (rows[:, 3] == rows[0, 3])
            & (rows[:, 10] == rows[0, 10])
            & (rows[:, 11] == rows[0, 11])
        )
        return int(np.argmin(same)) if not same.all() else avail

    @staticmethod
    def _crc_ok(rows: NDArray[np.uint8], size: int) -> NDArray[np.bool_]:
        crc = crc16_rows(rows[:, 2 : size - CRC_BYTES])
        got = rows[:, size - 2].astype(np.uint16) | (rows[:, size - 1].astype(np.uint16) << 8)
        return np.asarray(crc == got)

    def _decode_rows(self, rows: NDArray[np.uint8], t_host_s: float) -> list[SampleBlock]:
        count = rows.shape[0]
        if count == 0:
            return []
        size = rows.shape[1]
        mask = int(rows[0, 10]) | int(rows[0, 11]) << 8
        wire = channels_in(mask)
        seq = rows[:, 4].astype(np.int64) | rows[:, 5].astype(np.int64) << 8
        t_us = np.ascontiguousarray(rows[:, 6:10]).view("<u4").reshape(count)
        ints = (
            np.ascontiguousarray(rows[:, 12 : size - CRC_BYTES])
            .view("<i4")
            .reshape(count, len(wire))
        )
        values = ints.astype(np.float64) * np.array([c.scale for c in wire])
        lost = self._count_lost(seq)
        self.stats.frames_ok += count
        t_s = self._clock.unwrap(t_us)
        return [
            SampleBlock(
                t_s=t_s,
                t_host_s=np.full(count, t_host_s),
                values=values,
                channels=tuple(c.name for c in wire),
                lost_before=lost,
            )
        ]

    def _count_lost(self, seq: NDArray[np.int64]) -> int:
        """Samples missing before this run, and inside it (sequence gaps), added to the stats."""
        prev = self._next_seq
        expected = np.empty_like(seq)
        expected[0] = seq[0] if prev is None else prev
        expected[1:] = (seq[:-1] + 1) % SEQ_MODULUS
        gaps = (seq - expected) % SEQ_MODULUS
        self._next_seq = int((seq[-1] + 1) % SEQ_MODULUS)
        total = int(gaps.sum())
        self.stats.samples_lost += total
        return int(gaps[0])
