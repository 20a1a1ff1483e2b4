"""``isoforce replay``: play a stored session back through the live path."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from isoforce.cli.common import EXIT_INTERRUPTED, EXIT_OK, run_until_interrupted
from isoforce.cli.saving import add_athlete_argument, add_data_dir_argument
from isoforce.cli.values import SPEED, session_spec


def register(sub: Any) -> None:
    """Add ``replay``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "replay",
        help="play a stored session back through the live pipeline (and its drill)",
        description=(
            "Feed a stored session through the same decoder, pipeline and drill engine as a live "
            "device, at real speed or faster; a drill session is scored again."
        ),
    )
    p.add_argument(
        "session",
        type=session_spec,
        metavar="SESSION",
        help="session number, 'latest' or 'latest-1' …",
    )
    p.add_argument(
        "--speed",
        type=SPEED,
        default=1.0,
        metavar="X",
        help=f"X times real time ({SPEED.span}; 'max' = as fast as possible; default 1)",
    )
    p.add_argument("--no-drill", action="store_true", help="do not re-run the session's drill")
    add_athlete_argument(
        p, what="'latest' is this athlete's latest session (default: the default athlete's)"
    )
    add_data_dir_argument(p)
    p.set_defaults(handler=run_replay)


def run_replay(args: argparse.Namespace) -> int:
    """Handler of ``isoforce replay``."""
    from isoforce.cli.athlete import session_ids
    from isoforce.cli.live_output import (
        DrillPrinter,
        Progress,
        newton_steps,
        print_drill_result,
    )
    from isoforce.live.build import open_replay
    from isoforce.recording import stored_drill
    from isoforce.session.store import SessionStore

    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        sid = session_ids(store, [args.session], args.athlete)[0]
        record = store.load(sid)
    drill = None if args.no_drill else stored_drill(record, args.data_dir)
    session = open_replay(record, speed=args.speed, drill=drill)
    session.add(Progress(total_s=record.duration_s, label=f"replay {sid}"))
    what = record.meta.drill.name if record.meta.drill else record.meta.device.title
    print(f"replaying session {sid} ({what}, {record.duration_s:.1f} s, {record.samples} samples)")
    if session.guide is not None:
        session.add(DrillPrinter(session.header.plan, newton_steps(session)))

    async def go(stop: asyncio.Event) -> None:
        await session.run(stop=stop)

    interrupted = run_until_interrupted(go)
    outcome = session.outcome
    assert outcome is not None
    print(f"replayed {outcome.samples} samples ({outcome.last_t_s:.2f} s), {outcome.stopped_by}")
    if outcome.drill_result is not None:
        drill_result = outcome.drill_result
        print_drill_result(drill_result)
        same = _compare(record.steps, drill_result)
        if same is not None:
            print(f"\nscores match the recording for {same[0]} of {same[1]} steps")
    if outcome.samples != record.samples:
        print(
            f"note: {record.samples - outcome.samples} samples were not replayed", file=sys.stderr
        )
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _compare(stored: Any, result: Any) -> tuple[int, int] | None:
    """How many steps score as they did when recorded (RMSE and time in band within 1e-6)."""
    if not stored:
        return None
    now = {s.step_index: s.metrics for s in result.step_scores}
    same = 0
    for step in stored:
        m = now.get(step.step_index)
        old = step.score.get("metrics", {})
        if m is None:
            continue
        pairs = ((m.rmse, old.get("rmse")), (m.in_band_fraction, old.get("in_band_fraction")))
        if all(
            (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-6)
            for a, b in pairs
        ):
            same += 1
    return same, len(stored)
