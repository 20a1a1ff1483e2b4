"""``isoforce record``: stream a device through the pipeline into a CSV or JSON file."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isoforce import __version__
from isoforce.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    open_output,
    positive_float,
    run_until_interrupted,
    speed_value,
)
from isoforce.devices.registry import DEVICES, device_spec, new_decoder
from isoforce.errors import ConfigError

if TYPE_CHECKING:  # the heavy modules load when a command runs, not for --help
    from isoforce.runner import Guidance, Sink
    from isoforce.signal.effort import EffortReference
    from isoforce.signal.pipeline import ProcessedBlock
    from isoforce.transports.sim import SimTransport


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
        "--out", required=True, metavar="PATH", help="output file ('-' for standard output)"
    )
    p.add_argument(
        "--format",
        choices=("csv", "json"),
        default=None,
        help="file format (default: from the extension, else csv)",
    )
    p.set_defaults(handler=run_record)


def make_sim_transport(args: argparse.Namespace) -> SimTransport:
    """The simulated device the arguments ask for."""
    from isoforce.transports.clock import Clock
    from isoforce.transports.sim import SimSettings, SimTransport

    spec = device_spec(args.device)
    rate = args.rate if args.rate is not None else spec.nominal_rate_hz
    settings = SimSettings(rate_hz=rate, seed=args.seed)
    return SimTransport(spec, settings=settings, clock=Clock(args.speed))


def reference_from_args(args: argparse.Namespace, transport: SimTransport) -> EffortReference:
    """Maxima from the command line, else (simulator only) the virtual athlete's own maxima."""
    from isoforce.signal.effort import EffortReference

    athlete = transport.settings.athlete
    push = args.push_max if args.push_max is not None else athlete.push_max_n
    pull = args.pull_max if args.pull_max is not None else athlete.pull_max_n
    return EffortReference(push_max_n=push, pull_max_n=pull)


class Progress:
    """A one-line progress display on stderr when it is a terminal (silent otherwise)."""

    def __init__(self, *, total_s: float | None, label: str) -> None:
        self.total_s = total_s
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def update(self, block: ProcessedBlock, guidance: Guidance | None) -> None:
        """Redraw at most 10 times a second."""
        del guidance
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        t = float(block.t_s[-1])
        force = float(block.display_force_n[-1])
        effort = float(block.effort_pct[-1])
        effort_txt = f"{effort:6.1f} %" if effort == effort else "   n/a"
        total = f" / {self.total_s:.1f}" if self.total_s else ""
        sys.stderr.write(
            f"\r{self.label} {t:6.1f}{total} s   force {force:8.1f} N   effort {effort_txt}  "
        )
        sys.stderr.flush()

    def done(self) -> None:
        """End the progress line."""
        if self.enabled:
            sys.stderr.write("\n")


def run_record(args: argparse.Namespace) -> int:
    """Handler of ``isoforce record``."""
    from isoforce.export.csv_writer import CsvSampleWriter
    from isoforce.export.json_writer import JsonRecordingWriter
    from isoforce.runner import SessionRunner, pipeline_for

    spec = device_spec(args.device)
    if spec.force_channel is None:
        raise ConfigError(
            f"{spec.key} is an IMU: 'record' records force devices; use the TUI for IMU views"
        )
    fmt = args.format or ("json" if str(args.out).lower().endswith(".json") else "csv")
    transport = make_sim_transport(args)
    reference = reference_from_args(args, transport)
    pipeline = pipeline_for(spec, fs_hz=transport.settings.rate_hz, reference=reference)
    manifest = {
        "isoforce_version": __version__,
        "device": {
            "key": spec.key,
            "title": spec.title,
            "capabilities": spec.capabilities.describe(),
        },
        "rate_hz": transport.settings.rate_hz,
        "seed": args.seed,
        "calibration": pipeline.calibration.to_dict(),
        "reference": {
            "push_max_n": reference.push_max_n,
            "pull_max_n": reference.pull_max_n,
            "kind": "pain_free",
        },
    }
    progress = Progress(total_s=args.duration, label="recording")
    interrupted = False
    with open_output(args.out) as stream:
        sink: Sink = (
            JsonRecordingWriter(stream, manifest=manifest)
            if fmt == "json"
            else CsvSampleWriter(stream)
        )
        runner = SessionRunner(
            transport=transport,
            decoder=new_decoder(spec.key),
            pipeline=pipeline,
            sinks=[sink],
            on_block=progress.update,
        )

        async def go(stop: asyncio.Event) -> None:
            await runner.run(duration_s=args.duration, stop=stop)

        interrupted = run_until_interrupted(go)
    progress.done()
    result = runner.result
    where = "standard output" if args.out == "-" else str(Path(args.out))
    lost = f", {result.decode.samples_lost} lost" if result.decode.samples_lost else ""
    print(
        f"{'interrupted: ' if interrupted else ''}recorded {result.samples} samples "
        f"({result.last_t_s:.2f} s{lost}) to {where}",
        file=sys.stderr,
    )
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
