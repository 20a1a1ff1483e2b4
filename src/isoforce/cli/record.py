"""``isoforce record``: stream a device through the pipeline into a CSV or JSON file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    open_output,
    positive_float,
    read_json_object,
    run_until_interrupted,
    speed_value,
)
from isoforce.cli.saving import add_save_arguments
from isoforce.devices.registry import DEVICES, device_spec
from isoforce.errors import ConfigError

if TYPE_CHECKING:  # the heavy modules load when a command runs, not for --help
    from isoforce.live import SessionOptions
    from isoforce.signal.calibration import Calibration
    from isoforce.signal.imu import MmgCalibration


def add_device_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every streaming command shares: device, rate, seed, speed and reference maxima."""
    parser.add_argument(
        "--device",
        default="sim",
        choices=sorted(DEVICES),
        help="device to read (default: sim, the built-in simulated load cell)",
    )
    parser.add_argument(
        "--rate",
        type=positive_float,
        default=None,
        metavar="HZ",
        help="sample rate (simulator: 10–2000 Hz, default 80)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="simulator random seed (same seed, same recording)"
    )
    parser.add_argument(
        "--speed",
        type=speed_value,
        default=1.0,
        metavar="X",
        help="simulator only: run X times faster than real time ('max' = as fast as possible)",
    )
    parser.add_argument(
        "--push-max",
        type=positive_float,
        default=None,
        metavar="N",
        help="push (PAILs) reference max in newtons",
    )
    parser.add_argument(
        "--pull-max",
        type=positive_float,
        default=None,
        metavar="N",
        help="pull (RAILs) reference max in newtons",
    )
    parser.add_argument(
        "--port",
        default=None,
        metavar="URL",
        help="serial devices: the port (/dev/ttyUSB0, COM3, socket://host:port; see 'isoforce scan')",
    )
    parser.add_argument(
        "--baud",
        type=positive_int,
        default=None,
        metavar="N",
        help="serial devices: baud rate (default: the device's usual rates are tried)",
    )
    parser.add_argument(
        "--address",
        default=None,
        metavar="ADDR",
        help="Bluetooth devices: the address to connect to (AA:BB:CC:DD:EE:FF; see 'isoforce scan')",
    )
    parser.add_argument(
        "--ble-name",
        default=None,
        metavar="NAME",
        help="Bluetooth devices: the advertised name instead of --address (must be unique nearby)",
    )
    parser.add_argument(
        "--calibration",
        default=None,
        metavar="FILE",
        help="calibration JSON (from 'isoforce calibrate'); needed by devices that report raw counts",
    )
    parser.add_argument(
        "--placement",
        choices=("shank", "thigh"),
        default="shank",
        help="IMU devices: where the IMU is strapped (default: shank; see docs/imu.md)",
    )
    parser.add_argument(
        "--mmg",
        default=None,
        metavar="FILE",
        help="IMU devices: this session's effort calibration (from 'isoforce imu calibrate')",
    )


def register(sub: Any) -> None:
    """Add the ``record`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "record",
        help="record a device to CSV or JSON (headless)",
        description="Stream a device through the live pipeline and write every sample to a file.",
    )
    add_device_arguments(p)
    p.add_argument(
        "--duration",
        type=positive_float,
        required=True,
        metavar="S",
        help="seconds of samples to record",
    )
    p.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="also write a CSV or JSON file ('-' for standard output); the session store always gets it",
    )
    add_save_arguments(p)
    p.add_argument(
        "--format",
        choices=("csv", "json"),
        default=None,
        help="file format (default: from the extension, else csv)",
    )
    p.set_defaults(handler=run_record)


def positive_int(text: str) -> int:
    """Argparse type: a whole number > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def load_calibration(path: str | None) -> Calibration | None:
    """Read a calibration JSON file (``Calibration.to_dict()``); None when no path is given."""
    if path is None:
        return None
    from isoforce.signal.calibration import Calibration

    return Calibration.from_dict(read_json_object(path, what="a calibration file"))


def session_options(args: argparse.Namespace, **extra: Any) -> SessionOptions:
    """The session the shared device arguments describe (``extra`` adds or overrides fields)."""
    from isoforce.live import SessionOptions

    fields: dict[str, Any] = {
        "device": args.device,
        "rate_hz": args.rate,
        "seed": args.seed,
        "speed": args.speed,
        "push_max_n": args.push_max,
        "pull_max_n": args.pull_max,
        "port": getattr(args, "port", None),
        "baud": getattr(args, "baud", None),
        "address": getattr(args, "address", None),
        "ble_name": getattr(args, "ble_name", None),
        "calibration": load_calibration(getattr(args, "calibration", None)),
        "imu_placement": getattr(args, "placement", "shank"),
        "imu_calibration": load_mmg(getattr(args, "mmg", None)),
    }
    fields.update(extra)
    return SessionOptions(**fields)


def load_mmg(path: str | None) -> MmgCalibration | None:
    """Read an MMG (effort estimate) calibration JSON file; None when no path is given."""
    if path is None:
        return None
    from isoforce.signal.imu import MmgCalibration

    return MmgCalibration.from_dict(read_json_object(path, what="an effort calibration"))


def run_record(args: argparse.Namespace) -> int:
    """Handler of ``isoforce record``."""
    from isoforce.cli.live_output import FileRows, LinkReporter, Progress, decode_summary
    from isoforce.devices.base import DeviceKind
    from isoforce.export.csv_writer import CsvSampleWriter
    from isoforce.export.json_writer import JsonRecordingWriter
    from isoforce.live.build import open_session
    from isoforce.recording import Recording, session_meta

    spec = device_spec(args.device)
    if spec.force_channel is None:
        raise ConfigError(
            f"{spec.key} is an IMU: 'record' records force devices; use the TUI for IMU views"
        )
    if args.out is None and args.no_save:
        print(
            "isoforce record: error: nothing would be kept: give --out or drop --no-save",
            file=sys.stderr,
        )
        return EXIT_USAGE
    fmt = args.format or ("json" if str(args.out).lower().endswith(".json") else "csv")
    options = session_options(args)
    session = open_session(
        options, consumers=[Progress(total_s=args.duration, label="recording"), LinkReporter()]
    )
    with contextlib.ExitStack() as stack:
        if args.out is not None:
            stream = stack.enter_context(open_output(args.out))
            writer = (
                JsonRecordingWriter(stream, meta=session_meta(session.header, options))
                if fmt == "json"
                else CsvSampleWriter(stream)
            )
            session.add(FileRows(writer))
        rec = stack.enter_context(Recording(data_dir=args.data_dir, save=not args.no_save))
        rec.attach(session, options)

        async def go(stop: asyncio.Event) -> None:
            await session.run(duration_s=args.duration, stop=stop)

        interrupted = run_until_interrupted(go)
    outcome = session.outcome
    assert outcome is not None
    where = (
        "the session store"
        if args.out is None
        else "standard output"
        if args.out == "-"
        else str(Path(args.out))
    )
    lost = f", {outcome.decode.samples_lost} lost" if outcome.decode.samples_lost else ""
    print(
        f"{'interrupted: ' if interrupted else ''}recorded {outcome.samples} samples "
        f"({outcome.last_t_s:.2f} s{lost}) to {where}",
        file=sys.stderr,
    )
    summary = decode_summary(outcome) if spec.transport is not DeviceKind.SIM else ""
    if summary:
        print(summary, file=sys.stderr)
    for line in rec.saved_lines():
        print(line, file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
