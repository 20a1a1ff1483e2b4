"""PNG plot of a session: the force (or effort) curve, its target band, phases, pain and cramp marks.

Needs matplotlib, an optional extra (``pip install 'isoforce[plot]'``); without it
:func:`write_png` raises :class:`MissingExtraError`. Long recordings are reduced to a min/max
envelope per pixel column, so an hour at 1 kHz plots as fast as a minute.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import numpy as np

from isoforce.drills.events import EngineSettings
from isoforce.errors import IsoforceError
from isoforce.session.model import ChannelData, SessionRecord

#: Half-width of the target band drawn around the target curve (the engine's default band).
BAND_PCT = EngineSettings().default_band_pct
_PHASE_COLOURS = (
    "#4c72b0",
    "#55a868",
    "#c44e52",
    "#8172b2",
    "#ccb974",
    "#64b5cd",
    "#dd8452",
    "#937860",
)


class MissingExtraError(IsoforceError):
    """An optional dependency is not installed."""


def _envelope(t: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of ``y`` per bin, interleaved, so spikes survive the reduction."""
    if t.shape[0] <= 2 * bins:
        return t, y
    edges = np.linspace(0, t.shape[0], bins + 1).astype(np.int64)
    starts = edges[:-1]
    y_f = np.where(np.isfinite(y), y, np.nan)
    lo = np.fmin.reduceat(y_f, starts)
    hi = np.fmax.reduceat(y_f, starts)
    tt = np.repeat(t[starts], 2)
    yy = np.column_stack((lo, hi)).ravel()
    return tt, yy


def _break_gaps(t: np.ndarray, y: np.ndarray, max_dt_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert NaN where time jumps by more than ``max_dt_s``, so no line bridges a gap."""
    jumps = np.flatnonzero(np.diff(t) > max_dt_s) + 1
    if jumps.size == 0:
        return t, y
    return np.insert(t, jumps, np.nan), np.insert(y.astype(np.float64), jumps, np.nan)


def _gap_limit_s(t: np.ndarray) -> float:
    return 5.0 * float(np.median(np.diff(t))) if t.shape[0] > 2 else np.inf


def _runs(codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(code, first index, last index) of each run of equal codes."""
    if codes.shape[0] == 0:
        return []
    change = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change - 1, [codes.shape[0] - 1]])
    return [(int(codes[a]), int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _draw_channel(ax: Any, ch: ChannelData, use_effort: bool, bins: int) -> None:
    y = ch.effort_pct if use_effort else ch.force_n
    limit = _gap_limit_s(ch.t_s)
    tt, yy = _break_gaps(*_envelope(ch.t_s, y, bins), limit)
    ax.plot(
        tt,
        yy,
        color="#1f1f1f",
        linewidth=0.8,
        label=f"{ch.name} {'effort' if use_effort else 'force'}",
    )
    if use_effort and np.isfinite(ch.target_pct).any():
        tt, target = _break_gaps(*_envelope(ch.t_s, ch.target_pct, bins), limit)
        ax.fill_between(
            tt,
            target - BAND_PCT,
            target + BAND_PCT,
            color="#2ca02c",
            alpha=0.25,
            linewidth=0,
            label=f"target ± {BAND_PCT:g} %",
        )
        ax.plot(tt, target, color="#2ca02c", linewidth=1.0, linestyle="--", label="target")


def write_png(
    out: BinaryIO, record: SessionRecord, *, width_px: int = 1400, height_px: int = 600
) -> None:
    """Plot ``record`` as a PNG image into ``out``."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError(
            "PNG export needs matplotlib: install it with pip install 'isoforce[plot]'"
        ) from None
    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    channels = [c for c in record.channels if len(c)]
    use_effort = any(np.isfinite(c.effort_pct).any() for c in channels)
    for ch in channels:
        _draw_channel(ax, ch, use_effort, bins=width_px)
    labels = record.meta.labels
    if channels:
        ch = channels[0]
        by_phase = bool((ch.phase >= 0).any())
        names = labels.phase_names if by_phase else labels.step_names
        seen: set[int] = set()
        for code, a, b in _runs(ch.phase if by_phase else ch.step):
            if code < 0 or code >= len(names):
                continue
            colour = _PHASE_COLOURS[code % len(_PHASE_COLOURS)]
            label = names[code] if code not in seen else None
            seen.add(code)
            ax.axvspan(ch.t_s[a], ch.t_s[b], color=colour, alpha=0.10, linewidth=0, label=label)
    for gap in record.gaps:
        if gap.end_t_s is not None:
            ax.axvspan(
                gap.start_t_s, gap.end_t_s, color="#999999", alpha=0.35, hatch="//", linewidth=0
            )
    marks = {"pain_marked": ("pain", "#d62728"), "cramp_marked": ("cramp", "#9467bd")}
    for e in record.events:
        if e.kind in marks:
            text, colour = marks[e.kind]
            ax.axvline(e.t_s, color=colour, linewidth=1.2)
            ax.annotate(
                text,
                (e.t_s, 1.0),
                xycoords=("data", "axes fraction"),
                color=colour,
                fontsize=8,
            )
    meta = record.meta
    what = meta.drill.title or meta.drill.name if meta.drill else meta.device.title
    sid = f"session {record.session_id} — " if record.session_id is not None else ""
    ax.set_title(f"{sid}{what} — {meta.started_at[:16].replace('T', ' ')}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("effort (% of reference max)" if use_effort else "force (N)")
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=8, ncols=2)
    fig.tight_layout()
    fig.savefig(out, format="png")
