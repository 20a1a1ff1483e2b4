"""``isoforce imu`` as a user runs it: the installed console script on the simulated IMU."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.paths import ISOFORCE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=120)


def test_watch_prints_angle_stillness_and_lift_offs() -> None:
    res = run("imu", "--speed", "max", "--duration", "36", "--every", "0.5")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "Shank" in lines[0]  # placement guidance first
    status = [line for line in lines if line.startswith("t=")]
    assert "hold the leg still" in status[0]  # before the zero pose
    angles = [
        float(m.group(1)) for line in status if (m := re.search(r"angle +([+-]?\d+\.\d)°", line))
    ]
    assert max(angles) == 30.0 and min(angles) > -0.5  # the demo's rotation to 30° IR
    assert any("MOVING" in line for line in status) and any("still" in line for line in status)
    assert any("lift-off: hold" in line for line in status)
    assert "calibrate at rest" in status[4]  # still, but no effort estimate without calibration
    assert not any("est." in line for line in status)
    assert lines[-1].startswith("done: 1 lift-off(s); hold ")


def test_calibrate_then_watch_shows_the_estimate_as_a_band(tmp_path: Path) -> None:
    out = tmp_path / "mmg.json"
    res = run("imu", "calibrate", "--speed", "max", "--out", str(out), "--every", "100")
    assert res.returncode == 0, res.stderr
    assert "--- max" in res.stdout and "written to" in res.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["effort_pct"] == [0.0, 50.0, 100.0] and data["source"] == "nominal"
    assert data["rms_g"] == sorted(data["rms_g"])
    res = run("imu", "--speed", "max", "--duration", "30", "--every", "1", "--mmg", str(out))
    assert res.returncode == 0, res.stderr
    efforts = [line.split("effort: ")[1] for line in res.stdout.splitlines() if "effort: " in line]
    banded = [e for e in efforts if "est." in e]
    assert len(banded) >= 10
    for text in banded:  # always a band and "estimate", never a bare number
        low, high = map(int, re.findall(r"est\. (\d+)–(\d+) %", text)[0])
        assert high - low >= 15 and "IMU estimate, not measured" in text


def test_usage_errors() -> None:
    assert run("imu", "calibrate", "--speed", "max").returncode == 2
    res = run("imu", "--device", "sim", "--duration", "1")
    assert res.returncode == 1 and "has no IMU" in res.stderr
    res = run("imu", "--mmg", "/nonexistent/mmg.json")
    assert res.returncode == 1 and "cannot read" in res.stderr
