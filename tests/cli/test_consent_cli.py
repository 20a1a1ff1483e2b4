"""``isoforce drill run``: consent above the max, labels from the targets used, one skipped trial."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.paths import ISOFORCE

ABOVE = """
name = "above"
movement = "hip-ir"
position = "90-90"
allow_above_max = true

[[steps]]
kind = "hold"
direction = "push"
target_pct = 50
seconds = 3

[[steps]]
kind = "hold"
direction = "push"
target_pct = 110
seconds = 3
"""

TRIALS = """
name = "three-trials"
movement = "hip-ir"
position = "90-90"
reference = "mvic"

[[steps]]
kind = "max_trial"
direction = "push"
trials = 3
seconds = 2
rest_s = 2
ready_s = 4
"""


def drill_run(
    tmp_path: Path, text: str, *extra: str, keys: str | None = None
) -> subprocess.CompletedProcess[str]:
    name = text.split('name = "')[1].split('"')[0]
    drill = tmp_path / f"{name}.toml"
    drill.write_text(text)
    env = {**os.environ, "ISOFORCE_DATA_DIR": str(tmp_path / "data")}
    args = [ISOFORCE, "drill", "run", str(drill), "--device", "sim", "--side", "left", *extra]
    return subprocess.run(
        args,
        input=keys,
        stdin=subprocess.DEVNULL if keys is None else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_no_terminal_caps_above_the_max_and_says_so(tmp_path: Path) -> None:
    out = drill_run(tmp_path, ABOVE, "--speed", "max", "--push-max", "150")
    assert out.returncode == 0, out.stderr
    assert "step 2 hold push 110 % 3 s: 110 % of the pain-free max = 165 N" in out.stdout
    assert "not asked (no terminal): these steps are capped at 100 % of your max" in out.stdout
    assert "warning: target 110 % capped at 100 %: going above the max was not agreed" in out.stdout
    assert "hold push 100 % 3 s (capped at the max: going above it not agreed)" in out.stdout
    assert "targets above your max: not agreed (no answer), so they were capped" in out.stdout


@pytest.mark.parametrize(
    ("key", "label", "word"), [("y", "110 %", "agreed"), ("n", "100 %", "declined")]
)
def test_the_answer_from_the_keys_decides(tmp_path: Path, key: str, label: str, word: str) -> None:
    out = drill_run(tmp_path, ABOVE, "--speed", "max", "--push-max", "150", keys=f"{key}\n")
    assert out.returncode == 0, out.stderr
    assert "go above your max in these steps? y agree · n no" in out.stdout
    assert f"above your max: {word} (asked)" in out.stdout
    assert f"step 2/2  hold push {label} 3 s" in out.stdout


def test_yes_above_max_agrees_for_scripts(tmp_path: Path) -> None:
    out = drill_run(
        tmp_path, ABOVE, "--speed", "max", "--push-max", "150", "--yes-above-max", "--no-keys"
    )
    assert out.returncode == 0, out.stderr
    assert "above your max: agreed (--yes-above-max)" in out.stdout
    row = [line for line in out.stdout.splitlines() if line.startswith("2  hold push 110 % 3 s")]
    assert row and " 110 % " in row[0]  # the mean effort reached the agreed target


def test_s_skips_one_max_trial_and_the_mvic_comes_from_the_others(tmp_path: Path) -> None:
    # the key is read at once (a pipe): "s" lands in the first trial's get-ready
    out = drill_run(tmp_path, TRIALS, "--speed", "2", keys="s\n")
    assert out.returncode == 0, out.stderr
    assert "trial 1 of 3 skipped" in out.stdout
    assert "push max test: MVIC from 2 of 3 trials (trial 1 skipped)" in out.stdout
    assert "MVIC for hip-ir left push @ 90-90" in out.stdout
    assert "from 2 of 3 trials (skipped: 1) (added to the history)" in out.stdout
    # trial 1 never ran: the force-curve report names the two that did by their own numbers
    report = subprocess.run(
        [ISOFORCE, "report", "latest"],
        capture_output=True,
        text=True,
        env={**os.environ, "ISOFORCE_DATA_DIR": str(tmp_path / "data")},
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    assert "effort 1: max trial push 3×2 s, trial 2" in report.stdout
    assert "effort 2: max trial push 3×2 s, trial 3" in report.stdout


def test_skipping_every_trial_stores_no_mvic_and_says_so(tmp_path: Path) -> None:
    out = drill_run(tmp_path, TRIALS, "--speed", "2", keys="sss\n")
    assert out.returncode == 0, out.stderr
    for n in (1, 2, 3):
        assert f"trial {n} of 3 skipped" in out.stdout
    assert "push max test: all 3 trials skipped: no MVIC measured or stored for it" in out.stdout
    assert "MVIC for hip-ir" not in out.stdout


SKIP_INTO_A_HOLD = """
name = "skip-into-a-hold"
movement = "hip-ir"
position = "90-90"

[[steps]]
kind = "passive"
seconds = 30

[[steps]]
kind = "hold"
direction = "push"
target_pct = 40
seconds = 2
"""


def test_s_before_an_effort_says_skipped_then_get_ready_and_the_hold_starts_3_s_later(
    tmp_path: Path,
) -> None:
    # the key is read at once (a pipe): "s" lands in the 30 s stretch
    out = drill_run(tmp_path, SKIP_INTO_A_HOLD, "--speed", "max", "--push-max", "150", keys="s\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    skipped = next(i for i, line in enumerate(lines) if "step 1 skipped" in line)
    ready = next(i for i, line in enumerate(lines) if line.endswith("] get ready"))
    hold = next(i for i, line in enumerate(lines) if "step 2/2" in line)
    assert skipped < ready < hold

    def t_s(line: str) -> float:
        minutes, seconds = line[1:].split("]")[0].split(":")
        return 60 * int(minutes) + float(seconds)

    assert t_s(lines[hold]) - t_s(lines[skipped]) == pytest.approx(3.0, abs=0.05)
