"""History and asymmetry, checked against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest

from isoforce.core.effort_key import Direction, MovementKey, ReferenceKind, Side
from isoforce.session.history import (
    AsymmetrySettings,
    asymmetry_points,
    build_history,
    trial_cv_pct,
)
from isoforce.session.model import ReferenceRecord
from isoforce.session.store import SessionStore


def mvic(
    side: Side,
    day: str,
    value: float,
    trials: tuple[float, ...] = (),
    movement: str = "hip-ir",
    *,
    at: str = "10:00:00",
    pain: bool = False,
) -> ReferenceRecord:
    key = MovementKey(movement, side, Direction.PUSH, "90-90")
    detail: dict[str, object] = {"trials_n": list(trials)} if trials else {}
    if pain:
        detail["pain_limited"] = True
    return ReferenceRecord(key, ReferenceKind.MVIC, value, f"{day}T{at}", "max-test", None, detail)


def test_trial_cv() -> None:
    # mean 100, sample SD sqrt(((10)^2 + 0 + (-10)^2) / 2) = 10
    assert trial_cv_pct([110.0, 100.0, 90.0]) == pytest.approx(10.0)
    assert trial_cv_pct([100.0]) is None
    assert trial_cv_pct([]) is None


def test_lsi_and_signed_difference_by_hand() -> None:
    # left 100 N, right 80 N: LSI = 80/100 = 80 %, signed (R−L)/stronger = −20 %
    # left trials 98, 100, 102 → SD 2, CV 2 %; right 79, 80, 81 → SD 1, CV 1.25 %
    # noise = sqrt(2² + 1.25²) = 2.3585 %
    (p,) = asymmetry_points(
        [
            mvic(Side.LEFT, "2024-05-01", 100, (98, 100, 102)),
            mvic(Side.RIGHT, "2024-05-01", 80, (79, 80, 81)),
        ]
    )
    assert p.lsi_pct == pytest.approx(80.0)
    assert p.diff_pct == pytest.approx(-20.0)
    assert p.noise_pct == pytest.approx(math.sqrt(2**2 + 1.25**2))
    assert p.exceeds and p.persisting == 1
    assert not p.flagged  # one session is not persistence


def test_flag_needs_two_sessions_in_a_row_same_side() -> None:
    days = [
        ("2024-05-01", 100, 80),  # −20 %
        ("2024-05-08", 100, 82),  # −18 % → flagged (2nd in a row, left stronger)
        ("2024-05-15", 80, 100),  # +20 %: the other side is stronger → run restarts
        ("2024-05-22", 100, 97),  # −3 %: within the 15 % floor → run ends
    ]
    recs = []
    for day, left, right in days:
        recs.append(mvic(Side.LEFT, day, left, (left - 1, left, left + 1)))
        recs.append(mvic(Side.RIGHT, day, right, (right - 1, right, right + 1)))
    points = asymmetry_points(recs)
    assert [p.exceeds for p in points] == [True, True, True, False]
    assert [p.persisting for p in points] == [1, 2, 1, 0]
    assert [p.flagged for p in points] == [False, True, False, False]


def test_not_flagged_when_variability_explains_it() -> None:
    # 20 % apart, but each side's trials vary by CV 15 %: noise sqrt(15² + 15²) = 21.2 % > 20 %
    left = (85.0, 100.0, 115.0)  # SD 15, mean 100 → CV 15 %
    right = (68.0, 80.0, 92.0)  # SD 12, mean 80 → CV 15 %
    recs = [
        r
        for day in ("2024-05-01", "2024-05-08")
        for r in (mvic(Side.LEFT, day, 100, left), mvic(Side.RIGHT, day, 80, right))
    ]
    points = asymmetry_points(recs)
    assert points[0].noise_pct == pytest.approx(math.hypot(15, 15))
    assert not any(p.exceeds or p.flagged for p in points)


def test_without_trials_nothing_is_flagged() -> None:
    recs = [
        r
        for day in ("2024-05-01", "2024-05-08", "2024-05-15")
        for r in (mvic(Side.LEFT, day, 100), mvic(Side.RIGHT, day, 50))
    ]
    points = asymmetry_points(recs)
    assert all(p.noise_pct is None and not p.flagged for p in points)
    assert points[0].lsi_pct == pytest.approx(50.0)


def test_threshold_floor_is_a_setting() -> None:
    # 12 % apart with tight trials: below the default 15 % floor, above a 10 % floor
    recs = [
        r
        for day in ("2024-05-01", "2024-05-08")
        for r in (
            mvic(Side.LEFT, day, 100, (99, 100, 101)),
            mvic(Side.RIGHT, day, 88, (87, 88, 89)),
        )
    ]
    assert not any(p.flagged for p in asymmetry_points(recs))
    low = asymmetry_points(recs, settings=AsymmetrySettings(min_flag_pct=10))
    assert [p.flagged for p in low] == [False, True]


def test_finding_matched_sessions_not_the_days_best_and_days_with_one_side_only() -> None:
    recs = [
        mvic(Side.LEFT, "2024-05-01", 120, at="08:00:00"),  # a morning test, hours apart
        mvic(Side.LEFT, "2024-05-01", 100, at="17:00:00"),
        mvic(Side.RIGHT, "2024-05-01", 95, at="17:10:00"),  # matched with the 17:00 left
        mvic(Side.LEFT, "2024-05-02", 100),
    ]
    (p,) = asymmetry_points(recs)
    assert (p.left_n, p.right_n) == (100, 95)
    assert p.diff_pct == pytest.approx(-5.0)


def test_finding_noise_is_the_compared_sessions_own_not_the_days_pooled() -> None:
    # the morning left session was erratic (CV 15 %); the matched evening ones are tight
    recs = [
        mvic(Side.LEFT, "2024-05-01", 115, (85, 100, 115), at="08:00:00"),
        mvic(Side.LEFT, "2024-05-01", 100, (98, 100, 102), at="17:00:00"),
        mvic(Side.RIGHT, "2024-05-01", 80, (79, 80, 81), at="17:10:00"),
    ]
    (p,) = asymmetry_points(recs)
    assert p.noise_pct == pytest.approx(math.hypot(2.0, 1.25))


def test_finding_pain_limited_retests_are_left_out_and_said_so() -> None:
    # a painful right retest (26.9 % weaker) must not become the day's asymmetry
    recs = [
        mvic(Side.LEFT, "2024-05-01", 100, (99, 100, 101), at="17:00:00"),
        mvic(Side.RIGHT, "2024-05-01", 99.4, (99, 99.4, 100), at="17:05:00"),
        mvic(Side.RIGHT, "2024-05-01", 73.1, (70, 73.1, 75), at="17:06:00", pain=True),
    ]
    (p,) = asymmetry_points(recs)
    assert p.right_n == pytest.approx(99.4) and abs(p.diff_pct) < 1.0
    assert p.pain_limited == 1
    from isoforce.session.history import AsymmetrySeries
    from isoforce.session.history_text import _asymmetry_lines

    series = AsymmetrySeries("hip-ir", Direction.PUSH, "90-90", ReferenceKind.MVIC, (p,))
    assert "1 pain-limited value left out" in "\n".join(_asymmetry_lines(series))


def test_series_per_key_and_kind_over_time() -> None:
    recs = [
        mvic(Side.LEFT, "2024-05-08", 110),
        mvic(Side.LEFT, "2024-05-01", 100),
        mvic(Side.RIGHT, "2024-05-01", 90),
        mvic(Side.LEFT, "2024-05-01", 60, movement="hip-er"),
    ]
    h = build_history(recs, movement="hip-ir")
    assert [s.key.side for s in h.series] == [Side.LEFT, Side.RIGHT]
    left = h.series[0]
    assert [p.value_n for p in left.points] == [100, 110]
    assert left.change_pct == pytest.approx(10.0)
    assert h.series[1].change_pct is None
    assert len(h.asymmetry) == 1 and len(h.asymmetry[0].points) == 1
    assert h.flags() == []


def test_store_history_query(store: SessionStore) -> None:
    with store.transaction():
        store.add_maxima(
            [
                mvic(Side.LEFT, "2024-05-01", 100, (99, 100, 101)),
                mvic(Side.RIGHT, "2024-05-01", 70, (69, 70, 71)),
            ]
        )
        store.add_maxima(
            [
                mvic(Side.LEFT, "2024-05-08", 100, (99, 100, 101)),
                mvic(Side.RIGHT, "2024-05-08", 72, (71, 72, 73)),
            ]
        )
    h = store.history(movement="hip-ir")
    assert len(h.series) == 2
    flags = h.flags()
    assert len(flags) == 1 and flags[0][1].date == "2024-05-08"
    assert store.reference_history(movement="hip-er") == []
