"""``isoforce calibrate``: turn a raw-count load cell into newtons with a known weight.

Two quiet windows: the empty cell, then the cell with a known mass on it (placed so that it
loads the cell like a push). The scale and zero go to a JSON file that ``record``, ``drill run``
and the TUI read with ``--calibration``. With an existing ``--calibration`` and no
``--known-kg``, only the zero is re-measured (a tare). Both windows must be quiet: a tare taken
while someone leans on the block would shift every later reading.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from isoforce.cli.common import EXIT_INTERRUPTED, EXIT_OK, run_until_interrupted
from isoforce.cli.output import open_output
from isoforce.cli.record import load_calibration
from isoforce.cli.values import BAUD, INTERVAL_S, MASS_KG, output_file
from isoforce.devices.registry import DEVICES, device_spec
from isoforce.errors import CalibrationError, ConfigError

if TYPE_CHECKING:
    from isoforce.signal.calibration import Calibration
    from isoforce.transports.base import Transport

#: Samples right after Enter are skipped while the load settles.
SETTLE_S = 0.5


def register(sub: Any) -> None:
    """Add the ``calibrate`` command."""
    serial_keys = sorted(
        k for k, s in DEVICES.items() if s.transport == "serial" and s.force_channel
    )
    p: argparse.ArgumentParser = sub.add_parser(
        "calibrate",
        help="calibrate a load cell with a known weight (or re-tare it)",
        description=(
            "Measure the empty cell and the cell with a known weight, and save the calibration "
            "as JSON for --calibration. Press Enter at each prompt."
        ),
    )
    p.add_argument("--device", required=True, choices=serial_keys, help="the load cell device")
    p.add_argument("--port", required=True, metavar="URL", help="its serial port")
    p.add_argument("--baud", type=BAUD, default=None, metavar="N", help="baud rate")
    p.add_argument(
        "--known-kg",
        type=MASS_KG,
        default=None,
        metavar="KG",
        help=f"mass of the calibration weight ({MASS_KG.span}; omit to only re-tare --calibration)",
    )
    p.add_argument(
        "--calibration", default=None, metavar="FILE", help="existing calibration to re-tare"
    )
    p.add_argument(
        "--out",
        type=output_file,
        default=None,
        metavar="FILE",
        help="where to save (default: --calibration)",
    )
    p.add_argument(
        "--window-s",
        type=INTERVAL_S,
        default=2.0,
        metavar="S",
        help=f"seconds averaged per step ({INTERVAL_S.span}; default 2)",
    )
    p.set_defaults(handler=run_calibrate)


class _Collector:
    """Reads the device in the background and keeps every raw value of the force channel."""

    def __init__(self, transport: Transport, channel: str, key: str) -> None:
        from isoforce.devices.registry import new_decoder

        self.transport = transport
        self.channel = channel
        self.decoder = new_decoder(key)
        self.raw: list[float] = []
        self.error: BaseException | None = None

    async def run(self) -> None:
        from isoforce.core.samples import SampleBlock

        try:
            async for chunk in self.transport.chunks():
                for item in self.decoder.feed(chunk.t_host_s, chunk.data):
                    if isinstance(item, SampleBlock) and item.has(self.channel):
                        self.raw.extend(item.column(self.channel).tolist())
        except Exception as exc:  # reported by the step that needed the samples
            self.error = exc

    async def window(self, seconds: float) -> np.ndarray[Any, np.dtype[np.float64]]:
        await asyncio.sleep(SETTLE_S)
        start = len(self.raw)
        await asyncio.sleep(seconds)
        if self.error is not None:
            raise self.error
        return np.asarray(self.raw[start:], dtype=np.float64)


async def _wait_for_enter(prompt: str) -> None:
    print(prompt, flush=True)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def on_input() -> None:
        if not done.done():
            done.set_result(sys.stdin.readline())

    try:
        fd = sys.stdin.fileno()
        loop.add_reader(fd, on_input)
    except (NotImplementedError, OSError, ValueError):
        line = await asyncio.to_thread(sys.stdin.readline)
    else:
        try:
            line = await done
        finally:
            loop.remove_reader(fd)
    if line == "":
        raise CalibrationError("no answer on standard input; run calibrate in a terminal")


def _summary(name: str, raw: np.ndarray[Any, np.dtype[np.float64]]) -> str:
    if raw.size < 5:
        raise CalibrationError(
            f"only {raw.size} samples while measuring {name}: is the device streaming?"
        )
    return f"  {name}: mean {np.mean(raw):.1f}, SD {np.std(raw):.1f} over {raw.size} samples"


def run_calibrate(args: argparse.Namespace) -> int:
    """Handler of ``isoforce calibrate``."""
    from isoforce.signal.calibration import calibrate_with_weight, tare_offset
    from isoforce.transports.serial import serial_transport_for

    spec = device_spec(args.device)
    existing = load_calibration(args.calibration)
    if args.known_kg is None and existing is None:
        raise ConfigError("give --known-kg (a full calibration) or --calibration FILE (re-tare)")
    out = args.out or args.calibration
    if out is None:
        raise ConfigError("give --out FILE: where to save the calibration")
    assert spec.force_channel is not None
    transport = serial_transport_for(spec, args.port, baud=args.baud)
    result: dict[str, Calibration] = {}

    async def go(stop: asyncio.Event) -> None:
        del stop
        collector = _Collector(transport, spec.force_channel or "load_raw", spec.key)
        async with transport:
            task = asyncio.ensure_future(collector.run())
            try:
                await _wait_for_enter(
                    "Step 1: take all load off the block, keep still, then press Enter."
                )
                empty = await collector.window(args.window_s)
                print(_summary("empty", empty), flush=True)
                if args.known_kg is None:
                    assert existing is not None
                    result["cal"] = existing.with_tare(tare_offset(raw=empty, calibration=existing))
                    return
                await _wait_for_enter(
                    f"Step 2: put the {args.known_kg:g} kg weight on the cell the way a push "
                    "loads it, keep still, then press Enter."
                )
                loaded = await collector.window(args.window_s)
                print(_summary("loaded", loaded), flush=True)
                result["cal"] = calibrate_with_weight(
                    empty_raw=empty, loaded_raw=loaded, mass_kg=args.known_kg
                )
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    interrupted = run_until_interrupted(go)
    if interrupted or "cal" not in result:
        print("calibration not saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    cal = result["cal"]
    with open_output(out) as file:
        file.text.write(json.dumps(cal.to_dict(), indent=2) + "\n")
    print(
        f"saved {out}: {1 / cal.n_per_raw:.3f} raw units per newton, zero at {cal.offset_raw:.1f}"
    )
    print(f"use it with: --device {spec.key} --port {args.port} --calibration {out}")
    return EXIT_OK
