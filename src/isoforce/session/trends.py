"""One force-curve metric over time, per side and direction (``isoforce history --metric``).

Each session gives one point per direction it has efforts in: the metric of its **strongest
effort** (the highest peak, as :mod:`isoforce.session.compare` picks it), so a max test's best
trial, a free recording's hardest pull, an import's best rep. A metric the session's rate
cannot support stays a point with no value and the reason (``rate too low …``), never a
number and never dropped silently. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from isoforce.session.compare import strongest_effort
from isoforce.session.efforts import SessionAnalysis
from isoforce.signal.analysis import METRICS

#: Metric keys a trend can follow (all but the onset, a moment in the session).
TREND_METRICS = tuple(m.key for m in METRICS if m.key != "onset_s")


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One session's value (or why there is none)."""

    session_id: int | None
    started_at: str
    value: float | None
    effort_label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """A metric over time for one side and direction, oldest first."""

    side: str
    direction: str
    points: tuple[TrendPoint, ...]

    @property
    def values(self) -> list[float]:
        """The values that exist, oldest first."""
        return [p.value for p in self.points if p.value is not None]


@dataclass(frozen=True, slots=True)
class Trend:
    """A metric's series per side and direction, with its label and unit."""

    key: str
    label: str
    unit: str
    series: tuple[TrendSeries, ...]


def metric_trend(key: str, sessions: Iterable[tuple[str, str, SessionAnalysis]]) -> Trend:
    """The trend of metric ``key`` over ``sessions``: (started_at, side, analysis) each.

    Raises KeyError for a key that is not a metric (the CLI offers :data:`TREND_METRICS`).
    """
    spec = next((m for m in METRICS if m.key == key), None)
    if spec is None or key not in TREND_METRICS:
        raise KeyError(key)
    points: dict[tuple[str, str], list[TrendPoint]] = {}
    for started_at, side, analysis in sorted(sessions, key=lambda s: s[0]):
        for direction in ("push", "pull"):
            effort = strongest_effort(analysis, direction)
            if effort is None:
                continue
            m = effort.metric(key)
            points.setdefault((side, direction), []).append(
                TrendPoint(analysis.session_id, started_at, m.value, effort.label, m.note)
            )
    series = tuple(
        TrendSeries(side, direction, tuple(pts))
        for (side, direction), pts in sorted(points.items())
    )
    return Trend(key, spec.label, spec.unit, series)


def trend_to_dict(trend: Trend) -> dict[str, Any]:
    """JSON-ready form (``isoforce history --metric … --json``)."""
    return {
        "metric": trend.key,
        "label": trend.label,
        "unit": trend.unit,
        "series": [
            {
                "side": s.side,
                "direction": s.direction,
                "points": [
                    {
                        "session": p.session_id,
                        "started_at": p.started_at,
                        "value": p.value,
                        "effort": p.effort_label,
                        "note": p.note,
                    }
                    for p in s.points
                ],
            }
            for s in trend.series
        ],
    }


def trend_lines(trend: Trend, *, bar_width: int = 30) -> list[str]:
    """A text chart: per side and direction, one row per session with a bar to scale."""
    top = max((v for s in trend.series for v in s.values), default=0.0)
    lines = [f"{trend.label} ({trend.unit}) of each session's strongest effort, over time"]
    if not trend.series:
        lines.append("  no efforts stored yet")
    for s in trend.series:
        lines.append("")
        lines.append(f"{s.side} {s.direction}:")
        for p in s.points:
            when = p.started_at[:16].replace("T", " ")
            if p.value is None:
                lines.append(f"  {when}  #{p.session_id}  —  {p.note}")
                continue
            bar = "█" * max(1, round(bar_width * p.value / top)) if top > 0 and p.value > 0 else ""
            lines.append(f"  {when}  #{p.session_id}  {p.value:10.1f}  {bar}")
    return lines
