#!/usr/bin/env python3
"""Run the Uno firmware in simavr with a simulated HX711 and its serial port on a pty.

    python3 firmware_notes/simavr_run.py --seconds 120 --seed 3
    isoforce record --device isoforce-serial --port /dev/pts/N --duration 60 --out hold.csv

Builds the firmware (build_avr.py) and the simulator harness (simavr/hx711_sim.c, on Debian's
libsimavr) into --out (default: a new temporary directory), generates a known force waveform
(holds, ramps, steps, a pull, seeded noise; or takes --wave FILE of counts, one per line),
starts the harness and prints the pty to read. Stops after --seconds of simulated time, or on
Ctrl-C; then prints the harness's statistics. Needs gcc, simavr, libsimavr-dev and the AVR
toolchain (see build_avr.py). How it works and what it proves: simavr.md.

The test suite imports this file (tests/firmware/test_firmware_in_the_loop.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
HARNESS_SOURCE = HERE / "simavr" / "hx711_sim.c"
SIMAVR_INCLUDE = Path("/usr/include/simavr")
MCU = "atmega328p"
F_CPU_HZ = 16_000_000
#: The HX711's output rate with its RATE pin high (datasheet: 10 or 80 SPS) and the sketch's.
ADC_SPS = 80
#: Test waveform scale: counts per newton and the unloaded reading (a cell is rarely at 0).
COUNTS_PER_N = 200.0
ZERO_COUNTS = 84_000
#: Holds, ramps and steps (seconds, force at the end in N; "step" jumps, "ramp" slides).
SHAPE: tuple[tuple[str, float, float], ...] = (
    ("hold", 4.0, 0.0),
    ("ramp", 6.0, 250.0),
    ("hold", 4.0, 250.0),
    ("step", 4.0, 80.0),
    ("step", 4.0, 400.0),
    ("ramp", 8.0, -150.0),
    ("hold", 4.0, -150.0),
    ("ramp", 4.0, 0.0),
    ("hold", 2.0, 0.0),
)
NOISE_N = 0.3
HARNESS_START_S = 30.0


def _load_build_avr() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_avr", HERE / "build_avr.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_avr = _load_build_avr()


def missing_tools() -> list[str]:
    """What is not installed (empty when the firmware can be built and simulated)."""
    gone = list(build_avr.missing_tools())
    if shutil.which("gcc") is None:
        gone.append("gcc")
    if not (SIMAVR_INCLUDE / "sim_avr.h").exists():
        gone.append(f"{SIMAVR_INCLUDE}/sim_avr.h (libsimavr-dev)")
    if shutil.which("simavr") is None:
        gone.append("simavr")
    return gone


#: The plain-text HX711 sketch (device ``hx711``), the binary firmware's text counterpart.
TEXT_SKETCH = HERE / "hx711_text" / "hx711_text.ino"


def build_firmware(out: Path, defines: Sequence[str] = (), sketch: Path | None = None) -> Path:
    """The Uno image (ELF) built into ``out``; ``defines`` and ``sketch`` as for build_avr.build
    (default: the isoforce firmware)."""
    build_avr.build("uno", out, defines, sketch or build_avr.SKETCH)
    return out / "sketch.elf"


def build_harness(out: Path) -> Path:
    """The simulator harness, compiled with gcc against libsimavr into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    exe = out / "hx711_sim"
    cmd = ["gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", f"-I{SIMAVR_INCLUDE}"]
    cmd += [str(HARNESS_SOURCE), "-lsimavr", "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return exe


class Waveform(NamedTuple):
    """A known force per HX711 conversion (N) and the counts the simulated chip reports."""

    force_n: tuple[float, ...]
    sps: int = ADC_SPS
    counts_per_n: float = COUNTS_PER_N
    zero_counts: int = ZERO_COUNTS

    def counts(self) -> list[int]:
        """The 24-bit readings: zero + force × counts per newton, rounded, saturated."""
        top, bottom = 2**23 - 1, -(2**23)
        return [
            max(bottom, min(top, round(self.zero_counts + f * self.counts_per_n)))
            for f in self.force_n
        ]

    def write(self, path: Path) -> Path:
        """The harness's input file: one count per line, conversion 0 first."""
        lines = [f"# {len(self.force_n)} conversions at {self.sps} SPS"]
        lines += [str(c) for c in self.counts()]
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        return path


Shape = tuple[tuple[str, float, float], ...]


def shaped_force(t_s: float, shape: Shape = SHAPE) -> float:
    """The noiseless force of ``shape`` at ``t_s``, from 0 N (repeats every cycle)."""
    cycle = sum(d for _, d, _ in shape)
    t = t_s % cycle
    level = 0.0
    for kind, duration, end in shape:
        if t < duration:
            return level + (end - level) * t / duration if kind == "ramp" else end
        t -= duration
        level = end
    return level


def waveform(
    seconds: float,
    *,
    seed: int = 0,
    shape: Shape = SHAPE,
    sps: int = ADC_SPS,
    noise_n: float = NOISE_N,
) -> Waveform:
    """``shape`` with seeded Gaussian noise, one value per conversion (conversion k is complete
    at (k + 1) / sps s after power-up)."""
    rng = random.Random(seed)
    n = math.ceil(seconds * sps)
    force = (shaped_force((k + 1) / sps, shape) + rng.gauss(0.0, noise_n) for k in range(n))
    return Waveform(tuple(force), sps)


class Read(NamedTuple):
    """One read of the simulated HX711 by the firmware (a line of the harness's --reads log)."""

    conversion: int
    value: int
    pulses: int
    t_us: int


class Simulation:
    """The harness running one firmware image: use as a context manager; ``pty`` is the port.

    Leaving the block (or :meth:`stop`) ends the harness with SIGTERM and reads its statistics
    (``stats``) and its log of reads (:meth:`reads`).
    """

    def __init__(
        self,
        harness: Path,
        elf: Path,
        wave: Path,
        workdir: Path,
        *,
        seconds: float | None = None,
        realtime: bool = False,
        link: Path | None = None,
    ) -> None:
        self.workdir = workdir
        self.stats_path = workdir / "stats.json"
        self.reads_path = workdir / "reads.txt"
        cmd = [str(harness), "--elf", str(elf), "--wave", str(wave)]
        cmd += ["--reads", str(self.reads_path), "--stats", str(self.stats_path)]
        if seconds is not None:
            cmd += ["--seconds", f"{seconds:g}"]
        if realtime:
            cmd.append("--realtime")
        if link is not None:
            cmd += ["--link", str(link)]
        self.cmd = cmd
        self.pty = ""
        self.stats: dict[str, Any] = {}
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start the harness; returns the pty once it exists."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "harness.err", "w") as err:  # the child keeps its copy
            self._proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=err)
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        seen = b""
        deadline = time.monotonic() + HARNESS_START_S
        while time.monotonic() < deadline and b"\n" not in seen.partition(b"pty ")[2]:
            ready, _, _ = select.select([fd], [], [], 0.5)
            chunk = os.read(fd, 4096) if ready else b""
            if ready and not chunk:
                break  # the harness ended
            seen += chunk
        line = seen.partition(b"pty ")[2].partition(b"\n")
        if line[1]:
            self.pty = line[0].decode().strip()
            return self.pty
        self.stop()
        err = (self.workdir / "harness.err").read_text(errors="replace")
        raise RuntimeError(f"the simavr harness did not start: {err.strip()}")

    def wait(self, timeout_s: float | None = None) -> None:
        """Wait for the harness to finish by itself (--seconds), then read its statistics."""
        assert self._proc is not None
        self._proc.wait(timeout=timeout_s)
        self._finish()

    def stop(self) -> None:
        """End the harness (SIGTERM) and read its statistics."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._finish()

    def _finish(self) -> None:
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None
        if self.stats_path.exists():
            self.stats = json.loads(self.stats_path.read_text())

    def reads(self) -> list[Read]:
        """Every read the firmware made, in order (after :meth:`stop`)."""
        out = []
        for line in self.reads_path.read_text().splitlines():
            k, value, pulses, t_us = (int(x) for x in line.split())
            out.append(Read(k, value, pulses, t_us))
        return out

    def __enter__(self) -> Simulation:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None, help="simulated seconds to run (default: until Ctrl-C)")
    parser.add_argument("--seed", type=int, default=0, help="noise seed of the generated waveform")
    parser.add_argument("--wave", type=Path, default=None, help="counts per conversion, one per line, instead")
    parser.add_argument("--realtime", action="store_true", help="hold the simulation to the wall clock")
    parser.add_argument("--link", type=Path, default=None, help="also make this symlink to the pty")
    parser.add_argument("--out", type=Path, default=None, help="build directory (default: a new temporary one)")
    parser.add_argument("--text", action="store_true", help="run the plain-text HX711 sketch instead")
    parser.add_argument(
        "-D", "--define", action="append", default=[], metavar="NAME[=VALUE]",
        help="firmware preprocessor definition, e.g. ISF_FAULT_CRC_EVERY=50 (a broken encoder)",
    )
    args = parser.parse_args()
    gone = missing_tools()
    if gone:
        print(f"missing: {', '.join(gone)}", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="isoforce-simavr-"))
    try:
        elf = build_firmware(out / "firmware", args.define, TEXT_SKETCH if args.text else None)
        harness = build_harness(out)
    except subprocess.CalledProcessError as exc:
        print(exc.stderr or exc.stdout, file=sys.stderr)
        return 1
    wave = args.wave
    if wave is None:
        length_s = args.seconds if args.seconds is not None else 3600.0
        wave = waveform(length_s + 1.0, seed=args.seed).write(out / "wave.txt")
    sim = Simulation(harness, elf, wave, out, seconds=args.seconds, realtime=args.realtime, link=args.link)
    pty = sim.start()
    print(f"firmware running in simavr; its serial port: {pty}", flush=True)
    device = "hx711" if args.text else "isoforce-serial"
    print(f"  isoforce record --device {device} --port {pty} --duration 10 --out rec.csv", flush=True)
    try:
        sim.wait()
    except KeyboardInterrupt:
        sim.stop()
    print(json.dumps(sim.stats, indent=1))
    print(f"reads log: {sim.reads_path}")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    raise SystemExit(main())
