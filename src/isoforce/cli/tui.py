"""``isoforce`` (no command), ``isoforce tui`` and ``isoforce demo``: the terminal UI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from isoforce.cli.common import EXIT_OK, EXIT_USAGE
from isoforce.cli.record import add_device_arguments, session_options
from isoforce.cli.saving import add_athlete_argument, add_key_arguments, add_save_arguments
from isoforce.cli.values import FPS

DEMO_DRILL = "pails-rails-hip"


def register(sub: Any) -> None:
    """Add ``tui`` and ``demo``."""
    tui: argparse.ArgumentParser = sub.add_parser(
        "tui",
        help="open the terminal UI",
        description="Open the terminal UI at the device picker (or a drill).",
    )
    add_device_arguments(tui, remembered=True)
    tui.add_argument("--drill", default=None, help="start this drill straight away")
    _common(tui)
    tui.set_defaults(handler=run_tui)
    demo: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="the TUI running a guided PAILs/RAILs drill on the simulated sensor",
        description="Open the TUI on the built-in simulated load cell and start the pails-rails-hip drill.",
    )
    add_device_arguments(demo)
    demo.add_argument("--drill", default=DEMO_DRILL, help=f"drill to run (default {DEMO_DRILL})")
    _common(demo)
    demo.set_defaults(handler=run_tui)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--side",
        choices=("left", "right"),
        default=None,
        help="body side: maxima are kept and reused per side",
    )
    add_key_arguments(p, cycles=True)
    add_save_arguments(p)
    p.add_argument(
        "--audio",
        choices=("off", "bell", "tones", "speech"),
        default="bell",
        help="audio cues (default bell)",
    )
    add_athlete_argument(
        p,
        what="whose sessions and maxima (the drill picker's 'a' key switches when there are "
        "several; default: the default athlete)",
    )
    p.add_argument(
        "--fps",
        type=FPS,
        default=30.0,
        help=f"highest redraw rate; the screen redraws as samples arrive, at most this often ({FPS.span}; default 30)",
    )


def run_tui(args: argparse.Namespace) -> int:
    """Build and run the app (a usage error, exit 2, without a terminal to draw on)."""
    from isoforce.core.effort_key import Side

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "isoforce: error: the terminal UI needs a terminal (standard input and output are "
            "not one); for headless use run 'isoforce record' or 'isoforce drill run'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from isoforce.drills.choices import DrillChoices
    from isoforce.session.store import SessionStore
    from isoforce.tui.app import AppConfig, create_app
    from isoforce.tui.audio import AudioMode

    if args.athlete is not None:
        with SessionStore.open(data_dir=args.data_dir, create=False) as store:
            store.athlete(args.athlete)  # an unknown name: one line and exit 2, before drawing
    remembered = False
    if args.device is None:  # the athlete's last device (and port or address), else the simulator
        from isoforce.cli.athlete import remembered_device
        from isoforce.recording import Recording

        with Recording(data_dir=args.data_dir, athlete=args.athlete) as rec:
            remembered = bool(remembered_device(rec, args))
    config = AppConfig(
        options=session_options(args),
        drill=args.drill,
        fps=args.fps,
        audio=AudioMode(args.audio),
        data_dir=args.data_dir,
        side=Side(args.side) if args.side else None,
        save=not args.no_save,
        choices=DrillChoices(movement=args.movement, position=args.position, cycles=args.cycles),
        athlete=args.athlete,
        device_remembered=remembered,
    )
    create_app(config).run()
    return EXIT_OK


def run_default(args: argparse.Namespace) -> int:
    """Plain ``isoforce``: the TUI at the device picker, with every ``tui`` option at its default."""
    from isoforce.cli import build_parser

    del args
    return run_tui(build_parser().parse_args(["tui"]))
