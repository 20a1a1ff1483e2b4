"""``isoforce record``: stream a device through the pipeline into a CSV or JSON file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import (
    EXIT_USAGE,
    read_json_object,
    run_until_interrupted,
)
from isoforce.cli.output import OutputError, open_output, output_format
from isoforce.cli.saving import (
    add_athlete_argument,
    add_save_arguments,
    keeps_nothing,
    recording_exit,
)
from isoforce.cli.values import BAUD, DURATION_S, FORCE_N, RATE_HZ, SEED, SPEED, output_file
from isoforce.devices.commands import DeviceCommand, parse_device_command
from isoforce.devices.registry import DEVICES, device_spec
from isoforce.errors import ConfigError

if TYPE_CHECKING:  # the heavy modules load when a command runs, not for --help
    from isoforce.live import LiveSession, SessionOptions
    from isoforce.signal.calibration import Calibration
    from isoforce.signal.imu import MmgCalibration


def add_device_arguments(parser: argparse.ArgumentParser, *, remembered: bool = False) -> None:
    """Options every streaming command shares: device, rate, seed, speed and reference maxima.

    ``remembered``: the device defaults to the one the athlete used last (``None`` here; the
    handler chooses), else the simulator.
    """
    parser.add_argument(
        "--device",
        default=None if remembered else "sim",
        choices=sorted(DEVICES),
        help="device to read (default: "
        + ("the athlete's last, else " if remembered else "")
        + "sim, the built-in simulated load cell)",
    )
    parser.add_argument(
        "--rate",
        type=RATE_HZ,
        default=None,
        metavar="HZ",
        help=f"sample rate ({RATE_HZ.span}; simulator: 10–2000 Hz, default 80)",
    )
    parser.add_argument(
        "--seed",
        type=SEED,
        default=0,
        help=f"simulator random seed ({SEED.span}; same seed, same recording)",
    )
    parser.add_argument(
        "--speed",
        type=SPEED,
        default=1.0,
        metavar="X",
        help=f"simulator only: run X times faster than real time ({SPEED.span}; "
        "'max' = as fast as possible)",
    )
    parser.add_argument(
        "--push-max",
        type=FORCE_N,
        default=None,
        metavar="N",
        help=f"push (PAILs) reference max in newtons ({FORCE_N.span})",
    )
    parser.add_argument(
        "--pull-max",
        type=FORCE_N,
        default=None,
        metavar="N",
        help=f"pull (RAILs) reference max in newtons ({FORCE_N.span})",
    )
    parser.add_argument(
        "--port",
        default=None,
        metavar="URL",
        help="serial devices: the port (/dev/ttyUSB0, COM3, socket://host:port; see 'isoforce scan')",
    )
    parser.add_argument(
        "--baud",
        type=BAUD,
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
    add_imu_arguments(parser)


#: The devices ``--imu`` takes: IMUs with no force channel of their own.
IMU_KEYS = tuple(
    k for k, s in sorted(DEVICES.items()) if s.capabilities.imu and not s.force_channel
)


def add_imu_arguments(parser: argparse.ArgumentParser) -> None:
    """``--imu`` and its link options: a second device, an IMU, paired with the force device."""
    parser.add_argument(
        "--imu",
        default=None,
        choices=IMU_KEYS,
        help="also read this IMU on its own link, on the force device's timeline "
        "(angle, stillness, force at angle; see docs/devices.md)",
    )
    parser.add_argument(
        "--imu-port",
        default=None,
        metavar="URL",
        help="--imu on a serial link: its port (as --port)",
    )
    parser.add_argument(
        "--imu-baud",
        type=BAUD,
        default=None,
        metavar="N",
        help="--imu on a serial link: its baud rate (default: its usual rates are tried)",
    )
    parser.add_argument(
        "--imu-address",
        default=None,
        metavar="ADDR",
        help="--imu over Bluetooth: its address (as --address)",
    )
    parser.add_argument(
        "--imu-ble-name",
        default=None,
        metavar="NAME",
        help="--imu over Bluetooth: its advertised name instead of --imu-address",
    )


def register(sub: Any) -> None:
    """Add the ``record`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "record",
        help="record a device to CSV or JSON (headless)",
        description="Stream a device through the live pipeline and write every sample to a file.",
    )
    add_device_arguments(p, remembered=True)
    add_athlete_argument(p)
    p.add_argument(
        "--duration",
        type=DURATION_S,
        required=True,
        metavar="S",
        help=f"seconds of samples to record ({DURATION_S.span})",
    )
    p.add_argument(
        "--out",
        type=output_file,
        default=None,
        metavar="PATH",
        help="also write a CSV or JSON file ('-' for standard output); the session store always gets it",
    )
    p.add_argument(
        "--send",
        type=device_command,
        action="append",
        default=[],
        metavar="[T:]CMD",
        help="isoforce firmware only: write the command line CMD to the device when the "
        "recording reaches T seconds (default 0: at once); repeatable, e.g. --send 'r 40' "
        "--send 10:t (commands: firmware_notes/README.md). Its replies are printed at the end",
    )
    add_save_arguments(p)
    p.add_argument(
        "--format",
        choices=("csv", "json"),
        default=None,
        help="file format (default: from the extension, else csv)",
    )
    p.set_defaults(handler=run_record)


def device_command(text: str) -> DeviceCommand:
    """The argparse type of ``--send``: ``CMD`` or ``T:CMD``."""
    try:
        return parse_device_command(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def load_calibration(path: str | None) -> Calibration | None:
    """Read a calibration JSON file (``Calibration.to_dict()``); None when no path is given."""
    if path is None:
        return None
    from isoforce.signal.calibration import Calibration

    return Calibration.from_dict(read_json_object(path, what="a calibration file"))


def session_options(args: argparse.Namespace, **extra: Any) -> SessionOptions:
    """The session the shared device arguments describe (``extra`` adds or overrides fields).

    Every command that opens a session comes through here, so this is where an EXPERIMENTAL
    device says so (one line on standard error) before it is used.
    """
    from isoforce.live import SessionOptions

    if args.device and args.device in DEVICES:
        warning = DEVICES[args.device].experimental_note()
        if warning:
            print(f"warning: {warning}", file=sys.stderr)

    fields: dict[str, Any] = {
        "device": args.device or "sim",
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
        "device_commands": tuple(getattr(args, "send", None) or ()),
        "imu_device": getattr(args, "imu", None),
        "imu_port": getattr(args, "imu_port", None),
        "imu_baud": getattr(args, "imu_baud", None),
        "imu_address": getattr(args, "imu_address", None),
        "imu_ble_name": getattr(args, "imu_ble_name", None),
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
    from isoforce.cli.athlete import remember_run, remembered_device
    from isoforce.cli.live_output import (
        FileRows,
        LinkReporter,
        Progress,
        decode_summary,
        device_dialogue,
    )
    from isoforce.devices.base import DeviceKind
    from isoforce.export.csv_writer import CsvSampleWriter
    from isoforce.export.json_writer import JsonRecordingWriter
    from isoforce.live.build import open_session
    from isoforce.recording import Recording, session_meta

    if keeps_nothing(args, "record"):
        return EXIT_USAGE
    fmt = output_format(args.out, args.format, ("csv", "json"))
    failure: OutputError | None = None
    session: LiveSession | None = None
    try:
        with contextlib.ExitStack() as stack:
            rec = stack.enter_context(
                Recording(data_dir=args.data_dir, save=not args.no_save, athlete=args.athlete)
            )
            notes = [rec.athlete_line(), *remembered_device(rec, args)]
            for line in notes:
                if line:
                    print(line, file=sys.stderr)
            spec = device_spec(args.device)
            if spec.force_channel is None:
                raise ConfigError(
                    f"{spec.key} is an IMU: 'record' records force devices; use the TUI for "
                    "IMU views"
                )
            options = session_options(args)
            session = open_session(
                options,
                consumers=[Progress(total_s=args.duration, label="recording"), LinkReporter()],
            )
            if args.out is not None:
                out = stack.enter_context(open_output(args.out, keep_partial=True))
                writer = (
                    JsonRecordingWriter(
                        out.text,
                        meta=session_meta(session.header, options, profile=rec.profile),
                    )
                    if fmt == "json"
                    else CsvSampleWriter(out.text)
                )
                session.add(FileRows(writer, out))
            rec.attach(session, options, keep_going=args.out is not None)
            live = session

            async def go(stop: asyncio.Event) -> None:
                await live.run(duration_s=args.duration, stop=stop)

            interrupted = run_until_interrupted(go)
            if live.outcome is not None and not live.outcome.error:
                remember_run(rec, args)
    except OutputError as exc:  # the file failed; the session went on into the store
        if session is None or session.outcome is None:
            raise
        failure = exc
    assert session is not None
    outcome = session.outcome
    assert outcome is not None
    where = (
        ("nowhere (--no-save)" if args.no_save else "the session store")
        if args.out is None or failure is not None
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
    for line in device_dialogue(outcome):
        print(line, file=sys.stderr)
    for line in rec.saved_lines():
        print(line, file=sys.stderr)
    return recording_exit(rec, failure, interrupted=interrupted)
