"""The store commands as a user runs them: the installed console script in subprocesses."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.export.json_lines import document

ISOFORCE = str(Path(sys.executable).with_name("isoforce"))
TINDEQ = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "thirdparty-data"
    / "tindeq_app_exports_SantiCiri"
)


def run(
    *args: str, data: Path | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if data is not None:
        env["ISOFORCE_DATA_DIR"] = str(data)
    return subprocess.run(
        [ISOFORCE, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd
    )


def session_ids(listing: str) -> list[int]:
    """The ids in the table 'isoforce sessions' prints."""
    rows = listing.splitlines()[2:]
    return [int(r.split()[0]) for r in rows if r.strip()]


def ok(res: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    return res


def test_record_saves_and_export_writes_every_format(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rec = ok(run("record", "--duration", "2", "--speed", "max", data=data))
    assert "recorded 160 samples" in rec.stderr and "saved as session 1" in rec.stderr
    listing = ok(run("sessions", data=data)).stdout
    assert "record sim" in listing and "complete" in listing
    out = ok(run("export", "latest", "--out", "-", data=data)).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 160 and rows[0]["channel"] == "load"
    ok(run("export", "1", "--out", str(tmp_path / "one.json"), data=data))
    doc = document((tmp_path / "one.json").read_text())
    assert doc["format"] == "isoforce-session" and doc["channels"][0]["samples"] == 160
    ok(run("export", "1", "--format", "png", "--out", str(tmp_path / "one.png"), data=data))
    assert (tmp_path / "one.png").read_bytes()[:4] == b"\x89PNG"
    ok(run("record", "--duration", "1", "--speed", "max", data=data))
    two_in_one = run("export", "1", "2", "--out", str(tmp_path / "x.csv"), data=data)
    assert two_in_one.returncode == 2 and "2 sessions need a folder" in two_in_one.stderr
    ok(run("export", "all", "--out", str(tmp_path / "all"), data=data))
    names = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert names == ["session-1.csv", "session-1.meta.json", "session-2.csv", "session-2.meta.json"]
    both = ok(run("export", "1", "2", "--out", "-", data=data)).stdout.splitlines()
    assert both[0].startswith("session,t_s,") and len(both) == 1 + 160 + 80
    ok(run("export", "latest", data=data, cwd=tmp_path))
    assert (tmp_path / "session-2.csv").exists() and (tmp_path / "session-2.meta.json").exists()


def test_drill_history_and_replay(tmp_path: Path) -> None:
    data = tmp_path / "data"
    res = ok(
        run(
            "drill",
            "run",
            "tension-drill",
            "--speed",
            "max",
            "--sim-pain-at",
            "60",
            "--side",
            "left",
            data=data,
        )
    )
    assert "saved as session 1" in res.stdout
    found = re.search(r"pain-free max for hip-ir left push @ 90-90: ([\d.]+) N", res.stdout)
    assert found is not None and abs(float(found.group(1)) - 140.0) <= 6.0  # below the 160 N level
    assert not (data / "recordings").exists()  # the store replaces the default CSV file
    history = ok(run("history", "--movement", "hip-ir", data=data)).stdout
    assert "hip-ir left push @ 90-90 — pain-free max" in history
    assert f"{found.group(1)} N" in history
    replay = ok(run("replay", "latest", "--speed", "max", data=data)).stdout
    assert "scores match the recording for 22 of 22 steps" in replay  # push, then pull
    assert (
        f"push pain-free max: {float(found.group(1)):.0f} N (measured in newtons: no max was known)"
        in replay
    )
    other = ok(run("drill", "run", "tension-drill", "--speed", "max", data=data)).stdout
    assert "side: left (remembered)" in other  # the side used last, said so
    fresh = run("drill", "run", "tension-drill", "--speed", "max", data=tmp_path / "fresh")
    assert "without a side" in ok(fresh).stdout  # no side given or used before


def test_import_own_export_and_report_errors(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    ok(run("record", "--duration", "1", "--speed", "max", data=a))
    ok(run("export", "1", "--out", str(tmp_path / "s.csv"), data=a))
    res = ok(run("import", str(tmp_path / "s.csv"), data=b))
    assert "session 1 (isoforce-csv, 80 samples" in res.stdout
    again = run("import", str(tmp_path / "s.csv"), data=b)
    assert again.returncode == 1 and "already imported as session 1" in again.stderr
    for name in ("live.json", "live.csv"):  # what 'record --out' writes imports too
        ok(
            run(
                "record",
                "--duration",
                "1",
                "--speed",
                "max",
                "--seed",
                "1",  # seed 0 would give exactly session 1's CSV, rightly refused as a duplicate
                "--no-save",
                "--out",
                str(tmp_path / name),
                data=b,
            )
        )
    res = ok(run("import", str(tmp_path / "live.json"), str(tmp_path / "live.csv"), data=b))
    assert "session 2 (isoforce-json, 80 samples" in res.stdout
    assert "session 3 (isoforce-csv, 80 samples" in res.stdout
    doc = document(ok(run("export", "2", "--format", "json", "--out", "-", data=b)).stdout)
    assert doc["sensor"]["key"] == "sim" and doc["references"]["pain_free"]["push_max_n"] == 250.0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n0.0,load,1,2\n"
    )
    res = run("import", str(bad), data=b)
    assert res.returncode == 1
    assert f"{bad}:2: expected 10 fields, got 4" in res.stderr
    assert "Traceback" not in res.stderr
    assert session_ids(ok(run("sessions", data=b)).stdout) == [3, 2, 1]  # nothing from bad.csv


@pytest.mark.shared_data
def test_import_tindeq_prints_the_app_numbers(tmp_path: Path) -> None:
    if not TINDEQ.is_dir():
        pytest.skip("../shared/thirdparty-data is not available")
    files = [str(p) for p in sorted(TINDEQ.glob("24_05_2023__rot-int-der__*.csv"))]
    res = ok(
        run(
            "import",
            *files,
            "--movement",
            "shoulder-ir",
            "--side",
            "right",
            "--as-mvic",
            data=tmp_path,
        )
    )
    assert res.stdout.count("tindeq-app-csv") == 4
    assert "app Rep 1 avg 6.934 kg, recomputed 6.934 kg (0.00 % apart)" in res.stdout
    assert "skipped" in res.stderr and "info.csv" in res.stderr
    assert "shoulder-ir right push" in ok(run("history", data=tmp_path)).stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("export",), 2, "usage:"),
        (("export", "1", "--format", "xls"), 2, "usage:"),
        # an empty store says so, and how a session gets there
        (("export", "99"), 1, "yet: 'isoforce record' or 'isoforce drill run' saves one"),
        (("export", "all", "--out", "x.csv"), 1, "no sessions in"),
        (("replay", "latest"), 1, "no sessions in"),
        (("record", "--duration", "1", "--no-save"), 2, "nothing would be kept"),
        (("import",), 2, "usage:"),
        (("history", "--flag-at", "-3"), 2, "usage:"),
    ],
)
def test_usage_and_lookup_errors(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    res = run(*args, data=tmp_path / "data")
    assert res.returncode == code, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_damaged_store_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "isoforce.sqlite3").write_bytes(b"\x00garbage" * 512)
    res = run("sessions", data=data)
    assert res.returncode == 1
    assert "damaged or not an isoforce store" in res.stderr
    assert "Traceback" not in res.stderr


def test_commands_that_only_read_leave_no_store_behind(tmp_path: Path) -> None:
    """On a first run, looking (sessions, history, athletes, a report) creates no data folder."""
    data = tmp_path / "data"
    for args, code in [
        (("sessions",), 0),
        (("history",), 0),
        (("athlete", "list"), 0),
        (("report", "latest"), 1),
        (("export", "latest", "--out", str(tmp_path / "latest.csv")), 1),
    ]:
        res = run(*args, data=data)
        assert res.returncode == code, (args, res.stderr)
        assert "Traceback" not in res.stderr
        assert code == 0 or "no sessions in" in res.stderr
    assert not data.exists()


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable, even for root (immutable flag), and undo it afterwards."""
    if os.geteuid() != 0:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield
        finally:
            folder.chmod(stat.S_IRWXU)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("running as root and cannot set the immutable flag here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_read_only_data_dir_is_a_clear_error_and_saves_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with read_only(empty):
        res = run("record", "--duration", "1", "--speed", "max", data=empty)
    assert res.returncode == 1
    assert f"{empty} is read-only" in res.stderr
    assert "Traceback" not in res.stderr
    assert list(empty.iterdir()) == []
    used = tmp_path / "used"
    ok(run("record", "--duration", "1", "--speed", "max", data=used))
    with read_only(used):
        res = run("record", "--duration", "1", "--speed", "max", data=used)
        assert res.returncode == 1 and "read-only" in res.stderr and "Traceback" not in res.stderr
    assert session_ids(ok(run("sessions", data=used)).stdout) == [1]


def test_as_mvic_on_an_isoforce_file_says_it_records_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(run("record", "--duration", "1", "--speed", "max", "--out", "run.csv", cwd=tmp_path))
    res = ok(
        run(
            "import", "run.csv", "--movement", "shoulder-ir", "--side", "right", "--as-mvic",
            data=data, cwd=tmp_path,
        )
    )  # fmt: skip
    assert "--as-mvic is for Tindeq app files: no MVIC recorded from run.csv" in res.stderr
    assert "MVIC" not in ok(run("history", data=data)).stdout
