"""The installed ``isoforce`` command against the fake bluetoothd running as its own process.

The command only sees ``DBUS_SYSTEM_BUS_ADDRESS`` (and the stand-in ``bluetoothctl`` on PATH),
exactly as it would see a real BlueZ on the system bus.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from tests.ble.ble_bus import PrivateBus
from tests.ble.ble_fake_run import FakeBluezProcess
from tests.export.json_lines import document

ISOFORCE = str(Path(sys.executable).with_name("isoforce"))
GAUGE = "C0:FF:EE:00:01:01"
SCALE = "C0:FF:EE:00:03:01"
KG = 9.80665


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=timeout)


def test_scan_lists_supported_devices_and_hides_others(system_bus: PrivateBus) -> None:
    assert system_bus.address is not None
    devices = ["clone", "wh-c06", "witmotion", "isoforce", "forceboard", "other"]
    with FakeBluezProcess(system_bus.address, devices):
        res = run("scan", "--no-probe", "--ble-s", "1", "--json")
        text = run("scan", "--no-probe", "--ble-s", "1", "--all")
    assert res.returncode == 0, res.stderr
    (ble,) = [s for s in json.loads(res.stdout) if s["section"] == "ble"]
    assert ble["error"] is None
    found = {f["device"]: f for f in ble["found"]}
    assert set(found) == {"progressor", "wh-c06", "witmotion-ble", "isoforce-ble", "forceboard"}
    assert found["progressor"]["options"] == ["--device", "progressor", "--address", GAUGE]
    assert "RSSI -55 dBm" in found["progressor"]["description"]
    assert "measures push" in found["progressor"]["detail"]
    assert "~2 Hz" in found["wh-c06"]["detail"] and "IMU" in found["witmotion-ble"]["detail"]
    assert ble["notes"] == ["1 other device(s) hidden; --all shows them"]
    assert text.returncode == 0, text.stderr
    assert "Bluetooth LE devices" in text.stdout and "JBL Flip 5" in text.stdout
    assert "not a device isoforce reads" in text.stdout
    assert f"read it with: isoforce record --device progressor --address {GAUGE}" in text.stdout


def test_record_a_progressor_by_address(system_bus: PrivateBus, tmp_path: Path) -> None:
    assert system_bus.address is not None
    out = tmp_path / "gauge.csv"
    with FakeBluezProcess(system_bus.address, ["clone"], ledger=tmp_path / "sent.json") as fake:
        res = run(
            "record", "--device", "progressor", "--address", GAUGE.lower(),
            "--duration", "2", "--out", str(out), "--no-save",
        )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "recorded 160 samples (1.99 s)" in res.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 160
    sent = fake.ledger_data()[GAUGE]["raw"]
    assert [r["raw"] for r in rows] == [f"{kg * KG:.3f}" for kg, _t in sent[:160]]
    assert [float(r["t_s"]) for r in rows] == [round(i / 80, 6) for i in range(160)]


def test_record_errors_are_one_clear_line(system_bus: PrivateBus, tmp_path: Path) -> None:
    assert system_bus.address is not None
    with FakeBluezProcess(system_bus.address, ["clone"], off=True):
        off = run(
            "record", "--device", "progressor", "--address", GAUGE,
            "--duration", "1", "--out", str(tmp_path / "x.csv"), "--no-save",
        )  # fmt: skip
        scan = run("scan", "--no-probe", "--ble-s", "0.2")
    assert off.returncode == 1
    assert "Traceback" not in off.stderr
    lines = [line for line in off.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Bluetooth is off: " in lines[0]
    assert "Turn on Bluetooth" in lines[0]
    assert "(cannot scan: Bluetooth is off: " in scan.stdout
    no_address = run("record", "--device", "progressor", "--duration", "1", "--no-save",
                     "--out", str(tmp_path / "y.csv"))  # fmt: skip
    assert no_address.returncode == 1 and "needs --address" in no_address.stderr


def test_record_the_scale_from_its_advertisements(system_bus: PrivateBus, tmp_path: Path) -> None:
    kind = "wh-c06"
    assert system_bus.address is not None
    out = tmp_path / "scale.json"
    with FakeBluezProcess(system_bus.address, [kind], ledger=tmp_path / "sent.json") as fake:
        res = run(
            "record", "--device", kind, "--address", SCALE, "--duration", "2",
            "--out", str(out), "--no-save",
        )  # fmt: skip
    assert res.returncode == 0, res.stderr
    data = document(out.read_text())
    raw = data["channels"][0]["columns"]["raw"]
    assert 3 <= len(raw) <= 6  # about 2 readings a second
    sent = [steps for (steps,) in fake.ledger_data()[SCALE]["raw"]]
    first = sent.index(round(raw[0] / (0.01 * KG)))
    assert raw == [round(s * 0.01 * KG, 3) for s in sent[first : first + len(raw)]]
    assert data["session"]["options"]["address"] == SCALE
