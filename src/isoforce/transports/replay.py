"""Replaying a recording as a transport: stored samples go back out as isoforce frames.

The replay is a transport like the simulator: it paces frames on a :class:`Clock` (real time,
``speed`` times faster, or virtual time with ``speed=inf``) and the normal decoder, pipeline,
drill engine and sinks run on them, so a replay exercises the live path. Device time, lost
samples (sequence gaps) and link drops come back as they happened: a drop raises
``TransportError(DISCONNECTED)`` where the link was lost, and :meth:`reconnect` returns when
the recording resumed.

A player steers it while it runs (:meth:`ReplayTransport.set_speed`, :meth:`pause`,
:meth:`resume`, :meth:`seek`) when its clock is a :class:`PlaybackClock`. A seek forward plays
the skipped part at once (every sample still goes through the live path, so a drill's scores
stay as they were); a seek back cannot unsend samples: :meth:`seek` says so and the player starts
a new replay that seeks forward from the start.

:meth:`ReplayTransport.from_record` builds the replay from a stored session record handed in
(see :mod:`isoforce.transports.replay_plan`); nothing here opens the store. Every channel goes
out: force, and the IMU's accelerometer and gyro as the ``sim-dual``/``sim-imu`` frames carry
them, so the live IMU chain sees the same raw input.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator

import numpy as np

from isoforce.core.samples import RawChunk, SampleBlock
from isoforce.devices.base import DecodeStats, DeviceMessage, DeviceSpec
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder, encode_frames
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.session.model import SessionRecord
from isoforce.transports.base import Transport
from isoforce.transports.pacing import Clock, PlaybackClock
from isoforce.transports.replay_plan import ReplayPlan, ReplaySource, replay_plan

__all__ = ["ReplayDecoder", "ReplayPlan", "ReplaySource", "ReplayTransport", "replay_plan"]


class ReplayDecoder:
    """Decodes a replay's frames back onto the recording's own session times.

    Frames carry device time from the first replayed sample (a frame's clock cannot go below
    zero), so the decoder's times start at 0; adding the first sample's stored time puts every
    sample back where it was recorded, also a paired IMU's samples that arrived before the
    force device's first (negative session times).
    """

    def __init__(self, origin_s: float) -> None:
        self._frames = IsoforceFrameDecoder()
        self.origin_s = origin_s
        #: The frame decoder's counters (the same object).
        self.stats: DecodeStats = self._frames.stats

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Decode one chunk; blocks on the recording's timeline."""
        return [self._shift(item) for item in self._frames.feed(t_host_s, data)]

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """The frames held back, on the recording's timeline."""
        return [self._shift(item) for item in self._frames.flush(t_host_s)]

    def _shift(self, item: SampleBlock | DeviceMessage) -> SampleBlock | DeviceMessage:
        if isinstance(item, DeviceMessage) or self.origin_s == 0.0:
            return item
        return dataclasses.replace(item, t_s=item.t_s + self.origin_s)


class ReplayTransport(Transport):
    """Streams a :class:`ReplaySource` in chunks of about ``chunk_s`` of recording."""

    def __init__(
        self,
        spec: DeviceSpec,
        source: ReplaySource,
        *,
        clock: Clock | None = None,
        chunk_s: float = 0.025,
    ) -> None:
        if not chunk_s > 0:
            raise ConfigError(f"chunk length must be positive, got {chunk_s}")
        self.spec = spec
        self.source = source
        self.clock = clock or Clock()
        self.chunk_s = chunk_s
        n = source.t_s.shape[0]
        self._seq = np.arange(n, dtype=np.int64) + np.cumsum(source.lost_before)
        self._t0 = float(source.t_s[0]) if n else 0.0
        self._t_us = np.rint((source.t_s - self._t0) * 1e6).astype(np.int64)
        # a drop before the first sample has nothing to replay
        self._gaps = [g for g in sorted(source.link_gaps) if n and g[0] >= self._t0]
        # chunks of a fixed sample count, as a device sends them (and as the simulator does)
        dt_s = float(np.median(np.diff(source.t_s))) if n > 1 else chunk_s
        self._per_chunk = max(1, round(chunk_s / dt_s)) if dt_s > 0 else 1
        # which channels each sample carries, as a bit set per sample (one value: all of them)
        present = source.present
        self._row_sets = (
            None
            if present is None
            else present.astype(np.int64) @ (1 << np.arange(len(source.channels), dtype=np.int64))
        )
        self._index = 0
        self._open = False
        self._down_until: float | None = None
        self._t0_host = 0.0
        self._start_at_s = 0.0

    @classmethod
    def from_plan(
        cls, plan: ReplayPlan, *, clock: Clock | None = None, chunk_s: float = 0.025
    ) -> ReplayTransport:
        """The transport that plays ``plan`` back as the device ``plan.spec``."""
        return cls(plan.spec, plan.source, clock=clock, chunk_s=chunk_s)

    @classmethod
    def from_record(
        cls, record: SessionRecord, *, clock: Clock | None = None, chunk_s: float = 0.025
    ) -> ReplayTransport:
        """The transport that plays a stored session back, every channel (no store access)."""
        return cls.from_plan(replay_plan(record), clock=clock, chunk_s=chunk_s)

    @property
    def progress(self) -> float:
        """Share of samples sent so far (0..1)."""
        n = self.source.t_s.shape[0]
        return self._index / n if n else 1.0

    @property
    def duration_s(self) -> float:
        """Length of the recording in seconds (first to last sample)."""
        t = self.source.t_s
        return float(t[-1] - t[0]) if t.shape[0] else 0.0

    @property
    def position_s(self) -> float:
        """Where the replay is, in seconds from the recording's first sample."""
        if not self._open and self._index == 0:
            return self._start_at_s
        return min(self.duration_s, max(0.0, self.clock.now() - self._t0_host))

    @property
    def playback(self) -> PlaybackClock:
        """The clock a player steers (a :class:`ConfigError` with a plain clock)."""
        if not isinstance(self.clock, PlaybackClock):
            raise ConfigError("this replay runs on a fixed clock: no speed, pause or seek")
        return self.clock

    def set_speed(self, speed: float) -> None:
        """Play ``speed`` times faster than recorded (``math.inf``: as fast as possible)."""
        self.playback.set_speed(speed)

    def pause(self) -> None:
        """Hold the replay where it is."""
        self.playback.pause()

    def resume(self) -> None:
        """Go on from where it was held."""
        self.playback.resume()

    def seek(self, to_s: float) -> bool:
        """Go to ``to_s`` seconds into the recording; False when that is behind the replay.

        Before the replay opens it starts there; forward, the samples in between go out at once.
        """
        to_s = min(max(0.0, to_s), self.duration_s)
        if not self._open and self._index == 0:
            self._start_at_s = to_s
            return True
        if to_s < self.position_s:
            return False
        self.playback.jump_to(self._t0_host + to_s)
        return True

    async def open(self) -> None:
        """Start the replay clock (at the seek position given before opening, if any)."""
        self._open = True
        self._t0_host = self.clock.now() - self._start_at_s

    async def close(self) -> None:
        """Stop sending."""
        self._open = False

    async def reconnect(self) -> None:
        """Come back where the recording resumed after a link drop."""
        if self._down_until is not None:
            await self.clock.sleep_until(self._t0_host + self._down_until - self._t0)
            self._down_until = None
        self._open = True

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """Frames of the next chunk of samples, sent when the chunk's last sample is due."""
        if not self._open:
            raise TransportError(TransportErrorReason.DISCONNECTED, "replay is not open")
        t = self.source.t_s
        n = t.shape[0]
        while self._open and self._index < n:
            start = self._index
            stop = min(n, start + self._per_chunk)
            if self._gaps:
                lost_at, back_at = self._gaps[0]
                cut = int(np.searchsorted(t, lost_at, side="right"))
                if cut <= start:
                    self._gaps.pop(0)
                    self._down_until = back_at
                    self._open = False
                    raise TransportError(
                        TransportErrorReason.DISCONNECTED, "link lost here in the recording"
                    )
                stop = min(stop, cut)
            await self.clock.sleep_until(self._t0_host + float(t[stop - 1]) - self._t0)
            if not self._open:
                return
            data = self._encode(start, stop)
            self._index = stop
            yield RawChunk(self.clock.now(), data)
            await asyncio.sleep(0)

    def _encode(self, start: int, stop: int) -> bytes:
        """Frames of samples ``start``..``stop``, each run of equal channel sets encoded at once."""
        source, present, sets = self.source, self.source.present, self._row_sets
        if present is None or sets is None:
            return encode_frames(
                seq=self._seq[start:stop],
                t_us=self._t_us[start:stop],
                names=source.channels,
                values=source.values[start:stop],
            )
        changes = (np.flatnonzero(np.diff(sets[start:stop])) + 1 + start).tolist()
        parts = []
        for a, b in itertools.pairwise([start, *changes, stop]):
            cols = np.flatnonzero(present[a])
            parts.append(
                encode_frames(
                    seq=self._seq[a:b],
                    t_us=self._t_us[a:b],
                    names=tuple(source.channels[j] for j in cols),
                    values=source.values[a:b][:, cols],
                )
            )
        return b"".join(parts)
