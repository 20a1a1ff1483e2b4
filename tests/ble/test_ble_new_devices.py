"""Entralpi, Climbro, Motherboard, Frez Dyno and SIG Weight Scale end to end on the fake BlueZ.

The installed ``isoforce`` command (real bleak, its BlueZ backend, the fake bluetoothd as its
own process) scans them and records each; every recorded value is checked against what the
emulator sent (built from the documented bytes in ``tests/ble/emu_*.py``, never with
isoforce's codecs). Then each one loses its link mid-stream and is reconnected, as the other
devices are (test_ble_faults.py).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from isoforce.devices.registry import device_spec
from tests.ble.ble_bus import PrivateBus
from tests.ble.ble_emulators import Emulator
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_fake_run import FakeBluezProcess
from tests.ble.ble_helpers import decode_chunks, emulator_transport, walk_away_and_reconnect
from tests.ble.emu_climbro import ClimbroEmu
from tests.ble.emu_entralpi import EntralpiEmu
from tests.ble.emu_frez_dyno import A_KG_PER_COUNT, ZERO_ADC, FrezDynoEmu
from tests.ble.emu_motherboard import MotherboardEmu, kg_from_adc
from tests.ble.emu_weight_scale import WeightScaleEmu

ISOFORCE = str(Path(sys.executable).with_name("isoforce"))
KG = 9.80665
LB_KG = 0.45359237

#: emulator kind → (device key, address, raw ledger value → expected ``raw`` column).
KINDS: dict[str, tuple[str, str, Callable[[list[float]], float]]] = {
    "entralpi": ("entralpi", "C0:FF:EE:00:0A:01", lambda r: r[0] * 0.01 * KG),
    "climbro": ("climbro", "C0:FF:EE:00:0B:01", lambda r: r[0] * KG),
    "motherboard": ("motherboard", "C0:FF:EE:00:0C:01", lambda r: kg_from_adc(tuple(r)) * KG),
    "frez-dyno": ("frez-dyno", "C0:FF:EE:00:0D:01", lambda r: r[0] - ZERO_ADC),
    "weight-scale": ("sig-weight-scale", "C0:FF:EE:00:0E:01", lambda r: r[0] * 0.005 * KG),
}


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=timeout)


def test_scan_recognises_them_and_says_how_to_read_them(system_bus: PrivateBus) -> None:
    assert system_bus.address is not None
    with FakeBluezProcess(system_bus.address, list(KINDS)):
        res = run("scan", "--no-probe", "--ble-s", "1", "--json")
    assert res.returncode == 0, res.stderr
    (ble,) = [s for s in json.loads(res.stdout) if s["section"] == "ble"]
    found = {f["device"]: f for f in ble["found"]}
    assert set(found) == {key for key, _, _ in KINDS.values()}
    for key, address, _ in KINDS.values():
        assert found[key]["options"] == ["--device", key, "--address", address]


@pytest.mark.parametrize("kind", list(KINDS))
def test_record_checks_every_value(kind: str, system_bus: PrivateBus, tmp_path: Path) -> None:
    key, address, expected = KINDS[kind]
    assert system_bus.address is not None
    out = tmp_path / f"{kind}.csv"
    extra: list[str] = []
    if key == "frez-dyno":  # its coefficient, as Frez would give it: a calibration file
        cal = {"n_per_raw": A_KG_PER_COUNT * KG, "offset_raw": 0, "source": "Frez coefficient"}
        (tmp_path / "cal.json").write_text(json.dumps(cal))
        extra = ["--calibration", str(tmp_path / "cal.json")]
    with FakeBluezProcess(system_bus.address, [kind], ledger=tmp_path / "sent.json") as fake:
        res = run(
            "record", "--device", key, "--address", address, "--duration", "3",
            "--out", str(out), "--no-save", *extra,
        )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    experimental = device_spec(key).experimental
    assert (f"{key} is EXPERIMENTAL" in res.stderr) == bool(experimental), res.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    rate = device_spec(key).nominal_rate_hz
    assert len(rows) >= 2 * rate, (len(rows), res.stderr)  # most of 3 s arrived
    sent = [expected(raw) for raw in fake.ledger_data()[address.upper()]["raw"]]
    got = [float(r["raw"]) for r in rows]
    first = int(np.argmin([abs(s - got[0]) for s in sent[:5]]))  # subscribed within 5 samples
    assert got == pytest.approx(sent[first : first + len(got)], abs=0.0006)
    t_s = np.array([float(r["t_s"]) for r in rows])
    assert np.all(np.diff(t_s) > 0)
    if key == "frez-dyno":  # the coefficient turned counts into newtons: the emulated load
        force = np.array([float(r["force_n"]) for r in rows])
        assert np.allclose(force, np.array(got) * A_KG_PER_COUNT * KG, atol=0.002)
        assert force.max() > 40 * KG and abs(force[:100]).max() < 0.01  # unloaded at first
        assert np.allclose(np.diff(t_s), 0.004)  # device time, 250 Hz


def test_frez_dyno_without_its_coefficient_is_one_clear_line(system_bus: PrivateBus) -> None:
    res = run("record", "--device", "frez-dyno", "--address", "C0:FF:EE:00:0D:01",
              "--duration", "1", "--no-save", "--out", "-")  # fmt: skip
    assert res.returncode != 0 and "Traceback" not in res.stderr
    lines = [
        line for line in res.stderr.splitlines() if line.strip() and "EXPERIMENTAL" not in line
    ]
    assert len(lines) == 1 and "never guesses" in lines[0] and "--calibration" in lines[0]


EMULATORS: dict[str, Callable[[], Emulator]] = {
    "entralpi": lambda: EntralpiEmu(speed=4),
    "climbro": lambda: ClimbroEmu(speed=4),
    "motherboard": lambda: MotherboardEmu(speed=4),
    "frez-dyno": lambda: FrezDynoEmu(speed=2),
    "weight-scale": lambda: WeightScaleEmu(rate_hz=10, speed=2),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(EMULATORS))
async def test_walk_away_and_reconnect(kind: str, bluez: FakeBluez) -> None:
    key, _address, expected = KINDS[kind]
    emu = EMULATORS[kind]()
    bluez.add(emu.periph)
    transport = emulator_transport(key, emu)
    async with transport:
        before, after = await walk_away_and_reconnect(transport, emu)
    assert transport.connects == 2 and not emu.periph.connected
    block, decoder = decode_chunks(key, before + after)
    got = block.column(device_spec(key).force_channel or "").tolist()
    sent = [expected(list(e.raw)) for e in emu.delivered]
    first = int(np.argmin([abs(s - got[0]) for s in sent[:5]]))
    # one contiguous run of what was sent: nothing lost across the walk-away and the reconnect
    assert got == pytest.approx(sent[first : first + len(got)], abs=1e-6)
    assert np.all(np.diff(block.t_s) >= 0)
    assert decoder.stats.bytes_dropped == 0
