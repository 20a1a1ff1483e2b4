"""The Tindeq app CSV reader on small hand-written files of each variant, and on broken ones.

The texts here are written for the tests (same layout as the app's exports, made-up numbers);
the real exports are tested in tests/session/test_tindeq_real.py when ../shared is present.
"""

from __future__ import annotations

import numpy as np
import pytest

from isoforce.export.formats import FileFormatError
from isoforce.export.tindeq_csv import (
    NoSamplesError,
    parse_tindeq_csv,
    parse_tindeq_date,
    parse_tindeq_info,
    split_sets,
)
from isoforce.units import N_PER_KGF

ENDURANCE = (
    "date,tag,comment,unit,max,avg,duration,mvc,"
    '"Target Zone, lower(% of mvc)","Target Zone, upper (% of mvc)"\r\n'
    "2024-13-02 08:05:09,me,,SI,3.0,2.0,1,10.0,70.0,90.0\r\n"
    "\r\n"
    "time,weight\r\n"
    "0.0,1.0\r\n0.01,2.0\r\n0.02,3.0\r\n0.03,2.0"
)
REP_SET = (
    ",Avg,Rep 1\r\nAvg,2.5,2.5\r\nPeak,4.0,4.0\r\n,\r\ntime,weight\r\n"
    "0.05,1.0\r\n0.06,2.5\r\n0.07,4.0\r\n0.08,2.5\r\n"
)
CONCAT = (
    ",time,weight\n0,0.05,1.0\n1,0.06,2.0\n2,0.07,3.0\n3,120.05,4.0\n4,120.06,5.0\n5,120.07,6.0\n"
)
INFO = (
    "date,tag,comment,unit,reps,work dur.,pause btw. reps,sets,pause btw. sets,mvc\r\n"
    "2024-13-02 08:05:09,me,,SI,3,7,3,1,5,-"
)


def test_endurance_header_and_samples() -> None:
    e = parse_tindeq_csv(ENDURANCE, source="end.csv")
    assert e.kind == "endurance"
    assert e.started_at == "2024-02-13T08:05:09"  # YYYY-DD-MM
    assert e.app_number("max") == 3.0 and e.app_number("avg") == 2.0 and e.app_number("mvc") == 10.0
    assert e.meta["Target Zone, lower(% of mvc)"] == "70.0"
    np.testing.assert_allclose(e.t_s, [0.0, 0.01, 0.02, 0.03])
    np.testing.assert_allclose(e.force_n, np.array([1.0, 2.0, 3.0, 2.0]) * N_PER_KGF)
    assert e.unit == "kg" and e.header_lines == 4


def test_repeaters_set_table() -> None:
    e = parse_tindeq_csv(REP_SET, source="data_set_1.csv")
    assert e.kind == "repeaters_set"
    assert [(r.label, r.avg, r.peak) for r in e.reps] == [("Avg", 2.5, 4.0), ("Rep 1", 2.5, 4.0)]
    assert e.meta == {} and e.started_at is None


def test_concatenated_repeaters_split_into_sets() -> None:
    e = parse_tindeq_csv(CONCAT, source="repeaters.csv")
    assert e.kind == "repeaters"
    assert e.set_index.tolist() == [0, 0, 0, 1, 1, 1]
    assert e.weight.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_headerless_samples() -> None:
    e = parse_tindeq_csv("time,weight\n0.1,1\n0.2,2\n", source="data_set_1.csv")
    assert e.kind == "samples" and len(e.t_s) == 2


def test_info_file() -> None:
    info = parse_tindeq_info(INFO, source="info.csv")
    assert info["reps"] == "3" and info["work dur."] == "7" and info["mvc"] == "-"
    with pytest.raises(NoSamplesError, match="info file has no samples"):
        parse_tindeq_csv(INFO, source="info.csv")


def test_dates() -> None:
    assert parse_tindeq_date("2023-24-05 19:10:53") == "2023-05-24T19:10:53"
    assert (
        parse_tindeq_date("2023-05-24 19:10:53") == "2023-05-24T19:10:53"
    )  # day > 12: unambiguous
    assert parse_tindeq_date("2023-02-03 01:02:03") == "2023-03-02T01:02:03"  # read day-first
    assert parse_tindeq_date("yesterday") is None


def test_lb_exports_convert_to_newtons() -> None:
    e = parse_tindeq_csv(ENDURANCE.replace(",SI,", ",lbs,"), source="lb.csv")
    assert e.unit == "lb"
    assert e.force_n[0] == pytest.approx(4.4482216152605)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("date,tag\n2024-01-01 00:00:00,x\n", None, "no 'time,weight' line"),
        ("time,weight\n0.0,1.0\n0.1", 3, "expected 2 values, got 1 (truncated"),
        ("time,weight\n0.0,1.0\n0.1,abc\n", 3, "not a number"),
        ("time,weight\n0.1,1.0\n0.0,1.0\n", 3, "time goes backwards"),
        ("time,weight\n\n", 2, "no samples"),
        ("time,weight\n0.0,nan\n", 2, "finite"),
        (ENDURANCE.replace("2024-13-02", "2024-99-99"), 2, "is not YYYY-DD-MM"),
        (ENDURANCE.replace(",SI,", ",stone,"), 2, "unit 'stone' is not supported"),
        (",Avg,Rep 1\nAvg,x,1\nPeak,1,1\n,\ntime,weight\n0,1\n", 2, "Avg row: not all numbers"),
        (",time,weight\n0,0.1,1.0\n1,0.2\n", 3, "expected 3 values, got 2"),
    ],
)
def test_broken_files_name_file_and_line(text: str, line: int | None, problem: str) -> None:
    with pytest.raises(FileFormatError) as err:
        parse_tindeq_csv(text, source="t.csv")
    assert err.value.line == line
    assert problem in str(err.value)
    assert str(err.value).startswith("t.csv")


def test_split_sets_needs_a_long_jump() -> None:
    t = np.array([0.0, 0.011, 0.023, 0.034, 0.057, 0.068])  # a doubled interval is not a break
    assert split_sets(t).tolist() == [0] * 6
    assert split_sets(np.array([0.0, 0.01, 0.02, 0.03, 5.0, 5.01])).tolist() == [0, 0, 0, 0, 1, 1]
