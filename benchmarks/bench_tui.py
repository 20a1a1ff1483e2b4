"""TUI benchmarks: sample-to-screen latency, CPU share at 80 Hz and 1 kHz, first frame.

The app runs headless (Textual's test driver) over the simulated load cell in real time.
- latency: for every frame that draws new samples, host time at the end of the frame minus the
  host arrival time of the newest sample it draws — the time from a chunk's arrival to the first
  frame that shows it (queueing, decoding, the pipeline, waiting for the frame, the snapshot and
  the screen's update; Textual paints the updated widgets right after);
- CPU: process CPU seconds / wall seconds for the whole app (simulator included), next to the
  same session run without any UI in the same run (the baseline), so the ratio isolates the UI;
  then ``isoforce tui`` itself in tmux, on the simulator and on a pty HX711 board whose
  emulator runs in a process of its own;
- first frame: from launching ``isoforce tui`` on a pseudo-terminal to the player's first paint
  on it (the CLI's start-up included).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from isoforce.live import SessionOptions
from isoforce.live.build import open_session

Row = Any  # the suite's row type, passed in by benchmarks/bench.py

#: The terminal the app runs in (issue 17 measures CPU at 120×40).
SIZE = (120, 40)


@contextlib.contextmanager
def _sim_chunks(chunk_s: float | None) -> Iterator[None]:
    """Make the simulator send chunks of ``chunk_s`` (None: its own 40 ms) while inside."""
    import isoforce.live.build as build

    if chunk_s is None:
        yield
        return
    original = build.SimSettings
    build.SimSettings = functools.partial(original, chunk_s=chunk_s)  # type: ignore[misc]
    try:
        yield
    finally:
        build.SimSettings = original  # type: ignore[misc]


#: A drill whose effort starts at once: a ramp to 60 % and a long hold. The built-in PAILs/RAILs
#: drill opens with a 120 s passive stretch, where the numbers, the gauge and the chart barely
#: move; the screen costs most while the athlete pushes.
HOLD_DRILL = """
name = "bench-hold"
title = "Benchmark: push and hold"
description = "A ramp to 60 % and a long hold: the athlete pushes through the measurement."
movement = "hip-ir"
side = "either"
position = "90-90"
reference = "pain_free"

[[steps]]
kind = "ramp"
direction = "push"
to_pct = 60
rate_pct_per_s = 30
instruction = "Push to 60 %"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 60
seconds = 120
band_pct = 5
instruction = "Hold 60 %"
"""


def _hold_drill_installed() -> str:
    """Write :data:`HOLD_DRILL` among the (scratch) data dir's drills; its name."""
    from isoforce.paths import drills_dir

    folder = drills_dir(None)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench-hold.toml").write_text(HOLD_DRILL, encoding="utf-8")
    return "bench-hold"


async def _app_run(
    rate_hz: float, seconds: float, drill: str = "pails-rails-hip"
) -> tuple[list[float], float, float]:
    from isoforce.tui.app import AppConfig, create_app
    from isoforce.tui.audio import AudioMode

    app = create_app(
        AppConfig(
            options=SessionOptions(rate_hz=rate_hz, speed=1.0),
            drill=drill,
            audio=AudioMode.OFF,
        )
    )
    latencies: list[float] = []
    original = app.frame
    drawn = [float("nan")]

    def frame() -> None:
        original()
        session = app.controller.session
        t_host = app.controller.latest_t_host_s
        # only frames that draw new samples: arrival of the newest one → its first frame
        if session is not None and t_host == t_host and t_host != drawn[0]:
            drawn[0] = t_host
            latencies.append(session.transport.clock.now() - t_host)  # type: ignore[attr-defined]

    app.frame = frame  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.0)  # warm-up: imports, first layout
        latencies.clear()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await pilot.pause(seconds)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return latencies, cpu, wall


async def _headless_run(
    rate_hz: float, seconds: float, drill: str = "pails-rails-hip"
) -> tuple[float, float]:
    from isoforce.drills.loader import find_drill
    from isoforce.paths import drills_dir

    session = open_session(
        SessionOptions(rate_hz=rate_hz, speed=1.0), drill=find_drill(drill, drills_dir(None))
    )
    stop = asyncio.Event()
    task = asyncio.ensure_future(session.run(stop=stop))
    await asyncio.sleep(1.0)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    stop.set()
    await task
    return cpu, wall


#: What the first frame is waited for: the player's countdown caption, on the terminal.
FIRST_FRAME_MARK = b"PHASE TIME LEFT"


def _user_env() -> dict[str, str]:
    """The environment of a user's launch: bytecode is cached (a CI or sandbox shell may set
    PYTHONDONTWRITEBYTECODE, which makes every start compile isoforce's sources again)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _first_frame_s() -> float:
    """From launching ``isoforce tui --drill`` to the player's first paint, as a user launches it.

    The command runs on a pseudo-terminal of :data:`SIZE` (the CLI refuses to start without
    one), so the time includes the CLI's own start-up and the escape sequences Textual writes;
    the paint is seen when :data:`FIRST_FRAME_MARK` arrives on the terminal's other side.
    """
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    command = [sys.executable, "-m", "isoforce", "tui", "--drill", "pails-rails-hip"]
    command += ["--device", "sim"]  # not the device an earlier row left remembered
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "--audio", "off"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=_user_env() | {"TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(slave)
    elapsed, tail = float("nan"), b""
    try:
        while time.perf_counter() - t0 < 30 and proc.poll() is None:
            if not select.select([master], [], [], 0.2)[0]:
                continue
            try:
                tail = (tail + os.read(master, 65536))[-4096:]
            except OSError:  # the terminal closed: the app ended
                break
            if FIRST_FRAME_MARK in tail:
                elapsed = time.perf_counter() - t0
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
        os.close(master)
    return elapsed


def _terminal_cpu_share(seconds: float, drill: str, device_args: str = "") -> float | None:
    """CPU share of ``isoforce tui --drill`` in a real terminal (tmux at :data:`SIZE`).

    The rows above run the app headless, where Textual computes each screen update but does not
    turn it into escape sequences nor write them; here the app draws to a terminal as an
    athlete's does. The process's own user + system time from ``/proc`` over ``seconds``, after
    4 s of start-up. ``device_args``: the sensor's options (default: the simulator). None
    without tmux or ``/proc``.
    """
    if shutil.which("tmux") is None or not os.path.exists("/proc/self/stat"):
        return None
    session = f"isoforce-bench-{os.getpid()}"
    # a tmux server of its own, no config file: not the user's server, nor their tmux.conf
    sockets = tempfile.mkdtemp(prefix="isoforce-tmux-")
    tmux = ("tmux", "-S", f"{sockets}/server", "-f", "/dev/null")
    env = " ".join(
        f"{k}={shlex.quote(v)}"
        for k, v in _user_env().items()
        if k.startswith(("ISOFORCE_", "PYTHON"))
    )
    python = shlex.quote(sys.executable)
    unset = "-u COLUMNS -u LINES -u PYTHONDONTWRITEBYTECODE"
    command = f"env {unset} {env} {python} -m isoforce tui --drill {drill} --audio off "
    command += device_args or "--device sim"  # not the device an earlier row left remembered
    width, height = SIZE
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command],
        check=True,
    )
    try:
        time.sleep(4.0)
        pid = subprocess.run(
            [*tmux, "list-panes", "-t", session, "-F", "#{pane_pid}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[0]
        # the pane runs env, which execs python: the pane's process is the app
        ticks = os.sysconf("SC_CLK_TCK")

        def cpu_s() -> float:
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        c0, w0 = cpu_s(), time.perf_counter()
        time.sleep(seconds)
        return 100 * (cpu_s() - c0) / (time.perf_counter() - w0)
    finally:
        subprocess.run([*tmux, "kill-session", "-t", session], check=False, capture_output=True)
        shutil.rmtree(sockets, ignore_errors=True)


#: An HX711 board on a serial port, as its firmware prints readings (``HX711 reading: <n>``)
#: at 80 Hz, with a person pushing: a ramp to 150 N over 5 s, then a hold that wavers. It runs
#: in a process of its own (its CPU is the sensor's, not the app's) on a pty in the folder
#: given, with the calibration given; the path of the port is its first line out; it stops
#: when its standard input closes.
HX711_PUSHING = """
import math, random, sys
from dataclasses import dataclass
from pathlib import Path
from tests.serial_devices.serial_emulators import Emulator, Hx711Text, PtyLink

@dataclass
class Pushing(Hx711Text):
    def value(self, i):
        t_s = i / self.rate_hz
        force_n = 150 * min(1.0, t_s / 5) + 3 * math.sin(7 * t_s) + random.gauss(0, 1)
        return round(offset_raw + force_n / n_per_raw)

n_per_raw, offset_raw = float(sys.argv[2]), float(sys.argv[3])
emulator = Emulator(PtyLink(Path(sys.argv[1]), "ttyHX711"), Pushing(rate_hz=80.0)).start()
print(emulator.link.path, flush=True)
sys.stdin.read()
emulator.close()
"""
#: The emulated board's calibration (its raw counts per newton and its offset).
HX711_N_PER_RAW, HX711_OFFSET_RAW = 1 / 2250, 84_000.0


def _hx711_terminal_cpu_share(seconds: float, drill: str) -> float | None:
    """:func:`_terminal_cpu_share` on the HX711 serial path: a board printing one line a sample.

    The board's calibration is saved where the app finds it (as the calibration screen saves
    it), and the maxima are given on the command line: the hold runs as on a user's sensor.
    """
    import tempfile

    from isoforce.recording.calibration_file import save_calibration
    from isoforce.signal.calibration import Calibration

    save_calibration(None, "hx711", Calibration(HX711_N_PER_RAW, HX711_OFFSET_RAW))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        board = subprocess.Popen(
            [sys.executable, "-c", HX711_PUSHING, tmp, str(HX711_N_PER_RAW), str(HX711_OFFSET_RAW)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert board.stdout is not None and board.stdin is not None
        try:
            port = board.stdout.readline().strip()
            args = f"--device hx711 --port {shlex.quote(port)} --push-max 250 --pull-max 170"
            return _terminal_cpu_share(seconds, drill, args)
        finally:
            board.stdin.close()
            board.wait(timeout=30)


def bench_tui(quick: bool, row: Callable[..., Row]) -> list[Row]:
    """All TUI rows."""
    seconds = 5.0 if quick else 15.0
    rows: list[Row] = []
    # the simulator's 40 ms chunks, and one sample per chunk at 80 Hz (as a Progressor or a
    # Force Board notifies over BLE: frames then run at the 30 fps cap). The serial path has a
    # row of its own below (a pty HX711 board: its transport gathers 2-3 lines a chunk).
    hold = _hold_drill_installed()
    hold_base_share = float("nan")
    for rate, chunk_s, drill in (
        (80.0, None, "pails-rails-hip"),
        (80.0, 1 / 80, "pails-rails-hip"),
        (80.0, None, hold),
        (80.0, 1 / 80, hold),
        (1000.0, None, "pails-rails-hip"),
    ):
        with _sim_chunks(chunk_s):
            lat, cpu, wall = asyncio.run(_app_run(rate, seconds, drill))
            base_cpu, base_wall = asyncio.run(_headless_run(rate, seconds, drill))
        share = 100 * cpu / wall
        base_share = 100 * base_cpu / base_wall
        if drill == hold and chunk_s is None:
            hold_base_share = base_share
        target = "≤ 10 %" if rate == 80 else "≤ 30 %"
        chunks = "40 ms chunks" if chunk_s is None else "1 sample a chunk"
        during = "a push and hold" if drill == hold else "PAILs/RAILs' opening stretch"
        rows.append(
            row(
                f"TUI CPU share at {rate:g} Hz, {chunks}, during {during}, at "
                f"{SIZE[0]}×{SIZE[1]} (whole app, ≤ 30 fps)",
                share,
                "% of a core",
                base_share,
                "same session, no UI",
                target,
                False,
            )
        )
        if rate == 1000.0:
            arr = np.array(lat) * 1000
            rows.append(
                row(
                    "sample-to-screen latency p50 at 1 kHz",
                    float(np.percentile(arr, 50)),
                    "ms",
                    None,
                    "",
                    "",
                    False,
                )
            )
            rows.append(
                row(
                    "sample-to-screen latency p99 at 1 kHz",
                    float(np.percentile(arr, 99)),
                    "ms",
                    None,
                    "",
                    "≤ 20 ms",
                    False,
                )
            )
    terminal = _terminal_cpu_share(seconds, hold)
    if terminal is not None:
        rows.append(
            row(
                f"TUI CPU share at 80 Hz, 40 ms chunks, during a push and hold, in a real terminal "
                f"(tmux {SIZE[0]}×{SIZE[1]}, the isoforce process)",
                terminal,
                "% of a core",
                hold_base_share,
                "same session, no UI",
                "≤ 10 %",
                False,
            )
        )
    serial = _hx711_terminal_cpu_share(seconds, hold)
    if serial is not None:
        rows.append(
            row(
                f"TUI CPU share at 80 Hz on an HX711 board over serial (pty emulator, one reading "
                f"a line), during a push and hold, in a real terminal (tmux {SIZE[0]}×{SIZE[1]}, "
                f"the isoforce process)",
                serial,
                "% of a core",
                None,
                "",
                "≤ 10 %",
                False,
            )
        )
    _first_frame_s()  # a first launch writes the bytecode caches, as a user's first start does
    firsts = [_first_frame_s() for _ in range(3)]
    bare = statistics.median(_timed([sys.executable, "-c", FLOOR_IMPORTS]) for _ in range(3))
    rows.append(
        row(
            "TUI first frame after launch: isoforce tui on a terminal to the player's first paint "
            "(median of 3, after one launch that caches bytecode)",
            statistics.median(firsts) * 1000,
            "ms",
            bare * 1000,
            "python + import textual.app and numpy (any such app's floor)",
            "≤ 800 ms",
            False,
        )
    )
    return rows


#: What any Textual app over numpy imports before it can draw.
FLOOR_IMPORTS = "import numpy, textual.app"


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=_user_env())
    return time.perf_counter() - t0
