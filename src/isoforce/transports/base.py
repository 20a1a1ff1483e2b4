"""The lifecycle every transport shares: open, stream chunks, send, close."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from types import TracebackType

from isoforce.core.samples import RawChunk
from isoforce.devices.base import DeviceSpec


class Transport(abc.ABC):
    """A source of raw bytes from one device.

    Use as ``async with transport:`` then ``async for chunk in transport.chunks()``. Callbacks
    (BLE notifications, serial reads) only enqueue a copy of the bytes with a host timestamp.
    Failures raise :class:`isoforce.errors.TransportError` with a reason enum.
    """

    spec: DeviceSpec

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect to the device and start streaming."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop streaming and release the device. Safe to call twice."""

    @abc.abstractmethod
    def chunks(self) -> AsyncIterator[RawChunk]:
        """Received bytes, in order, until the stream ends or the transport is closed."""

    async def reconnect(self) -> None:
        """Re-establish a lost link; raise ``TransportError`` if the device is not back yet.

        The runner calls this after ``chunks()`` raised ``TransportError(DISCONNECTED)`` and
        retries until it succeeds; ``chunks()`` then continues the stream.
        """
        await self.close()
        await self.open()

    async def send(self, data: bytes) -> None:
        """Write a command to the device (devices without commands ignore it)."""
        del data

    async def __aenter__(self) -> Transport:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
