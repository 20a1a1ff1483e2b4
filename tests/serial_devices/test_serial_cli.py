"""The installed ``isoforce`` command on emulated serial devices: record, drill run, scan, calibrate."""

from __future__ import annotations

import csv
import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from isoforce.session.store import SessionStore
from tests.paths import ISOFORCE
from tests.serial_devices.serial_device_models import isoforce_frame
from tests.serial_devices.serial_emulators import (
    EmulatorFactory,
    Faults,
    Hx711Text,
    IsoforceFirmware,
    WitMotionUart,
)

CAL = {"schema": 1, "n_per_raw": 1 / 2250, "offset_raw": 84_000.0, "source": "test"}


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=timeout)


def write_cal(tmp_path: Path) -> Path:
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(CAL))
    return path


def test_record_an_hx711_on_a_pty(tmp_path: Path, emulate: EmulatorFactory) -> None:
    emu = emulate(Hx711Text(rate_hz=80.0)).start()
    out = tmp_path / "x.csv"
    res = run(
        "record", "--device", "hx711", "--port", str(emu.link.path), "--baud", "57600",
        "--calibration", str(write_cal(tmp_path)), "--duration", "2", "--out", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert 140 <= len(rows) <= 170  # 2 s at 80 Hz, host-timed
    raw = np.array([float(r["raw"]) for r in rows])
    force = np.array([float(r["force_n"]) for r in rows])
    assert np.allclose(force, (raw - 84_000) / 2250, atol=1e-3)
    t = np.array([float(r["t_s"]) for r in rows])
    assert np.all(np.diff(t) > 0) and t[-1] < 2.0
    sent = [s.truth for s in emu.ledger.intact]
    start = sent.index(int(raw[0]))
    assert raw.tolist() == [float(v) for v in sent[start : start + len(raw)]]  # type: ignore[arg-type]


def test_record_without_calibration_or_port_says_what_to_do(
    tmp_path: Path, emulate: EmulatorFactory
) -> None:
    emu = emulate(Hx711Text())
    res = run("record", "--device", "hx711", "--port", str(emu.link.path), "--duration", "1",
              "--out", str(tmp_path / "x.csv"))  # fmt: skip
    assert res.returncode == 1
    assert "isoforce calibrate --device hx711" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "x.csv").exists()
    res = run("record", "--device", "hx711", "--duration", "1", "--out", str(tmp_path / "x.csv"))
    assert res.returncode == 1 and "needs --port" in res.stderr
    res = run("record", "--device", "hx711", "--port", str(tmp_path / "nope"), "--calibration",
              str(write_cal(tmp_path)), "--duration", "1", "--out", str(tmp_path / "y.csv"))  # fmt: skip
    assert res.returncode == 1 and "no such port" in res.stderr and "Traceback" not in res.stderr


def test_drill_run_on_a_serial_load_cell(tmp_path: Path, emulate: EmulatorFactory) -> None:
    drill = tmp_path / "short.toml"
    drill.write_text(
        'name = "short"\nmovement = "hip-ir"\nside = "left"\nposition = "90-90"\n'
        '[[steps]]\nkind = "passive"\nseconds = 0.5\ninstruction = "Relax"\n'
        '[[steps]]\nkind = "hold"\ndirection = "push"\ntarget_pct = 10\nseconds = 1\n'
        'instruction = "Hold"\n'
    )
    emu = emulate(Hx711Text(rate_hz=80.0)).start()
    out = tmp_path / "drill.csv"
    res = run(
        "drill", "run", str(drill), "--device", "hx711", "--port", str(emu.link.path),
        "--baud", "57600", "--calibration", str(write_cal(tmp_path)), "--out", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "drill finished" in res.stdout
    with out.open(newline="") as f:
        assert len(list(csv.DictReader(f))) >= 100


def test_scan_recognises_each_device_on_its_port(emulate: EmulatorFactory) -> None:
    hx = emulate(Hx711Text(), name="ttyA").start()
    wit = emulate(WitMotionUart(), name="ttyB").start()
    iso = emulate(IsoforceFirmware(), name="ttyC").start()
    quiet = emulate(Hx711Text(), name="ttyD")  # never started
    ports = [hx, wit, iso, quiet]
    args = [a for e in ports for a in ("--port", str(e.link.path))]
    res = run("scan", "--json", "--no-ble", "--probe-s", "0.4", *args)
    assert res.returncode == 0, res.stderr
    sections = json.loads(res.stdout)
    assert sections[0]["section"] == "serial"
    found = {f["address"]: f for f in sections[0]["found"]}
    expect = {hx: "hx711", wit: "witmotion", iso: "isoforce-serial"}
    for emu, key in expect.items():
        item = found[str(emu.link.path)]
        assert item["device"] == key, item
        assert item["options"][:4] == ["--device", key, "--port", str(emu.link.path)]
    assert found[str(quiet.link.path)]["device"] is None
    assert found[str(quiet.link.path)]["detail"] == "no data"
    listed = json.loads(
        run("scan", "--json", "--no-ble", "--no-probe", "--port", str(hx.link.path)).stdout
    )
    mine = [f for f in listed[0]["found"] if f["address"] == str(hx.link.path)]
    assert mine and mine[0]["detail"] == "not probed" and mine[0]["device"] is None
    text = run("scan", "--no-ble", "--probe-s", "0.3", "--port", str(hx.link.path))
    assert text.returncode == 0 and "Serial ports" in text.stdout
    assert (
        "→ hx711: HX711 reading" in text.stdout
        and "read it with: isoforce record --device hx711" in text.stdout
    )


def _read_until(
    proc: subprocess.Popen[bytes], needle: bytes, seen: bytearray, timeout_s: float
) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or (
            proc.poll() is not None and not select.select([proc.stdout], [], [], 0)[0]
        ):
            raise AssertionError(f"no {needle!r} in {bytes(seen)!r}")
        if select.select([proc.stdout], [], [], min(left, 0.1))[0]:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk and proc.poll() is not None:
                continue
            seen += chunk


@pytest.mark.parametrize("retare", [False, True])
def test_calibrate_with_a_known_weight_then_retare(
    tmp_path: Path, emulate: EmulatorFactory, retare: bool
) -> None:
    model = Hx711Text(rate_hz=80.0, base=84_000, spread=200)
    emu = emulate(model).start()
    cal = tmp_path / "cal.json"
    counts_per_n = 2250.0
    if retare:
        cal.write_text(json.dumps({**CAL, "offset_raw": 80_000.0}))
        args = ["--calibration", str(cal)]
    else:
        args = ["--known-kg", "10", "--out", str(cal)]
    proc = subprocess.Popen(
        [ISOFORCE, "calibrate", "--device", "hx711", "--port", str(emu.link.path),
         "--baud", "57600", "--window-s", "0.5", *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )  # fmt: skip
    seen = bytearray()
    try:
        assert proc.stdin is not None
        _read_until(proc, b"Step 1", seen, 10)
        proc.stdin.write(b"\n")
        proc.stdin.flush()
        if not retare:
            _read_until(proc, b"Step 2", seen, 10)
            model.base += round(10 * 9.80665 * counts_per_n)  # the 10 kg weight goes on
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            out, err = proc.communicate()
            raise AssertionError(f"calibrate hung: {bytes(seen) + out!r} {err!r}") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert b"saved" in bytes(seen) + out
    saved = json.loads(cal.read_text())
    assert saved["offset_raw"] == pytest.approx(84_000, abs=60)
    assert 1 / saved["n_per_raw"] == pytest.approx(counts_per_n, rel=0.01)


TARE_DRILL = """
name = "tare-then-hold"
movement = "hip-ir"
side = "either"
position = "90-90"

[[steps]]
kind = "passive"
seconds = 6
instruction = "Relax: the strap hangs on the cell; press t"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 20
seconds = 2
"""


def test_the_t_key_tares_a_real_sensor_during_a_drill(
    tmp_path: Path, emulate: EmulatorFactory
) -> None:
    """A strap weighing 20 N hangs on the cell: ``t`` in the relax step zeroes it, says how
    much came off, and every reading after it is 20 N lower."""
    strap_counts = 20 * 2250
    emu = emulate(Hx711Text(rate_hz=80.0, base=84_000 + strap_counts, spread=200)).start()
    drill, out = tmp_path / "tare-then-hold.toml", tmp_path / "tare.csv"
    drill.write_text(TARE_DRILL)
    env = {**os.environ, "ISOFORCE_DATA_DIR": str(tmp_path / "data")}
    args = [
        "drill", "run", str(drill), "--device", "hx711", "--port", str(emu.link.path),
        "--baud", "57600", "--calibration", str(write_cal(tmp_path)), "--push-max", "200",
        "--out", str(out),
    ]  # fmt: skip
    lines: list[str] = []
    with subprocess.Popen(
        [ISOFORCE, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("keys: "):
                    time.sleep(2.0)  # a second and more of readings to tare on
                    proc.stdin.write("t\n")
                    proc.stdin.flush()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = "".join(lines)
    assert proc.returncode == 0, text
    assert "t tare (unloaded)" in text
    tared = [line for line in lines if line.startswith("tared: ")]
    assert len(tared) == 1, text
    taken = float(tared[0].split("(")[1].split(" N")[0])
    assert taken == pytest.approx(20.0, abs=0.2)
    with out.open(newline="") as f:
        force = np.array([float(r["force_n"]) for r in csv.DictReader(f)])
    assert np.median(force[:40]) == pytest.approx(20.0, abs=0.2)  # before the tare
    assert np.median(force[-40:]) == pytest.approx(0.0, abs=0.2)  # after it


class FirmwareWithBadFrames(IsoforceFirmware):
    """The firmware's frames, and every 25th sample also a checksummed frame whose channel mask
    names two channels but whose payload carries one value (the frame issue 20 found)."""

    def frames(self, i: int) -> list[tuple[bytes, object]]:
        good = super().frames(i)
        if i % 25 != 12:
            return good
        return [*good, (isoforce_frame(i, round(i * 1e6 / self.rate_hz), 0x0003, (5,)), None)]


def test_finding_one_bad_frame_no_longer_ends_a_live_serial_recording(
    tmp_path: Path, emulate: EmulatorFactory
) -> None:
    """Issue 20: one checksummed frame whose declared sample count did not match its payload
    ended a live ``record --device isoforce-serial`` with a traceback after 4 s. Now a pty
    carrying bad-length frames, frames with a bad checksum and runs of garbage records to its
    end: every good frame kept, the bad ones counted by reason, printed and stored."""
    faults = Faults(probability=0.15, kinds=("garbage", "corrupt"))
    emu = emulate(FirmwareWithBadFrames(), faults=faults, seed=3).start()
    out = tmp_path / "x.csv"
    data = tmp_path / "data"
    res = run(
        "record", "--device", "isoforce-serial", "--port", str(emu.link.path),
        "--calibration", str(write_cal(tmp_path)), "--duration", "6", "--out", str(out),
        "--data-dir", str(data),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    with out.open(newline="") as f:
        raw = [int(float(r["raw"])) for r in csv.DictReader(f)]
    assert len(raw) > 6 * 80 * 0.8  # to the end: 6 s at 80 Hz, host-timed
    good = [s.truth for s in emu.ledger.intact if s.truth is not None]
    start = good.index(raw[0])
    assert raw == good[start : start + len(raw)]  # every good frame, none lost, in order
    assert "bad frames dropped (bad checksum" in res.stderr and "bad length" in res.stderr
    with SessionStore.open(data_dir=data) as store:
        record = store.load(1)
    refused = [e.data for e in record.events if e.kind == "decode_refused"]
    assert refused and refused[-1]["bad length"] >= 6 and refused[-1]["bad checksum"] >= 1
    assert record.samples == len(raw)
