"""Registers every ``isoforce`` subcommand; the default (no command) opens the UI."""

from __future__ import annotations

import argparse
from typing import Any

from isoforce.cli import athlete, calibrate, drill, record, scan, store, tui
from isoforce.cli import history as history_cmd
from isoforce.cli import imu as imu_cmd
from isoforce.cli import replay as replay_cmd
from isoforce.cli import report as report_cmd
from isoforce.cli import transfer as transfer_cmd
from isoforce.cli.common import EXIT_OK
from isoforce.devices.registry import DEVICES


def register_all(sub: Any) -> None:
    """Add all subcommands to the top-level parser's subparsers."""
    record.register(sub)
    drill.register(sub)
    tui.register(sub)
    scan.register(sub)
    calibrate.register(sub)
    history_cmd.register(sub)
    report_cmd.register(sub)
    transfer_cmd.register(sub)
    replay_cmd.register(sub)
    imu_cmd.register(sub)
    store.register(sub)
    athlete.register(sub)
    p = sub.add_parser(
        "devices", help="list the devices isoforce supports", description="List supported devices."
    )
    p.set_defaults(handler=run_devices)


def run_devices(args: argparse.Namespace) -> int:
    """Handler of ``isoforce devices``."""
    del args
    width = max(len(k) for k in DEVICES)
    caps_width = max(len(s.capabilities.describe()) for s in DEVICES.values())
    for spec in DEVICES.values():
        caps = spec.capabilities.describe()
        flag = " (EXPERIMENTAL)" if spec.experimental else ""
        print(
            f"{spec.key:<{width}}  {spec.transport:<6} {spec.nominal_rate_hz:>6.0f} Hz  "
            f"{caps:<{caps_width}}  {spec.title}{flag}"
        )
    return EXIT_OK


def default_command(args: argparse.Namespace) -> int:
    """What plain ``isoforce`` does: open the terminal UI at the device picker."""
    return tui.run_default(args)
