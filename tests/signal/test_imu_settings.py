"""Every IMU settings dataclass refuses numbers that are not finite or not positive."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from isoforce.signal.imu.liftoff import LiftOffSettings
from isoforce.signal.imu.orientation import FusionSettings
from isoforce.signal.imu.stillness import StillnessSettings


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda v: LiftOffSettings(settle_s=v), "lift-off settings"),
        (lambda v: StillnessSettings(gyro_dps=v), "stillness settings"),
        (lambda v: FusionSettings(gain=v), "fusion settings"),
    ],
)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0])
def test_a_number_that_is_not_finite_or_is_negative_is_refused(
    make: Callable[[float], object], words: str, bad: float
) -> None:
    with pytest.raises(ValueError, match=words):
        make(bad)


def test_zero_is_refused_where_a_setting_must_be_positive_and_kept_where_it_may_be_zero() -> None:
    with pytest.raises(ValueError, match="> 0"):
        StillnessSettings(window_s=0.0)
    assert FusionSettings(gain=0.0).gain == 0.0
