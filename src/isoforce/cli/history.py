"""``isoforce sessions`` and ``isoforce history``: what the store holds, and progress over time."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from isoforce.cli.common import EXIT_OK, UsageError
from isoforce.cli.saving import add_athlete_argument, add_data_dir_argument
from isoforce.cli.values import COUNT, PERCENT


def register(sub: Any) -> None:
    """Add ``sessions`` and ``history``."""
    ls: argparse.ArgumentParser = sub.add_parser(
        "sessions",
        help="list the sessions in the store",
        description="List stored sessions, newest first.",
    )
    ls.add_argument(
        "--limit",
        type=COUNT,
        default=30,
        metavar="N",
        help=f"show at most N ({COUNT.span}; default 30)",
    )
    add_data_dir_argument(ls)
    add_athlete_argument(ls, what="list this athlete's sessions (default: the default athlete)")
    ls.set_defaults(handler=run_sessions)

    h: argparse.ArgumentParser = sub.add_parser(
        "history",
        help="MVIC, pain-free max and range of motion over time, and left/right asymmetry",
        description=(
            "Reference maxima over time per movement, side, direction and position, and left/right "
            "asymmetry (LSI and signed % difference). A difference is flagged only when it is "
            "larger than your own trial-to-trial variability and the threshold, and persists. "
            "Then the active end-range angles the IMU measured (hip-rom drill) per side, position "
            "and direction, and their left/right difference in degrees. Last, week by week per "
            "movement key: pain-free max, MVIC, hold quality and pain, and the next session's "
            "hold target with its reason, by the progression rule (a TOML file you can edit: "
            "progression.toml in the data directory, or --rule FILE; see docs/data.md)."
        ),
    )
    h.add_argument(
        "--movement", default=None, help="only this movement, e.g. hip-ir or hip-rotation"
    )
    h.add_argument(
        "--flag-at",
        type=PERCENT,
        default=15.0,
        metavar="PCT",
        help=f"smallest difference that can be flagged ({PERCENT.span}; default 15 %%)",
    )
    h.add_argument(
        "--rule",
        default=None,
        metavar="FILE",
        help="progression rule file (default: progression.toml in the data directory if there "
        "is one, else the built-in rule)",
    )
    h.add_argument(
        "--metric",
        default=None,
        metavar="NAME",
        help="chart one force-curve metric over time per side and direction instead (each "
        "session's strongest effort), e.g. peak_n, best_1s_n, rfd_20_80_n_per_s, impulse_n_s "
        "(all: docs/numbers.md); --png also draws it",
    )
    h.add_argument(
        "--png",
        default=None,
        metavar="PATH",
        help="with --metric: also write the chart as a PNG (needs the plot extra)",
    )
    h.add_argument(
        "--json",
        action="store_true",
        help="print the week-by-week progression and suggestions as JSON",
    )
    add_data_dir_argument(h)
    add_athlete_argument(h, what="this athlete's history (default: the default athlete)")
    h.set_defaults(handler=run_history)


def run_sessions(args: argparse.Namespace) -> int:
    """Handler of ``isoforce sessions``."""
    from isoforce.drills.report import format_table
    from isoforce.session.athletes import DEFAULT_ATHLETE
    from isoforce.session.store import SessionStore

    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        athlete = store.athlete(args.athlete or DEFAULT_ATHLETE).name
        infos = store.sessions(limit=args.limit, profile=athlete)
        path = store.path
    whose = f" for athlete {athlete}" if args.athlete is not None else ""
    if not infos:
        print(
            f"no sessions{whose} in {path} yet: 'isoforce record' or 'isoforce drill run' saves one"
        )
        return EXIT_OK
    if whose:
        print(f"athlete {athlete}")
    rows = [
        (
            str(i.id),
            i.started_at[:16].replace("T", " "),
            i.title,
            f"{i.duration_s:.1f} s",
            str(i.samples),
            i.status.value,
        )
        for i in infos
    ]
    print(format_table(("id", "started", "what", "length", "samples", "status"), rows))
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    """Handler of ``isoforce history`` (for one athlete: ``--athlete``, else the default)."""
    from isoforce.drills.progression_rule import find_rule
    from isoforce.paths import data_dir
    from isoforce.session.athletes import DEFAULT_ATHLETE
    from isoforce.session.history import AsymmetrySettings
    from isoforce.session.history_text import history_lines
    from isoforce.session.progress_store import load_progress
    from isoforce.session.progress_text import progress_lines
    from isoforce.session.store import SessionStore

    if args.metric is not None:
        return _run_metric(args)
    if args.png is not None:
        raise UsageError("--png draws a metric's chart: give --metric NAME too")
    settings = AsymmetrySettings(min_flag_pct=args.flag_at)
    rule = find_rule(args.rule, data_dir(args.data_dir))
    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        athlete = store.athlete(args.athlete or DEFAULT_ATHLETE).name
        history = store.history(movement=args.movement, profile=athlete, settings=settings)
        progress = load_progress(store, rule=rule, profile=athlete, movement=args.movement)
    if args.json:
        print(json.dumps(progress.as_dict(), indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.athlete is not None:
        print(f"athlete {athlete}")
    if history.empty and not progress.keys:
        what = f" for {args.movement}" if args.movement else ""
        print(
            f"no maxima or range of motion stored{what} yet: run 'isoforce drill run max-test "
            "--side left', the tension-drill or the hip-rom drill, or import Tindeq files with "
            "--as-mvic"
        )
        return EXIT_OK
    print("\n".join([*history_lines(history), *progress_lines(progress)]).rstrip())
    return EXIT_OK


def _run_metric(args: argparse.Namespace) -> int:
    """``isoforce history --metric NAME``: one curve metric over time, per side and direction."""
    from isoforce.session.athletes import DEFAULT_ATHLETE
    from isoforce.session.efforts import analyse_session
    from isoforce.session.store import SessionStore
    from isoforce.session.trends import TREND_METRICS, metric_trend, trend_lines, trend_to_dict

    if args.metric not in TREND_METRICS:
        raise UsageError(
            f"--metric: unknown metric {args.metric!r}; one of {', '.join(TREND_METRICS)}"
        )
    entries = []
    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        athlete = store.athlete(args.athlete or DEFAULT_ATHLETE).name
        infos = [
            i
            for i in store.sessions(profile=athlete)
            if args.movement is None or i.movement == args.movement
        ]
        for n, info in enumerate(reversed(infos), 1):
            if len(infos) > 20 and sys.stderr.isatty():
                print(f"\ranalysing session {n} of {len(infos)}", end="", file=sys.stderr)
            side = info.side.value if info.side is not None else "side not given"
            entries.append((info.started_at, side, analyse_session(store.load(info.id))))
        if len(infos) > 20 and sys.stderr.isatty():
            print(file=sys.stderr)
    trend = metric_trend(args.metric, entries)
    if args.png:
        from isoforce.cli.output import open_output
        from isoforce.export.effort_plot import write_trend_png

        with open_output(args.png, binary=True) as out:
            write_trend_png(out.data, trend)
        print(f"chart → {args.png}", file=sys.stderr)
    if args.json:
        print(json.dumps(trend_to_dict(trend), indent=2, ensure_ascii=False))
    else:
        print("\n".join(trend_lines(trend)))
    return EXIT_OK
