"""Property tests for the JSON files the CLI reads (calibration, effort calibration): any content
gives a calibration or one typed error, never a traceback."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoforce.cli.record import load_calibration, load_mmg
from isoforce.errors import CalibrationError, StorageError
from isoforce.signal.calibration import Calibration
from isoforce.signal.imu import MmgCalibration

EXAMPLES = int(os.environ.get("ISOFORCE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
KEYS = ("schema", "n_per_raw", "offset_raw", "lever_arm_m", "body_mass_kg", "source", "rms_g",
        "effort_pct")  # fmt: skip
OBJECTS = st.dictionaries(st.sampled_from(KEYS), JSON | st.lists(SCALARS, max_size=4))


def _write(text: str | bytes) -> str:
    fd, name = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return name


@FUZZ
@given(data=OBJECTS | JSON)
def test_any_json_is_a_calibration_or_a_clear_error(data: object) -> None:
    path = _write(json.dumps(data))
    try:
        for load in (load_calibration, load_mmg):
            message = ""
            try:
                result = load(path)
            except CalibrationError as exc:
                message = str(exc)
            else:
                assert isinstance(result, Calibration | MmgCalibration)
            assert "ufunc" not in message and "\n" not in message
    finally:
        Path(path).unlink()


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_a_clear_error(raw: bytes) -> None:
    path = _write(raw)
    try:
        for load in (load_calibration, load_mmg):
            with contextlib.suppress(CalibrationError, StorageError):
                load(path)
    finally:
        Path(path).unlink()


@pytest.mark.parametrize(
    "field", [{"n_per_raw": "2.5"}, {"offset_raw": [1]}, {"n_per_raw": True}, {"n_per_raw": None}]
)
def test_finding_calibration_file_with_wrong_types_names_the_field(
    tmp_path: Path, field: dict[str, object]
) -> None:
    """Issue 20: a calibration file with wrong types gave a numpy ufunc message."""
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(field))
    with pytest.raises(CalibrationError, match=f"'{next(iter(field))}' must be a number"):
        load_calibration(str(path))


def test_deeply_nested_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CalibrationError, match="nested too deeply"):
        load_calibration(str(path))
