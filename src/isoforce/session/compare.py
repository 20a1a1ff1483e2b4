"""Two sessions' force curves side by side: which efforts meet, and which differences are real.

``isoforce report --compare A B`` puts session B beside session A (left beside right, this week
beside last). Per direction both sessions share (push, pull), the **strongest effort** of each
(the highest peak) is compared, metric by metric: A's value, B's, the difference B − A, and the
difference in % of A.

A difference is only called *beyond noise* when it is larger than the variability of that
metric within the two sessions: each session's coefficient of variation (SD / mean × 100) of
the metric over its efforts of the same kind (the trials of a max test, the passes of the same
drill step, the threshold-found efforts of a free recording), combined as the noise of a
difference of two efforts, ``√(CV_A² + CV_B²)`` — the same rule the history's asymmetry table
uses (:mod:`isoforce.session.history`) — and at least :data:`MIN_BEYOND_PCT`. With a single
effort of its kind in either session the noise is unknown and nothing is called beyond it. A
metric either session refuses (e.g. rate too low) is not compared, and says why; the onset, a
moment in the session rather than a property of the effort, is left out (the curves are
aligned on it instead). Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from isoforce.session.efforts import Effort, SessionAnalysis
from isoforce.session.history import trial_cv_pct

#: A drill step's pass suffix, dropped when grouping efforts of the same kind.
_PASS = re.compile(r" \(pass \d+\)$|, trial \d+$")

#: A difference smaller than this (in % of A) is never called beyond noise, whatever the
#: sessions' own variability: below the resolution of a typical load-cell setup (a drill
#: trial's fixed duration otherwise differs "beyond" a noise of 0 by one sample).
MIN_BEYOND_PCT = 1.0

#: Metrics that are a moment in the session, not a property of the effort: never compared.
MOMENTS = frozenset({"onset_s"})

BEYOND = "beyond noise"
WITHIN = "within noise"
UNKNOWN = "noise unknown (one effort of its kind)"


@dataclass(frozen=True, slots=True)
class MetricDiff:
    """One metric of the two efforts compared.

    ``noise_pct`` is the noise of a difference in % (None when unknown); ``verdict`` is
    :data:`BEYOND`, :data:`WITHIN`, :data:`UNKNOWN`, or why the metric is not compared.
    """

    key: str
    label: str
    unit: str
    a: float | None
    b: float | None
    noise_pct: float | None
    verdict: str

    @property
    def diff(self) -> float | None:
        """B − A in the metric's unit."""
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def diff_pct(self) -> float | None:
        """B − A in % of A (None when A is 0 or either is missing)."""
        if self.a is None or self.b is None or self.a == 0:
            return None
        return (self.b - self.a) / abs(self.a) * 100.0


@dataclass(frozen=True, slots=True, eq=False)
class EffortPair:
    """The strongest effort of one direction in each session, and their metrics compared."""

    direction: str
    a: Effort
    b: Effort
    group_a: int
    group_b: int
    metrics: tuple[MetricDiff, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """Session B beside session A: one pair per direction both have, and what was left out."""

    a: SessionAnalysis
    b: SessionAnalysis
    pairs: tuple[EffortPair, ...]
    notes: tuple[str, ...]


def _direction(effort: Effort) -> str:
    return "push" if effort.sign > 0 else "pull"


def _kind(effort: Effort) -> tuple[str, str]:
    """Efforts of the same kind: how they were found and the label without its pass/trial."""
    label = _PASS.sub("", effort.label) if effort.how != "threshold" else ""
    return effort.how, label


def _peak(effort: Effort) -> float:
    value = effort.metric("peak_n").value
    return value if value is not None else -math.inf


def strongest_effort(analysis: SessionAnalysis, direction: str) -> Effort | None:
    """The effort of ``direction`` (push/pull) with the highest peak, or None."""
    efforts = [e for e in analysis.efforts if _direction(e) == direction]
    return max(efforts, key=_peak, default=None)


def _group(analysis: SessionAnalysis, effort: Effort) -> list[Effort]:
    kind = _kind(effort)
    return [e for e in analysis.efforts if _direction(e) == _direction(effort) and _kind(e) == kind]


def _cv(group: list[Effort], key: str) -> float | None:
    values = [v for e in group if (v := e.metric(key).value) is not None]
    return trial_cv_pct(values)


def _diff(
    key: str, a: Effort, b: Effort, group_a: list[Effort], group_b: list[Effort]
) -> MetricDiff:
    ma, mb = a.metric(key), b.metric(key)
    if ma.value is None or mb.value is None:
        why = ma.note if ma.value is None else mb.note
        side = "A" if ma.value is None else "B"
        return MetricDiff(key, ma.label, ma.unit, ma.value, mb.value, None, f"{side}: {why}")
    cv_a, cv_b = _cv(group_a, key), _cv(group_b, key)
    noise = None if cv_a is None or cv_b is None else math.hypot(cv_a, cv_b)
    diff = MetricDiff(key, ma.label, ma.unit, ma.value, mb.value, noise, UNKNOWN)
    pct = diff.diff_pct
    if noise is None or pct is None:
        return diff
    verdict = BEYOND if abs(pct) > max(noise, MIN_BEYOND_PCT) else WITHIN
    return MetricDiff(key, ma.label, ma.unit, ma.value, mb.value, noise, verdict)


def compare(a: SessionAnalysis, b: SessionAnalysis) -> Comparison:
    """Compare ``b`` with ``a``: per direction both have, their strongest efforts."""
    pairs: list[EffortPair] = []
    notes: list[str] = []
    for direction in ("push", "pull"):
        ea, eb = strongest_effort(a, direction), strongest_effort(b, direction)
        if ea is None and eb is None:
            continue
        if ea is None or eb is None:
            which = "A" if ea is None else "B"
            notes.append(f"{direction}: session {which} has no {direction} effort; not compared")
            continue
        ga, gb = _group(a, ea), _group(b, eb)
        metrics = tuple(_diff(m.key, ea, eb, ga, gb) for m in ea.metrics if m.key not in MOMENTS)
        pairs.append(EffortPair(direction, ea, eb, len(ga), len(gb), metrics))
    if not pairs and not notes:
        notes.append("neither session has an effort to compare")
    return Comparison(a, b, tuple(pairs), tuple(notes))


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    """JSON-ready form of a comparison (``isoforce report --compare --json``)."""
    return {
        "a": {"session": c.a.session_id, "title": c.a.title, "rate_hz": c.a.rate_hz},
        "b": {"session": c.b.session_id, "title": c.b.title, "rate_hz": c.b.rate_hz},
        "notes": list(c.notes),
        "pairs": [
            {
                "direction": p.direction,
                "a_effort": {"effort": p.a.number, "label": p.a.label, "of_kind": p.group_a},
                "b_effort": {"effort": p.b.number, "label": p.b.label, "of_kind": p.group_b},
                "metrics": {
                    m.key: {
                        "a": m.a,
                        "b": m.b,
                        "diff": m.diff,
                        "diff_pct": m.diff_pct,
                        "noise_pct": m.noise_pct,
                        "unit": m.unit,
                        "verdict": m.verdict,
                    }
                    for m in p.metrics
                },
            }
            for p in c.pairs
        ],
    }
