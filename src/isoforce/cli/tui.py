"""``isoforce`` (no command), ``isoforce tui`` and ``isoforce demo``: the terminal UI."""

from __future__ import annotations

import argparse
from typing import Any

from isoforce.cli.common import EXIT_OK
from isoforce.cli.record import add_device_arguments

DEMO_DRILL = "pails-rails-hip"


def register(sub: Any) -> None:
    """Add ``tui`` and ``demo``."""
    tui: argparse.ArgumentParser = sub.add_parser(
        "tui",
        help="open the terminal UI",
        description="Open the terminal UI at the device picker (or a drill).",
    )
    add_device_arguments(tui)
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
        "--audio",
        choices=("off", "bell", "tones", "speech"),
        default="bell",
        help="audio cues (default bell)",
    )
    p.add_argument("--fps", type=float, default=30.0, help="redraw rate (default 30)")
    p.add_argument("--data-dir", default=None, help="isoforce data directory")


def run_tui(args: argparse.Namespace) -> int:
    """Build and run the app."""
    from isoforce.runner.factory import SessionOptions
    from isoforce.tui.app import AppConfig, create_app
    from isoforce.tui.audio import AudioMode

    options = SessionOptions(
        device=args.device,
        rate_hz=args.rate,
        seed=args.seed,
        speed=args.speed,
        push_max_n=args.push_max,
        pull_max_n=args.pull_max,
    )
    config = AppConfig(
        options=options,
        drill=args.drill,
        fps=args.fps,
        audio=AudioMode(args.audio),
        data_dir=args.data_dir,
    )
    create_app(config).run()
    return EXIT_OK


def run_default(args: argparse.Namespace) -> int:
    """Plain ``isoforce``: the TUI at the device picker with default options."""
    ns = argparse.Namespace(
        device="sim",
        rate=None,
        seed=0,
        speed=1.0,
        push_max=None,
        pull_max=None,
        drill=None,
        audio="bell",
        fps=30.0,
        data_dir=None,
    )
    del args
    return run_tui(ns)
