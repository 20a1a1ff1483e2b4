"""``isoforce report``: every effort of stored sessions with its force-curve metrics."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import EXIT_OK, UsageError
from isoforce.cli.saving import add_athlete_argument, add_data_dir_argument
from isoforce.cli.values import session_spec
from isoforce.signal.analysis import MetricValue

if TYPE_CHECKING:
    from isoforce.session.athletes import TorqueBasis
    from isoforce.session.compare import Comparison
    from isoforce.session.efforts import Effort, SessionAnalysis
    from isoforce.session.force_angle import AngleBand
    from isoforce.session.model import SessionRecord
    from isoforce.session.tindeq import HeaderCheck

#: Decimals per unit in the text table.
_DECIMALS = {"N": 1, "N/s": 0, "N·s": 1, "s": 3}
COMPARE_COLUMNS = (
    "session_a",
    "session_b",
    "direction",
    "effort_a",
    "effort_b",
    "a",
    "b",
    "diff",
    "diff_pct",
    "metric",
    "unit",
    "noise_pct",
    "verdict",
)
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
            "time to peak, RFD over 0-50/100/200 ms and 20-80 %, peak RFD, and the Tindeq "
            "app's RFDs. A metric the sensor's rate cannot support reads 'rate too low', never "
            "a number. Definitions: docs/numbers.md. SESSION is a number, 'latest', "
            "'latest-1' … or 'all'. With --compare, two sessions side by side."
        ),
    )
    p.add_argument(
        "sessions", nargs="+", type=session_spec, metavar="SESSION", help="session(s) to report"
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON instead of tables")
    fmt.add_argument("--csv", action="store_true", help="print CSV (one row per effort and metric)")
    p.add_argument(
        "--compare",
        action="store_true",
        help="compare two sessions (A B: e.g. left and right, or this week and last): per "
        "direction the strongest effort of each, metric by metric, with the noise that gates "
        "each difference; --png overlays the two curves",
    )
    p.add_argument(
        "--png",
        default=None,
        metavar="PATH",
        help="also write a PNG of each session's efforts (curve, onset, RFD windows, best 1 s "
        "and peak marked) to PATH; several sessions go to PATH with -N before the extension "
        "(needs the plot extra: pip install 'isoforce[plot]')",
    )
    add_data_dir_argument(p)
    add_athlete_argument(
        p,
        what="'latest' and 'all' are this athlete's sessions, and peak torque (N·m, N·m/kg) "
        "uses their lever arm and body mass (default: the default athlete)",
    )
    p.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Handler of ``isoforce report``."""
    from isoforce.cli.athlete import session_ids
    from isoforce.session.efforts import analyse_session
    from isoforce.session.force_angle import session_bands
    from isoforce.session.store import SessionStore
    from isoforce.session.tindeq import tindeq_checks

    reports: list[tuple[SessionAnalysis, list[HeaderCheck]]] = []
    angles: dict[int | None, tuple[AngleBand, ...] | None] = {}
    described: list[str] = []
    bases: dict[int | None, TorqueBasis] = {}
    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        ids = session_ids(store, args.sessions, args.athlete)
        if args.compare and len(ids) != 2:
            raise UsageError(
                f"--compare takes two sessions (A B), got {len(ids)}: "
                f"{' '.join(args.sessions)} (see 'isoforce sessions')"
            )
        for sid in ids:
            record = store.load(sid)
            reports.append((analyse_session(record), tindeq_checks(record)))
            angles[sid] = session_bands(record)
            described.append(_describe(record))
            basis = store.torque_basis(sid, record.meta)
            if basis is not None:
                bases[sid] = basis
    if args.compare:
        return _run_compare(args, reports[0][0], reports[1][0], described)
    if args.png:
        _write_pngs(args.png, [a for a, _ in reports])
    if args.json:
        docs = [
            _as_json(a, c, bases.get(a.session_id)) | _angles_json(angles.get(a.session_id))
            for a, c in reports
        ]
        json.dump(docs, sys.stdout, indent=1, ensure_ascii=False)
        print()
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for analysis, _ in reports:
            writer.writerows(_csv_rows(analysis, bases.get(analysis.session_id)))
    else:
        texts = (
            "\n".join(_text(a, c, bases.get(a.session_id)) + _angles_text(angles.get(a.session_id)))
            for a, c in reports
        )
        print("\n\n".join(texts))
    return EXIT_OK


def _describe(record: SessionRecord) -> str:
    """``max-test · left · 2026-12-02``: what a session was, which side, which day."""
    meta = record.meta
    title = meta.drill.name if meta.drill is not None else meta.kind.value
    side = meta.side.value if meta.side is not None else "side not given"
    return f"{title} · {side} · {meta.started_at[:10]}"


def _run_compare(
    args: argparse.Namespace, a: SessionAnalysis, b: SessionAnalysis, described: list[str]
) -> int:
    from isoforce.session.compare import compare, comparison_to_dict

    comparison = compare(a, b)
    if args.png:
        from isoforce.cli.output import open_output
        from isoforce.export.effort_plot import write_compare_png

        with open_output(args.png, binary=True) as out:
            write_compare_png(out.data, comparison)
        print(f"comparison → {args.png}", file=sys.stderr)
    if args.json:
        json.dump(comparison_to_dict(comparison), sys.stdout, indent=1, ensure_ascii=False)
        print()
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COMPARE_COLUMNS)
        for pair in comparison.pairs:
            for m in pair.metrics:
                writer.writerow(
                    [a.session_id, b.session_id, pair.direction, pair.a.number, pair.b.number]
                    + ["" if v is None else repr(v) for v in (m.a, m.b, m.diff, m.diff_pct)]
                    + [m.key, m.unit, "" if m.noise_pct is None else repr(m.noise_pct), m.verdict]
                )
    else:
        print("\n".join(_compare_text(comparison, described)))
    return EXIT_OK


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:+,.{_DECIMALS.get(unit, 3)}f}"


def _compare_text(comparison: Comparison, described: list[str]) -> list[str]:
    from isoforce.drills.report import format_table

    a, b = comparison.a, comparison.b
    lines = [
        f"A: session {a.session_id} · {described[0]} · {_rate(a)}",
        f"B: session {b.session_id} · {described[1]} · {_rate(b)}",
        "per direction, the strongest effort of each; a difference is beyond noise when it is "
        "larger than √(CV_A² + CV_B²), each session's CV of that metric over its efforts of "
        "the same kind",
    ]
    lines.extend(f"  {note}" for note in comparison.notes)
    for pair in comparison.pairs:
        lines.append("")
        lines.append(
            f"{pair.direction}: A effort {pair.a.number} ({pair.a.label}, {pair.group_a} of its "
            f"kind) · B effort {pair.b.number} ({pair.b.label}, {pair.group_b} of its kind)"
        )
        rows = []
        for m in pair.metrics:
            value = MetricValue(m.key, m.label, m.unit, m.a)
            other = MetricValue(m.key, m.label, m.unit, m.b)
            pct = m.diff_pct
            rows.append(
                (
                    m.label,
                    _value_text(value),
                    _value_text(other),
                    _signed(m.diff, m.unit),
                    "—" if pct is None else f"{pct:+.1f} %",
                    "—" if m.noise_pct is None else f"{m.noise_pct:.1f} %",
                    m.verdict,
                )
            )
        table = format_table(("metric", "A", "B", "B − A", "%", "noise", "verdict"), rows)
        lines.extend(f"  {row}".rstrip() for row in table.splitlines())
    return lines


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


def _text(
    analysis: SessionAnalysis, checks: list[HeaderCheck], basis: TorqueBasis | None = None
) -> list[str]:
    from isoforce.drills.report import format_table
    from isoforce.session.efforts import peak_torque

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
        torque = peak_torque(effort, basis)
        if torque is not None:
            lines.append(f"  peak torque {torque.text()}")
    if checks:
        lines.append("")
        lines.append("the app's numbers in the file, recomputed here from its samples:")
        for c in checks:
            lines.append(
                f"  {c.name}: app {c.app_value:.4f} {c.unit}, ours {c.ours:.4f} {c.unit} "
                f"({100 * c.rel_error:.2g} % apart)"
            )
    return lines


def _angles_text(bands: tuple[AngleBand, ...] | None) -> list[str]:
    """The force-at-angle table of a session with an IMU (nothing without one)."""
    from isoforce.drills.report import format_table
    from isoforce.session.force_angle import BAND_DEG, BANDS_HEADER, bands_text

    if bands is None:
        return []
    title = f"force at angle (IMU angle, {BAND_DEG:.0f}° bands; internal rotation positive):"
    if not bands:
        return ["", title, "  no force sample has an IMU angle (zero pose never set?)"]
    table = format_table(BANDS_HEADER, bands_text(bands))
    return ["", title, *(f"  {row}".rstrip() for row in table.splitlines())]


def _angles_json(bands: tuple[AngleBand, ...] | None) -> dict[str, Any]:
    """``force_at_angle``: the band width and the bands (None without an IMU)."""
    from isoforce.session.force_angle import BAND_DEG

    if bands is None:
        return {"force_at_angle": None}
    return {"force_at_angle": {"band_deg": BAND_DEG, "bands": [b.to_dict() for b in bands]}}


def _note(m: MetricValue) -> str:
    return f"{m.note} ⚠" if m.gap and m.note else m.note


def _effort_title(effort: Effort) -> str:
    pull = " (pull, force shown positive)" if effort.sign < 0 else ""
    label = "" if effort.label == f"effort {effort.number}" else f": {effort.label}"
    return (
        f"effort {effort.number}{label}{pull} · {effort.start_s:.2f}–"
        f"{effort.end_s:.2f} s · found by {effort.how}"
    )


def _as_json(
    analysis: SessionAnalysis, checks: list[HeaderCheck], basis: TorqueBasis | None = None
) -> dict[str, Any]:
    from isoforce.session.efforts import analysis_to_dict

    doc = analysis_to_dict(analysis, basis)
    return {
        "session": analysis.session_id,
        **doc,
        "app_checks": [
            {"name": c.name, "app": c.app_value, "ours": c.ours, "unit": c.unit} for c in checks
        ],
    }


def _csv_rows(analysis: SessionAnalysis, basis: TorqueBasis | None = None) -> list[list[str]]:
    from isoforce.session.efforts import peak_torque

    rows = []
    for e in analysis.efforts:
        values = [(m.key, m.value, m.unit, m.gap, m.note) for m in e.metrics]
        torque = peak_torque(e, basis)
        if torque is not None:
            note = torque.basis.source()
            values.append(("peak_torque_nm", torque.torque_nm, "N·m", False, note))
            if torque.per_kg is not None:
                values.append(("peak_torque_nm_per_kg", torque.per_kg, "N·m/kg", False, note))
        for key, value, unit, gap, note in values:
            rows.append(
                [
                    str(analysis.session_id),
                    str(e.number),
                    e.label,
                    e.how,
                    f"{e.start_s:.6f}",
                    f"{e.end_s:.6f}",
                    key,
                    "" if value is None else repr(value),
                    unit,
                    "1" if gap else "0",
                    note,
                ]
            )
    return rows
