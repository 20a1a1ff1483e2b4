"""Serial ports: opening with typed errors, listing, baud-rate detection and read-only probing.

Probing never writes to a port. Note that opening a port may still reset an Arduino Uno/Nano
(the operating system raises DTR on open); the probe window is long enough for short resets.
"""

from __future__ import annotations

import errno
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import serial
from serial.tools import list_ports

from isoforce.core.samples import RawChunk
from isoforce.devices.serial_specs import SCAN_FAMILIES, Identification, identify
from isoforce.errors import TransportError, TransportErrorReason

#: Read timeout of an open port: bounds how long a blocking read can hold a worker thread.
PORT_READ_TIMEOUT_S = 0.05
#: How often a baud-rate search re-runs the codec on the bytes gathered so far.
PROBE_EVERY_S = 0.05

_NOT_FOUND = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ECONNREFUSED, errno.EHOSTUNREACH}
_DENIED = {errno.EACCES, errno.EPERM}


def _errno_of(exc: BaseException) -> int | None:
    """The OS error number behind an exception or the exceptions it was raised from."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        code = getattr(seen, "errno", None)
        if isinstance(code, int):
            return code
        args = getattr(seen, "args", ())
        if args and isinstance(args[0], int):  # termios.error carries (errno, text)
            return int(args[0])
        seen = seen.__cause__ or seen.__context__
    return None


def open_error(url: str, exc: BaseException) -> TransportError:
    """Translate an exception from opening ``url`` into a typed, actionable TransportError."""
    if isinstance(exc, ValueError):
        return TransportError(TransportErrorReason.BAD_ADDRESS, f"{url}: {exc}")
    code = _errno_of(exc)
    if code in _NOT_FOUND:
        return TransportError(
            TransportErrorReason.NOT_FOUND, f"{url}: no such port (see 'isoforce scan')"
        )
    if code in _DENIED:
        hint = (
            "; add yourself to the 'dialout' group (sudo usermod -aG dialout $USER) "
            "and log in again"
            if sys.platform.startswith("linux")
            else ""
        )
        return TransportError(TransportErrorReason.PERMISSION_DENIED, f"{url}{hint}")
    if code == errno.EBUSY:
        return TransportError(
            TransportErrorReason.IO, f"{url} is busy: is another program using it?"
        )
    if code == errno.ENOTTY:
        return TransportError(TransportErrorReason.BAD_ADDRESS, f"{url} is not a serial port")
    return TransportError(TransportErrorReason.IO, f"{url}: {exc}")


def open_port(url: str, baud: int) -> Any:
    """Open ``url`` at ``baud`` for reading with a short timeout; errors are TransportErrors."""
    try:
        return serial.serial_for_url(url, baudrate=baud, timeout=PORT_READ_TIMEOUT_S)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise open_error(url, exc) from None


#: The most bytes one read takes (the OS buffer rarely holds more).
MAX_READ_BYTES = 65536


def read_burst(port: Any) -> bytes:
    """All the port holds, else (within its timeout) the next byte and the burst it starts.

    A device writes a line or a frame at once, so the reader that wakes on its first byte finds
    the rest already there; taking it in the same read makes one chunk of it, not two (each
    chunk wakes the event loop and the decoder).
    """
    waiting = port.in_waiting
    data = bytes(port.read(min(waiting, MAX_READ_BYTES) or 1))
    if data and not waiting and (rest := min(port.in_waiting, MAX_READ_BYTES - 1)):
        data += port.read(rest)
    return data


def _read_for(port: Any, seconds: float, now: Callable[[], float]) -> Iterator[bytes]:
    deadline = now() + seconds
    while now() < deadline:
        if data := read_burst(port):
            yield data


def detect_baud(
    port: Any,
    *,
    bauds: tuple[int, ...],
    probe: Callable[[bytes], int] | None,
    min_frames: int,
    window_s: float,
    silent_s: float,
    now: Callable[[], float] = time.monotonic,
) -> tuple[int, RawChunk | None]:
    """Try ``bauds`` in order; return the first at which ``probe`` finds ``min_frames`` frames.

    Also returns the bytes read at that rate (they hold real samples). With no ``probe`` the
    first rate is taken as is. Raises ``TIMEOUT`` if the port stays silent for ``silent_s`` and
    ``NOT_FOUND`` if no rate gives valid frames. Runs in a worker thread; never writes.
    """
    url = str(getattr(port, "portstr", "") or getattr(port, "port", ""))
    if probe is None or not bauds:
        return (bauds[0] if bauds else int(port.baudrate)), None
    started = now()
    heard = False
    try:
        for baud in bauds:
            port.baudrate = baud
            port.reset_input_buffer()
            data = bytearray()
            last_probe = now()
            window_end = now() + window_s
            while now() < window_end or (not heard and now() - started < silent_s):
                for chunk in _read_for(port, PROBE_EVERY_S, now):
                    data += chunk
                heard = heard or bool(data)
                if data and now() - last_probe >= PROBE_EVERY_S:
                    last_probe = now()
                    if probe(bytes(data)) >= min_frames:
                        return baud, RawChunk(now(), bytes(data))
            if not heard:
                raise TransportError(
                    TransportErrorReason.TIMEOUT,
                    f"{url}: no data in {silent_s:g} s (is the device powered and sending?)",
                )
    except (serial.SerialException, OSError) as exc:
        raise TransportError(TransportErrorReason.DISCONNECTED, f"{url}: {exc}") from None
    tried = ", ".join(str(b) for b in bauds)
    raise TransportError(
        TransportErrorReason.NOT_FOUND, f"{url}: data, but no valid frames at {tried} baud"
    )


@dataclass(frozen=True, slots=True)
class PortInfo:
    """A serial port the operating system reports, with what it says about the hardware."""

    device: str
    description: str
    hwid: str
    manufacturer: str | None = None
    vid: int | None = None
    pid: int | None = None


def list_serial_ports() -> list[PortInfo]:
    """The serial ports the OS lists (USB adapters, built-in UARTs, Bluetooth SPP), sorted."""
    found = []
    for p in list_ports.comports():
        found.append(
            PortInfo(
                device=p.device,
                description=p.description if p.description != "n/a" else "",
                hwid=p.hwid if p.hwid != "n/a" else "",
                manufacturer=p.manufacturer,
                vid=p.vid,
                pid=p.pid,
            )
        )
    return sorted(found, key=lambda info: info.device)


@dataclass(frozen=True, slots=True)
class PortProbe:
    """What listening to a port showed: a recognised device at a baud, or why not."""

    url: str
    baud: int | None = None
    found: Identification | None = None
    bytes_seen: int = 0
    error: TransportError | None = None


def probe_port(
    url: str,
    *,
    bauds: tuple[int, ...],
    window_s: float,
    families: tuple[str, ...] = SCAN_FAMILIES,
    now: Callable[[], float] = time.monotonic,
) -> PortProbe:
    """Listen (read only) to ``url`` at each baud for ``window_s`` and identify the device."""
    try:
        port = open_port(url, bauds[0])
    except TransportError as exc:
        return PortProbe(url, error=exc)
    seen = 0
    try:
        for baud in bauds:
            port.baudrate = baud
            port.reset_input_buffer()
            data = b"".join(_read_for(port, window_s, now))
            seen += len(data)
            found = identify(data, families) if data else None
            if found is not None:
                return PortProbe(url, baud, found, seen)
    except (serial.SerialException, OSError) as exc:
        return PortProbe(url, bytes_seen=seen, error=open_error(url, exc))
    finally:
        port.close()
    return PortProbe(url, bytes_seen=seen)
