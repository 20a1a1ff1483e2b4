"""Serial ports as a transport: pyserial URLs, a reader thread, typed errors and reconnects.

Any target :func:`serial.serial_for_url` opens works: ``/dev/ttyUSB0``, ``COM3``,
``socket://host:port``, ``loop://``. A daemon thread does the blocking reads and hands each
chunk, stamped with the host's monotonic clock, to the event loop through a queue; the loop never
waits on the port. When the port vanishes (USB unplugged: ``EIO``, a read that returns nothing
on a readable port) :meth:`SerialTransport.chunks` raises ``TransportError(DISCONNECTED)``, and
:meth:`SerialTransport.reconnect` raises ``NOT_FOUND`` until the port is back, so the runner can
retry. A port that stays open but goes silent counts as lost too.

Where the baud rate is not given, the transport tries the device's likely rates and keeps the
first one at which its codec finds valid frames (``serial_ports.detect_baud``). Nothing is ever
written to the port except by :meth:`SerialTransport.send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import math
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import serial

from isoforce.core.samples import RawChunk
from isoforce.devices.base import DeviceSpec
from isoforce.devices.serial_specs import MIN_PROBE_FRAMES, SERIAL_PROFILES, matches, probe
from isoforce.errors import TransportError, TransportErrorReason
from isoforce.transports.base import Transport
from isoforce.transports.serial_ports import MAX_READ_BYTES, detect_baud, open_port, read_burst

#: At most one chunk per this long: bytes that arrive sooner wait for the next read (or for
#: the read's timeout, ``serial_ports.PORT_READ_TIMEOUT_S``, when the device pauses). Each
#: chunk costs the decoder, the drill and the frame a pass: a board printing 80 lines a second
#: gives 2–3 a chunk instead of one, a 1 kHz stream about 25. The screen redraws at most 30
#: times a second, and samples keep their own times (a device clock, or arrival times spread
#: by the host timeline).
GATHER_S = 0.025
#: A streaming device silent for max(SILENCE_MIN_S, SILENCE_PERIODS sample periods) is lost.
SILENCE_MIN_S = 3.0
SILENCE_PERIODS = 20.0
#: Listening time per candidate baud rate: at least this, and long enough for a few samples.
DETECT_MIN_S = 1.0


@dataclass(frozen=True, slots=True)
class SerialSettings:
    """Where and how to open the port.

    ``baud=None`` means: try ``detect_bauds`` in order with ``probe`` (frames found in a sample of
    bytes) and keep the first rate at which ``min_frames`` valid frames arrive.
    ``silence_timeout_s``: no bytes for this long while streaming counts as a lost link
    (``None`` = wait forever); ``first_data_timeout_s`` is the grace after (re)opening, long
    enough for an Arduino to reboot when the port opens.
    """

    url: str
    baud: int | None = None
    detect_bauds: tuple[int, ...] = (115200,)
    probe: Callable[[bytes], int] | None = None
    min_frames: int = 3
    detect_window_s: float = 1.0
    silence_timeout_s: float | None = 3.0
    first_data_timeout_s: float = 5.0


class _Closed:
    """Queue marker: the transport was closed, the stream ends."""


_CLOSED = _Closed()
_Item = RawChunk | TransportError | _Closed


class SerialTransport(Transport):
    """Streams bytes from one serial port; see the module docstring for the lifecycle."""

    def __init__(
        self,
        spec: DeviceSpec,
        settings: SerialSettings,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.baud: int | None = settings.baud
        self._now = now
        self._port: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._first: list[RawChunk] = []
        self._heard = False  # bytes arrived since the port was (re)opened
        self._ever = False  # bytes ever arrived on this transport

    @property
    def is_open(self) -> bool:
        """Whether the port is open and being read."""
        return self._port is not None

    async def open(self) -> None:
        """Open the port (finding the baud rate if needed) and start the reader thread."""
        await self._start(wait_for_data=False)

    async def close(self) -> None:
        """Stop the reader, close the port, end :meth:`chunks`. Safe to call twice."""
        await self._stop_reader()
        self._queue.put_nowait(_CLOSED)

    async def reconnect(self) -> None:
        """Reopen a lost port; raises ``TransportError`` (``NOT_FOUND`` …) while it is not back.

        Succeeds only when the device talks again, so a port that reappears but stays silent is
        retried rather than streamed from.
        """
        await self._stop_reader()
        await self._start(wait_for_data=True)

    async def send(self, data: bytes) -> None:
        """Write a command to the device."""
        port = self._port
        if port is None:
            raise TransportError(
                TransportErrorReason.DISCONNECTED, f"{self.settings.url}: not open"
            )
        try:
            await asyncio.to_thread(port.write, data)
        except (serial.SerialException, OSError) as exc:
            raise TransportError(TransportErrorReason.IO, f"{self.settings.url}: {exc}") from None

    async def chunks(self) -> AsyncIterator[RawChunk]:
        """Chunks in arrival order until closed; raises DISCONNECTED when the link is lost."""
        s = self.settings
        while self._first:
            self._heard = self._ever = True
            yield self._first.pop(0)
        while True:
            timeout = s.silence_timeout_s if self._heard else s.first_data_timeout_s
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that races with a finished get(), and the stream never stops
                async with asyncio.timeout(timeout):
                    item = await self._queue.get()
            except TimeoutError:
                await self._stop_reader()
                if not self._ever:
                    raise TransportError(
                        TransportErrorReason.TIMEOUT,
                        f"{s.url}: no data in {timeout:g} s (is the device sending? "
                        "right port and baud rate?)",
                    ) from None
                raise TransportError(
                    TransportErrorReason.DISCONNECTED,
                    f"{s.url}: no data for {timeout:g} s (device stopped?)",
                ) from None
            if isinstance(item, _Closed):
                return
            if isinstance(item, TransportError):
                await self._stop_reader()
                raise item
            self._heard = self._ever = True
            yield item

    # -- internals ----------------------------------------------------------------------------

    async def _start(self, *, wait_for_data: bool) -> None:
        if self._port is not None:
            return
        self._queue = asyncio.Queue()
        self._first = []
        self._heard = False
        first_baud = self.baud or (self.settings.detect_bauds or (9600,))[0]
        port = await asyncio.to_thread(open_port, self.settings.url, first_baud)
        try:
            if self.baud is None:
                s = self.settings
                self.baud, head = await asyncio.to_thread(
                    detect_baud,
                    port,
                    bauds=s.detect_bauds,
                    probe=s.probe,
                    min_frames=s.min_frames,
                    window_s=s.detect_window_s,
                    silent_s=s.first_data_timeout_s,
                    now=self._now,
                )
                if head is not None:
                    self._first.append(head)
            elif wait_for_data:
                head = await asyncio.to_thread(self._first_read, port)
                self._first.append(head)
        except BaseException:
            await asyncio.to_thread(port.close)
            raise
        self._port = port
        self._stop = threading.Event()
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(
            target=self._read_loop,
            args=(port, loop, self._queue, self._stop),
            name=f"isoforce-serial-{self.settings.url}",
            daemon=True,
        )
        self._thread.start()

    def _first_read(self, port: Any) -> RawChunk:
        """Wait (in a worker thread) for the first bytes after a reopen."""
        deadline = self._now() + self.settings.first_data_timeout_s
        while self._now() < deadline:
            try:
                data = read_burst(port)
            except (serial.SerialException, OSError) as exc:
                raise TransportError(
                    TransportErrorReason.DISCONNECTED, f"{self.settings.url}: {exc}"
                ) from None
            if data:
                return RawChunk(self._now(), data)
        raise TransportError(
            TransportErrorReason.TIMEOUT,
            f"{self.settings.url} is back but sends nothing yet",
        )

    def _read_loop(
        self,
        port: Any,
        loop: asyncio.AbstractEventLoop,
        queue: asyncio.Queue[_Item],
        stop: threading.Event,
    ) -> None:
        """The reader thread: blocking reads, gathered into chunks (:data:`GATHER_S`), queued.

        A chunk is stamped with the host time its last bytes arrived.
        """

        def post(item: _Item) -> bool:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the event loop is gone
                return False
            return True

        held = bytearray()
        arrived_s = posted_s = -math.inf
        failed: TransportError | None = None
        while not stop.is_set():
            try:
                data = read_burst(port)
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial raises these when the fd closes under it
                failed = None if stop.is_set() else lost(self.settings.url, exc)
                break
            now_s = self._now()
            if data:
                held += data
                arrived_s = now_s
            # a read that timed out (the device paused or stopped) sends what is held at once
            due = not data or now_s - posted_s >= GATHER_S or len(held) >= MAX_READ_BYTES
            if held and due:
                if not post(RawChunk(arrived_s, bytes(held))):
                    return
                held.clear()
                posted_s = now_s
        # closed or failed: what arrived is still handed on, before the loss
        if held:
            post(RawChunk(arrived_s, bytes(held)))
        if failed is not None:
            post(failed)

    async def _stop_reader(self) -> None:
        port, thread = self._port, self._thread
        self._port = None
        self._thread = None
        if port is None:
            return
        self._stop.set()
        with contextlib.suppress(Exception):
            port.cancel_read()
        if thread is not None:
            await asyncio.to_thread(thread.join, 2.0)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(port.close)


def lost(url: str, exc: BaseException) -> TransportError:
    """The error for a port that failed while streaming: always a lost link."""
    code = getattr(exc, "errno", None)
    why = errno.errorcode.get(code, "") if isinstance(code, int) else ""
    detail = f"{url}: {exc}" + (f" ({why})" if why else "")
    return TransportError(TransportErrorReason.DISCONNECTED, detail)


def serial_transport_for(
    spec: DeviceSpec, url: str, *, baud: int | None = None, rate_hz: float | None = None
) -> SerialTransport:
    """A transport set up for a registered serial device: its bauds, probe and timeouts.

    Without ``baud`` the device's usual rates are tried (default first). The silence timeout
    allows at least 20 sample periods at ``rate_hz`` (default: the device's nominal rate).
    """
    profile = SERIAL_PROFILES[spec.key]
    rate = rate_hz if rate_hz is not None else spec.nominal_rate_hz

    def frames_in(data: bytes) -> int:
        found = probe(spec.key, data)
        return found.frames if matches(found) else 0

    settings = SerialSettings(
        url=url,
        baud=baud,
        detect_bauds=profile.bauds,
        probe=frames_in,
        min_frames=MIN_PROBE_FRAMES,
        detect_window_s=max(DETECT_MIN_S, (MIN_PROBE_FRAMES + 1) / rate),
        silence_timeout_s=max(SILENCE_MIN_S, SILENCE_PERIODS / rate),
    )
    return SerialTransport(spec, settings)
