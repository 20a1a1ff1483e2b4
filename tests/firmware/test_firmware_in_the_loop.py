"""The reference firmware itself, running: the Uno image in simavr with a simulated HX711 fed a
known force waveform, its UART on a pty, read by ``isoforce record --device isoforce-serial``.

Needs gcc, simavr, libsimavr-dev and the AVR toolchain (scripts/test installs them); skips with
the reason otherwise, except in CI (``CI`` set), where a missing tool fails the tests: CI must
show that it ran the firmware. Setting ``ISOFORCE_FW_DEFINES`` (e.g. ``ISF_FAULT_CRC_EVERY=50``) builds
the firmware under test with those definitions: with a broken encoder these tests fail (see
firmware_notes/simavr.md, where that run's output is kept).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.firmware.firmware_build import load_script, require_tools
from tests.firmware.loop_check import Comparison, compare, read_csv
from tests.paths import ISOFORCE

simavr_run = load_script("simavr_run")

FRAME_RATE_HZ = simavr_run.ADC_SPS
SIXTY_S = 60
#: Generous: the simulation runs at about real time on two loaded cores (simavr.md).
RECORD_TIMEOUT_S = 600
#: pytest's default limit (120 s) is shorter than 60 s of simulation on a loaded machine (117 s
#: seen with five other test runs): each test gets the recording's limit and time to build.
pytestmark = pytest.mark.timeout(RECORD_TIMEOUT_S + 120)


@dataclass(frozen=True)
class Rig:
    """The built harness and firmware image."""

    harness: Path
    elf: Path
    out: Path


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Rig:
    require_tools(simavr_run.missing_tools(), "firmware-in-the-loop")
    out = tmp_path_factory.mktemp("simavr")
    defines = os.environ.get("ISOFORCE_FW_DEFINES", "").split()
    elf = simavr_run.build_firmware(out / "firmware", defines)
    return Rig(simavr_run.build_harness(out), elf, out)


def record(
    pty: str, tmp_path: Path, *args: str, device: str = "isoforce-serial"
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``isoforce record`` from the simulated board into ``rec.csv`` with the exact calibration."""
    cal = tmp_path / "cal.json"
    cal.write_text(
        json.dumps(
            {
                "schema": 1,
                "n_per_raw": 1 / simavr_run.COUNTS_PER_N,
                "offset_raw": float(simavr_run.ZERO_COUNTS),
                "source": "the simulated HX711's scale",
            }
        )
    )
    out = tmp_path / "rec.csv"
    cmd = [ISOFORCE, "record", "--device", device, "--port", pty]
    cmd += ["--calibration", str(cal), "--out", str(out), "--no-save", *args]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=RECORD_TIMEOUT_S)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    return res, out


def run_waveform(
    rig: Rig, tmp_path: Path, wave: Any, *args: str, elf: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], Comparison, Any]:
    """Simulate the board on ``wave``, record it with ``args``, compare with what was sent."""
    sim = simavr_run.Simulation(
        rig.harness, elf or rig.elf, wave.write(tmp_path / "wave.txt"), tmp_path / "sim"
    )
    with sim:
        res, out = record(sim.pty, tmp_path, *args)
    found = compare(read_csv(out), sim.reads(), wave.force_n, counts_per_n=wave.counts_per_n)
    return res, found, sim


def test_sixty_seconds_of_a_known_waveform_arrive_whole_and_exact(rig: Rig, tmp_path: Path) -> None:
    wave = simavr_run.waveform(SIXTY_S + 30, seed=19)  # holds, ramps, steps, a pull, noise
    res, found, sim = run_waveform(rig, tmp_path, wave, "--duration", str(SIXTY_S))
    print(f"simavr: {sim.stats}\ncomparison: {found.summary()}")
    assert found.problems(min_rows=SIXTY_S * FRAME_RATE_HZ) == [], res.stderr
    # frames 12.5 ms apart by the device clock (the sketch sometimes notices a conversion a few
    # tens of us late, while it is still busy sending the previous frame)
    t = read_csv(tmp_path / "rec.csv").t_s
    assert t[-1] < SIXTY_S and np.all(np.abs(np.diff(t) - 1 / FRAME_RATE_HZ) < 200e-6)
    # every frame is one reading, its device time is the simulated chip's time of that reading
    assert np.all(found.one)
    assert found.clock_error_us < 100
    # the simulated chip saw clean reads: 25 pulses each (channel A, gain 128), no power-down
    stats = sim.stats
    assert stats["pulses"] == {"25": stats["reads"]}
    assert stats["power_downs"] == stats["overwritten"] == stats["lost_in_read"] == 0
    assert f"recorded {found.rows} samples" in res.stderr
    assert "lost" not in res.stderr


def _dialogue(stderr: str) -> list[str]:
    return [
        line for line in stderr.splitlines() if line.startswith(("sent to the device:", "device:"))
    ]


def test_rate_tare_stop_start_and_info_sent_by_isoforce_take_effect(
    rig: Rig, tmp_path: Path
) -> None:
    # a steady ramp: every 16-reading mean (the firmware's tare) happens once
    wave = simavr_run.waveform(60, seed=7, shape=(("ramp", 60.0, 400.0),))
    sends = ("r 40", "5:t", "8:x", "9:s", "12:i")
    args = [a for s in sends for a in ("--send", s)]
    res, found, sim = run_waveform(rig, tmp_path, wave, "--duration", "16", *args)
    print(f"simavr: {sim.stats}\ncomparison: {found.summary()}\n{res.stderr}")
    # each command, then its reply, in order
    talk = [line.split(": ", 1)[1] for line in _dialogue(res.stderr)]
    tare_reply = next(line for line in talk if line.startswith("ok tare "))
    assert talk == [
        "r 40", "ok rate 40", "t", tare_reply, "x", "ok stop", "s", "ok start",
        "i", "isoforce fw 1.0 adc 80 rate 40 imu no cal off",
    ]  # fmt: skip
    assert found.problems(max_error_counts=1.1) == []  # a mean of two readings rounds twice
    # rate: after the reply every frame is the mean of two readings, 25 ms apart
    first_two = int(np.argmax(found.two & ~found.one))
    assert np.all(found.two[first_two:]) and np.all(found.one[:first_two]) and first_two < 40
    t = read_csv(tmp_path / "rec.csv").t_s
    steps = np.diff(t[first_two:])
    # stop/start: one pause in the frames, none lost (frames are numbered as sent)
    pauses = np.flatnonzero(steps > 0.1)
    assert len(pauses) == 1 and found.lost == 0
    assert np.all(np.abs(np.delete(steps, pauses) - 1 / 40) < 200e-6)
    assert 7.9 < t[first_two + pauses[0]] < 9.0 and steps[pauses[0]] > 0.2
    # tare: the firmware's zero is the mean of the 16 readings right after the command
    zero = int(tare_reply.removeprefix("ok tare "))
    reads = sim.reads()
    value = np.array([r.value for r in reads], np.int64)
    sums = np.convolve(value, np.ones(16, np.int64), "valid")
    starts = np.flatnonzero((sums + 8) // 16 == zero)
    assert len(starts) == 1
    t_read = np.array([r.t_us for r in reads]) * 1e-6
    tare_at_s = t_read[starts[0]] - t_read[found.read_index[0]]
    assert 4.9 < tare_at_s < 6.5


def test_a_deliberately_broken_frame_encoder_is_caught(rig: Rig, tmp_path: Path) -> None:
    """The check above is not blind: a firmware whose every 50th frame leaves with a wrong
    checksum fails it (the decoder refuses those frames and the sequence numbers show them)."""
    broken = simavr_run.build_firmware(tmp_path / "broken", ["ISF_FAULT_CRC_EVERY=50"])
    wave = simavr_run.waveform(40, seed=5)
    res, found, _ = run_waveform(rig, tmp_path, wave, "--duration", "10", elf=broken)
    problems = found.problems(min_rows=10 * FRAME_RATE_HZ)
    print("\n".join(problems))
    assert any("frames lost" in p for p in problems)
    assert found.lost in (15, 16)  # seq 0, 50, 100 … within 800 frames
    assert "checksum" in res.stderr and "lost" in res.stderr


def test_the_plain_text_hx711_sketch_reads_as_device_hx711(rig: Rig, tmp_path: Path) -> None:
    """The text counterpart (``HX711 reading: <n>`` lines at 57600 baud): every line isoforce
    read is the reading the chip sent, in order, none skipped (lines carry no clock or count,
    so the samples are timed by the computer)."""
    elf = simavr_run.build_firmware(tmp_path / "text", sketch=simavr_run.TEXT_SKETCH)
    wave = simavr_run.waveform(60, seed=11)
    sim = simavr_run.Simulation(
        rig.harness, elf, wave.write(tmp_path / "wave.txt"), tmp_path / "sim"
    )
    with sim:
        res, out = record(sim.pty, tmp_path, "--duration", "4", device="hx711")
    raw = read_csv(out).raw.astype(np.int64)
    sent = np.array([r.value for r in sim.reads()], np.int64)
    assert len(raw) > 100, res.stderr
    starts = [k for k in range(len(sent) - len(raw) + 1) if sent[k] == raw[0]]
    assert any(np.array_equal(sent[k : k + len(raw)], raw) for k in starts), res.stderr
    # the port may open in the middle of a line: the digits of its tail are dropped and
    # counted (one run, under one line's bytes); the run above holds every reading in between
    dropped = re.search(r"(\d+) bytes of garbage skipped \((\d+) runs\)", res.stderr)
    assert dropped is None or (
        int(dropped[1]) < len(b"HX711 reading: -8388608\r\n") and dropped[2] == "1"
    ), res.stderr
    assert sim.stats["pulses"] == {"25": sim.stats["reads"]}
