"""The one check of samples against the schema: NaN means "none", everything else is bounded."""

from __future__ import annotations

import math

import numpy as np
import pytest

from isoforce.core.sample_checks import check_json_values, check_table, expected
from isoforce.core.schema import FORCE, FORCE_COLUMNS, IMU, IMU_COLUMNS


def _force(**columns: list[float]) -> dict[str, np.ndarray]:
    base = {"t_s": [0.0, 0.1, 0.2], "force_n": [1.0, math.nan, -3.0], "step": [-1, 0, 1]}
    return {k: np.array(v) for k, v in {**base, **columns}.items()}


def test_nan_is_none_except_in_time_and_infinities_never_pass() -> None:
    assert check_table(_force(), FORCE_COLUMNS) is None
    bad = check_table(_force(force_n=[1.0, math.inf, 0.0]), FORCE_COLUMNS)
    assert bad is not None and (bad.column, bad.index) == ("force_n", 1)
    assert bad.describe() == "force_n: expected a finite number within ±20000 N, or none, got inf"
    bad = check_table(_force(t_s=[0.0, math.nan, 0.2]), FORCE_COLUMNS)
    assert bad is not None and bad.describe() == (
        "t_s: expected a finite number within ±1e+09 s, got NaN"
    )


@pytest.mark.parametrize(
    ("columns", "where", "words"),
    [
        ({"t_s": [0.0, 0.2, 0.2]}, ("t_s", 2), "a time after 0.2 s"),
        ({"force_n": [0.0, 20_000.5, 0.0]}, ("force_n", 1), "within ±20000 N"),
        ({"step": [-1, 0, 5]}, ("step", 2), "a code from -1 (none) to 2"),
        ({"rep": [0, -1, 0]}, ("rep", 1), "a whole number from 0 to 32767"),
    ],
)
def test_the_first_bad_value_and_what_was_expected(
    columns: dict[str, list[float]], where: tuple[str, int], words: str
) -> None:
    bad = check_table(_force(**columns), FORCE_COLUMNS, label_counts={"step": 3})
    assert bad is not None
    assert (bad.column, bad.index) == where
    assert words in bad.expected


def test_imu_axes_are_bounded_beyond_any_sensor() -> None:
    t = np.arange(3) / 100
    assert check_table({"t_s": t, "acc_x_g": np.array([0, 16, -16.0])}, IMU_COLUMNS) is None
    bad = check_table({"t_s": t, "gyro_z_dps": np.array([0, 9000.0, 0])}, IMU_COLUMNS)
    assert bad is not None and bad.column == "gyro_z_dps"
    assert expected(IMU["still"]) == "true or false"


@pytest.mark.parametrize(
    ("column", "values", "index"),
    [
        ("force_n", [1.0, "1.5"], 1),
        ("force_n", [True, 1.0], 0),
        ("force_n", [1.0, 10**30], 1),
        ("t_s", [0.0, None], 1),
        ("rep", [0, 1.0], 1),
        ("rep", [0, 10**30], 1),
        ("rep", [0, False], 1),
        ("lost_before", [2**33], 0),
    ],
)
def test_json_values_of_the_wrong_type_or_too_large_are_found(
    column: str, values: list[object], index: int
) -> None:
    bad = check_json_values(FORCE[column], values)
    assert bad is not None and bad.index == index


def test_json_nulls_and_whole_numbers_are_numbers() -> None:
    assert check_json_values(FORCE["force_n"], [None, 1, 2.5]) is None
    assert check_json_values(FORCE["step"], [-1, 0, 3]) is None
    assert check_json_values(IMU["still"], [True, False]) is None
