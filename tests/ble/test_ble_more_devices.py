"""CTS500, Vernier Go Direct, Movesense and Activ5 through bleak and the fake bluetoothd.

For each: the scan recognises it and names the command that reads it; a session decodes
exactly what the emulator sent; the link is lost, the device is gone (``NOT_FOUND``), comes
back, and the transport reconnects and starts it again with nothing decoded twice. The
installed command records each force device (``isoforce record``) and watches the IMU
(``isoforce imu``), and ``isoforce scan`` tells every device apart while all advertise at once.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from isoforce.devices.registry import device_spec
from isoforce.live import SessionOptions
from isoforce.live.build import open_session
from isoforce.transports.ble_scan import BleScanner
from isoforce.units import N_PER_KGF, STANDARD_GRAVITY_M_S2
from tests.ble.ble_bus import PrivateBus
from tests.ble.ble_emulators import Emulator
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_fake_run import FakeBluezProcess
from tests.ble.ble_helpers import decode_chunks, emulator_transport, walk_away_and_reconnect
from tests.ble.emu_activ5 import N_PER_COUNT, Activ5Emu
from tests.ble.emu_cts500 import Cts500Emu
from tests.ble.emu_movesense import MovesenseEmu
from tests.ble.emu_vernier_gdx import VernierGdxEmu

ISOFORCE = str(Path(sys.executable).with_name("isoforce"))
Raw = tuple[float, ...]


@dataclass(frozen=True)
class Case:
    """One device: its emulator (accelerated) and what its raw ledger values decode to."""

    key: str
    make: Callable[[], Emulator]
    expect: Callable[[Raw], list[float]]
    starts: Callable[[Emulator], int]


def _starts(emu: Emulator) -> int:
    return int(getattr(emu, "starts", 0) or getattr(emu, "subscribes", 0))


CASES = {
    "cts500": Case(
        "cts500",
        lambda: Cts500Emu(speed=4, split=True),
        lambda raw: [raw[0] * 0.01 * N_PER_KGF],
        _starts,
    ),
    "vernier-gdx": Case(
        "vernier-gdx", lambda: VernierGdxEmu(speed=2), lambda raw: [raw[0]], _starts
    ),
    "activ5": Case(
        "activ5", lambda: Activ5Emu(speed=8), lambda raw: [raw[0] * N_PER_COUNT], _starts
    ),
    "movesense": Case(
        "movesense",
        lambda: MovesenseEmu(speed=2),
        lambda raw: [v / STANDARD_GRAVITY_M_S2 for v in raw[:3]] + list(raw[3:]),
        _starts,
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("key", list(CASES))
async def test_streams_exactly_and_reconnects(bluez: FakeBluez, key: str) -> None:
    case = CASES[key]
    emu = case.make()
    bluez.add(emu.periph)
    section = await BleScanner(duration_s=0.5).scan()
    (found,) = section.found
    assert found.device == key and found.options == ("--device", key, "--address", found.address)
    transport = emulator_transport(key, emu)
    async with transport:
        before, after = await walk_away_and_reconnect(transport, emu)
    assert transport.connects == 2 and case.starts(emu) == 2
    values = decode_chunks(key, before + after)[0].values
    sent = np.array([case.expect(e.raw) for e in emu.delivered])
    assert len(values) >= 12 and np.array_equal(values, sent[: len(values)])


@pytest.mark.asyncio
async def test_movesense_feeds_the_imu_chain_at_its_rate(bluez: FakeBluez) -> None:
    emu = MovesenseEmu()
    bluez.add(emu.periph)
    session = open_session(SessionOptions(device="movesense", address=emu.periph.address))
    assert session.imu is not None
    result = await session.run(duration_s=1.5)
    assert result.stopped_by == "duration reached"
    assert 300 <= result.samples <= 315  # 208 Hz on the sensor's own clock
    assert result.decode.bytes_dropped == 0 and emu.parts > 0  # long records came in two parts
    assert emu.paths[-1] == "/Meas/IMU6/208"
    assert session.pipeline.effort_message.startswith("not force-measured")


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("key", ["cts500", "vernier-gdx", "activ5"])
def test_record_each_force_device(system_bus: PrivateBus, tmp_path: Path, key: str) -> None:
    assert system_bus.address is not None
    case = CASES[key]
    out = tmp_path / "rec.csv"
    with FakeBluezProcess(system_bus.address, [key], ledger=tmp_path / "sent.json") as fake:
        address = next(iter(fake_addresses(key)))
        res = run(
            "record", "--device", key, "--address", address, "--duration", "2",
            "--out", str(out), "--no-save",
        )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    sent = fake.ledger_data()[address]["raw"]
    assert len(rows) >= 10
    expected = [f"{case.expect(tuple(raw))[0]:.3f}" for raw in sent[: len(rows)]]
    assert [r["raw"] for r in rows] == expected
    experimental = "is EXPERIMENTAL" in res.stderr
    assert experimental == bool(device_spec(key).experimental)


def fake_addresses(kind: str) -> list[str]:
    """The default address each emulator kind takes in the fake's process."""
    defaults = {
        "cts500": "C0:FF:EE:00:06:01",
        "vernier-gdx": "C0:FF:EE:00:07:01",
        "movesense": "C0:FF:EE:00:08:01",
        "activ5": "C0:FF:EE:00:09:01",
    }
    return [defaults[kind]]


def test_watch_the_movesense_imu(system_bus: PrivateBus) -> None:
    assert system_bus.address is not None
    (address,) = fake_addresses("movesense")
    with FakeBluezProcess(system_bus.address, ["movesense"]):
        res = run("imu", "--device", "movesense", "--address", address, "--duration", "2",
                  "--every", "0.5")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "warning: movesense is EXPERIMENTAL" in (res.stderr)
    assert sum("angle" in line for line in res.stdout.splitlines()) >= 1, res.stdout


def test_scan_tells_every_device_apart_and_names_its_command(system_bus: PrivateBus) -> None:
    assert system_bus.address is not None
    kinds = ["cts500", "vernier-gdx", "movesense", "activ5", "clone", "witmotion", "other"]
    with FakeBluezProcess(system_bus.address, kinds):
        res = run("scan", "--no-probe", "--ble-s", "1", "--json")
        text = run("scan", "--no-probe", "--ble-s", "1")
    assert res.returncode == 0, res.stderr
    (ble,) = [s for s in json.loads(res.stdout) if s["section"] == "ble"]
    found = {f["device"]: f for f in ble["found"]}
    assert set(found) == {"cts500", "vernier-gdx", "movesense", "activ5", "progressor",
                          "witmotion-ble"}  # fmt: skip
    for key, item in found.items():
        verb = "imu" if device_spec(key).force_channel is None else "record"
        assert item["command"] == f"isoforce {verb} --device {key} --address {item['address']}"
        assert (item["experimental"] is not None) == bool(device_spec(key).experimental)
    assert ble["notes"] == ["1 other device(s) hidden; --all shows them"]
    assert text.returncode == 0, text.stderr
    (cts,) = fake_addresses("cts500")
    assert f"read it with: isoforce record --device cts500 --address {cts}" in text.stdout
    assert "EXPERIMENTAL: the IMU6 sample layout" in text.stdout
