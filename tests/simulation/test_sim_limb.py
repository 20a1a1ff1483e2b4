"""The simulated leg follows drill phases smoothly, at a limited speed, and stops exactly."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from isoforce.drills.plan import Phase
from isoforce.errors import ConfigError
from isoforce.simulation.limb import LimbFollower, LimbSettings

FS_HZ = 400.0


def follow(phases: list[tuple[Phase, float]], settings: LimbSettings, *, effort: float = 0.0):
    """Angle over a script of (phase, seconds), fed in uneven chunks."""
    codes = np.concatenate([np.full(round(s * FS_HZ), int(p)) for p, s in phases])
    t = np.arange(codes.size) / FS_HZ
    limb = LimbFollower(settings)
    cuts = sorted({c for c in (0, 7, 400, 401, 1999) if c < codes.size} | {codes.size})
    parts = [
        limb.step(t_s=t[a:b], phase=codes[a:b], effort_pct=np.full(b - a, effort))
        for a, b in itertools.pairwise(cuts)
    ]
    return t, codes, np.concatenate(parts)


def test_rotations_reach_each_end_range_and_come_back_within_speed_limits() -> None:
    s = LimbSettings(ir_end_range_deg=30.0, er_end_range_deg=45.0)
    t, _, angle = follow(
        [(Phase.PASSIVE, 1), (Phase.ROTATE_IN, 6), (Phase.RETURN, 5), (Phase.ROTATE_OUT, 7),
         (Phase.RETURN, 6)],
        s,
    )  # fmt: skip
    rate = np.diff(angle) * FS_HZ
    assert angle.max() == pytest.approx(30.0) and angle.min() == pytest.approx(-45.0)
    assert angle[-1] == 0.0 and np.all(angle[: int(FS_HZ)] == 0.0)
    assert np.abs(rate).max() <= s.max_speed_dps + 1e-9
    # smooth: speed changes at the set acceleration (the final stop is within one sample's worth)
    accel = np.abs(np.diff(rate) * FS_HZ)
    assert np.median(accel[accel > 1.0]) == pytest.approx(s.accel_dps2, rel=0.01)
    assert np.abs(np.diff(rate)).max() <= 1.5  # the last step into a stop: < 1.5 °/s
    # it stays at the end range once there (still, as a careful person would)
    at_top = np.flatnonzero(angle == 30.0)
    assert at_top.size and t[at_top[-1]] - t[at_top[0]] > 2.0


def test_lift_offs_rise_in_the_lift_direction_and_hold() -> None:
    for sign in (1, -1):
        s = LimbSettings(lift_off_deg=12.0, lift_sign=sign)
        _, codes, angle = follow([(Phase.LIFT, 3), (Phase.LIFT_HOLD, 5), (Phase.LOWER, 3)], s)
        held = angle[codes == int(Phase.LIFT_HOLD)]
        assert np.all(held == sign * 12.0)
        assert angle[-1] == 0.0


def test_creep_during_hard_efforts_is_slow_and_only_above_the_threshold() -> None:
    s = LimbSettings(creep_above_pct=60.0, creep_deg=5.0, creep_speed_dps=3.0)
    _, _, calm = follow([(Phase.HOLD, 4)], s, effort=50.0)
    assert np.all(calm == 0.0)
    _, _, leaky = follow([(Phase.HOLD, 4)], s, effort=80.0)
    assert leaky[-1] == pytest.approx(5.0) and np.abs(np.diff(leaky) * FS_HZ).max() <= 3.0 + 1e-9


@pytest.mark.parametrize(
    "bad",
    [{"max_speed_dps": 0.0}, {"ir_end_range_deg": float("nan")}, {"lift_sign": 0}],
)
def test_bad_limb_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        LimbSettings(**bad)  # type: ignore[arg-type]
