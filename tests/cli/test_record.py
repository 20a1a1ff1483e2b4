"""``isoforce record`` run as a user runs it: the installed console script in a subprocess."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.export.json_lines import document

ISOFORCE = str(Path(sys.executable).with_name("isoforce"))


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=timeout)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_help_and_version() -> None:
    out = run("--help")
    assert out.returncode == 0
    assert "record" in out.stdout
    ver = run("--version")
    assert ver.returncode == 0
    assert ver.stdout.startswith("isoforce ")


def test_five_seconds_at_80_hz(tmp_path: Path) -> None:
    out_file = tmp_path / "x.csv"
    res = run(
        "record", "--device", "sim", "--duration", "5", "--out", str(out_file), "--speed", "max"
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    rows = read_rows(out_file)
    assert len(rows) >= 395
    t = np.array([float(r["t_s"]) for r in rows])
    assert np.all(np.diff(t) > 0)
    assert t[-1] < 5.0
    force = np.array([float(r["force_n"]) for r in rows])
    target = np.array([float(r["target_pct"]) for r in rows])
    effort = np.array([float(r["effort_pct"]) for r in rows])
    assert np.isfinite(force).all() and np.isfinite(effort).all()
    assert target.max() > 0  # the demo profile ramps up after 2 s of rest
    # the athlete follows the target: effort tracks it within a few % once moving
    assert np.corrcoef(effort, target)[0, 1] > 0.9


def test_1000_hz_rows(tmp_path: Path) -> None:
    out_file = tmp_path / "fast.csv"
    res = run(
        "record", "--duration", "5", "--rate", "1000", "--out", str(out_file), "--speed", "max"
    )
    assert res.returncode == 0, res.stderr
    assert len(read_rows(out_file)) >= 4950


def test_same_seed_same_file_and_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    for path, seed, speed in ((a, "7", "max"), (b, "7", "40"), (c, "8", "max")):
        assert (
            run(
                "record", "--duration", "3", "--seed", seed, "--out", str(path), "--speed", speed
            ).returncode
            == 0
        )
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_json_format(tmp_path: Path) -> None:
    out_file = tmp_path / "run.json"
    res = run("record", "--duration", "2", "--out", str(out_file), "--speed", "max")
    assert res.returncode == 0, res.stderr
    doc = document(out_file.read_text())  # the same format as 'export --format json'
    assert doc["format"] == "isoforce-session" and doc["session"]["status"] == "complete"
    assert doc["channels"][0]["samples"] == len(doc["channels"][0]["columns"]["t_s"]) >= 158
    assert doc["calibration"]["n_per_raw"] > 0
    assert doc["references"]["pain_free"]["push_max_n"] == 250.0


def test_stdout_output() -> None:
    res = run("record", "--duration", "1", "--out", "-", "--speed", "max")
    assert res.returncode == 0
    assert res.stdout.splitlines()[0].startswith("t_s,channel,raw,force_n,effort_pct,target_pct")


@pytest.mark.parametrize(
    "args",
    [
        ("record", "--duration", "-1", "--out", "x.csv"),
        ("record", "--duration", "abc", "--out", "x.csv"),
        ("record", "--out", "x.csv"),
        ("record", "--device", "nonesuch", "--duration", "5", "--out", "x.csv"),
        ("recrod",),
        ("record", "--duration", "5", "--out", "x.csv", "--format", "xls"),
    ],
)
def test_usage_errors_print_usage_and_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    res = subprocess.run(
        [ISOFORCE, *args], capture_output=True, text=True, cwd=tmp_path, timeout=30
    )
    assert res.returncode == 2
    assert "usage:" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "x.csv").exists()


def test_out_of_range_rate_is_a_clear_error(tmp_path: Path) -> None:
    res = run("record", "--duration", "1", "--rate", "5000", "--out", str(tmp_path / "x.csv"))
    assert res.returncode == 1
    assert "10–2000 Hz" in res.stderr
    assert "Traceback" not in res.stderr


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    # a missing folder is a usage error, found before anything runs (issue 20, deliver 8)
    res = run("record", "--duration", "1", "--out", str(tmp_path / "no" / "such" / "dir.csv"))
    assert res.returncode == 2
    assert "such' does not exist" in res.stderr
    assert "Traceback" not in res.stderr
    res = run("record", "--duration", "1", "--out", str(tmp_path))  # a folder is not a file
    assert res.returncode == 1
    assert "cannot write" in res.stderr
    assert "Traceback" not in res.stderr


def test_ctrl_c_writes_what_was_recorded(tmp_path: Path) -> None:
    out_file = tmp_path / "long.csv"
    proc = subprocess.Popen(
        [ISOFORCE, "record", "--duration", "600", "--out", str(out_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # rows go to a temporary file beside it until the recording ends (atomic --out)
            growing = [p.stat().st_size for p in tmp_path.glob(".long.csv.*.tmp")]
            if growing and growing[0] > 2000:
                break
            time.sleep(0.05)
        else:
            pytest.fail("recording never started")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "interrupted: recorded" in err
    rows = read_rows(out_file)
    assert len(rows) > 10
    assert not list(tmp_path.glob("*.tmp"))
    n_reported = int(err.split("recorded ")[1].split(" samples")[0])
    assert n_reported == len(rows)


def test_devices_lists_the_simulators() -> None:
    res = run("devices")
    assert res.returncode == 0
    assert "sim " in res.stdout and "push, pull" in res.stdout
    assert os.linesep in res.stdout
    lines = res.stdout.splitlines()
    assert len(lines) >= 18
    flagged = {line.split()[0] for line in lines if line.endswith("(EXPERIMENTAL)")}
    assert {"entralpi", "climbro", "frez-dyno"} <= flagged
    assert not flagged & {"motherboard", "sig-weight-scale", "progressor"}
    # one column each: the titles start in the same column on every row
    starts = {line.index(re.split(r" {2,}", line)[-1]) for line in lines}
    assert len(starts) == 1, starts


def test_real_devices_never_borrow_the_simulated_athletes_maxima() -> None:
    from isoforce.core.effort_key import ReferenceKind
    from isoforce.drills import load_builtin
    from isoforce.live import PROVISIONAL_MVIC_N, SessionOptions
    from isoforce.live.build import open_session
    from isoforce.signal.calibration import Calibration

    session = open_session(
        SessionOptions(device="hx711", port="loop://", calibration=Calibration(n_per_raw=0.01))
    )
    pain_free = session.header.references[ReferenceKind.PAIN_FREE]
    assert pain_free.push_max_n is None and pain_free.pull_max_n is None
    # no MVIC either: a recording without a drill has no scale to borrow
    assert session.header.references[ReferenceKind.MVIC].push_max_n is None
    # a max test measures on the 100 N scale, the same on a real sensor and the simulator
    for device in ("hx711", "sim"):
        test = open_session(
            SessionOptions(device=device, port="loop://", calibration=Calibration(n_per_raw=0.01)),
            drill=load_builtin("max-test"),
        )
        assert test.header.references[ReferenceKind.MVIC].push_max_n == PROVISIONAL_MVIC_N
    sim = open_session(SessionOptions(device="sim"))
    assert sim.header.references[ReferenceKind.PAIN_FREE].push_max_n == 250.0


def test_devices_marks_the_experimental_ones() -> None:
    from isoforce.devices.registry import DEVICES

    lines = run("devices").stdout.splitlines()
    marked = {line.split()[0] for line in lines if line.endswith("(EXPERIMENTAL)")}
    assert marked == {key for key, spec in DEVICES.items() if spec.experimental}
    assert {"movesense", "activ5"} <= marked and len(lines) == len(DEVICES)
