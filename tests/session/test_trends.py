"""A force-curve metric over time per side and direction: each session's strongest effort."""

from __future__ import annotations

import pytest

from isoforce.session.trends import TREND_METRICS, metric_trend, trend_lines, trend_to_dict
from tests.session.test_compare import session, trial


def test_each_session_gives_its_strongest_effort_per_side_and_direction() -> None:
    sessions = [
        ("2026-12-09T10:00:00+01:00", "left", session(3, trial(1, 210.0), trial(2, 205.0))),
        ("2026-12-02T10:00:00+01:00", "left", session(1, trial(1, 200.0), trial(2, 190.0))),
        ("2026-12-02T10:05:00+01:00", "right", session(2, trial(1, 180.0, sign=-1.0))),
    ]
    trend = metric_trend("peak_n", sessions)
    assert (trend.label, trend.unit) == ("peak", "N")
    by = {(s.side, s.direction): s for s in trend.series}
    assert set(by) == {("left", "push"), ("right", "pull")}
    left = by[("left", "push")]
    assert [p.session_id for p in left.points] == [1, 3]  # oldest first
    assert left.values == pytest.approx([200.0, 210.0], rel=1e-3)
    text = "\n".join(trend_lines(trend))
    assert "left push:" in text and "right pull:" in text and "█" in text
    assert trend_to_dict(trend)["series"][0]["points"][0]["session"] == 1


def test_a_metric_the_rate_cannot_support_is_a_point_with_its_reason() -> None:
    from isoforce.session.efforts import Effort
    from isoforce.signal.analysis import analyse
    from isoforce.signal.curve import Curve

    fast = trial(1, 200.0)
    curve = Curve.of(t_s=fast.curve.t_s[::20], force_n=fast.curve.force_n[::20])  # 50 Hz
    slow = Effort(1, fast.label, fast.how, 0.0, 4.0, 1.0, curve, analyse(curve, rate_hz=50.0))
    trend = metric_trend(
        "rfd_0_50ms_n_per_s",
        [("2026-12-01", "left", session(1, fast)), ("2026-12-08", "left", session(2, slow))],
    )
    (series,) = trend.series
    assert series.points[0].value is not None and series.points[1].value is None
    assert series.points[1].note == "rate too low (needs ≥ 200 Hz, sensor gives 50 Hz)"
    assert "rate too low" in "\n".join(trend_lines(trend))


def test_only_metrics_can_be_followed() -> None:
    assert "peak_n" in TREND_METRICS and "onset_s" not in TREND_METRICS
    with pytest.raises(KeyError):
        metric_trend("onset_s", [])
    with pytest.raises(KeyError):
        metric_trend("strength", [])
    assert "no efforts stored yet" in "\n".join(trend_lines(metric_trend("peak_n", [])))
