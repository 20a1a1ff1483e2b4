"""Run the fake bluetoothd with emulated devices as its own process (CLI tests, benchmarks).

    python -m tests.ble.ble_fake_run --bus ADDRESS progressor forceboard:C0:FF:EE:00:02:09 ...

Devices: ``progressor``, ``clone`` (Progressor with pad bytes), ``forceboard``, ``wh-c06``,
``witmotion``, ``isoforce``, ``other`` (an unrelated device), those of ``emu_kinds``,
and those of :data:`MORE_EMULATORS` (``cts500``, ``vernier-gdx``, ``movesense``, ``activ5``);
``KIND:ADDRESS`` sets the address.
Prints ``ready`` once ``org.bluez`` is owned, runs until stdin closes or SIGTERM, then writes
what every emulator delivered to ``--ledger`` (JSON: address → list of raw values and send
times) if given. ``--speed`` accelerates the emulators' sample clocks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.ble.ble_emulators import Emulator, ForceBoardEmu, ProgressorEmu, WhC06Emu, WitMotionEmu
from tests.ble.ble_fake_bluez import FakeBluez
from tests.ble.ble_isoforce_emu import IsoforceNusEmu
from tests.ble.ble_model import Peripheral, Service
from tests.ble.emu_activ5 import Activ5Emu
from tests.ble.emu_cts500 import Cts500Emu
from tests.ble.emu_kinds import EMULATORS
from tests.ble.emu_movesense import MovesenseEmu
from tests.ble.emu_vernier_gdx import VernierGdxEmu
from tests.paths import python_env

Made = Emulator | WhC06Emu | Peripheral
#: Emulators made by kind from their keyword arguments (address, speed): one line per device.
MORE_EMULATORS: dict[str, Callable[..., Emulator]] = {
    "cts500": Cts500Emu,
    "vernier-gdx": VernierGdxEmu,
    "movesense": MovesenseEmu,
    "activ5": Activ5Emu,
}


def make(kind: str, address: str | None, speed: float) -> Made:
    """One emulated device."""
    kw: dict[str, Any] = {"address": address} if address else {}
    if kind in ("progressor", "clone"):
        return ProgressorEmu(clone_padding=kind == "clone", speed=speed, **kw)
    if kind == "forceboard":
        return ForceBoardEmu(speed=speed, **kw)
    if kind == "wh-c06":
        return WhC06Emu(profile=lambda t: 20.0 + t, **kw)  # every reading differs
    if kind == "witmotion":
        return WitMotionEmu(speed=speed, **kw)
    if kind == "isoforce":
        return IsoforceNusEmu(speed=speed, **kw)
    if kind in EMULATORS:
        return EMULATORS[kind](address, speed)
    if kind in MORE_EMULATORS:
        return MORE_EMULATORS[kind](speed=speed, **kw)
    if kind == "other":
        return Peripheral(address or "11:22:33:44:55:66", "JBL Flip 5", [Service("180f", [])])
    raise SystemExit(f"unknown device kind {kind!r}")


async def main(args: argparse.Namespace) -> None:
    """Serve until told to stop; then write the ledger."""
    fake = await FakeBluez(powered=not args.off).start(args.bus)
    made: list[Made] = []
    for spec in args.devices:
        kind, _, address = spec.partition(":")
        emu = make(kind, address or None, args.speed)
        fake.add(emu if isinstance(emu, Peripheral) else emu.periph)
        made.append(emu)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    print("ready", flush=True)
    await stop.wait()
    if args.ledger:
        out = {
            e.periph.address: {
                "raw": [list(x.raw) for x in e.ledger if x.delivered],
                "t_wall_s": [x.t_wall_s for x in e.ledger if x.delivered],
            }
            for e in made
            if not isinstance(e, Peripheral)
        }
        Path(args.ledger).write_text(json.dumps(out))
    with contextlib.suppress(Exception):
        await fake.stop()


class FakeBluezProcess:
    """This script as a subprocess on a private bus; stopped (and reaped) on exit, always."""

    def __init__(
        self,
        bus_address: str,
        devices: list[str],
        *,
        speed: float = 1.0,
        ledger: Path | None = None,
        off: bool = False,
    ) -> None:
        self.ledger = ledger
        cmd = [sys.executable, "-m", "tests.ble.ble_fake_run", "--bus", bus_address]
        cmd += ["--speed", str(speed)]
        if off:
            cmd.append("--off")
        if ledger is not None:
            cmd += ["--ledger", str(ledger)]
        self.proc = subprocess.Popen(
            [*cmd, *devices],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=python_env(),
        )

    def wait_ready(self, timeout_s: float = 20.0) -> None:
        """Block until the fake owns org.bluez (it prints ``ready``)."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if select.select([self.proc.stdout], [], [], 0.1)[0]:
                line = self.proc.stdout.readline()
                if line.strip() == b"ready":
                    return
                if not line and self.proc.poll() is not None:
                    break
        self.stop()
        raise RuntimeError("the fake bluetoothd process did not start")

    def ledger_data(self) -> dict[str, dict[str, list[Any]]]:
        """What each emulator delivered (after :meth:`stop`)."""
        assert self.ledger is not None
        data: dict[str, dict[str, list[Any]]] = json.loads(self.ledger.read_text())
        return data

    def stop(self) -> None:
        """Close its stdin (it writes the ledger and leaves); terminate or kill if it lingers."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> FakeBluezProcess:
        self.wait_ready()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bus", required=True, help="the private bus address")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--ledger", default=None, help="write delivered samples here on exit")
    parser.add_argument("--off", action="store_true", help="the adapter is switched off")
    parser.add_argument("devices", nargs="+")
    asyncio.run(main(parser.parse_args()))
