"""``isoforce scan``: list the ports and radios isoforce can read, and what seems attached.

Each kind of link is a scanner section (``transports.discovery``); the serial scanner lists the
OS's ports and listens to each at a few baud rates. A Bluetooth LE scanner adds its own section
by appending to :func:`scanners`. Nothing is written to any port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import EXIT_OK
from isoforce.cli.values import BAUD, INTERVAL_S

if TYPE_CHECKING:
    from isoforce.transports.discovery import Found, Scanner, Section


def register(sub: Any) -> None:
    """Add the ``scan`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "scan",
        help="list serial ports and nearby Bluetooth devices (and what isoforce recognises)",
        description=(
            "List serial ports with their descriptions and listen to each for a moment to "
            "recognise HX711 text lines, isoforce frames or WitMotion frames; listen for "
            "Bluetooth LE advertisements and show the supported devices nearby with model, "
            "signal strength, what each measures and the command that reads it. Read only: "
            "nothing is sent to any device and no Bluetooth device is connected (opening a port "
            "may reset an Arduino)."
        ),
    )
    p.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="URL",
        help="also probe this port or pyserial URL (repeatable), e.g. /dev/pts/3 or socket://h:p",
    )
    p.add_argument("--no-probe", action="store_true", help="only list ports, do not listen")
    p.add_argument(
        "--probe-s",
        type=INTERVAL_S,
        default=None,
        metavar="S",
        help=f"listening time per port and baud rate ({INTERVAL_S.span}; default 0.6 s)",
    )
    p.add_argument(
        "--baud",
        type=BAUD,
        action="append",
        default=None,
        metavar="N",
        help="baud rates to try (repeatable; default 115200, 57600, 9600, 38400, 230400)",
    )
    p.add_argument(
        "--ble-s",
        type=INTERVAL_S,
        default=None,
        metavar="S",
        help=f"Bluetooth listening time ({INTERVAL_S.span}; default 3 s)",
    )
    p.add_argument("--no-ble", action="store_true", help="skip the Bluetooth scan")
    p.add_argument(
        "--all", action="store_true", help="also list Bluetooth devices isoforce does not read"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=run_scan)


def scanners(args: argparse.Namespace) -> list[Scanner]:
    """The scanners ``isoforce scan`` runs, one section each (Bluetooth LE appends its own)."""
    from isoforce.transports.serial_scan import DEFAULT_PROBE_S, SerialScanner

    serial_scanner = SerialScanner(
        extra=tuple(args.port),
        probe=not args.no_probe,
        window_s=args.probe_s or DEFAULT_PROBE_S,
    )
    if args.baud:
        serial_scanner.bauds = tuple(args.baud)
    found: list[Scanner] = [serial_scanner]
    if not args.no_ble:
        from isoforce.transports.ble_scan import DEFAULT_SCAN_S, BleScanner

        found.append(BleScanner(duration_s=args.ble_s or DEFAULT_SCAN_S, show_all=args.all))
    return found


def run_scan(args: argparse.Namespace) -> int:
    """Handler of ``isoforce scan``."""
    from isoforce.transports.discovery import scan_all

    if not args.json:
        print("scanning …", file=sys.stderr)
    sections = asyncio.run(scan_all(scanners(args)))
    if args.json:
        print(json.dumps([section_dict(s) for s in sections], indent=2))
    else:
        print("\n".join(render(sections)))
    return EXIT_OK


def section_dict(section: Section) -> dict[str, Any]:
    """A JSON-ready view of one section."""
    return {
        "section": section.key,
        "title": section.title,
        "error": section.error or None,
        "notes": list(section.notes),
        "found": [
            {
                "address": f.address,
                "description": f.description,
                "device": f.device,
                "detail": f.detail,
                "options": list(f.options),
                "command": command_line(f),
                "experimental": _experimental(f),
            }
            for f in section.found
        ],
    }


def render(sections: list[Section]) -> list[str]:
    """Human-readable lines: one block per section, two or three lines per port."""
    lines: list[str] = []
    for section in sections:
        lines.append(section.title)
        if section.error:
            lines.append(f"  (cannot scan: {section.error})")
        for note in section.notes:
            lines.append(f"  ({note})")
        width = max((len(f.address) for f in section.found), default=0)
        for f in section.found:
            lines.append(f"  {f.address:<{width}}  {f.description}")
            mark = "→ " + (f.device + ": " if f.device else "")
            lines.append(f"  {'':<{width}}  {mark}{f.detail}")
            experimental = _experimental(f)
            if experimental:
                lines.append(f"  {'':<{width}}    EXPERIMENTAL: {experimental}")
            command = command_line(f)
            if command:
                lines.append(f"  {'':<{width}}    read it with: {command}")
        lines.append("")
    return lines


def command_line(found: Found) -> str | None:
    """The command that reads a recognised device, None when it was not recognised.

    ``isoforce record`` for a force device, ``isoforce imu`` for an IMU, with the options that
    select it; the same for every kind of link, so a new device needs nothing here.
    """
    from isoforce.devices.registry import DEVICES

    spec = DEVICES.get(found.device or "")
    if spec is None or not found.options:
        return None
    verb = "record" if spec.force_channel is not None else "imu"
    return shlex.join(["isoforce", verb, *found.options])


def _experimental(found: Found) -> str | None:
    """Why a recognised device is EXPERIMENTAL (None when it is not, or not recognised)."""
    from isoforce.devices.registry import DEVICES

    spec = DEVICES.get(found.device or "")
    return spec.experimental or None if spec is not None else None
