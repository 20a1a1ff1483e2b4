"""What each chart shows: the live force–time chart, the session's curve, maxima over time.

The live chart (player, free mode), the session's curve with its targets (summary) and the
maxima over time per side (history) are built here from plain data.

Pure: arrays and records in, :class:`~isoforce.tui.widgets.chart.ChartData` out. Every % axis
names what it divides by; with no reference the chart plots newtons only and says so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from isoforce.core.effort_key import ReferenceKind
from isoforce.tui.view import Curve
from isoforce.tui.widgets.chart import Axis, Band, ChartData, Series

if TYPE_CHECKING:
    from isoforce.core.samples import FloatArray
    from isoforce.session.history import History, MaxSeries

NOW_STYLE = "bold #00d7ff"
PREVIOUS_STYLE = "#8a8a8a"
TARGET_STYLE = "bold #ffffff"
BAND_STYLE = "on #1e4620"
#: Free mode's % scale always reaches this far.
MIN_TOP_PCT = 100.0
#: A drill's charts reach at least this far; above it they follow the targets (known for the
#: whole step in advance, so the scale does not move while the athlete pushes).
MIN_STEP_TOP_PCT = 20.0
MIN_TOP_N = 50.0


def _top(values: Sequence[FloatArray], floor: float) -> float:
    """A stable y maximum: ``floor`` or the largest value plus a margin, rounded up."""
    peaks = [float(np.nanmax(v)) for v in values if v.size and np.isfinite(v).any()]
    top = max([floor, *(p * 1.08 for p in peaks)])
    step = 10 ** math.floor(math.log10(top)) / 2
    return float(math.ceil(top / step) * step)


def force_chart(curve: Curve) -> ChartData:
    """The live chart: this step's effort over the previous trial, the target and its band.

    With a reference the y data are % (magnitudes, so pulls read like pushes): the left axis
    reads newtons (% × reference / 100), the right axis % of the named reference. Without one,
    newtons only.
    """
    t0 = curve.t_origin_s
    x_min, x_max = curve.t_start_s - t0, curve.t_end_s - t0
    free = curve.target_t_s.size == 0 and math.isclose(x_max, 0.0, abs_tol=1e-9)
    x_label = "s (0 = now)" if free else "s into the step"
    ref = curve.reference_n
    if not math.isfinite(ref) or ref <= 0:
        force = np.abs(curve.force_n)
        return ChartData(
            series=(Series(curve.t_s - t0, force, NOW_STYLE, "force"),),
            x_min=x_min,
            x_max=x_max,
            y_max=_top([force], MIN_TOP_N),
            left=Axis("N"),
            x_label=x_label,
            note=curve.newtons_only_why,
        )
    # in the step's direction: a push left over at the start of a pull step is not drawn as pull
    effort = np.abs(curve.effort_pct) if math.isnan(curve.sign) else curve.effort_pct * curve.sign
    target = np.abs(curve.target_pct)
    previous = curve.previous_pct
    series = []
    if previous.size:
        series.append(Series(curve.previous_t_s, previous, PREVIOUS_STYLE, "last trial"))
    bands: tuple[Band, ...] = ()
    if target.size:
        series.append(Series(curve.target_t_s - t0, target, TARGET_STYLE, "target"))
        if math.isfinite(curve.band_pct):
            bands = (
                Band(
                    curve.target_t_s - t0,
                    np.maximum(0.0, target - curve.band_pct),
                    target + curve.band_pct,
                    BAND_STYLE,
                    f"band ±{curve.band_pct:g} %",
                ),
            )
    series.append(Series(curve.t_s - t0, effort, NOW_STYLE, "now"))
    band_top = [target + curve.band_pct] if bands else []
    return ChartData(
        series=tuple(series),
        bands=bands,
        x_min=x_min,
        x_max=x_max,
        y_max=_top(
            [effort, target, previous, *band_top], MIN_TOP_PCT if free else MIN_STEP_TOP_PCT
        ),
        left=Axis("N", ref / 100.0),
        right=Axis(f"% of {curve.reference_label}" if curve.reference_label else "%"),
        x_label=x_label,
    )


def session_chart(
    t_s: FloatArray,
    effort_pct: FloatArray,
    target_pct: FloatArray,
    band_pct: FloatArray,
    *,
    reference_n: float | None = None,
    reference_label: str = "",
) -> ChartData:
    """The whole session: effort against every step's target and band, time in minutes.

    ``band_pct`` is the band half-width of each sample's step (NaN: no band). With one
    reference for every loaded step (``reference_n``) the left axis reads newtons and the right
    % of it; with several (push and pull, MVIC and pain-free) the left axis reads % of each
    step's own reference.
    """
    t_min = (t_s - t_s[0]) / 60.0 if t_s.size else t_s
    effort, target = np.abs(effort_pct), np.abs(target_pct)
    x_max = float(t_min[-1]) if t_min.size and t_min[-1] > 0 else 1.0
    series = (
        Series(t_min, target, TARGET_STYLE, "target"),
        Series(t_min, effort, NOW_STYLE, "effort"),
    )
    banded = np.isfinite(band_pct) & np.isfinite(target)
    lo = np.where(banded, np.maximum(0.0, target - band_pct), np.nan)
    hi = np.where(banded, target + band_pct, np.nan)
    bands = (Band(t_min, lo, hi, BAND_STYLE, "band"),) if banded.any() else ()
    one = reference_n is not None and reference_n > 0
    return ChartData(
        series=series,
        bands=bands,
        x_min=0.0,
        x_max=x_max,
        y_max=_top([effort, target, hi[banded]], MIN_STEP_TOP_PCT),
        left=Axis("N", reference_n / 100.0)
        if one and reference_n
        else Axis("% of each step's max"),
        right=Axis(f"% of {reference_label}") if one else None,
        x_label="min",
    )


#: Colour per (side, kind): cold hues for the left side, warm for the right; MVIC the brighter.
SERIES_STYLES = {
    ("left", ReferenceKind.MVIC): "bold #00d7ff",
    ("left", ReferenceKind.PAIN_FREE): "#5f87ff",
    ("right", ReferenceKind.MVIC): "bold #ff87d7",
    ("right", ReferenceKind.PAIN_FREE): "#ffaf5f",
}
OTHER_STYLE = "#d7d7d7"


def _day(iso: str) -> float:
    """Days since the epoch of an ISO timestamp (its date and time)."""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return math.nan
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp() / 86400.0


def history_charts(history: History) -> list[tuple[str, ChartData]]:
    """One chart per movement, direction and position: MVIC and pain-free max over time per side.

    Returned as ``(title, chart)``; the series are named by side and kind (e.g. ``L MVIC``),
    the time axis by date.
    """
    groups: dict[tuple[str, str, str], list[MaxSeries]] = {}
    for s in history.series:
        key = (s.key.movement, s.key.direction.value, s.key.position)
        groups.setdefault(key, []).append(s)
    out: list[tuple[str, ChartData]] = []
    for (movement, direction, position), members in groups.items():
        days = [np.array([_day(p.measured_at) for p in s.points]) for s in members]
        every = np.concatenate(days)
        every = every[np.isfinite(every)]
        if not every.size:
            continue
        first, last = float(every.min()), float(every.max())
        pad = max(0.5, (last - first) * 0.04)
        series = []
        for s, d in sorted(
            zip(members, days, strict=True),
            key=lambda m: (m[0].key.side.value, m[0].kind.value),
        ):
            side = s.key.side.value
            kind = "MVIC" if s.kind is ReferenceKind.MVIC else "pain-free"
            style = SERIES_STYLES.get((side, s.kind), OTHER_STYLE)
            label = f"{side[:1].upper() or '·'} {kind}"
            values = np.array([p.value_n for p in s.points])
            series.append(Series(d, values, style, label, markers=True))
        ticks = _date_ticks(first - pad, last + pad)
        out.append(
            (
                f"{movement} {direction} · {position}".replace("  ", " ").strip(" ·"),
                ChartData(
                    series=tuple(series),
                    x_min=first - pad,
                    x_max=last + pad,
                    y_max=_top([s.y for s in series], MIN_TOP_N),
                    left=Axis("N"),
                    x_label="date",
                    x_ticks=ticks,
                ),
            )
        )
    return out


def _date_ticks(lo: float, hi: float) -> tuple[tuple[float, str], ...]:
    """Days (or weeks, months) between ``lo`` and ``hi``, labelled ``MM-DD``, each at its noon.

    At noon, not midnight: a day's measurements sit around its label, not on the boundary
    with the next day (a one-day history was labelled with the day after it).
    """
    step = next((d for d in (1, 2, 7, 14, 30, 61, 91, 182, 365) if (hi - lo) / d <= 8), 365)
    start = math.ceil((lo - 0.5) / step) * step + 0.5
    values = list(np.arange(start, hi + 1e-9, step))
    return tuple(
        (float(v), dt.datetime.fromtimestamp(float(v) * 86400.0, tz=dt.UTC).strftime("%m-%d"))
        for v in values
    )


__all__ = ["force_chart", "history_charts", "session_chart"]
