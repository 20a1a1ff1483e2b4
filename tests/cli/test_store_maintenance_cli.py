"""``isoforce store check|backup|recover`` as a user runs them, and a damaged store refusing writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from isoforce.cli import main


def isoforce(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    res = capsys.readouterr()
    assert "Traceback" not in res.err
    return code, res.out, res.err


def test_check_backup_and_recover_a_sound_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = str(tmp_path / "data")
    for _ in range(2):
        code, _, err = isoforce(
            capsys, "record", "--duration", "1", "--speed", "max", "--data-dir", data
        )
        assert code == 0, err
    code, out, _ = isoforce(capsys, "store", "--data-dir", data, "check")
    assert code == 0 and "ok (schema v" in out and "2 sessions" in out
    copy = tmp_path / "copy.sqlite3"
    code, out, _ = isoforce(capsys, "store", "--data-dir", data, "backup", str(copy))
    assert code == 0 and f"{copy}: ok" in out
    fresh = tmp_path / "fresh.sqlite3"
    code, out, _ = isoforce(capsys, "store", "--data-dir", data, "recover", "--out", str(fresh))
    assert code == 0 and f"salvaged 2 session(s) into {fresh}" in out
    code, out, _ = isoforce(capsys, "sessions", "--data-dir", str(tmp_path))  # empty dir: ok
    assert code == 0


def test_finding_a_damaged_store_is_not_written_to_and_says_what_to_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    code, _, err = isoforce(
        capsys, "record", "--duration", "20", "--speed", "max", "--data-dir", str(data)
    )
    assert code == 0, err
    store = data / "isoforce.sqlite3"
    size = store.stat().st_size
    with store.open("r+b") as f:  # garbage over pages in the middle of the file
        f.seek(size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 8192)
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    code, _, err = isoforce(capsys, "store", "--data-dir", str(data), "check")
    assert code == 1 and "problem(s)" in err and "isoforce store recover" in err
    code, _, err = isoforce(
        capsys, "record", "--duration", "1", "--speed", "max", "--data-dir", str(data)
    )
    assert code == 1
    assert "run 'isoforce store check'" in err and len(err.strip().splitlines()) == 1
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
