"""The serial section of ``isoforce scan``: list ports and listen to each for known devices."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from isoforce.devices.serial_specs import SCAN_BAUDS
from isoforce.transports.discovery import Found, Section
from isoforce.transports.serial_ports import PortInfo, PortProbe, list_serial_ports, probe_port

#: Listening time per port and baud rate when probing.
DEFAULT_PROBE_S = 0.6


@dataclass
class SerialScanner:
    """Lists the OS's serial ports (plus ``extra`` URLs) and, with ``probe``, identifies devices.

    Probing only reads; ports are probed side by side in worker threads.
    """

    extra: tuple[str, ...] = ()
    probe: bool = True
    bauds: tuple[int, ...] = SCAN_BAUDS
    window_s: float = DEFAULT_PROBE_S
    key: str = "serial"
    title: str = "Serial ports"

    async def scan(self) -> Section:
        """List and (optionally) probe every port."""
        listed = await asyncio.to_thread(list_serial_ports)
        known = {p.device for p in listed}
        ports = listed + [
            PortInfo(url, "given on the command line", "") for url in self.extra if url not in known
        ]
        if not self.probe:
            found = tuple(Found(p.device, describe(p), detail="not probed") for p in ports)
            return Section(self.key, self.title, found)
        probes = await asyncio.gather(
            *(
                asyncio.to_thread(probe_port, p.device, bauds=self.bauds, window_s=self.window_s)
                for p in ports
            )
        )
        found = tuple(_found(p, r) for p, r in zip(ports, probes, strict=True))
        notes = () if ports else ("no serial ports found; is the USB cable a data cable?",)
        return Section(self.key, self.title, found, notes=notes)


def describe(port: PortInfo) -> str:
    """What the OS says about a port, in one line."""
    parts = [port.description or "serial port"]
    if port.vid is not None and port.pid is not None:
        parts.append(f"USB {port.vid:04x}:{port.pid:04x}")
    if port.manufacturer:
        parts.append(port.manufacturer)
    return ", ".join(parts)


def _found(port: PortInfo, probe: PortProbe) -> Found:
    if probe.error is not None:
        return Found(port.device, describe(port), detail=f"cannot open: {probe.error}")
    if probe.found is None or probe.baud is None:
        what = f"{probe.bytes_seen} bytes, nothing recognised" if probe.bytes_seen else "no data"
        return Found(port.device, describe(port), detail=what)
    key = probe.found.device
    options = ("--device", key, "--port", port.device, "--baud", str(probe.baud))
    return Found(
        port.device,
        describe(port),
        device=key,
        detail=f"{probe.found.detail} at {probe.baud} baud",
        options=options,
    )
