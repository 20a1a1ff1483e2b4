"""Week-over-week progression and the next session's suggestion as plain text.

Used by ``isoforce history`` after the maxima and asymmetry tables.
"""

from __future__ import annotations

from isoforce.drills.report import format_table
from isoforce.session.progress import KeyProgress, Progress, WeekRow

_HEADERS = (
    "week", "dates", "pain-free max", "MVIC", "sessions", "holds", "in band", "RMSE", "target",
    "pain",
)  # fmt: skip


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} N"


def _row(w: WeekRow) -> tuple[str, ...]:
    free = _n(w.pain_free_max_n)
    if w.lowered_by_pain:
        free += f" (lowered by pain{'' if w.lowered_by_pain == 1 else f' ×{w.lowered_by_pain}'})"
    return (
        w.week,
        w.dates,
        free,
        _n(w.mvic_n),
        str(w.sessions) if w.sessions else "—",
        str(w.holds) if w.holds else "—",
        "—" if w.in_band_pct is None else f"{w.in_band_pct:.0f} %",
        "—" if w.rmse_pct is None else f"{w.rmse_pct:.1f} %",
        "—" if w.hold_target_pct is None else f"{w.hold_target_pct:g} %",
        "; ".join(w.pains) if w.pains else "—",
    )


def key_lines(k: KeyProgress) -> list[str]:
    """One key's week table and its suggestion."""
    out = [f"{k.key.label()} — week by week"]
    table = format_table(_HEADERS, [_row(w) for w in k.weeks])
    out.extend(f"  {line}".rstrip() for line in table.splitlines())
    drill = f" ({k.last_drill})" if k.last_drill else ""
    out.append(f"  next session{drill}: {k.suggestion.text}")
    out.append("")
    return out


def progress_lines(progress: Progress) -> list[str]:
    """The progression section: a heading, then every key's weeks and suggestion."""
    if not progress.keys:
        return []
    who = "" if progress.profile == "default" else f", athlete {progress.profile}"
    rule = progress.rule.source
    out = [
        f"Progression, week by week (Monday–Sunday{who}; rule: {rule})",
        "  in band and RMSE: the holds' mean time in band and tracking error (% of the max); "
        "target: the hold target below max",
        "",
    ]
    for k in progress.keys:
        out.extend(key_lines(k))
    return out
