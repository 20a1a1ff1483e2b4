"""Two sensors in one session: the force device plus companions (an IMU, a second gauge).

:class:`~isoforce.runner.SessionRunner` drives one force device through the pipeline and the
drill. :class:`MultiSensorRunner` runs it unchanged and, next to it, one loop per
:class:`CompanionStream`: the companion's own transport and decoder, its blocks moved onto the
session timeline by :class:`~isoforce.core.timebase.SessionTimebase` and handed to
``on_block`` (recorders, displays). A companion that drops out is reconnected like the force
device (its gaps are recorded); it never stops or pauses the session. The run ends when the
force device's run ends.

This is deliberately the smallest mechanism: companions are not calibrated, filtered or fed to
the drill; they share the clock and the lifecycle.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from isoforce.core.samples import SampleBlock
from isoforce.core.timebase import SessionTimebase
from isoforce.devices.base import Decoder, DeviceMessage
from isoforce.devices.registry import device_spec, new_decoder
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.runner import Gap, Guidance, ReconnectPolicy, RunResult, SessionRunner
from isoforce.signal.pipeline import ProcessedBlock
from isoforce.transports.base import Transport

CompanionCallback = Callable[[str, SampleBlock], None]


@dataclass
class CompanionStream:
    """A second device in the session: what it is called, how to read it, what it did."""

    key: str
    transport: Transport
    decoder: Decoder
    samples: int = 0
    last_t_s: float = 0.0
    """Session time of the companion's latest sample."""
    gaps: list[Gap] = field(default_factory=list)
    messages: list[DeviceMessage] = field(default_factory=list)
    error: TransportError | None = None
    """Why the companion stopped early (the session went on without it)."""


class MultiSensorRunner:
    """Runs a :class:`SessionRunner` and its companions on one common timeline."""

    def __init__(
        self,
        primary: SessionRunner,
        companions: Sequence[CompanionStream],
        *,
        on_companion_block: CompanionCallback | None = None,
        reconnect: ReconnectPolicy | None = None,
    ) -> None:
        self.primary = primary
        self.companions = list(companions)
        self.on_companion_block = on_companion_block
        self.reconnect = reconnect or ReconnectPolicy()
        self.timebase = SessionTimebase()
        self._pending: list[tuple[CompanionStream, SampleBlock]] = []
        previous = primary.on_block

        def observe(block: ProcessedBlock, guidance: Guidance | None) -> None:
            self.timebase.observe_primary(t_s=block.t_s, t_host_s=block.t_host_s)
            if self._pending:
                waiting, self._pending = self._pending, []
                for companion, held in waiting:
                    self._deliver(companion, held)
            if previous is not None:
                previous(block, guidance)

        primary.on_block = observe

    async def run(
        self, *, duration_s: float | None = None, stop: asyncio.Event | None = None
    ) -> RunResult:
        """Run until the force device's run ends; companions are closed with it."""
        loops = [asyncio.ensure_future(self._companion(c)) for c in self.companions]
        try:
            return await self.primary.run(duration_s=duration_s, stop=stop)
        finally:
            for task in loops:
                task.cancel()
            for task in loops:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _companion(self, c: CompanionStream) -> None:
        try:
            async with c.transport:
                await self._stream(c)
        except TransportError as exc:
            c.error = exc

    async def _stream(self, c: CompanionStream) -> None:
        while True:
            try:
                async for chunk in c.transport.chunks():
                    for item in c.decoder.feed(chunk.t_host_s, chunk.data):
                        if isinstance(item, DeviceMessage):
                            c.messages.append(item)
                        elif len(item):
                            self._deliver(c, item)
                return
            except TransportError as exc:
                if (
                    exc.reason is not TransportErrorReason.DISCONNECTED
                    or not self.reconnect.enabled
                ):
                    raise
                c.gaps.append(Gap(start_t_s=c.last_t_s))
                await self._reconnect(c)

    async def _reconnect(self, c: CompanionStream) -> None:
        while True:
            try:
                await c.transport.reconnect()
                return
            except TransportError:
                await asyncio.sleep(self.reconnect.retry_s)

    def _deliver(self, c: CompanionStream, block: SampleBlock) -> None:
        t_session = self.timebase.to_session(c.key, t_s=block.t_s, t_host_s=block.t_host_s)
        if t_session is None:
            self._pending.append((c, block))
            return
        moved = SampleBlock(
            t_s=t_session,
            t_host_s=block.t_host_s,
            values=block.values,
            channels=block.channels,
            lost_before=block.lost_before,
        )
        if c.gaps and c.gaps[-1].end_t_s is None:
            c.gaps[-1].end_t_s = float(t_session[0])
        c.samples += len(moved)
        c.last_t_s = float(t_session[-1])
        if self.on_companion_block is not None:
            self.on_companion_block(c.key, moved)


def companion_for(
    device: str,
    *,
    address: str | None = None,
    ble_name: str | None = None,
    port: str | None = None,
    rate_hz: float | None = None,
) -> CompanionStream:
    """A companion stream for a registered device (Bluetooth, serial or simulated)."""
    spec = device_spec(device)
    rate = rate_hz if rate_hz is not None else spec.nominal_rate_hz
    transport: Transport
    if spec.transport == "ble":
        from isoforce.transports.ble import ble_transport_for
        from isoforce.transports.ble_stream import BleSettings

        if not address and not ble_name:
            raise ConfigError(f"{spec.key} needs a Bluetooth address; 'isoforce scan' lists them")
        settings = BleSettings(address=address, name=ble_name, rate_hz=rate)
        transport = ble_transport_for(spec, settings)
    elif spec.transport == "serial":
        from isoforce.transports.serial import serial_transport_for

        if not port:
            raise ConfigError(f"{spec.key} needs a serial port; 'isoforce scan' lists them")
        transport = serial_transport_for(spec, port, rate_hz=rate)
    else:
        from isoforce.transports.sim import SimSettings, SimTransport

        transport = SimTransport(spec, settings=SimSettings(rate_hz=rate))
    return CompanionStream(key=spec.key, transport=transport, decoder=new_decoder(spec.key))
