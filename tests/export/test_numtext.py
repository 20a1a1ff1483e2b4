"""Vectorised number formatting: exact text, NaN handling, and text that reads back the same."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.export import numtext


def _rows(field: numtext.Field) -> list[str]:
    return numtext.join_rows([field]).decode().split("\n")[:-1]


def _expected(value: float, decimals: int) -> str:
    """The rounding the module promises: round half to even of value × 10^d, no minus zero."""
    q = int(np.rint(value * 10.0**decimals))
    sign = "-" if q < 0 else ""
    whole, frac = divmod(abs(q), 10**decimals)
    return f"{sign}{whole}" + (f".{frac:0{decimals}d}" if decimals else "")


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(finite, min_size=1, max_size=40), decimals=st.integers(0, 6))
def test_fixed_matches_the_rounding_rule_and_reads_back(values: list[float], decimals: int) -> None:
    arr = np.array(values)
    text = _rows(numtext.fixed(arr, decimals=decimals, sep=b"\n"))
    assert text == [_expected(v, decimals) for v in values]
    again = _rows(numtext.fixed(np.array([float(t) for t in text]), decimals=decimals, sep=b"\n"))
    assert again == text


def test_agrees_with_printf_away_from_ties() -> None:
    v = np.array([0.0, 1.5, -2.25, 123456.789, -0.001, 99.999, 1e-7, 3599.999999])
    assert _rows(numtext.fixed(v, decimals=3, sep=b"\n")) == [f"{x:.3f}" for x in v[:-2]] + [
        "0.000",
        "3600.000",
    ]


def test_nan_is_empty_or_given_text_and_odd_values_fall_back() -> None:
    v = np.array([np.nan, 1.0, np.inf, -np.inf, 1e30, -0.0001])
    assert _rows(numtext.fixed(v, decimals=2, sep=b"\n")) == [
        "",
        "1.00",
        "inf",
        "-inf",
        f"{1e30:.2f}",
        "0.00",
    ]
    assert numtext.join_rows([numtext.fixed(v[:2], decimals=1, nan=b"null")]) == b"null,1.0,"


def test_integers_blank_and_negative() -> None:
    field = numtext.integers(np.array([0, 7, -12, 1234567890123]), blank=0, sep=b"\n")
    assert _rows(field) == ["", "7", "-12", "1234567890123"]


def test_lookup_constant_and_join() -> None:
    names = [
        numtext.csv_field("hold"),
        numtext.csv_field('ramp, "fast"'),
        numtext.csv_field("→ 50 %"),
    ]
    out = numtext.join_rows(
        [
            numtext.constant(b"load", 4),
            numtext.lookup(np.array([0, 1, -1, 2]), names),
            numtext.integers(np.array([1, 2, 3, 4]), sep=b"\n"),
        ]
    )
    assert out.decode() == 'load,hold,1\nload,"ramp, ""fast""",2\nload,,3\nload,→ 50 %,4\n'


def test_empty_columns() -> None:
    empty = np.empty(0)
    assert numtext.join_rows([numtext.fixed(empty, decimals=2)]) == b""
    assert numtext.join_rows([]) == b""


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="NUL"):
        numtext.lookup(np.array([0]), [b"a\x00b"])
