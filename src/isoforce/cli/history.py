"""``isoforce sessions`` and ``isoforce history``: what the store holds, and progress over time."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import EXIT_OK, positive_float

if TYPE_CHECKING:
    from isoforce.session.history import AsymmetrySeries, History


def register(sub: Any) -> None:
    """Add ``sessions`` and ``history``."""
    ls: argparse.ArgumentParser = sub.add_parser(
        "sessions",
        help="list the sessions in the store",
        description="List stored sessions, newest first.",
    )
    ls.add_argument(
        "--limit", type=int, default=30, metavar="N", help="show at most N (default 30)"
    )
    _data_dir(ls)
    ls.set_defaults(handler=run_sessions)

    h: argparse.ArgumentParser = sub.add_parser(
        "history",
        help="MVIC and pain-free max over time, and left/right asymmetry",
        description=(
            "Reference maxima over time per movement, side, direction and position, and left/right "
            "asymmetry (LSI and signed % difference). A difference is flagged only when it is "
            "larger than your own trial-to-trial variability and the threshold, and persists."
        ),
    )
    h.add_argument("--movement", default=None, help="only this movement, e.g. hip-ir")
    h.add_argument(
        "--flag-at",
        type=positive_float,
        default=15.0,
        metavar="PCT",
        help="smallest difference that can be flagged (default 15 %%)",
    )
    _data_dir(h)
    h.set_defaults(handler=run_history)


def _data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="isoforce data directory holding the session store (default: platform data dir or $ISOFORCE_DATA_DIR)",
    )


def run_sessions(args: argparse.Namespace) -> int:
    """Handler of ``isoforce sessions``."""
    from isoforce.drills.report import format_table
    from isoforce.session.store import SessionStore

    with SessionStore.open(data_dir=args.data_dir) as store:
        infos = store.sessions(limit=args.limit)
        path = store.path
    if not infos:
        print(f"no sessions in {path} yet: 'isoforce record' or 'isoforce drill run' saves one")
        return EXIT_OK
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


def _kind_name(value: str) -> str:
    return "pain-free max" if value == "pain_free" else "MVIC"


def history_lines(history: History) -> list[str]:
    """The history as text: one block per series, then the asymmetry tables."""
    lines: list[str] = []
    for s in history.series:
        lines.append(f"{s.key.label()} — {_kind_name(s.kind.value)}")
        first = s.points[0].value_n
        for p in s.points:
            change = (
                "" if p is s.points[0] else f"  {100 * (p.value_n - first) / first:+.1f} % vs first"
            )
            cv = "" if p.trial_cv_pct is None else f", trial CV {p.trial_cv_pct:.1f} %"
            where = f"session {p.session_id}" if p.session_id is not None else "entered"
            lines.append(
                f"  {p.measured_at[:10]}  {p.value_n:7.1f} N  ({p.source_drill or 'manual'}, {where}{cv}){change}"
            )
        lines.append("")
    for a in history.asymmetry:
        lines.extend(_asymmetry_lines(a))
    return lines


def _asymmetry_lines(a: AsymmetrySeries) -> list[str]:
    from isoforce.drills.report import format_table

    out = [
        f"{a.movement} {a.direction.value} @ {a.position} — left/right, {_kind_name(a.kind.value)}"
    ]
    rows = []
    for p in a.points:
        noise = "unknown" if p.noise_pct is None else f"{p.noise_pct:.1f} %"
        if p.flagged:
            side = "right" if p.diff_pct > 0 else "left"
            note = f"FLAG: {side} stronger, {p.persisting} sessions in a row"
        elif p.exceeds:
            note = "beyond noise (not yet persistent)"
        else:
            note = "within noise" if p.noise_pct is not None else "no trial data: information only"
        rows.append(
            (
                p.date,
                f"{p.left_n:.1f} N",
                f"{p.right_n:.1f} N",
                f"{p.lsi_pct:.1f} %",
                f"{p.diff_pct:+.1f} %",
                noise,
                note,
            )
        )
    out.append(format_table(("date", "left", "right", "LSI", "R−L", "noise", ""), rows))
    out.append("")
    return out


def run_history(args: argparse.Namespace) -> int:
    """Handler of ``isoforce history``."""
    from isoforce.session.history import AsymmetrySettings
    from isoforce.session.store import SessionStore

    settings = AsymmetrySettings(min_flag_pct=args.flag_at)
    with SessionStore.open(data_dir=args.data_dir) as store:
        history = store.history(movement=args.movement, settings=settings)
    if not history.series:
        what = f" for {args.movement}" if args.movement else ""
        print(
            f"no maxima stored{what} yet: run 'isoforce drill run max-test --side left' or the "
            "tension-drill, or import Tindeq files with --as-mvic"
        )
        return EXIT_OK
    print("\n".join(history_lines(history)).rstrip())
    return EXIT_OK
