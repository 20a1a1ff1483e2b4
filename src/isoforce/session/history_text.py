"""The history of maxima and left/right asymmetry as plain text (for the CLI and the TUI)."""

from __future__ import annotations

from isoforce.drills.report import format_table
from isoforce.session.history import AsymmetrySeries, History


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
