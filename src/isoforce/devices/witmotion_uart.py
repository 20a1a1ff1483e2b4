"""WitMotion IMUs over a serial port (JY901, WT901C, BWT901CL over SPP): the "normal" protocol.

Byte layout (device-protocols.md §13, from WitMotion's own SDK ``WitStandardProtocol_JY901``)::

    offset  size  field
    0       1     header 0x55
    1       1     frame type (0x50 time, 0x51 acceleration, 0x52 angular rate, 0x53 angle,
                  0x54 magnetic field, 0x59 quaternion, ... 0x5F register read reply)
    2       8     four int16, little-endian
    10      1     checksum: sum of bytes 0..9, modulo 256

One output period is a group of frames in ascending type order (e.g. 51 52 53); the decoder
turns each group into one sample, starting a new sample when a type does not increase. A group
that lost a frame still becomes a sample, with NaN for the lost frame's channels (counted in
``stats.other["incomplete_samples"]``). Channels are those of the frame types seen so far, in a
fixed order (acceleration, angular rate, angle, magnetic field, quaternion). The stream carries
no clock, so samples are stamped with host arrival time. Frames are found and checked with
numpy, a whole run of them at once; after garbage the decoder hunts for the next header whose
checksum holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import DeviceMessage, HostTimedDecoder

HEADER = 0x55
FRAME_BYTES = 11
CHECKSUM_OFFSET = 10
DATA_OFFSET = 2
WORDS_PER_FRAME = 4
#: Full-scale of one int16 step: value / 32768 · range (WitMotion SDK).
INT16_FULL_SCALE = 32768.0
ACC_RANGE_G = 16.0
GYRO_RANGE_DPS = 2000.0
ANGLE_RANGE_DEG = 180.0
QUATERNION_RANGE = 1.0
TEMPERATURE_C_PER_STEP = 0.01

TYPE_TIME = 0x50
TYPE_ACC = 0x51
TYPE_GYRO = 0x52
TYPE_ANGLE = 0x53
TYPE_MAG = 0x54
TYPE_QUATERNION = 0x59
TYPE_REGISTER_READ = 0x5F
#: Every type the normal protocol defines (0x50 … 0x5A and the register reply 0x5F).
KNOWN_TYPES: tuple[int, ...] = (*range(0x50, 0x5B), TYPE_REGISTER_READ)
DEFAULT_RATE_HZ = 200.0
#: Frames remembered to learn the layout's last frame type (the highest type seen lately): lost
#: frames do not fool it, and a device reconfigured to send fewer types is followed after this.
RECENT_FRAMES = 64


@dataclass(frozen=True, slots=True)
class FrameChannels:
    """Which of a frame type's four words become channels, with names (units) and scales."""

    type_code: int
    words: tuple[int, ...]
    names: tuple[str, ...]
    scales: tuple[float, ...]


DECODED: tuple[FrameChannels, ...] = (
    FrameChannels(
        TYPE_ACC,
        (0, 1, 2, 3),
        ("acc_x_g", "acc_y_g", "acc_z_g", "temp_c"),
        (*(ACC_RANGE_G / INT16_FULL_SCALE,) * 3, TEMPERATURE_C_PER_STEP),
    ),
    FrameChannels(
        TYPE_GYRO,
        (0, 1, 2),
        ("gyro_x_dps", "gyro_y_dps", "gyro_z_dps"),
        (GYRO_RANGE_DPS / INT16_FULL_SCALE,) * 3,
    ),
    FrameChannels(
        TYPE_ANGLE,
        (0, 1, 2),
        ("roll_deg", "pitch_deg", "yaw_deg"),
        (ANGLE_RANGE_DEG / INT16_FULL_SCALE,) * 3,
    ),
    FrameChannels(TYPE_MAG, (0, 1, 2), ("mag_x_raw", "mag_y_raw", "mag_z_raw"), (1.0,) * 3),
    FrameChannels(
        TYPE_QUATERNION,
        (0, 1, 2, 3),
        ("quat_w", "quat_x", "quat_y", "quat_z"),
        (QUATERNION_RANGE / INT16_FULL_SCALE,) * 4,
    ),
)
_BY_TYPE = {d.type_code: d for d in DECODED}

_VALID = np.zeros(256, dtype=bool)
_VALID[list(KNOWN_TYPES)] = True
_EMPTY_ROWS = np.empty((0, FRAME_BYTES), dtype=np.uint8)
#: ``_overlap`` result: the bytes that decide between two overlapping frames are not here yet.
_WAIT = -1


def checksum_ok(rows: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Whether each 11-byte row is a frame: header, known type and checksum."""
    total = rows[:, 0].copy()
    for col in range(1, CHECKSUM_OFFSET):  # uint8 sums wrap: modulo 256, as the checksum is
        total += rows[:, col]  # (column adds beat a row-wise reduction over 10 bytes ~4×)
    return np.asarray(
        (rows[:, 0] == HEADER) & _VALID[rows[:, 1]] & (total == rows[:, CHECKSUM_OFFSET])
    )


def _valid_at(buf: NDArray[np.uint8], start: int) -> bool:
    """Whether a whole valid frame starts at ``start`` (False if the buffer ends first)."""
    if buf.shape[0] - start < FRAME_BYTES:
        return False
    return bool(checksum_ok(buf[start : start + FRAME_BYTES].reshape(1, FRAME_BYTES))[0])


def _candidates(buf: NDArray[np.uint8], begin: int, end: int | None = None) -> list[int]:
    """Offsets in ``[begin, end)`` where a frame may start.

    That is a header byte followed by a known type byte, or a header byte that ends the buffer
    (its type byte has not arrived yet).
    """
    n = buf.shape[0]
    stop = n - 1 if end is None else min(end, n - 1)
    found: list[int] = []
    if stop > begin:
        view = buf[begin : stop + 1]
        found = (np.flatnonzero((view[:-1] == HEADER) & _VALID[view[1:]]) + begin).tolist()
    if (end is None or end >= n) and begin <= n - 1 and buf[n - 1] == HEADER:
        found.append(n - 1)
    return found


def encode_frames(*, type_code: int, words: NDArray[np.integer]) -> bytes:
    """Frames of one type from an ``(n, 4)`` array of int16 words (for tests and benchmarks)."""
    data = np.ascontiguousarray(words, dtype="<i2").view(np.uint8).reshape(-1, 8)
    rows = np.zeros((data.shape[0], FRAME_BYTES), dtype=np.uint8)
    rows[:, 0] = HEADER
    rows[:, 1] = type_code
    rows[:, DATA_OFFSET:CHECKSUM_OFFSET] = data
    rows[:, CHECKSUM_OFFSET] = rows[:, :CHECKSUM_OFFSET].sum(axis=1, dtype=np.uint32) & 0xFF
    return rows.tobytes()


class WitMotionDecoder(HostTimedDecoder):
    """Streaming decoder for WitMotion UART frames; never raises, counts what it drops.

    ``stats.frames_ok`` counts valid frames, ``checksum_errors`` headers whose checksum failed,
    ``resyncs`` runs of dropped bytes between good frames.
    """

    COUNTERS = ("incomplete_samples", "groups_without_channels")
    NOMINAL_RATE_HZ = DEFAULT_RATE_HZ

    def __init__(self, *, nominal_rate_hz: float = DEFAULT_RATE_HZ) -> None:
        super().__init__(nominal_rate_hz=nominal_rate_hz)
        self.channels: tuple[str, ...] = ()
        self._held = _EMPTY_ROWS
        self._recent_types = np.empty(0, dtype=np.int16)  # types of the latest frames
        self._seen_boundary = False
        self._final = False

    @property
    def pending_bytes(self) -> int:
        """Bytes waiting for the rest of a frame, plus frames of a group not yet complete."""
        return len(self._buf) + self._held.size

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a chunk; return one block with the samples (groups) it completed."""
        self._buf += data
        rows = self._frames()
        if self._held.shape[0]:
            rows = np.concatenate([self._held, rows]) if rows.shape[0] else self._held
        if rows.shape[0] == 0:
            return []
        types = rows[:, 1].astype(np.int16)
        starts = np.flatnonzero(types[1:] <= types[:-1]) + 1
        fresh = types[self._held.shape[0] :]
        self._recent_types = np.concatenate([self._recent_types, fresh])[-RECENT_FRAMES:]
        last_start = int(starts[-1]) if starts.size else 0
        self._seen_boundary = self._seen_boundary or bool(starts.size)
        # a group is complete when it reaches the layout's last type (the highest recent type);
        # until one group has ended, the layout is unknown and the first group waits
        complete = self._final or (
            self._seen_boundary and int(types[-1]) >= int(self._recent_types.max())
        )
        if not complete:
            self._held = rows[last_start:].copy()
            rows, types, end = rows[:last_start], types[:last_start], last_start
            starts = starts[starts < end]
        else:
            self._held = _EMPTY_ROWS
        if rows.shape[0] == 0:
            return []
        return self._samples(t_host_s, rows, types, starts)

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: deliver the frames and the group held back; drop the partial tail."""
        self._final = True
        try:
            out = self.feed(t_host_s, b"")
        finally:
            self._final = False
        self._drop(len(self._buf))
        self._buf.clear()
        return out

    # -- frame search -------------------------------------------------------------------------

    def _frames(self) -> NDArray[np.uint8]:
        """Every valid frame in the buffer, in order; consumes them and the garbage before them.

        An 8-bit checksum passes by chance once in 256 tries, so where a frame is followed by
        something that is not a frame, a chained frame overlapping it wins (see ``_overlap``).
        """
        buf = np.frombuffer(bytes(self._buf), dtype=np.uint8)
        n = buf.shape[0]
        found: list[NDArray[np.uint8]] = []
        pos = 0
        while n - pos >= FRAME_BYTES:
            count = (n - pos) // FRAME_BYTES
            rows = buf[pos : pos + count * FRAME_BYTES].reshape(count, FRAME_BYTES)
            good = checksum_ok(rows)
            run = count if good.all() else int(np.argmin(good))
            if run == 0:
                pos = self._hunt(buf, pos)
                if pos < 0:
                    pos = -pos
                    break
                continue
            # Was the last frame of the run real? Ask when something that is not a frame follows
            # it, or when it ends the buffer while a header inside it could start another one.
            last = pos + (run - 1) * FRAME_BYTES
            alt: int | None = None
            if run < count or _candidates(buf, last + 1, last + FRAME_BYTES):
                alt = self._overlap(buf, last)
                if alt is not None:
                    run -= 1
            if run:
                found.append(rows[:run])
                self.stats.frames_ok += run
                self._in_sync = True
                pos += run * FRAME_BYTES
            if alt == _WAIT:
                break
            if alt is not None:
                self._drop(alt - pos)
                pos = alt
        del self._buf[:pos]
        return np.concatenate(found) if len(found) > 1 else (found[0] if found else _EMPTY_ROWS)

    def _hunt(self, buf: NDArray[np.uint8], pos: int) -> int:
        """Skip garbage at ``pos``: where the next frame starts (negated: wait for more bytes)."""
        n = buf.shape[0]
        if buf[pos] == HEADER and _VALID[buf[pos + 1]]:
            self.stats.checksum_errors += 1
        for start in _candidates(buf, pos + 1):
            if n - start < FRAME_BYTES:
                self._drop(start - pos)
                return -start
            if not _valid_at(buf, start):
                self.stats.checksum_errors += 1
                continue
            alt = self._overlap(buf, start) if not _valid_at(buf, start + FRAME_BYTES) else None
            if alt == _WAIT:
                self._drop(start - pos)
                return -start
            start = alt if alt is not None else start
            self._drop(start - pos)
            return start
        keep = int(buf[n - 1] == HEADER)
        self._drop(n - keep - pos)
        return int(keep - n)

    def _overlap(self, buf: NDArray[np.uint8], start: int) -> int | None:
        """A frame starting inside the frame at ``start`` and followed by another frame, if any.

        Returns its offset, ``_WAIT`` when the bytes to decide have not arrived, else None. At
        the end of the stream those bytes will never come, so the frame at ``start`` stands.
        """
        n = buf.shape[0]
        for inner in _candidates(buf, start + 1, start + FRAME_BYTES):
            if n - inner < 2 * FRAME_BYTES:
                if self._final:
                    continue
                return _WAIT
            if _valid_at(buf, inner) and _valid_at(buf, inner + FRAME_BYTES):
                return inner
        return None

    # -- groups to samples --------------------------------------------------------------------

    def _samples(
        self,
        t_host_s: float,
        rows: NDArray[np.uint8],
        types: NDArray[np.int16],
        starts: NDArray[np.intp],
    ) -> list[SampleBlock | DeviceMessage]:
        words = np.ascontiguousarray(rows[:, DATA_OFFSET:CHECKSUM_OFFSET]).view("<i2")
        n = rows.shape[0]
        period = int(starts[0]) if starts.size else n
        if n % period == 0 and bool((types.reshape(-1, period) == types[:period]).all()):
            values = self._regular(words.reshape(n // period, period, WORDS_PER_FRAME), types)
        else:
            values = self._irregular(words, types, starts)
        if values.shape[0] == 0:
            return []
        t_s, t_host = self._timeline.stamp(t_host_s=t_host_s, count=values.shape[0])
        return [SampleBlock(t_s=t_s, t_host_s=t_host, values=values, channels=self.channels)]

    def _learn_channels(self, present: list[FrameChannels]) -> dict[str, int]:
        """Add the channels of newly seen frame types (in the fixed order); name → column."""
        if any(name not in self.channels for d in present for name in d.names):
            seen = set(self.channels) | {name for d in present for name in d.names}
            self.channels = tuple(name for d in DECODED for name in d.names if name in seen)
        return {name: i for i, name in enumerate(self.channels)}

    def _regular(self, words: NDArray[np.int16], types: NDArray[np.int16]) -> FloatArray:
        """Every group has the same frame types in the same order: fill columns by slicing."""
        k, period, _ = words.shape
        layout = [(j, _BY_TYPE[t]) for j, t in enumerate(types[:period].tolist()) if t in _BY_TYPE]
        if not layout:
            self.stats.other["groups_without_channels"] += k
            return np.empty((0, len(self.channels)))
        col = self._learn_channels([d for _, d in layout])
        values = np.empty((k, len(self.channels)))
        filled = np.zeros(len(self.channels), dtype=bool)
        for j, d in layout:
            for name, word, scale in zip(d.names, d.words, d.scales, strict=True):
                values[:, col[name]] = words[:, j, word] * scale
                filled[col[name]] = True
        if not filled.all():
            values[:, ~filled] = np.nan
            self.stats.other["incomplete_samples"] += k
        return values

    def _irregular(
        self, words: NDArray[np.int16], types: NDArray[np.int16], starts: NDArray[np.intp]
    ) -> FloatArray:
        """Groups of different make-up (lost frames, changed settings): scatter frame by frame."""
        group = np.zeros(types.shape[0], dtype=np.intp)
        group[starts] = 1
        group = np.cumsum(group)
        n_groups = int(group[-1]) + 1
        present = [d for d in DECODED if np.any(types == d.type_code)]
        col = self._learn_channels(present)
        values = np.full((n_groups, len(self.channels)), np.nan)
        has_data = np.zeros(n_groups, dtype=bool)
        for d in present:
            sel = types == d.type_code
            g = group[sel]
            has_data[g] = True
            cols = [col[name] for name in d.names]
            values[np.ix_(g, cols)] = words[sel][:, d.words] * np.array(d.scales)
        orphan = int(np.count_nonzero(~has_data))
        if orphan:
            self.stats.other["groups_without_channels"] += orphan
            values = values[has_data]
        self.stats.other["incomplete_samples"] += int(np.count_nonzero(np.isnan(values).any(1)))
        return values


def count_valid_frames(data: bytes) -> int:
    """How many valid frames ``data`` holds (for baud-rate detection and port scans)."""
    dec = WitMotionDecoder()
    dec.feed(0.0, data)
    return dec.stats.frames_ok
