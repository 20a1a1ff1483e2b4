"""``isoforce drill`` as a user runs it: list, show, check, run on the simulator."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.paths import ISOFORCE


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=timeout)


def test_list_and_show() -> None:
    out = run("drill", "list")
    assert out.returncode == 0, out.stderr
    for name in (
        "pails-rails-hip",
        "tension-drill",
        "max-test",
        "end-range-expansion",
        "low-intensity",
        "pails-rails-hip-er",
    ):
        assert name in out.stdout
    show = run("drill", "show", "pails-rails-hip")
    assert show.returncode == 0
    assert "passive 120 s" in show.stdout
    assert "lift-offs ×3" in show.stdout


def test_pails_rails_hip_at_speed_20_finishes_with_hold_scores_in_band(tmp_path: Path) -> None:
    # how long it takes is a benchmark (benchmarks/bench_drill.py), not an assert here
    out = run(
        "drill",
        "run",
        "pails-rails-hip",
        "--device",
        "sim",
        "--speed",
        "20",
        "--out",
        str(tmp_path / "r.csv"),
    )
    assert out.returncode == 0, out.stderr
    assert "drill finished" in out.stdout
    rows = [line for line in out.stdout.splitlines() if re.match(r"^\d+\s+hold ", line)]
    assert len(rows) == 4  # PAILs 50 %, RAILs, PAILs max, RAILs
    held = re.search(r"time in band during holds: (\d+) %", out.stdout)
    assert held is not None
    assert int(held.group(1)) >= 80


def test_tension_drill_finds_the_pain_free_max(tmp_path: Path) -> None:
    out = run(
        "drill",
        "run",
        "tension-drill",
        "--speed",
        "max",
        "--sim-pain-at",
        "60",
        "--out",
        str(tmp_path / "t.csv"),
    )
    assert out.returncode == 0, out.stderr
    # a first session: nothing stored, so the staircase climbs 20 N a level on the 100 N scale
    # (effort reads in newtons) until the athlete, who hurts above 150 N, presses the key
    assert "effort reads in newtons" in out.stdout
    assert "staircase push +20 N until pain or a plateau" in out.stdout
    # nothing known, so the efforts and levels are newtons and say so (never "160 %")
    marked = re.search(r"pain marked at [\d.]+ s \(effort (\d+) N, target (\d+) N\)", out.stdout)
    assert re.search(r"PAIN marked at effort \d+ N", out.stdout)
    assert re.search(r"pain: target \d+ N → 140 N — better\?", out.stdout)
    assert marked is not None
    assert int(marked.group(2)) == 160
    assert (
        "push pain-free max: 140 N (measured in newtons: no max was known) (last comfortable step)"
        in out.stdout
    )
    # then the pull staircase: the athlete pulls 170 N at most and nothing hurts there
    assert "staircase pull +20 N until pain or a plateau" in out.stdout
    pull = re.search(r"pull pain-free max: (\d+) N \(measured in newtons", out.stdout)
    assert pull is not None and 155 <= int(pull.group(1)) <= 175
    # the table shows the steps measured with no max known in newtons, never as % of 100 N
    stairs = next(line for line in out.stdout.splitlines() if line.startswith("2 "))
    assert re.search(r"\d+ N\s+\d+ N\s+pain", stairs), stairs


def test_tension_drill_with_no_pain_stops_at_the_plateau_in_newtons(tmp_path: Path) -> None:
    out = run(
        "drill", "--data-dir", str(tmp_path), "run", "tension-drill", "--speed", "max",
        "--side", "right",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "rose no further, nothing hurt" in out.stdout
    found = re.search(r"pain-free max for hip-ir right push @ 90-90: ([\d.]+) N", out.stdout)
    assert found is not None
    assert 220.0 <= float(found.group(1)) <= 255.0  # the simulated athlete's 250 N, held
    pull = re.search(r"pain-free max for hip-ir right pull @ 90-90: ([\d.]+) N", out.stdout)
    assert pull is not None
    assert 150.0 <= float(pull.group(1)) <= 175.0  # the simulated athlete's 170 N pull


PAIN_HOLD = """
name = "pain-hold"
movement = "hip-ir"
side = "either"
position = "90-90"

[[steps]]
kind = "passive"
seconds = 3
instruction = "Relax"

[[steps]]
kind = "hold"
direction = "push"
target_pct = 60
seconds = 20
instruction = "Hold 60 %"
"""


def test_drill_keys_from_standard_input_pain_better_and_the_max_lowered(tmp_path: Path) -> None:
    drill = tmp_path / "pain-hold.toml"
    drill.write_text(PAIN_HOLD)
    env = {**os.environ, "ISOFORCE_DATA_DIR": str(tmp_path / "data")}
    args = ["drill", "run", str(drill), "--device", "sim", "--speed", "5", "--side", "left"]
    lines = []
    with subprocess.Popen(
        [ISOFORCE, *args, "--push-max", "200"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            for line in proc.stdout:
                lines.append(line)
                if "step 2/2" in line:
                    time.sleep(1.5)  # about 7 s into the hold at 5× speed
                    proc.stdin.write("p\n")
                    proc.stdin.flush()
                elif "better?" in line:
                    proc.stdin.write("y\n")
                    proc.stdin.flush()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    out = "".join(lines)
    assert proc.returncode == 0, out
    assert "keys: p pain/pinch" in out
    drop = re.search(r"pain: target (\d+) % → (\d+) % — better\?", out)
    assert drop is not None
    painful, level = int(drop.group(1)), int(drop.group(2))
    assert 0 < level <= 0.9 * painful + 1
    assert "better: carrying on" in out
    saved = re.search(r"pain-free max for hip-ir left push @ 90-90: ([\d.]+) N, lowered", out)
    assert saved is not None and float(saved.group(1)) < 200.0


BAD = {
    "wrong_type.toml": (
        'name = "wrong_type"\nmovement = "hip-ir"\n[[steps]]\nkind = "hold"\n'
        'direction = "push"\ntarget_pct = "lots"\nseconds = 10\n',
        6,
        "target_pct",
    ),
    "unknown_kind.toml": (
        'movement = "hip-ir"\n[[steps]]\nkind = "yoga"\nseconds = 10\n',
        3,
        "kind",
    ),
    "negative.toml": (
        'movement = "hip-ir"\n[[steps]]\nkind = "passive"\nseconds = -5\n',
        4,
        "seconds",
    ),
    "too_high.toml": (
        'movement = "hip-ir"\n[[steps]]\nkind = "hold"\ndirection = "push"\ntarget_pct = 130\nseconds = 10\n',
        5,
        "target_pct",
    ),
    "no_direction.toml": (
        'movement = "hip-ir"\n[[steps]]\nkind = "hold"\ntarget_pct = 30\nseconds = 10\n',
        None,
        "direction",
    ),
    "syntax.toml": ('movement = "hip-ir"\n[[steps]\nkind = "hold"\n', 2, "toml"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_drill_files_name_file_line_field_and_exit_2(tmp_path: Path, name: str) -> None:
    text, line, field = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    out = run("drill", "check", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    first = out.stderr.strip().splitlines()[0]
    assert first.startswith(f"{path}:")
    if line is not None:
        assert first.startswith(f"{path}:{line}:"), first
    assert f": {field}" in first or f".{field}:" in first, first


def test_a_valid_user_file_checks_ok(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'movement = "hip-er"\n[[steps]]\nkind = "ramp"\ndirection = "push"\nfrom_pct = 0\nto_pct = 30\n'
        '[[steps]]\nkind = "hold"\ndirection = "push"\ntarget_pct = 30\nseconds = 10\n'
    )
    out = run("drill", "check", str(path))
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout


def test_unknown_drill_is_a_clear_error() -> None:
    out = run("drill", "run", "no-such-drill", "--speed", "max")
    assert out.returncode in (1, 2)
    assert "no-such-drill" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_found_pain_free_max_is_the_next_drills_reference(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first = run(
        "drill",
        "--data-dir",
        data,
        "run",
        "tension-drill",
        "--speed",
        "max",
        "--side",
        "left",
        "--sim-pain-at",
        "60",
    )
    assert first.returncode == 0, first.stderr
    # pain in the 160 N level (the athlete hurts above 150 N): about 140 N is kept
    found = re.search(r"pain-free max for hip-ir left push @ 90-90: ([\d.]+) N", first.stdout)
    assert found is not None and abs(float(found.group(1)) - 140.0) <= 6.0
    value = found.group(1)
    second = run(
        "drill", "--data-dir", data, "run", "low-intensity", "--speed", "max", "--side", "left"
    )
    assert second.returncode == 0, second.stderr
    assert f"push pain-free max {value} N: stored 20" in second.stdout
    other_side = run(
        "drill", "--data-dir", data, "run", "low-intensity", "--speed", "max", "--side", "right"
    )
    assert ": stored 20" not in other_side.stdout
    assert "push pain-free max 250.0 N: the simulated athlete's" in other_side.stdout
    overridden = run(
        "drill", "--data-dir", data, "run", "low-intensity", "--speed", "max", "--side", "left",
        "--push-max", "300",
    )  # fmt: skip
    assert overridden.returncode == 0, overridden.stderr
    assert (
        "effort % divides by the push pain-free max 300.0 N: from --push-max, overriding the "
        f"stored {value} N of 20"
    ) in overridden.stdout


def test_maxima_are_kept_per_movement_and_position_chosen_at_start(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    found = run(
        "drill", "--data-dir", data, "run", "tension-drill", "--speed", "max", "--side", "left",
        "--movement", "hip-er", "--position", "supine-45", "--sim-pain-at", "60",
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert "for hip external rotation (hip-er), left side, supine, hips flexed 45°" in found.stdout
    kept = re.search(r"pain-free max for hip-er left push @ supine-45: ([\d.]+) N", found.stdout)
    assert kept is not None and abs(float(kept.group(1)) - 140.0) <= 6.0  # below 160 N
    # the same movement in its own position uses it; internal rotation or another position not
    # (a position not given is the one used last: 90-90 is named to leave supine-45)
    same = run(
        "drill", "--data-dir", data, "run", "low-intensity", "--speed", "max", "--side", "left",
        "--movement", "hip-er", "--position", "supine-45",
    )  # fmt: skip
    assert f"push pain-free max {kept.group(1)} N: stored 20" in same.stdout
    # not given: the movement and position used last, said so
    again = run(
        "drill", "--data-dir", data, "run", "low-intensity", "--speed", "max", "--side", "left",
    )  # fmt: skip
    assert "movement: hip-er (remembered)\nposition: supine-45 (remembered)" in again.stdout
    assert f"push pain-free max {kept.group(1)} N: stored 20" in again.stdout
    for other in (
        ("--movement", "hip-ir", "--position", "supine-45"),
        ("--movement", "hip-er", "--position", "90-90"),
    ):
        out = run(
            "drill", "--data-dir", data, "run", "low-intensity", "--speed", "max", "--side",
            "left", *other,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert ": stored 20" not in out.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--movement", "Hip ER"), "lower-case letters"),
        (("--cycles", "0"), "must be 1–20"),
        (("--cycles", "2"), "no repeated block"),
    ],
)
def test_bad_movement_or_cycles_are_usage_errors(args: tuple[str, ...], words: str) -> None:
    out = run("drill", "show", "pails-rails-hip", *args)
    assert out.returncode == 2
    assert words in out.stderr and "Traceback" not in out.stderr
