"""A stored session split into efforts, each with every force-curve metric (pure; no I/O).

- **Drill sessions**: one effort per force step (a step with a direction); a max-trial step
  gives one effort per trial (each run of its ``effort`` phase, with the ``ready`` time before
  it as the onset's baseline). A pull step's force is sign-flipped so every effort rises.
- **Free recordings and imports**: efforts found by the hysteresis threshold of
  :func:`isoforce.signal.analysis.find_efforts`, in the direction the force mostly went.

Gaps come from the session's link gaps (:class:`~isoforce.session.model.GapRecord`) and from
intervals far longer than the sensor's usual one (:class:`~isoforce.signal.curve.Curve`).
Metrics are judged against the whole channel's rate, so every effort of a session is judged
alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from isoforce.core.effort_key import Direction
from isoforce.drills.events import EventKind
from isoforce.session.athletes import Torque, TorqueBasis, torque_of, torque_to_dict
from isoforce.session.model import ChannelData, JsonDict, SessionKind, SessionRecord
from isoforce.signal.analysis import (
    AnalysisSettings,
    MetricValue,
    SplitSettings,
    analyse,
    find_efforts,
)
from isoforce.signal.curve import Curve
from isoforce.units import N_PER_KGF

#: Phase names (``Labels.phase_names``) of one trial of a max-trial step.
TRIAL_PHASE = "effort"
#: Time before a trial's effort phase taken with it, as the onset's baseline.
TRIAL_LEAD_S = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class Effort:
    """One effort of a session: where it is, how it was found, and its metrics.

    ``sign`` is +1 for a push (force as recorded) and -1 for a pull (force flipped); ``how``
    is ``drill step``, ``drill trial`` or ``threshold``.
    """

    number: int
    label: str
    how: str
    start_s: float
    end_s: float
    sign: float
    curve: Curve
    metrics: tuple[MetricValue, ...]

    def metric(self, key: str) -> MetricValue:
        """The metric with this key."""
        return next(m for m in self.metrics if m.key == key)


@dataclass(frozen=True, slots=True, eq=False)
class SessionAnalysis:
    """Every effort of one session, with the rate they were judged by."""

    session_id: int | None
    title: str
    kind: SessionKind
    channel: str
    rate_hz: float
    gap_s: float
    efforts: tuple[Effort, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def _gap_spans(record: SessionRecord) -> list[tuple[float, float]]:
    return [
        (g.start_t_s, g.end_t_s if g.end_t_s is not None else float("inf")) for g in record.gaps
    ]


def _settings_for(record: SessionRecord) -> AnalysisSettings:
    """The Tindeq app's interval-RFD settings from an imported RFD test's header."""
    header = record.meta.source.get("header") or {}
    try:
        threshold = float(header.get("IntervalThreshold", "")) * N_PER_KGF
        interval = float(header.get("intervalTime (ms)", "")) / 1000.0
    except (TypeError, ValueError):
        return AnalysisSettings()
    if not (np.isfinite(threshold) and np.isfinite(interval) and interval > 0):
        return AnalysisSettings()
    return AnalysisSettings(tindeq_threshold_n=threshold, tindeq_interval_s=interval)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` index of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _drill_spans(record: SessionRecord, ch: ChannelData) -> list[tuple[str, str, int, int, float]]:
    """``(label, how, first, last, sign)`` of each drill effort (indices into the channel)."""
    names = record.meta.labels.step_names
    phases = record.meta.labels.phase_names
    trial = phases.index(TRIAL_PHASE) if TRIAL_PHASE in phases else None
    directions = {s.step_index: s.direction for s in record.steps}
    scored = {s.step_index: _trial_numbers(s.score) for s in record.steps}
    skipped: dict[int, list[int]] = {}
    for e in record.events:
        if e.kind == EventKind.TRIAL_SKIPPED.value and e.value is not None:
            skipped.setdefault(e.step_index, []).append(int(e.value))
    out = []
    for step in (int(v) for v in np.unique(ch.step) if v >= 0):
        direction = directions.get(step)
        if record.steps and direction is None:
            continue  # passive steps, breaths: no effort to analyse
        in_step = ch.step == step
        name = names[step] if step < len(names) else f"step {step}"
        force = ch.force_n[in_step]
        sign = Direction(direction).sign if direction is not None else _dominant_sign(force)
        trials = _runs(in_step & (ch.phase == trial)) if trial is not None else []
        if not trials:
            first, last = _runs(in_step)[0][0], _runs(in_step)[-1][1]
            out.append((f"{name}", "drill step", first, last, sign))
            continue
        step_first = _runs(in_step)[0][0]
        floor = step_first
        labels = _trial_labels(len(trials), scored.get(step, []), skipped.get(step, []))
        for label, (a, b) in zip(labels, trials, strict=True):
            # the second before a trial (its ready or rest time) is the onset's quiet baseline
            before = int(np.searchsorted(ch.t_s, ch.t_s[a] - TRIAL_LEAD_S, side="left"))
            out.append((f"{name}, {label}", "drill trial", max(before, floor), b, sign))
            floor = b + 1
    return out


def _trial_labels(runs: int, scored: list[int], skipped: list[int]) -> list[str]:
    """A label for each of a step's ``runs`` trial runs, in order.

    A trial skipped before it began has no samples and one skipped while it ran has some: the
    runs are the scored trials, or those and the skipped ones, whichever count matches (else
    they are numbered in order, as an older record without its scores is).
    """
    if len(scored) == runs:
        return [f"trial {k}" for k in scored]
    started = sorted(set(scored) | set(skipped))
    if len(started) == runs:
        return [f"trial {k}" + (" (skipped)" if k in skipped else "") for k in started]
    return [f"trial {k}" for k in range(1, runs + 1)]


def _trial_numbers(score: JsonDict) -> list[int]:
    """The trial number (from 1) of each rep a step's stored score has, in order."""
    reps = score.get("reps") or []
    return [int(r["rep"]) + 1 for r in reps if isinstance(r, dict) and "rep" in r]


def _dominant_sign(force_n: np.ndarray) -> float:
    """-1 when the force went further below zero than above it (a pull), else +1."""
    if force_n.size == 0 or np.isnan(force_n).all():
        return 1.0
    return -1.0 if -float(np.nanmin(force_n)) > float(np.nanmax(force_n)) else 1.0


#: The force columns :func:`analyse_session` reads; the others may be left unread.
ANALYSED_COLUMNS = ("t_s", "force_n", "step", "phase")


def analyse_session(
    record: SessionRecord,
    *,
    split: SplitSettings | None = None,
    settings: AnalysisSettings | None = None,
) -> SessionAnalysis:
    """Split ``record``'s first force channel into efforts and analyse each.

    Of that channel it reads only :data:`ANALYSED_COLUMNS`.
    """
    settings = settings or _settings_for(record)
    title = _title(record)
    if not record.channels or not len(record.channels[0]):
        return SessionAnalysis(
            record.session_id, title, record.meta.kind, "", 0.0, 0.0, (), ("no force samples",)
        )
    ch = record.channels[0]
    gaps = _gap_spans(record)
    whole = Curve.of(t_s=ch.t_s, force_n=ch.force_n, gap_spans_s=gaps)
    rate = whole.rate_hz
    efforts: list[Effort] = []
    if record.meta.kind is SessionKind.DRILL and (ch.step >= 0).any():
        for label, how, a, b, sign in _drill_spans(record, ch):
            part = Curve.of(
                t_s=ch.t_s[a : b + 1], force_n=sign * ch.force_n[a : b + 1], gap_spans_s=gaps
            )
            efforts.append(_effort(len(efforts) + 1, label, how, sign, part, settings, rate))
    else:
        sign = _dominant_sign(ch.force_n)
        signed = whole if sign > 0 else Curve(whole.t_s, -whole.force_n, whole.gap_after)
        for start, end in find_efforts(signed, split):
            part = signed.part(start, end)
            n = len(efforts) + 1
            efforts.append(_effort(n, f"effort {n}", "threshold", sign, part, settings, rate))
    notes = () if efforts else ("no effort found",)
    return SessionAnalysis(
        record.session_id,
        title,
        record.meta.kind,
        ch.name,
        rate,
        whole.gap_s,
        tuple(efforts),
        notes,
    )


def _title(record: SessionRecord) -> str:
    """``max-test``, ``free recording (sim)``, ``import of data_set_1.csv``."""
    meta = record.meta
    if meta.drill is not None:
        return meta.drill.name
    if meta.kind is SessionKind.IMPORT:
        name = (record.imported_from or "").replace("\\", "/").rsplit("/", 1)[-1]
        return f"import of {name}" if name else "import"
    return f"free recording ({meta.device.key})"


def _effort(
    number: int,
    label: str,
    how: str,
    sign: float,
    curve: Curve,
    settings: AnalysisSettings,
    rate_hz: float,
) -> Effort:
    start = float(curve.t_s[0]) if len(curve) else 0.0
    end = float(curve.t_s[-1]) if len(curve) else 0.0
    metrics = analyse(curve, settings=settings, rate_hz=rate_hz)
    return Effort(number, label, how, start, end, sign, curve, metrics)


def peak_torque(effort: Effort, basis: TorqueBasis | None) -> Torque | None:
    """The effort's peak as torque about the joint (and per kg), when a lever arm is known."""
    if basis is None:
        return None
    peak = effort.metric("peak_n").value
    return None if peak is None else torque_of(peak, basis)


def analysis_to_dict(analysis: SessionAnalysis, basis: TorqueBasis | None = None) -> dict[str, Any]:
    """JSON-ready form of a session's analysis.

    The rate it was judged by and every effort's metrics with value, unit, note (a refusal
    such as "rate too low …"), gap flag and span. One form for ``isoforce report --json`` and
    the ``analysis`` of an export's manifest (no session number: that belongs to a store).
    Each effort's ``torque`` is its peak torque with its source when ``basis`` (the athlete's
    lever arm at the session's position) is known, else null.
    """
    return {
        "title": analysis.title,
        "kind": analysis.kind.value,
        "channel": analysis.channel,
        "rate_hz": analysis.rate_hz,
        "gap_s": analysis.gap_s,
        "notes": list(analysis.notes),
        "efforts": [
            {
                "effort": e.number,
                "label": e.label,
                "found_by": e.how,
                "start_s": e.start_s,
                "end_s": e.end_s,
                "sign": e.sign,
                "metrics": {
                    m.key: {
                        "value": m.value,
                        "unit": m.unit,
                        "note": m.note,
                        "gap": m.gap,
                        "start_s": m.start_s,
                        "end_s": m.end_s,
                    }
                    for m in e.metrics
                },
                "torque": torque_to_dict(peak_torque(e, basis)),
            }
            for e in analysis.efforts
        ],
    }


#: The metrics a drill's summary screen shows per effort (the report shows them all).
SUMMARY_METRICS = ("peak_n", "best_1s_n", "rfd_20_80_n_per_s", "impulse_n_s")
_DIGITS = {"N": 1, "N/s": 0, "N·s": 1, "s": 2}


def summary_table(
    analysis: SessionAnalysis,
    keys: tuple[str, ...] = SUMMARY_METRICS,
    *,
    basis: TorqueBasis | None = None,
) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """One row per effort with ``keys``: (headers with units, rows, notes).

    A refused metric reads "—" and the notes say why once per metric and reason (e.g. "RFD
    0–200 ms: rate too low (needs ≥ 50 Hz, sensor gives 10 Hz)"); a value read across a gap
    is marked ⚠. With a torque ``basis`` the peak torque (N·m, N·m/kg) follows, and the notes
    say where its lever arm and body mass came from.
    """
    specs = {m.key: m for e in analysis.efforts for m in e.metrics}
    headers = ("#", "effort", *(f"{specs[k].label} {specs[k].unit}" for k in keys if k in specs))
    rows: list[tuple[str, ...]] = []
    notes: dict[str, None] = {}
    for e in analysis.efforts:
        cells = [str(e.number), e.label + (" (pull)" if e.sign < 0 else "")]
        for key in keys:
            if key not in specs:
                continue
            m = e.metric(key)
            if m.value is None:
                cells.append("—")
                notes[f"{m.label}: {m.note}"] = None
            else:
                cells.append(f"{m.value:,.{_DIGITS.get(m.unit, 2)}f}" + (" ⚠" if m.gap else ""))
        if basis is not None:
            torque = peak_torque(e, basis)
            cells.append("—" if torque is None else f"{torque.torque_nm:.1f}")
            if basis.body_mass_kg is not None:
                per_kg = torque.per_kg if torque is not None else None
                cells.append("—" if per_kg is None else f"{per_kg:.2f}")
        rows.append(tuple(cells))
    if basis is not None:
        headers += ("peak torque N·m",) + (("N·m/kg",) if basis.body_mass_kg is not None else ())
        notes[f"torque: {basis.source()}"] = None
    if any(m.gap for e in analysis.efforts for m in e.metrics if m.key in keys):
        notes["⚠ read across a gap in the samples"] = None
    return headers if rows else (), rows, list(notes)
