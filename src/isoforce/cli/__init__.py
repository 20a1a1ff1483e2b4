"""The ``isoforce`` command line: headless recording, drills, devices; the TUI by default."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from isoforce import __version__
from isoforce.cli.commands import default_command, register_all
from isoforce.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from isoforce.errors import AthleteNameError, IsoforceError


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also the source of the generated CLI reference)."""
    parser = argparse.ArgumentParser(
        prog="isoforce",
        description="Measured isometric training: live effort %, guided PAILs/RAILs, force-curve export.",
        epilog="Run without a command to open the terminal UI at the sensor picker "
        "('isoforce demo' starts a guided drill on the simulated sensor).",
    )
    parser.add_argument("--version", action="version", version=f"isoforce {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``isoforce`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return default_command(args)
        return handler(args)
    except (UsageError, AthleteNameError) as exc:
        print(f"isoforce: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IsoforceError as exc:
        print(f"isoforce: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\nisoforce: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
