"""Every BLE driver end to end: bleak's real BlueZ backend ↔ the fake bluetoothd ↔ an emulator.

For each device: the scan finds and recognises it, the session connects, streams five seconds
at the device's own rate, tares, and disconnects; every decoded value equals what the emulator
sent, exactly. (Five real seconds each: the fake's advertising and the radio pacing run on the
wall clock; the long drill with link drops runs accelerated in test_ble_drill_drops.py.)
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceMessage
from isoforce.devices.registry import device_spec, new_decoder
from isoforce.live import SessionOptions
from isoforce.live.build import open_session
from isoforce.signal.calibration import Calibration
from isoforce.transports.ble import BleTransport, ble_transport_for
from isoforce.transports.ble_scan import BleScanner
from isoforce.transports.ble_stream import BleSettings
from isoforce.units import N_PER_KGF, N_PER_LBF
from tests.ble.ble_emulators import ForceBoardEmu, ProgressorEmu, WhC06Emu, WitMotionEmu
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import Keep, until
from tests.ble.ble_isoforce_emu import COUNTS_PER_N, ZERO_COUNTS, IsoforceNusEmu

STREAM_S = 5.0


async def scan_finds(address: str, key: str) -> None:
    section = await BleScanner(duration_s=0.6).scan()
    found = {f.address: f for f in section.found}
    assert found[address].device == key, section
    assert list(found[address].options) == ["--device", key, "--address", address]
    assert "RSSI -55 dBm" in found[address].description


async def stream_with_tare(
    options: SessionOptions, *, tare_after: int, keep: Keep
) -> tuple[BleTransport, list[DeviceMessage]]:
    session = open_session(options, consumers=[keep])
    run = asyncio.ensure_future(session.run(duration_s=STREAM_S))
    try:
        await until(lambda: len(keep) >= tare_after, 10, "samples before the tare")
        assert isinstance(session.transport, BleTransport)
        assert await session.transport.tare()
        result = await asyncio.wait_for(run, 20)
    finally:
        run.cancel()
    assert result.stopped_by == "duration reached"
    assert keep.closed and not session.transport.is_connected
    assert result.decode.bytes_dropped == 0 and not result.gaps
    return session.transport, result.messages


@pytest.mark.asyncio
async def test_progressor_clone(bluez: FakeBluez) -> None:
    emu = ProgressorEmu(clone_padding=True)
    bluez.add(emu.periph)
    await scan_finds(emu.periph.address, "progressor")
    keep = Keep()
    options = SessionOptions(device="progressor", address=emu.periph.address)
    transport, _ = await stream_with_tare(options, tare_after=200, keep=keep)
    assert len(keep) == 400  # 5 s of device time at 80 Hz
    assert keep.t_s[-1] == pytest.approx(4.9875, abs=1e-9)
    sent = [kg for kg, _t in (e.raw for e in emu.delivered)]
    assert keep.raw == [kg * N_PER_KGF for kg in sent[: len(keep)]]
    assert keep.force_n == keep.raw  # the gauge reports newtons itself: factor 1, zero 0
    writes = emu.control.writes
    assert writes[:2] == [(b"\x6f", "request"), (b"\x6b", "request")]  # battery, version
    assert (b"\x65", "request") in writes and (b"\x64", "request") in writes
    assert writes[-1] == (b"\x66", "request")  # stopped before disconnecting
    assert transport.info == {"battery": "3.99 V", "firmware": "1.2.3"}
    assert emu.tare_kg > 0 and min(keep.raw[250:]) < min(keep.raw[:150])  # tare took effect
    assert not emu.periph.connected


@pytest.mark.asyncio
async def test_force_board(bluez: FakeBluez) -> None:
    emu = ForceBoardEmu()
    bluez.add(emu.periph)
    await scan_finds(emu.periph.address, "forceboard")
    keep = Keep()
    options = SessionOptions(device="forceboard", address=emu.periph.address)
    transport, _ = await stream_with_tare(options, tare_after=160, keep=keep)
    assert 380 <= len(keep) <= 404  # host-timed: 5 s at 80 Hz, 4 samples per notification
    sent = [e.raw[0] for e in emu.delivered]
    assert keep.raw == [v * N_PER_LBF for v in sent[: len(keep)]]
    assert emu.mode.writes[0] == (b"\x04", "request") and emu.mode.writes[-1] == (
        b"\x07",
        "request",
    )
    assert emu.tare.writes == [(b"\x01", "request")] and emu.zero_lbf > 0
    assert transport.info == {"battery": "87 %"}
    assert np.all(np.diff(keep.times()) > 0)


@pytest.mark.asyncio
async def test_wh_c06_advertisements_only(bluez: FakeBluez) -> None:
    emu = WhC06Emu(profile=lambda t: 20.0 + t)  # a slowly rising load: every reading differs
    bluez.add(emu.periph)
    await scan_finds(emu.periph.address, "wh-c06")
    keep = Keep()
    session = open_session(
        SessionOptions(device="wh-c06", address=emu.periph.address), consumers=[keep]
    )
    run = asyncio.ensure_future(session.run(duration_s=STREAM_S))
    try:
        await until(lambda: len(keep) >= 5, 10, "five readings")
        # no remote tare: zero it in software at the latest reading
        assert not await session.transport.tare()  # type: ignore[attr-defined]
        zero = keep.raw[-1]
        session.set_calibration(session.calibration.with_tare(zero))
        tared_from = len(keep)
        result = await asyncio.wait_for(run, 20)
    finally:
        run.cancel()
    assert result.stopped_by == "duration reached"
    assert 8 <= len(keep) <= 12  # about 2 readings a second: slow, as documented
    assert emu.periph.connects == 0  # never connected: advertisements only
    steps = [e.raw[0] for e in emu.ledger]
    first = steps.index(round(keep.raw[0] / (0.01 * N_PER_KGF)))
    assert keep.raw == [s * 0.01 * N_PER_KGF for s in steps[first : first + len(keep)]]
    after = np.array(keep.force_n[tared_from:])
    assert np.array_equal(after, np.array(keep.raw[tared_from:]) - zero)
    assert 0 < after[0] < 1.0 * N_PER_KGF  # about half a second after the tare: ~0.5 kg


@pytest.mark.asyncio
async def test_witmotion_imu_sets_its_rate_and_streams(bluez: FakeBluez) -> None:
    emu = WitMotionEmu()
    bluez.add(emu.periph)
    await scan_finds(emu.periph.address, "witmotion-ble")
    spec = device_spec("witmotion-ble")
    settings = BleSettings(address=emu.periph.address, rate_hz=spec.nominal_rate_hz)
    transport = ble_transport_for(spec, settings)
    assert isinstance(transport, BleTransport)
    decoder = new_decoder(spec.key)
    got: list[SampleBlock] = []
    async with transport:
        async for chunk in transport.chunks():
            got += [
                b for b in decoder.feed(chunk.t_host_s, chunk.data) if isinstance(b, SampleBlock)
            ]
            if got and got[-1].t_s[-1] >= STREAM_S:
                break
    # unlock, write RRATE = 0x08 (50 Hz), save: in that order, after reading the rate first
    writes = [w for w, _kind in emu.write.writes]
    assert writes == [
        bytes.fromhex("FFAA276400"),  # battery register
        bytes.fromhex("FFAA272E00"),  # version registers
        bytes.fromhex("FFAA270300"),  # current output rate
        bytes.fromhex("FFAA6988B5"),
        bytes.fromhex("FFAA030800"),
        bytes.fromhex("FFAA000000"),
    ]
    assert emu.saved[0x03] == 0x08 and emu.rate_hz == 50
    assert transport.info["battery"] == "battery 3.95 V"
    assert transport.info["rate"] == "50 Hz (set and saved; was 10 Hz)"
    values = np.concatenate([b.values for b in got])
    assert 240 <= len(values) <= 262  # 5 s at 50 Hz (host-timed)
    sent = np.array([e.raw for e in emu.delivered], dtype=float)
    scale = np.array([16.0] * 3 + [2000.0] * 3 + [180.0] * 3) / 32768
    start = int(np.flatnonzero((sent == values[0] / scale).all(axis=1))[0])
    assert np.array_equal(values, sent[start : start + len(values)] * scale)
    assert not emu.periph.connected


@pytest.mark.asyncio
async def test_isoforce_firmware_over_nus(bluez: FakeBluez) -> None:
    emu = IsoforceNusEmu()
    bluez.add(emu.periph)
    await scan_finds(emu.periph.address, "isoforce-ble")
    keep = Keep()
    cal = Calibration(n_per_raw=1 / COUNTS_PER_N, offset_raw=ZERO_COUNTS)
    options = SessionOptions(device="isoforce-ble", address=emu.periph.address, calibration=cal)
    _, messages = await stream_with_tare(options, tare_after=200, keep=keep)
    assert len(keep) == 400
    sent = [e.raw[0] for e in emu.delivered]
    assert keep.raw == sent[: len(keep)]
    assert np.allclose(keep.force_n, (np.array(keep.raw) - ZERO_COUNTS) / COUNTS_PER_N)
    assert emu.lines[:1] == ["s"] and "t" in emu.lines and emu.lines[-1] == "x"
    texts = [m.text for m in messages]
    assert "ok start" in texts and any(t.startswith("ok tare ") for t in texts)


def test_isoforce_firmware_needs_a_calibration() -> None:
    from isoforce.errors import ConfigError

    with pytest.raises(ConfigError, match="calibrate"):
        open_session(SessionOptions(device="isoforce-ble", address="C0:FF:EE:00:05:01"))
    with pytest.raises(ConfigError, match="--address"):
        open_session(SessionOptions(device="progressor"))


@pytest.mark.asyncio
async def test_witmotion_alone_runs_an_imu_session(bluez: FakeBluez) -> None:
    emu = WitMotionEmu()
    bluez.add(emu.periph)
    session = open_session(SessionOptions(device="witmotion-ble", address=emu.periph.address))
    assert session.imu is not None
    result = await asyncio.wait_for(session.run(duration_s=2.0), 20)
    assert result.stopped_by == "duration reached" and 95 <= result.samples <= 105  # 50 Hz
    assert session.pipeline.effort_message.startswith("not force-measured")
    assert session.imu.view().placement == "shank"
    assert emu.registers[0x03] == 0x08  # the session asked for 50 Hz
