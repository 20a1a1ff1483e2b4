"""``isoforce report``: every effort of stored sessions with its force-curve metrics."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import EXIT_OK
from isoforce.cli.values import session_spec

if TYPE_CHECKING:
    from isoforce.session.efforts import Effort, SessionAnalysis
    from isoforce.session.tindeq import HeaderCheck
    from isoforce.signal.analysis import MetricValue

#: Decimals per unit in the text table.
_DECIMALS = {"N": 1, "N/s": 0, "N·s": 1, "s": 3}
CSV_COLUMNS = (
    "session",
    "effort",
    "label",
    "found_by",
    "start_s",
    "end_s",
    "metric",
    "value",
    "unit",
    "gap",
    "note",
)


def register(sub: Any) -> None:
    """Add ``report``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "report",
        help="force-curve metrics of every effort of stored sessions (peak, windows, RFD, impulse)",
        description=(
            "Split each session into efforts (drill steps and max-test trials; for free "
            "recordings and imports, force rising above and falling back below a threshold) and "
            "print every effort's metrics: peak, mean, best 1 s and 0.5 s means, impulse, onset, "
            "time to peak, RFD over 0-50/100/200 ms and 20-80 %%, peak RFD, and the Tindeq "
            "app's RFDs. A metric the sensor's rate cannot support reads 'rate too low', never "
            "a number. Definitions: docs/numbers.md. SESSION is a number, 'latest', "
            "'latest-1' … or 'all'."
        ),
    )
    p.add_argument(
        "sessions", nargs="+", type=session_spec, metavar="SESSION", help="session(s) to report"
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON instead of tables")
    fmt.add_argument("--csv", action="store_true", help="print CSV (one row per effort and metric)")
    p.add_argument(
        "--png",
        default=None,
        metavar="PATH",
        help="also write a PNG of each session's efforts (curve, onset, RFD windows, best 1 s "
        "and peak marked) to PATH; several sessions go to PATH with -N before the extension "
        "(needs the plot extra: pip install 'isoforce[plot]')",
    )
    p.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="isoforce data directory holding the session store (default: platform data dir or $ISOFORCE_DATA_DIR)",
    )
    p.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Handler of ``isoforce report``."""
    from isoforce.session.efforts import analyse_session
    from isoforce.session.store import SessionStore
    from isoforce.session.tindeq import tindeq_checks

    reports: list[tuple[SessionAnalysis, list[HeaderCheck]]] = []
    with SessionStore.open(data_dir=args.data_dir) as store:
        ids: list[int] = []
        for spec in args.sessions:
            ids.extend(i for i in store.resolve(spec) if i not in ids)
        for sid in ids:
            record = store.load(sid)
            reports.append((analyse_session(record), tindeq_checks(record)))
    if args.png:
        _write_pngs(args.png, [a for a, _ in reports])
    if args.json:
        json.dump([_as_json(a, c) for a, c in reports], sys.stdout, indent=1, ensure_ascii=False)
        print()
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for analysis, _ in reports:
            writer.writerows(_csv_rows(analysis))
    else:
        print("\n\n".join("\n".join(_text(a, c)) for a, c in reports))
    return EXIT_OK


def _write_pngs(path: str, analyses: list[SessionAnalysis]) -> None:
    """One PNG per session: ``PATH`` for one, ``PATH`` with ``-<id>`` before the suffix for more."""
    from pathlib import Path

    from isoforce.cli.output import open_output
    from isoforce.export.effort_plot import write_efforts_png

    target = Path(path)
    for analysis in analyses:
        one = (
            target
            if len(analyses) == 1
            else target.with_name(f"{target.stem}-{analysis.session_id}{target.suffix or '.png'}")
        )
        with open_output(str(one), binary=True) as out:
            write_efforts_png(out.data, analysis)
        print(f"session {analysis.session_id} → {one}", file=sys.stderr)


def _value_text(m: MetricValue) -> str:
    if m.value is None:
        return "—"
    return f"{m.value:,.{_DECIMALS.get(m.unit, 3)}f}"


def _rate(analysis: SessionAnalysis) -> str:
    from isoforce.signal.analysis import rate_text

    gaps = f", {analysis.gap_s:.2f} s in gaps" if analysis.gap_s else ", no gaps"
    return f"sensor {rate_text(analysis.rate_hz)} Hz{gaps}"


def _text(analysis: SessionAnalysis, checks: list[HeaderCheck]) -> list[str]:
    from isoforce.drills.report import format_table

    lines = [
        f"session {analysis.session_id} · {analysis.title} · "
        f"{len(analysis.efforts)} effort(s) · {_rate(analysis)}"
    ]
    lines.extend(f"  {note}" for note in analysis.notes)
    for effort in analysis.efforts:
        lines.append("")
        lines.append(_effort_title(effort))
        rows = [
            (m.label, _value_text(m), m.unit if m.value is not None else "", _note(m))
            for m in effort.metrics
        ]
        table = format_table(("metric", "value", "unit", "note"), rows)
        lines.extend(f"  {row}".rstrip() for row in table.splitlines())
    if checks:
        lines.append("")
        lines.append("the app's numbers in the file, recomputed here from its samples:")
        for c in checks:
            lines.append(
                f"  {c.name}: app {c.app_value:.4f} {c.unit}, ours {c.ours:.4f} {c.unit} "
                f"({100 * c.rel_error:.2g} % apart)"
            )
    return lines


def _note(m: MetricValue) -> str:
    return f"{m.note} ⚠" if m.gap and m.note else m.note


def _effort_title(effort: Effort) -> str:
    pull = " (pull, force shown positive)" if effort.sign < 0 else ""
    label = "" if effort.label == f"effort {effort.number}" else f": {effort.label}"
    return (
        f"effort {effort.number}{label}{pull} · {effort.start_s:.2f}–"
        f"{effort.end_s:.2f} s · found by {effort.how}"
    )


def _as_json(analysis: SessionAnalysis, checks: list[HeaderCheck]) -> dict[str, Any]:
    from isoforce.session.efforts import analysis_to_dict

    return {
        "session": analysis.session_id,
        **analysis_to_dict(analysis),
        "app_checks": [
            {"name": c.name, "app": c.app_value, "ours": c.ours, "unit": c.unit} for c in checks
        ],
    }


def _csv_rows(analysis: SessionAnalysis) -> list[list[str]]:
    rows = []
    for e in analysis.efforts:
        for m in e.metrics:
            rows.append(
                [
                    str(analysis.session_id),
                    str(e.number),
                    e.label,
                    e.how,
                    f"{e.start_s:.6f}",
                    f"{e.end_s:.6f}",
                    m.key,
                    "" if m.value is None else repr(m.value),
                    m.unit,
                    "1" if m.gap else "0",
                    m.note,
                ]
            )
    return rows
