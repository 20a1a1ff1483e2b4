"""A second device in one session: an IMU on its own link, on the force device's timeline.

``--device D --imu I`` pairs any force device with any IMU. The live session owns both
transports; the IMU's blocks go through :class:`PairedImu`, which puts them on the session's
timeline before the IMU chain sees them:

* every sample of both devices carries the host's monotonic arrival time (``t_host_s``) next to
  its own session time (``t_s``: the device's clock where it has one, else arrival time);
* for each stream the smallest ``t_host_s - t_s`` seen so far is when that stream's zero
  happened on the host clock (the minimum-delay estimate, :mod:`isoforce.core.timebase`);
* an IMU sample sits at ``t_s + offset(IMU) - offset(force)`` on the session timeline, kept
  strictly increasing (:func:`~isoforce.core.timebase.strictly_after`).

IMU blocks that arrive before the force device's first block wait here until it comes (they
then sit at negative session times: nothing is dropped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from isoforce.core.samples import SampleBlock
from isoforce.core.timebase import SessionTimebase, strictly_after
from isoforce.devices.base import Decoder, DeviceSpec
from isoforce.transports.base import Transport

#: The timebase key of the paired IMU's stream.
STREAM = "imu"


@dataclass(slots=True)
class PairedImu:
    """The paired IMU's link (spec, transport, decoder) and its mapping onto session time."""

    spec: DeviceSpec
    transport: Transport
    decoder: Decoder
    timebase: SessionTimebase = field(default_factory=SessionTimebase)
    _waiting: list[SampleBlock] = field(default_factory=list)
    _last_t_s: float = -math.inf
    _last_t_host_s: float = 0.0

    @property
    def last_t_host_s(self) -> float:
        """Host arrival time of the last IMU sample (for the decoder's flush)."""
        return self._last_t_host_s

    def observe_force(self, block: SampleBlock) -> None:
        """Take a force block's times into account (the session timeline's own offset)."""
        self.timebase.observe_primary(t_s=block.t_s, t_host_s=block.t_host_s)

    @property
    def offset_s(self) -> float | None:
        """The IMU's zero minus the force device's zero, on the host clock (None: not yet)."""
        imu = self.timebase.companion(STREAM)
        if imu is None or not imu.known or not self.timebase.primary.known:
            return None
        return imu.offset_s - self.timebase.primary.offset_s

    def on_session_time(self, block: SampleBlock) -> list[SampleBlock]:
        """The IMU blocks ready now, on session time (none until the force device spoke)."""
        self._waiting.append(block)
        self._last_t_host_s = float(block.t_host_s[-1]) if len(block) else self._last_t_host_s
        if not self.timebase.primary.known:
            self.timebase.observe(STREAM, t_s=block.t_s, t_host_s=block.t_host_s)
            return []
        ready: list[SampleBlock] = []
        for waiting in self._waiting:
            if not len(waiting):
                continue
            mapped = self.timebase.to_session(STREAM, t_s=waiting.t_s, t_host_s=waiting.t_host_s)
            assert mapped is not None  # the primary is known
            t_s = strictly_after(mapped, self._last_t_s)
            self._last_t_s = float(t_s[-1])
            ready.append(
                SampleBlock(
                    t_s=t_s,
                    t_host_s=waiting.t_host_s,
                    values=waiting.values,
                    channels=waiting.channels,
                    lost_before=waiting.lost_before,
                )
            )
        self._waiting.clear()
        return ready
