"""The history of maxima, end-range angles and left/right comparisons as plain text.

Used by ``isoforce history`` and the TUI's history screen.
"""

from __future__ import annotations

from isoforce.drills.report import format_table
from isoforce.session.history import AsymmetrySeries, History, RomSeries, RomSidesSeries


def _kind_name(value: str) -> str:
    return "pain-free max" if value == "pain_free" else "MVIC"


def history_lines(history: History) -> list[str]:
    """The history as text: strength series, range-of-motion series, then left/right tables."""
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
    for r in history.rom:
        lines.extend(_rom_lines(r))
    for a in history.asymmetry:
        lines.extend(_asymmetry_lines(a))
    for sides in history.rom_sides:
        lines.extend(_rom_sides_lines(sides))
    return lines


def _rom_lines(s: RomSeries) -> list[str]:
    out = [f"{s.key.label()} — active end range, {s.key.direction_name}"]
    first = s.points[0].angle_deg
    mixed = len({p.placement for p in s.points}) > 1  # shank and thigh do not compare 1:1
    for p in s.points:
        change = "" if p is s.points[0] else f"  {p.angle_deg - first:+.1f}° vs first"
        where = f"session {p.session_id}" if p.session_id is not None else "entered"
        placed = f", {p.placement} IMU" if mixed else ""
        out.append(
            f"  {p.date}  {p.angle_deg:5.1f}°  ({p.source_drill or 'manual'}, {where}{placed}){change}"
        )
    out.append("")
    return out


def _rom_sides_lines(s: RomSidesSeries) -> list[str]:
    out = [f"{s.movement} @ {s.position} — left/right, active end range, {s.direction_name}"]
    rows = [
        (p.date, f"{p.left_deg:.1f}°", f"{p.right_deg:.1f}°", f"{p.diff_deg:+.1f}°")
        for p in s.points
    ]
    out.append(format_table(("date", "left", "right", "R−L"), rows))
    out.append("")
    return out


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
        if p.pain_limited:
            note += f" ({p.pain_limited} pain-limited value{'s' if p.pain_limited > 1 else ''} left out)"
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
