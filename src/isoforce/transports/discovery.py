"""Finding devices: every kind of link contributes a section to ``isoforce scan``.

A :class:`Scanner` looks for devices on one kind of link (serial ports here; Bluetooth LE adds
its own scanner) and returns :class:`Found` items. :func:`scan_all` runs the scanners side by
side, so a slow Bluetooth scan and slow serial probes overlap. A scanner that fails reports the
failure in its section instead of stopping the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from isoforce.errors import IsoforceError


@dataclass(frozen=True, slots=True)
class Found:
    """One thing a scan saw: where it is, what the OS calls it and what isoforce thinks it is.

    ``device`` is an isoforce device key when the scan recognised the device; ``options`` are
    the command-line options that select it (e.g. ``--device hx711 --port /dev/ttyUSB0``).
    """

    address: str
    description: str
    device: str | None = None
    detail: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """The result of one scanner: a title, what it found, and an error if it could not scan."""

    key: str
    title: str
    found: tuple[Found, ...] = ()
    error: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


class Scanner(Protocol):
    """Looks for devices on one kind of link."""

    key: str
    title: str

    async def scan(self) -> Section:
        """Scan once and describe what is there (never raises for a missing adapter or port)."""
        ...


async def scan_all(scanners: Sequence[Scanner]) -> list[Section]:
    """Run every scanner concurrently; sections come back in the scanners' order."""

    async def one(scanner: Scanner) -> Section:
        try:
            return await scanner.scan()
        except IsoforceError as exc:
            return Section(scanner.key, scanner.title, error=str(exc))

    return list(await asyncio.gather(*(one(s) for s in scanners)))
