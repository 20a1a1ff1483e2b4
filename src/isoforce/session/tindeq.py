"""Tindeq imports, the pure part: sets and reps, the app's header numbers, and an MVIC.

- Sets: the concatenated ``repeaters.csv`` holds several (split at time jumps); a
  ``data_set_N.csv`` is set N. Reps inside a set come from the session's ``info.csv``
  (``reps``, ``work dur.``, ``pause btw. reps``, seconds): rep k covers
  ``[(k−1)·(work+pause), (k−1)·(work+pause) + work)`` from the set's start.
- Header checks: the app writes ``max`` and ``avg`` (endurance tests), per-rep ``Avg`` and
  ``Peak`` (repeaters) and ``rfd2080`` and ``rfdInterval`` (RFD tests); :func:`tindeq_checks`
  recomputes them from the stored force with the app's definitions
  (:mod:`isoforce.signal.curve`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.export.tindeq_csv import TindeqExport
from isoforce.session.model import ChannelData, IntArray, JsonDict, SessionRecord
from isoforce.signal.curve import (
    Curve,
    best_window_mean,
    peak,
    sample_mean,
    tindeq_interval_rfd,
    tindeq_rfd_20_80,
)

_SET_IN_NAME = re.compile(r"data_set_(\d+)\.csv$")


@dataclass(frozen=True, slots=True)
class HeaderCheck:
    """A number the Tindeq app wrote in its header, next to the same number computed here."""

    name: str
    app_value: float
    ours: float
    unit: str

    @property
    def rel_error(self) -> float:
        """|ours − app| / |app| (0 when both are 0)."""
        if self.app_value == 0:
            return 0.0 if self.ours == 0 else math.inf
        return abs(self.ours - self.app_value) / abs(self.app_value)


def _number(info: JsonDict | None, key: str) -> float | None:
    """The finite number the Tindeq app wrote under ``key`` (None: absent, empty or not one)."""
    if not info:
        return None
    try:
        value = float(str(info.get(key, "")))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def tindeq_reps(
    export: TindeqExport, info: JsonDict | None, file_name: str
) -> tuple[IntArray, IntArray, tuple[str, ...]]:
    """Per-sample step (set) index, rep number (0 = between reps) and the step names."""
    n = export.t_s.shape[0]
    step = np.full(n, -1, dtype=np.int64)
    rep = np.zeros(n, dtype=np.int64)
    names: tuple[str, ...] = ()
    if export.kind == "repeaters":
        step = export.set_index.copy()
        names = tuple(f"set {k + 1}" for k in range(int(step.max()) + 1))
    elif export.kind in ("repeaters_set", "samples"):
        m = _SET_IN_NAME.search(file_name)
        if m is None and export.kind == "samples":
            return step, rep, names
        step[:] = 0
        names = (f"set {m.group(1) if m else 1}",)
    else:
        return step, rep, names
    reps = _number(info, "reps")
    work = _number(info, "work dur.")
    pause = _number(info, "pause btw. reps") or 0.0
    single = reps == 1 or (reps is None and len([r for r in export.reps if r.label != "Avg"]) == 1)
    for s in np.unique(step):
        idx = np.flatnonzero(step == s)
        if single:
            rep[idx] = 1
        elif reps and work and work > 0:
            t = export.t_s[idx]
            origin = 0.0 if export.kind != "repeaters" else float(t[0])
            rel = t - origin
            k = np.floor(rel / (work + pause)).astype(np.int64)
            in_work = (rel - k * (work + pause) < work) & (k < int(reps))
            rep[idx] = np.where(in_work, k + 1, 0)
    return step, rep, names


def tindeq_checks(record: SessionRecord) -> list[HeaderCheck]:
    """The app's header numbers next to ours, for an imported Tindeq session."""
    src = record.meta.source
    if src.get("format") != "tindeq-app-csv" or not record.channels:
        return []
    cal = record.meta.calibration or {}
    n_per_raw = float(cal.get("n_per_raw", 1.0))
    ch = record.channels[0]
    weight = ch.force_n / n_per_raw
    unit = str(src.get("unit", "kg"))
    header = src.get("header") or {}
    out = []
    if src.get("test") == "endurance":
        whole = _peak_and_mean(ch.t_s, weight)
        for key, ours in zip(("max", "avg"), whole, strict=True):
            try:
                app = float(header.get(key, ""))
            except ValueError:
                continue
            if ours is not None:
                out.append(HeaderCheck(key, app, ours, unit))
    if src.get("test") == "rfd":
        out.extend(_rfd_checks(ch.t_s, weight, header, unit))
    reps = src.get("reps") or []
    for r in reps:
        label = str(r.get("label", ""))
        if label == "Avg":
            mine = np.ones(weight.shape, dtype=np.bool_)
        else:
            m = re.fullmatch(r"Rep (\d+)", label)
            if m is None:
                continue
            mine = ch.rep == int(m.group(1))
        top, mean = _peak_and_mean(ch.t_s[mine], weight[mine])
        if top is None or mean is None:
            continue
        out.append(HeaderCheck(f"{label} avg", float(r["avg"]), mean, unit))
        out.append(HeaderCheck(f"{label} peak", float(r["peak"]), top, unit))
    return out


def _peak_and_mean(t_s: FloatArray, weight: FloatArray) -> tuple[float | None, float | None]:
    """Our peak and mean of these samples: the curve module's, the one implementation."""
    part = Curve.of(t_s=t_s, force_n=weight)
    top = peak(part)
    return (None if top is None else top.value), sample_mean(part)


def _rfd_checks(
    t_s: FloatArray, weight: FloatArray, header: JsonDict, unit: str
) -> list[HeaderCheck]:
    """The app's ``rfd2080`` and ``rfdInterval`` next to the same definitions computed here."""
    out: list[HeaderCheck] = []
    curve = Curve.of(t_s=t_s, force_n=weight)
    top = peak(curve)
    if top is None:
        return out
    app = _number(header, "rfd2080")
    ours = tindeq_rfd_20_80(curve, peak_index=top.index)
    if app is not None and ours is not None:
        out.append(HeaderCheck("rfd2080", app, ours.value, f"{unit}/s"))
    app = _number(header, "rfdInterval")
    threshold = _number(header, "IntervalThreshold")
    interval_ms = _number(header, "intervalTime (ms)")
    if app is not None and threshold is not None and interval_ms and interval_ms > 0:
        slope = tindeq_interval_rfd(
            curve, threshold=threshold, interval_s=interval_ms / 1000.0, peak_index=top.index
        )
        if slope is not None:
            out.append(HeaderCheck("rfdInterval", app, slope.value, f"{unit}/s"))
    return out


def tindeq_mvic(channel: ChannelData, *, sign: float) -> tuple[float, JsonDict] | None:
    """Best 1 s mean force (N) over the sets of a test, with each set's value as a trial."""
    force = channel.force_n * sign
    t = channel.t_s
    if t.shape[0] < 2:
        return None
    fs = float(1.0 / np.median(np.diff(t)))
    groups = np.unique(channel.step) if (channel.step >= 0).any() else np.array([-1])
    trials, peaks, halves = [], [], []
    for g in groups:
        part = (
            Curve.of(t_s=t[channel.step == g], force_n=force[channel.step == g])
            if g >= 0
            else (Curve.of(t_s=t, force_n=force))
        )
        one = best_window_mean(part, window_s=1.0)
        top = peak(part)
        if one is not None and top is not None:
            trials.append(one.value)
            peaks.append(top.value)
            half = best_window_mean(part, window_s=0.5)
            halves.append(half.value if half is not None else math.nan)
    if not trials or max(trials) <= 0:
        return None
    return max(trials), {
        "trials_n": trials,
        "peak_n": max(peaks),
        "best_0_5s_n": max(halves),
        "fs_hz": fs,
    }
