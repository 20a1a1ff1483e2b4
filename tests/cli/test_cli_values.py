"""Every CLI value is checked by its argparse type: one usage line, exit 2, no traceback.

Each test is named after the finding of issue 20 it holds (deliver 8); the values were found by
attacking the CLI as a hostile user would.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from isoforce.cli import main
from isoforce.cli.values import COUNT, FORCE_N, SEED, SPEED, Number, session_spec

ISOFORCE = str(Path(sys.executable).with_name("isoforce"))


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``isoforce args``; assert a usage error (exit 2, one error line); return stderr."""
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    err = capsys.readouterr().err
    assert stop.value.code == 2, err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if "error:" in line]) == 1, err
    return err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("record", "--duration", "1", "--push-max", "inf"), "--push-max: must be > 0"),
        (("record", "--duration", "1", "--pull-max", "nan"), "--pull-max: must be > 0"),
        (("record", "--duration", "1", "--seed", "-1"), "--seed: must be 0–4294967295"),
        (("history", "--flag-at", "inf"), "--flag-at: must be > 0 and ≤ 100 %"),
        (("record", "--duration", "1", "--speed", "1e-9"), "--speed: must be 0.1–1000"),
        (("record", "--duration", "inf"), "--duration: must be > 0 and ≤ 86400 s"),
        (("record", "--duration", "1", "--rate", "1e300"), "--rate: must be > 0"),
        (("tui", "--fps", "0"), "--fps: must be 1–240"),
        (("scan", "--baud", "-5"), "--baud: must be 1–10000000"),
    ],
    ids=[
        "finding_push_max_inf",
        "finding_pull_max_nan",
        "finding_seed_minus_one",
        "finding_history_flag_at_inf",
        "finding_speed_1e-9",
        "finding_duration_inf",
        "finding_rate_1e300",
        "finding_tui_fps_zero",
        "finding_scan_baud_negative",
    ],
)
def test_finding_numbers_finite_and_in_range(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
) -> None:
    assert says in usage_error(capsys, *args)


@pytest.mark.parametrize("command", ["export", "replay"])
def test_finding_session_id_10_pow_30_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: str, tmp_path: Path
) -> None:
    err = usage_error(capsys, command, str(10**30), "--data-dir", str(tmp_path))
    assert "expected a session number (1 to 9223372036854775807)" in err


def test_finding_sessions_limit_huge_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    err = usage_error(
        capsys, "sessions", "--limit", "99999999999999999999999", "--data-dir", str(tmp_path)
    )
    assert "--limit: must be 1–1000000" in err
    assert "datatype mismatch" not in err


def test_finding_imu_calibrate_out_into_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope" / "mmg.json"
    err = usage_error(capsys, "imu", "calibrate", "--out", str(missing), "--speed", "max")
    assert f"folder {str(missing.parent)!r} does not exist" in err
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", [(), ("tui",), ("demo",)], ids=["plain", "tui", "demo"])
def test_finding_tui_without_a_terminal_is_a_clear_error(command: tuple[str, ...]) -> None:
    """Without a terminal the UI used to spin at 100 % CPU writing escape codes."""
    res = subprocess.run(
        [ISOFORCE, *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    assert res.returncode == 2, res.stderr
    assert "the terminal UI needs a terminal" in res.stderr
    assert "Traceback" not in res.stderr
    assert res.stdout == ""  # no escape codes


def test_number_types_state_their_range_and_refuse_non_finite() -> None:
    assert FORCE_N.span == "> 0 and ≤ 20000 N"
    assert SPEED("max") == math.inf and SPEED(" MAX ") == math.inf and SPEED("2.5") == 2.5
    assert SEED("4294967295") == 2**32 - 1 and COUNT("1") == 1
    for bad in ("nan", "-inf", "inf", "1e400", "x", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            FORCE_N(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="not a whole number"):
        SEED("9" * 5000)  # more digits than int() parses
    assert Number(0.0, 1.0)("1") == 1.0  # both ends included unless low_open


@pytest.mark.parametrize("spec", ["1", "latest", "LATEST-2", "all", str(2**63 - 1)])
def test_session_spec_accepts_what_the_store_resolves(spec: str) -> None:
    assert session_spec(spec) == spec.lower()


@pytest.mark.parametrize("spec", ["0", "-1", "latest-", "latest-x", str(2**63), "1.5", "first"])
def test_session_spec_refuses_the_rest(spec: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        session_spec(spec)


def _parsers(
    parser: argparse.ArgumentParser, path: str
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, f"{path} {name}")
    return found


def test_every_commands_help_prints_what_is_written() -> None:
    """A description is printed as written: argparse does no %-formatting there, so a ``%%``
    would show doubled. Every command's ``--data-dir`` says where the default is."""
    from isoforce.cli import build_parser

    parsers = _parsers(build_parser(), "isoforce")
    assert len(parsers) > 20
    for path, parser in parsers:
        text = parser.format_help()
        assert "%%" not in text, path
        if "--data-dir" in text:
            assert "ISOFORCE_DATA_DIR" in text, path
