"""The serial transport against real ptys (opened by real pyserial), sockets and loop://."""

from __future__ import annotations

import asyncio
import errno
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import serial

from isoforce.core.samples import SampleBlock
from isoforce.devices.hx711_lines import Hx711LineDecoder
from isoforce.devices.registry import device_spec
from isoforce.devices.witmotion_uart import WitMotionDecoder
from isoforce.errors import TransportError, TransportErrorReason
from isoforce.transports.serial import SerialSettings, SerialTransport, serial_transport_for
from isoforce.transports.serial_ports import open_error
from tests.serial_devices.serial_emulators import (
    EmulatorFactory,
    Hx711Text,
    WitMotionUart,
    wait_until,
)

HX711 = device_spec("hx711")


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("isoforce-serial")]


async def collect(
    transport: SerialTransport,
    decoder: object,
    until: Callable[[list[float]], bool],
    timeout_s: float,
) -> list[float]:
    """Decode chunks into a list of first-channel values until ``until(values)``."""
    values: list[float] = []

    async def go() -> None:
        async for chunk in transport.chunks():
            for item in decoder.feed(chunk.t_host_s, chunk.data):  # type: ignore[attr-defined]
                if isinstance(item, SampleBlock):
                    values.extend(item.values[:, 0].tolist())
            if until(values):
                return

    try:
        await asyncio.wait_for(go(), timeout_s)
    except TimeoutError:
        raise AssertionError(f"timed out with {values}") from None
    return values


def test_hx711_lines_at_80_hz_through_a_pty(emulate: EmulatorFactory) -> None:
    emu = emulate(Hx711Text(rate_hz=80.0))

    async def main() -> list[float]:
        transport = serial_transport_for(HX711, str(emu.link.path), baud=57600)
        async with transport:
            emu.start()
            t0 = time.monotonic()
            got = await collect(transport, Hx711LineDecoder(), lambda v: len(v) >= 40, 5.0)
            elapsed = time.monotonic() - t0
        # 40 lines at 80 Hz arrive at the device's pace, not in one burst (a lower bound only:
        # a loaded machine can make them later, never earlier; how late is not a test)
        assert elapsed > 0.3
        return got

    got = asyncio.run(main())
    sent = [float(s.truth) for s in emu.ledger.intact]  # type: ignore[arg-type]
    assert got == sent[: len(got)]
    assert not reader_threads()


def test_a_line_written_at_once_never_comes_in_two_chunks(emulate: EmulatorFactory) -> None:
    """The reader wakes on a line's first byte and takes the rest with it (two chunks would
    wake the event loop and the decoder twice for one sample); lines that come within 25 ms of
    the last chunk join the next one."""
    emu = emulate(Hx711Text(rate_hz=80.0))

    async def main() -> list[bytes]:
        chunks: list[bytes] = []
        transport = serial_transport_for(HX711, str(emu.link.path), baud=57600)
        async with transport:
            emu.start()
            async for chunk in transport.chunks():
                chunks.append(chunk.data)
                if sum(c.count(b"\n") for c in chunks) >= 40:
                    break
        return chunks

    chunks = asyncio.run(main())
    lines = sum(c.count(b"\n") for c in chunks)
    # several lines may come in one chunk, never one line in two
    assert len(chunks) <= lines, [c for c in chunks if b"\n" not in c]


def test_witmotion_baud_rate_is_found(emulate: EmulatorFactory) -> None:
    # The device answers only at 115200; at the 9600 tried first the host sees noise.
    emu = emulate(WitMotionUart(rate_hz=200.0), device_baud=115200).start()
    spec = device_spec("witmotion")

    async def main() -> tuple[int | None, list[float]]:
        transport = serial_transport_for(spec, str(emu.link.path))
        async with transport:
            got = await collect(transport, WitMotionDecoder(), lambda v: len(v) >= 20, 10.0)
            return transport.baud, got

    baud, got = asyncio.run(main())
    assert baud == 115200
    assert emu.ledger.of("noise"), "the emulator never saw the wrong baud rate"
    assert all(np.isfinite(got))


def test_loop_url_echoes_what_is_sent() -> None:
    async def main() -> bytes:
        transport = SerialTransport(HX711, SerialSettings(url="loop://", baud=57600))
        got = b""
        async with transport:
            await transport.send(b"HX711 reading: 5\r\n")
            async for chunk in transport.chunks():
                got += chunk.data
                if got.endswith(b"\n"):
                    break
        return got

    assert asyncio.run(main()) == b"HX711 reading: 5\r\n"


def test_socket_url() -> None:
    async def main() -> list[float]:
        writers: list[asyncio.StreamWriter] = []

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # a device behind a serial-to-network bridge streams on; what arrives before the
            # port is open is flushed by pyserial, as on a real port
            writers.append(writer)
            for i in range(1000):
                writer.write(b"HX711 reading: %d\r\n" % i)
                await writer.drain()
                await asyncio.sleep(0.005)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            transport = serial_transport_for(HX711, f"socket://127.0.0.1:{port}", baud=57600)
            async with transport:
                return await collect(transport, Hx711LineDecoder(), lambda v: len(v) >= 10, 5.0)
        finally:
            for w in writers:
                w.close()
            server.close()
            await server.wait_closed()

    got = asyncio.run(main())
    assert len(got) >= 10 and np.all(np.diff(got) == 1.0)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/dev/no-such-tty", TransportErrorReason.NOT_FOUND),
        ("nonsense://x", TransportErrorReason.BAD_ADDRESS),
        ("/dev/null", TransportErrorReason.BAD_ADDRESS),
        ("socket://127.0.0.1:1", TransportErrorReason.NOT_FOUND),
    ],
)
def test_open_errors_are_typed(url: str, reason: TransportErrorReason) -> None:
    async def main() -> None:
        await SerialTransport(HX711, SerialSettings(url=url, baud=9600)).open()

    with pytest.raises(TransportError) as info:
        asyncio.run(main())
    assert info.value.reason is reason


def test_permission_and_busy_errors_say_what_to_do() -> None:
    denied = open_error("/dev/ttyUSB0", serial.SerialException(errno.EACCES, "could not open port"))
    assert denied.reason is TransportErrorReason.PERMISSION_DENIED
    assert "dialout" in str(denied)
    busy = open_error("/dev/ttyUSB0", serial.SerialException(errno.EBUSY, "could not open port"))
    assert busy.reason is TransportErrorReason.IO and "another program" in str(busy)


def test_unplug_replug_reconnects_within_two_seconds(emulate: EmulatorFactory) -> None:
    emu = emulate(Hx711Text(rate_hz=80.0))

    async def main() -> None:
        transport = serial_transport_for(HX711, str(emu.link.path), baud=57600)
        decoder = Hx711LineDecoder()
        async with transport:
            emu.start()
            await collect(transport, decoder, lambda v: len(v) >= 10, 5.0)
            emu.unplug()
            with pytest.raises(TransportError) as lost:
                await collect(transport, decoder, lambda v: False, 5.0)
            assert lost.value.reason is TransportErrorReason.DISCONNECTED
            with pytest.raises(TransportError) as absent:
                await transport.reconnect()
            assert absent.value.reason is TransportErrorReason.NOT_FOUND
            emu.replug()
            # what the runner does: retry every 0.5 s (how soon it is back: scripts/bench
            # --only serial-reconnect); the deadline only stops a hang
            deadline = time.monotonic() + 10.0
            while True:
                try:
                    await transport.reconnect()
                    break
                except TransportError:
                    assert time.monotonic() < deadline, "no reconnect after the port came back"
                    await asyncio.sleep(0.5)
            after = await collect(transport, decoder, lambda v: len(v) >= 10, 5.0)
            assert len(after) >= 10

    asyncio.run(main())
    assert not reader_threads()


def test_device_that_stops_mid_frame_is_a_lost_link_until_it_talks(
    emulate: EmulatorFactory,
) -> None:
    emu = emulate(Hx711Text(rate_hz=80.0))
    settings = SerialSettings(
        url=str(emu.link.path), baud=57600, silence_timeout_s=0.3, first_data_timeout_s=0.3
    )

    async def main() -> Hx711LineDecoder:
        transport = SerialTransport(HX711, settings)
        decoder = Hx711LineDecoder()
        async with transport:
            emu.start()
            await collect(transport, decoder, lambda v: len(v) >= 5, 5.0)
            emu.stop_mid_frame()
            with pytest.raises(TransportError) as lost:
                await collect(transport, decoder, lambda v: False, 5.0)
            assert lost.value.reason is TransportErrorReason.DISCONNECTED
            with pytest.raises(TransportError) as silent:
                await transport.reconnect()  # the port is there but the device says nothing
            assert silent.value.reason is TransportErrorReason.TIMEOUT
            emu.resume()
            await transport.reconnect()
            await collect(transport, decoder, lambda v: len(v) >= 5, 5.0)
        return decoder

    decoder = asyncio.run(main())
    assert decoder.stats.resyncs >= 1  # the half line was dropped and counted


def test_a_port_that_never_sends_is_a_clear_timeout(
    tmp_path: Path, emulate: EmulatorFactory
) -> None:
    emu = emulate(Hx711Text())  # never started: silent
    settings = SerialSettings(url=str(emu.link.path), baud=57600, first_data_timeout_s=0.3)

    async def main() -> None:
        async with SerialTransport(HX711, settings) as transport:
            assert isinstance(transport, SerialTransport)
            async for _ in transport.chunks():
                pass

    with pytest.raises(TransportError) as info:
        asyncio.run(main())
    assert info.value.reason is TransportErrorReason.TIMEOUT
    assert "no data" in str(info.value)


def test_close_returns_and_is_idempotent(emulate: EmulatorFactory) -> None:
    emu = emulate(Hx711Text()).start()

    async def main() -> None:
        transport = serial_transport_for(HX711, str(emu.link.path), baud=57600)
        await transport.open()
        assert reader_threads()
        # the deadline only stops a hang (a close waiting on a blocked read); no speed assert
        await asyncio.wait_for(transport.close(), 10.0)
        await asyncio.wait_for(transport.close(), 10.0)

    asyncio.run(main())
    wait_until(lambda: not reader_threads(), 2.0, "reader thread to end")


def test_a_consumer_stops_when_cancelled_mid_stream(emulate: EmulatorFactory) -> None:
    # Stopping a run cancels the task reading chunks(); the cancel must never be lost, even
    # when it lands just as a chunk arrives (asyncio.wait_for on Python 3.11 could lose it).
    emu = emulate(Hx711Text(rate_hz=1000.0)).start()

    async def main() -> int:
        transport = serial_transport_for(HX711, str(emu.link.path), baud=57600)
        stopped = 0
        async with transport:
            for i in range(40):
                got = asyncio.Event()

                async def consume(got: asyncio.Event = got) -> None:
                    async for _ in transport.chunks():
                        got.set()

                task = asyncio.ensure_future(consume())
                await asyncio.wait_for(got.wait(), 5)
                await asyncio.sleep(0.001 * (i % 7))
                task.cancel()
                done, _ = await asyncio.wait({task}, timeout=2)
                assert done, "the consumer ignored its cancellation"
                stopped += 1
        return stopped

    assert asyncio.run(main()) == 40
