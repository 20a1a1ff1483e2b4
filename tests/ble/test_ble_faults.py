"""Faults through bleak and the fake bluetoothd: typed errors, retries, drops, bursts, wraps.

Every failure a user can meet must arrive as ``TransportError`` with a reason enum (Bluetooth
off, no adapter, permission denied, not found, timeout, connection failed), and the stream must
hand over everything that arrived before a link loss.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from isoforce.core.samples import RawChunk, SampleBlock
from isoforce.devices.base import DeviceMessage
from isoforce.devices.registry import device_spec, new_decoder
from isoforce.errors import ConfigError, TransportError, TransportErrorReason
from isoforce.live import LinkChange, SessionOptions
from isoforce.live.build import open_session
from isoforce.transports.ble import BleTransport, ble_transport_for
from isoforce.transports.ble_scan import BleScanner
from isoforce.transports.ble_stream import BleSettings
from isoforce.transports.discovery import scan_all
from isoforce.units import N_PER_KGF
from tests.ble.ble_bus import PrivateBus
from tests.ble.ble_emulators import ProgressorEmu, WitMotionEmu
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_helpers import Keep, MakeBluez, release_bleak, until

R = TransportErrorReason
ADDRESS = "C0:FF:EE:00:01:01"


def progressor(**settings: object) -> BleTransport:
    spec = device_spec("progressor")
    transport = ble_transport_for(spec, BleSettings(**settings))  # type: ignore[arg-type]
    assert isinstance(transport, BleTransport)
    return transport


async def reason_of(transport: BleTransport) -> TransportError:
    with pytest.raises(TransportError) as caught:
        await transport.open()
    await transport.close()
    return caught.value


async def take(
    transport: BleTransport, n: int, into: list[RawChunk] | None = None
) -> list[RawChunk]:
    got: list[RawChunk] = [] if into is None else into
    async for chunk in transport.chunks():
        got.append(chunk)
        if len(got) >= n:
            break
    return got


def decode(chunks: list[RawChunk], decoder_key: str = "progressor") -> SampleBlock:
    dec = new_decoder(decoder_key)
    out = [b for c in chunks for b in dec.feed(c.t_host_s, c.data) if isinstance(b, SampleBlock)]
    return SampleBlock.concat(out)


@pytest.mark.asyncio
async def test_connect_retries_then_succeeds(bluez: FakeBluez) -> None:
    emu = ProgressorEmu()
    bluez.add(emu.periph).fail_connects = 2
    transport = progressor(address=ADDRESS, retry_pause_s=0.05)
    async with transport:
        assert transport.is_connected
    assert emu.periph.connect_attempts == 3 and emu.periph.connects == 1


@pytest.mark.asyncio
async def test_connect_failure_is_typed(bluez: FakeBluez) -> None:
    emu = ProgressorEmu()
    bluez.add(emu.periph).fail_connects = 100
    error = await reason_of(progressor(address=ADDRESS, retry_pause_s=0.05))
    assert error.reason is R.CONNECT_FAILED
    assert "3 attempts" in str(error) and "Software caused connection abort" in str(error)
    assert emu.periph.connect_attempts == 3


@pytest.mark.asyncio
async def test_device_not_found(bluez: FakeBluez) -> None:
    bluez.add(ProgressorEmu().periph)
    error = await reason_of(progressor(address="C0:FF:EE:99:99:99", find_timeout_s=0.4))
    assert error.reason is R.NOT_FOUND


@pytest.mark.asyncio
async def test_out_of_range_connect_times_out(bluez: FakeBluez) -> None:
    emu = ProgressorEmu()
    bluez.add(emu.periph)
    # heard once, then out of range before the connection attempt
    emu.periph.on_advertise = lambda p: setattr(p, "advertising", False)
    transport = progressor(address=ADDRESS, connect_timeout_s=0.4, connect_attempts=1)
    error = await reason_of(transport)
    assert error.reason is R.TIMEOUT
    assert (emu.periph.path, "org.bluez.Device1", "Disconnect") in bluez.calls  # bleak cancelled


@pytest.mark.asyncio
async def test_bluetooth_off(make_bluez: MakeBluez) -> None:
    fake = await make_bluez(powered=False)
    fake.add(ProgressorEmu().periph)
    error = await reason_of(progressor(address=ADDRESS))
    assert error.reason is R.ADAPTER_OFF and "Turn on Bluetooth" in str(error)
    (section,) = await scan_all([BleScanner(duration_s=0.1)])
    assert section.error.startswith(R.ADAPTER_OFF.value)


@pytest.mark.asyncio
async def test_no_adapter(make_bluez: MakeBluez) -> None:
    await make_bluez(adapter=False)
    assert (await reason_of(progressor(address=ADDRESS))).reason is R.NO_ADAPTER


@pytest.mark.asyncio
async def test_bluetoothd_not_running(make_bluez: MakeBluez) -> None:
    del make_bluez  # the private bus, and bleak released afterwards, but no org.bluez on it
    error = await reason_of(progressor(address=ADDRESS))
    assert error.reason is R.NO_ADAPTER and "bluetoothd" in str(error)


@pytest.mark.asyncio
async def test_permission_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    with PrivateBus(deny_bluez=True) as bus:
        assert bus.address is not None
        fake = await FakeBluez().start(bus.address)
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
        try:
            error = await reason_of(progressor(address=ADDRESS))
        finally:
            await release_bleak()
            await fake.stop()
    assert error.reason is R.PERMISSION_DENIED and "bluetooth' group" in str(error)


@pytest.mark.asyncio
async def test_names_must_be_unique_and_scans_never_connect(bluez: FakeBluez) -> None:
    one = bluez.add(ProgressorEmu("C0:FF:EE:00:01:01", "Progressor_A").periph)
    two = bluez.add(ProgressorEmu("C0:FF:EE:00:01:02", "Progressor_A").periph)
    bluez.add(ProgressorEmu("C0:FF:EE:00:01:03", "Progressor_B").periph)
    section = await BleScanner(duration_s=0.3).scan()
    assert len(section.found) == 3
    with pytest.raises(ConfigError, match="C0:FF:EE:00:01:01, C0:FF:EE:00:01:02"):
        await progressor(name="Progressor_A", find_timeout_s=1).open()
    assert one.connect_attempts == two.connect_attempts == 0
    assert not [c for c in bluez.calls if c[2] == "Connect"]
    async with progressor(name="Progressor_B") as picked:
        assert isinstance(picked, BleTransport) and picked.address == "C0:FF:EE:00:01:03"


@pytest.mark.asyncio
async def test_walk_away_mid_stream_keeps_everything_received(bluez: FakeBluez) -> None:
    emu = ProgressorEmu(speed=4.0)
    bluez.add(emu.periph)
    transport = progressor(address=ADDRESS, reconnect_find_s=0.3)
    async with transport:
        before = await take(transport, 80)
        await emu.periph.walk_away()
        with pytest.raises(TransportError) as lost:
            await take(transport, 10_000, into=before)
        assert lost.value.reason is R.DISCONNECTED
        assert len(before) == len(emu.delivered)  # every notification that arrived came out
        with pytest.raises(TransportError) as gone:
            await transport.reconnect()
        assert gone.value.reason is R.NOT_FOUND
        emu.periph.come_back()
        await transport.reconnect()
        after = await take(transport, 40)
    assert transport.connects == 2 and emu.starts == 2
    block = decode(before + after)
    sent = [kg * N_PER_KGF for kg, _ in (e.raw for e in emu.delivered)]
    assert block.column("force_n").tolist() == sent[: len(block)]
    gap = np.diff(block.t_s)[len(before) - 1]
    assert gap > 0.3  # the outage, measured on the host clock across the device's restart
    assert np.allclose(np.delete(np.diff(block.t_s), len(before) - 1), 0.0125)


@pytest.mark.asyncio
async def test_silent_device_counts_as_lost(bluez: FakeBluez) -> None:
    emu = ProgressorEmu()
    bluez.add(emu.periph)
    transport = progressor(address=ADDRESS, silence_timeout_s=0.3)
    async with transport:
        await take(transport, 5)
        emu.stop_stream()
        with pytest.raises(TransportError) as silent:
            await take(transport, 10_000)
        assert silent.value.reason is R.DISCONNECTED and "silent" in str(silent.value)
        assert not transport.is_connected and not emu.periph.connected


@pytest.mark.asyncio
async def test_bursts_padding_and_timestamp_wrap(bluez: FakeBluez) -> None:
    # five records per notification, clone padding, and a µs clock that wraps after 1 s
    emu = ProgressorEmu(records=5, clone_padding=True, clock_start_us=2**32 - 1_000_000, speed=4)
    bluez.add(emu.periph)
    async with progressor(address=ADDRESS) as transport:
        assert isinstance(transport, BleTransport)
        chunks = await take(transport, 48)  # 240 samples = 3 s of device time
    assert all(len(c.data) == 2 + 40 + 4 for c in chunks)
    block = decode(chunks)
    assert len(block) == 240
    assert np.allclose(np.diff(block.t_s), 0.0125, atol=1e-9)  # straight through the wrap
    sent = [e.raw for e in emu.delivered][:240]
    assert block.column("force_n").tolist() == [kg * N_PER_KGF for kg, _ in sent]
    assert sent[0][1] > 2**32 - 1_000_001 and sent[-1][1] < 2_000_000  # it did wrap


@pytest.mark.asyncio
async def test_witmotion_bursts_through_ble(bluez: FakeBluez) -> None:
    emu = WitMotionEmu(burst=4)
    bluez.add(emu.periph)
    spec = device_spec("witmotion-ble")
    transport = ble_transport_for(spec, BleSettings(address=emu.periph.address))
    assert isinstance(transport, BleTransport)
    async with transport:
        chunks = await take(transport, 3)
    assert all(len(c.data) == 80 for c in chunks)
    assert len(decode(chunks, "witmotion-ble")) == 12
    assert emu.write.writes[-1][0] == bytes.fromhex("FFAA272E00")  # no rate asked: none set


@pytest.mark.asyncio
async def test_low_power_warning_reaches_the_session(bluez: FakeBluez) -> None:
    emu = ProgressorEmu()
    bluez.add(emu.periph)
    keep = Keep()
    session = open_session(SessionOptions(device="progressor", address=ADDRESS), consumers=[keep])
    stop = asyncio.Event()
    run = asyncio.ensure_future(session.run(stop=stop))
    try:
        await until(lambda: len(keep) >= 40, 5, "samples")
        await emu.low_power()
        await until(lambda: keep.changes() == [LinkChange.LOST], 5, "the link loss")
    finally:
        stop.set()
        result = await asyncio.wait_for(run, 10)
    warnings = [m for m in result.messages if isinstance(m, DeviceMessage) and m.kind == "warning"]
    assert len(warnings) == 1 and "switching itself off" in warnings[0].text
    assert len(result.gaps) == 1 and result.gaps[0].end_t_s is None  # never came back
