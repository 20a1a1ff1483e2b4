"""``isoforce report`` as a user runs it: a drill session, a free recording, a Tindeq import."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from tests.cli.test_store_cli import TINDEQ, ok, run

SHORT_MAX_TEST = """
name = "short-max"
title = "Two short maximal pushes"
movement = "hip-ir"
side = "either"
position = "90-90"
reference = "mvic"

[[steps]]
kind = "passive"
seconds = 2

[[steps]]
kind = "max_trial"
direction = "push"
trials = 2
seconds = 3
rest_s = 3
ready_s = 2
"""


def test_report_of_a_drill_session_and_a_free_recording(tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = tmp_path / "short-max.toml"
    drill.write_text(SHORT_MAX_TEST, encoding="utf-8")
    ok(run("drill", "run", str(drill), "--speed", "max", "--rate", "1000", data=data))
    ok(run("record", "--duration", "20", "--speed", "max", data=data))  # 80 Hz

    text = ok(run("report", "1", data=data)).stdout
    assert "session 1 · short-max · 2 effort(s) · sensor 1000 Hz, no gaps" in text
    assert "effort 1: max trial push 2×3 s, trial 1" in text and "found by drill trial" in text
    assert "effort 2: max trial push 2×3 s, trial 2" in text
    assert "rate too low" not in text  # 1 kHz carries every metric
    for label in ("best 1 s mean", "impulse", "RFD 0–50 ms", "RFD 20–80 %", "Tindeq app"):
        assert label in text

    png = tmp_path / "efforts.png"
    ok(run("report", "1", "--png", str(png), data=data))
    assert png.read_bytes().startswith(b"\x89PNG")

    free = ok(run("report", "latest", data=data)).stdout
    assert "session 2 · free recording (sim)" in free and "found by threshold" in free
    assert "rate too low (needs ≥ 200 Hz, sensor gives 80 Hz)" in free

    doc = json.loads(ok(run("report", "1", "2", "--json", data=data)).stdout)
    assert [d["session"] for d in doc] == [1, 2]
    trial = doc[0]["efforts"][0]["metrics"]
    assert trial["peak_n"]["unit"] == "N" and trial["peak_n"]["value"] > 100
    assert doc[1]["efforts"][0]["metrics"]["rfd_0_50ms_n_per_s"]["value"] is None

    rows = list(csv.DictReader(io.StringIO(ok(run("report", "all", "--csv", data=data)).stdout)))
    assert {r["session"] for r in rows} == {"1", "2"}
    assert {r["metric"] for r in rows} >= {"peak_n", "best_1s_n", "rfd_0_100ms_n_per_s"}
    refused = [r for r in rows if r["session"] == "2" and r["metric"] == "rfd_0_50ms_n_per_s"]
    assert refused and all(r["value"] == "" and "rate too low" in r["note"] for r in refused)


@pytest.mark.shared_data
def test_report_of_an_imported_tindeq_rfd_test(tmp_path: Path) -> None:
    if not TINDEQ.is_dir():
        pytest.skip("../shared/thirdparty-data is not available")
    name = "29_04_2023__rfd__rfd_test_36946123_29_04_2023_23_23_31.csv"
    ok(run("import", str(TINDEQ / name), data=tmp_path))
    text = ok(run("report", "1", data=tmp_path)).stdout
    assert f"session 1 · import of {name} · 1 effort(s) · sensor 81.9 Hz" in text
    assert "rate too low (needs ≥ 200 Hz, sensor gives 81.9 Hz)" in text
    assert "rfd2080: app 119.6703 kg/s, ours 119.6703 kg/s" in text


def test_the_png_without_matplotlib_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from isoforce.export.effort_plot import write_efforts_png
    from isoforce.export.plot import MissingExtraError
    from isoforce.session.efforts import SessionAnalysis
    from isoforce.session.model import SessionKind

    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    empty = SessionAnalysis(1, "record", SessionKind.RECORD, "load", 80.0, 0.0)
    with (tmp_path / "x.png").open("wb") as out, pytest.raises(MissingExtraError, match="plot"):
        write_efforts_png(out, empty)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("report",), 2, "usage:"),
        (("report", "7"), 1, "no sessions in"),  # the store is empty
        (("report", "latest"), 1, "no sessions in"),
        (("report", "x1"), 2, "expected a session number"),
        (("report", "1", "--json", "--csv"), 2, "not allowed with"),
    ],
)
def test_report_errors_are_one_line(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    res = run(*args, data=tmp_path / "data")
    assert res.returncode == code, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr


def test_compare_two_sessions_as_a_user_does(tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = tmp_path / "short-max.toml"
    drill.write_text(SHORT_MAX_TEST, encoding="utf-8")
    ok(run("drill", "run", str(drill), "--side", "left", "--speed", "max", data=data))
    ok(
        run("drill", "run", str(drill), "--side", "right", "--speed", "max", "--seed", "7",
            "--push-max", "200", data=data)
    )  # fmt: skip
    png = tmp_path / "compare.png"
    text = ok(run("report", "--compare", "1", "2", "--png", str(png), data=data)).stdout
    assert "A: session 1 · short-max · left" in text and "B: session 2 · short-max · right" in text
    assert "push: A effort" in text and "2 of its kind" in text
    assert "beyond noise" in text  # the right side is weaker than two trials' scatter
    assert "rate too low (needs ≥ 200 Hz, sensor gives 80 Hz)" in text
    assert png.read_bytes().startswith(b"\x89PNG")
    doc = json.loads(ok(run("report", "--compare", "1", "2", "--json", data=data)).stdout)
    peak = doc["pairs"][0]["metrics"]["peak_n"]
    assert peak["b"] < peak["a"] and peak["verdict"] == "beyond noise"
    rows = list(csv.DictReader(io.StringIO(ok(run("report", "--compare", "1", "2", "--csv",
                                                   data=data)).stdout)))  # fmt: skip
    assert {r["metric"] for r in rows} >= {"peak_n", "rfd_20_80_n_per_s"}
    res = run("report", "--compare", "1", data=data)
    assert res.returncode == 2 and "--compare takes two sessions (A B), got 1" in res.stderr
    assert "Traceback" not in res.stderr


def test_history_charts_a_curve_metric_per_side(tmp_path: Path) -> None:
    data = tmp_path / "data"
    drill = tmp_path / "short-max.toml"
    drill.write_text(SHORT_MAX_TEST, encoding="utf-8")
    for side in ("left", "right", "left"):
        ok(run("drill", "run", str(drill), "--side", side, "--speed", "max", data=data))
    png = tmp_path / "trend.png"
    text = ok(run("history", "--metric", "best_1s_n", "--png", str(png), data=data)).stdout
    assert "best 1 s mean (N) of each session's strongest effort" in text
    assert "left push:" in text and "right push:" in text and "#3" in text
    assert png.read_bytes().startswith(b"\x89PNG")
    doc = json.loads(ok(run("history", "--metric", "peak_n", "--json", data=data)).stdout)
    left = next(s for s in doc["series"] if s["side"] == "left")
    assert [p["session"] for p in left["points"]] == [1, 3] and left["points"][0]["value"] > 0
    slow = ok(run("history", "--metric", "peak_rfd_20ms_n_per_s", data=data)).stdout
    assert "rate too low (needs ≥ 500 Hz, sensor gives 80 Hz)" in slow
    for args, message in (
        (("--metric", "strength"), "unknown metric 'strength'"),
        (("--png", str(png)), "give --metric NAME too"),
    ):
        res = run("history", *args, data=data)
        assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


def test_a_load_cell_with_a_paired_imu_reports_force_at_angle(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rec = ok(run("record", "--imu", "sim-imu", "--duration", "40", "--speed", "max", data=data))
    assert "recorded 3200 samples" in rec.stderr
    assert "record sim+sim-imu" in ok(run("sessions", data=data)).stdout
    text = ok(run("report", "latest", data=data)).stdout
    assert "force at angle (IMU angle, 10° bands" in text and "+20° to +30°" in text
    doc = json.loads(ok(run("report", "latest", "--json", data=data)).stdout)
    bands = doc[0]["force_at_angle"]["bands"]
    assert doc[0]["force_at_angle"]["band_deg"] == 10.0 and len(bands) >= 3
    assert max(b["peak_push_n"] or 0 for b in bands) > 100  # the demo's pushes
    out = tmp_path / "out"
    out.mkdir()
    ok(run("export", "latest", "--format", "csv", "--out", f"{out}/", data=data))
    assert (out / "session-1.imu.csv").read_text().count("\n") > 40 * 400 * 0.95
    ok(run("record", "--duration", "1", "--speed", "max", data=data))  # no IMU
    assert (
        json.loads(ok(run("report", "latest", "--json", data=data)).stdout)[0]["force_at_angle"]
        is None
    )
