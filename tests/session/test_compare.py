"""Two sessions compared: the strongest effort per direction, and the noise that gates each
difference (each session's own variability over its efforts of the same kind)."""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.session.compare import BEYOND, UNKNOWN, WITHIN, compare, comparison_to_dict
from isoforce.session.efforts import Effort, SessionAnalysis
from isoforce.session.model import SessionKind
from isoforce.signal.analysis import analyse
from isoforce.signal.curve import Curve

RATE_HZ = 1000.0


def trial(number: int, peak_n: float, *, sign: float = 1.0, label: str = "max trial") -> Effort:
    """A 4 s trial rising from rest at 1 s to a plateau of ``peak_n`` (τ = 80 ms)."""
    t = np.arange(0.0, 4.0, 1.0 / RATE_HZ) + 10.0 * number
    rise = np.clip(t - t[0] - 1.0, 0.0, None)
    force = peak_n * (1.0 - np.exp(-rise / 0.08))
    curve = Curve.of(t_s=t, force_n=force)
    name = f"{label} {'push' if sign > 0 else 'pull'}, trial {number}"
    metrics = analyse(curve, rate_hz=RATE_HZ)
    return Effort(number, name, "drill trial", float(t[0]), float(t[-1]), sign, curve, metrics)


def session(sid: int, *efforts: Effort) -> SessionAnalysis:
    return SessionAnalysis(sid, "max-test", SessionKind.DRILL, "load", RATE_HZ, 0.0, efforts)


def test_the_strongest_efforts_meet_and_a_difference_beyond_both_sessions_noise_is_said() -> None:
    a = session(1, trial(1, 200.0), trial(2, 204.0), trial(3, 198.0))  # CV ≈ 1.5 %
    b = session(2, trial(1, 240.0), trial(2, 236.0), trial(3, 238.0))
    c = compare(a, b)
    (pair,) = c.pairs
    assert pair.direction == "push" and (pair.a.number, pair.b.number) == (2, 1)
    assert (pair.group_a, pair.group_b) == (3, 3)
    peak = next(m for m in pair.metrics if m.key == "peak_n")
    assert peak.diff == pytest.approx(36.0, rel=1e-3)
    assert peak.diff_pct == pytest.approx(36.0 / 204.0 * 100, rel=1e-3)
    cv_a = np.std([200, 204, 198], ddof=1) / np.mean([200, 204, 198]) * 100
    cv_b = np.std([240, 236, 238], ddof=1) / np.mean([240, 236, 238]) * 100
    assert peak.noise_pct == pytest.approx(np.hypot(cv_a, cv_b), rel=1e-3)
    assert peak.verdict == BEYOND
    assert "onset_s" not in {m.key for m in pair.metrics}  # a moment, not a property
    assert c.notes == ()


def test_a_difference_inside_the_noise_or_with_one_effort_is_not_called_real() -> None:
    noisy = compare(
        session(1, trial(1, 200.0), trial(2, 230.0)),
        session(2, trial(1, 236.0), trial(2, 200.0)),
    )
    peak = next(m for m in noisy.pairs[0].metrics if m.key == "peak_n")
    assert peak.diff_pct == pytest.approx(236 / 230 * 100 - 100, rel=1e-3)
    assert peak.verdict == WITHIN  # 2.6 % against a noise of ~15 %
    single = compare(session(1, trial(1, 200.0)), session(2, trial(1, 260.0)))
    assert all(m.verdict == UNKNOWN for m in single.pairs[0].metrics)
    # a fixed trial length is not a difference, even against a noise of 0
    same = compare(session(1, trial(1, 200.0), trial(2, 201.0)), session(2, trial(1, 202.0)))
    duration = next(m for m in same.pairs[0].metrics if m.key == "duration_s")
    assert duration.verdict in (WITHIN, UNKNOWN)


def test_directions_pair_up_separately_and_a_missing_one_is_said() -> None:
    a = session(1, trial(1, 200.0), trial(2, 150.0, sign=-1.0))
    b = session(2, trial(1, 210.0))
    c = compare(a, b)
    assert [p.direction for p in c.pairs] == ["push"]
    assert c.notes == ("pull: session B has no pull effort; not compared",)
    doc = comparison_to_dict(c)
    assert doc["pairs"][0]["metrics"]["peak_n"]["diff"] == pytest.approx(10.0, rel=1e-3)
    assert compare(session(1), session(2)).notes == ("neither session has an effort to compare",)


def test_a_metric_one_session_cannot_support_says_why() -> None:
    slow = trial(1, 200.0)
    t = slow.curve.t_s[::20]  # 50 Hz
    curve = Curve.of(t_s=t, force_n=slow.curve.force_n[::20])
    metrics = analyse(curve, rate_hz=50.0)
    low = Effort(1, slow.label, slow.how, slow.start_s, slow.end_s, 1.0, curve, metrics)
    c = compare(session(1, trial(1, 200.0)), session(2, low))
    rfd = next(m for m in c.pairs[0].metrics if m.key == "rfd_0_50ms_n_per_s")
    assert rfd.diff is None
    assert rfd.verdict == "B: rate too low (needs ≥ 200 Hz, sensor gives 50 Hz)"
