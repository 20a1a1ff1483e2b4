"""TUI benchmarks: sample-to-screen latency, CPU share at 80 Hz and 1 kHz, first frame.

The app runs headless (Textual's test driver) over the simulated load cell in real time.
- latency: for every frame that draws new samples, host time at the end of the frame minus the
  host arrival time of the newest sample it draws — the time from a chunk's arrival to the first
  frame that shows it (queueing, decoding, the pipeline, waiting for the frame, the snapshot and
  the screen's update; Textual paints the updated widgets right after);
- CPU: process CPU seconds / wall seconds for the whole app (simulator included), next to the
  same session run without any UI in the same run (the baseline), so the ratio isolates the UI;
- first frame: from starting a fresh Python process to the app's first drawn frame.
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


FIRST_FRAME_SCRIPT = """
import time, asyncio
from isoforce.tui.app import AppConfig, create_app
from isoforce.tui.audio import AudioMode
app = create_app(AppConfig(drill="pails-rails-hip", audio=AudioMode.OFF))
orig = app.frame
def frame():
    orig()
    if getattr(app.screen, "ready", False):
        print("FIRST_FRAME", flush=True)
        app.exit()
app.frame = frame
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        while app.is_running:
            await pilot.pause(0.01)
asyncio.run(main())
"""


def _user_env() -> dict[str, str]:
    """The environment of a user's launch: bytecode is cached (a CI or sandbox shell may set
    PYTHONDONTWRITEBYTECODE, which makes every start compile isoforce's sources again)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _first_frame_s() -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", FIRST_FRAME_SCRIPT],
        stdout=subprocess.PIPE,
        text=True,
        env=_user_env(),
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("FIRST_FRAME"):
            elapsed = time.perf_counter() - t0
            break
    else:
        elapsed = float("nan")
    proc.wait(timeout=30)
    return elapsed


def _terminal_cpu_share(seconds: float, drill: str) -> float | None:
    """CPU share of ``isoforce tui --drill`` in a real terminal (tmux at :data:`SIZE`).

    The rows above run the app headless, where Textual computes each screen update but does not
    turn it into escape sequences nor write them; here the app draws to a terminal as an
    athlete's does. The process's own user + system time from ``/proc`` over ``seconds``, after
    4 s of start-up. None without tmux or ``/proc``.
    """
    if shutil.which("tmux") is None or not os.path.exists("/proc/self/stat"):
        return None
    session = f"isoforce-bench-{os.getpid()}"
    env = " ".join(
        f"{k}={shlex.quote(v)}"
        for k, v in _user_env().items()
        if k.startswith(("ISOFORCE_", "PYTHON"))
    )
    python = shlex.quote(sys.executable)
    unset = "-u COLUMNS -u LINES -u PYTHONDONTWRITEBYTECODE"
    command = f"env {unset} {env} {python} -m isoforce tui --drill {drill} --audio off"
    width, height = SIZE
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command],
        check=True,
    )
    try:
        time.sleep(4.0)
        pid = subprocess.run(
            ["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
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
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)


def bench_tui(quick: bool, row: Callable[..., Row]) -> list[Row]:
    """All TUI rows."""
    seconds = 5.0 if quick else 15.0
    rows: list[Row] = []
    # the simulator's 40 ms chunks, and one sample per chunk at 80 Hz (a BLE sensor notifying
    # each sample: frames then run at the 30 fps cap)
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
    _first_frame_s()  # a first launch writes the bytecode caches, as a user's first start does
    firsts = [_first_frame_s() for _ in range(3)]
    bare = statistics.median(_timed([sys.executable, "-c", FLOOR_IMPORTS]) for _ in range(3))
    rows.append(
        row(
            "TUI first frame after launch (median of 3, after one launch that caches bytecode)",
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
