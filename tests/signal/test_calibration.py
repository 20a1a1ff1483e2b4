import json

import numpy as np
import pytest

from isoforce.errors import CalibrationError
from isoforce.signal.calibration import Calibration, known_weight, tare_offset, two_point
from isoforce.units import N_PER_KGF, N_PER_LBF, ForceUnit, from_newtons, to_newtons


def test_known_weight_gives_exact_newtons() -> None:
    cal = known_weight(raw_empty=84_000, raw_loaded=84_000 + 22_065, mass_kg=10.0)
    np.testing.assert_allclose(cal.force_n(np.array([84_000.0, 106_065.0])), [0.0, 98.0665])
    assert cal.raw_for(98.0665) == pytest.approx(106_065)


def test_two_point_with_negative_slope() -> None:
    cal = two_point(raw_a=1000, force_a_n=0, raw_b=0, force_b_n=50)
    assert cal.force_n(np.array([500.0]))[0] == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"raw_a": 5, "force_a_n": 0, "raw_b": 5, "force_b_n": 10}, "same raw value"),
        ({"raw_a": 5, "force_a_n": 10, "raw_b": 6, "force_b_n": 10}, "forces are equal"),
    ],
)
def test_degenerate_points_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(CalibrationError, match=message):
        two_point(**kwargs)


def test_tare_uses_the_mean_of_a_quiet_window_and_refuses_a_noisy_one() -> None:
    cal = Calibration(n_per_raw=0.01, offset_raw=0)
    rng = np.random.default_rng(0)
    quiet = 5000 + rng.normal(0, 20, 400)  # SD 0.2 N
    assert tare_offset(raw=quiet, calibration=cal) == pytest.approx(5000, abs=5)
    noisy = 5000 + rng.normal(0, 500, 400)  # SD 5 N: someone is pushing
    with pytest.raises(CalibrationError, match="not quiet"):
        tare_offset(raw=noisy, calibration=cal)
    with pytest.raises(CalibrationError, match="at least 5"):
        tare_offset(raw=quiet[:3], calibration=cal)
    tared = cal.with_tare(5000)
    assert tared.force_n(np.array([5100.0]))[0] == pytest.approx(1.0)


def test_torque_and_body_mass_normalisation() -> None:
    cal = Calibration(lever_arm_m=0.35, body_mass_kg=70)
    torque = cal.torque_nm(np.array([200.0]))
    assert torque[0] == pytest.approx(70.0)
    assert cal.per_kg(torque)[0] == pytest.approx(1.0)
    with pytest.raises(CalibrationError, match="lever arm"):
        Calibration().torque_nm(np.array([1.0]))
    with pytest.raises(CalibrationError, match="body mass"):
        Calibration().per_kg(np.array([1.0]))
    with pytest.raises(CalibrationError, match="lever arm must be"):
        Calibration(lever_arm_m=-1)


def test_calibration_serialises_and_reloads() -> None:
    cal = Calibration(
        n_per_raw=1 / 2250,
        offset_raw=84_000.5,
        lever_arm_m=0.3,
        body_mass_kg=80,
        source="known weight 10 kg",
    )
    again = Calibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert again == cal
    with pytest.raises(CalibrationError, match="schema 99"):
        Calibration.from_dict({**cal.to_dict(), "schema": 99})
    with pytest.raises(CalibrationError, match="bad calibration"):
        Calibration.from_dict({"schema": 1, "colour": "red"})


def test_units() -> None:
    assert N_PER_KGF == 9.80665
    assert N_PER_LBF == pytest.approx(4.4482216152605)
    assert to_newtons(10.0, ForceUnit.KGF) == pytest.approx(98.0665)
    assert from_newtons(4.4482216152605, ForceUnit.LBF) == pytest.approx(1.0)
    assert ForceUnit.parse("lbs") is ForceUnit.LBF
    with pytest.raises(ValueError, match="unknown force unit"):
        ForceUnit.parse("stone")
