"""Health data is private: the store, its folder and its lock folder are the owner's alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from isoforce.session.lock import RecordingLock
from isoforce.session.store import SessionStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> object:
    old = os.umask(0o022)  # the usual umask that made the store world-readable
    yield
    os.umask(old)


def test_finding_store_folder_and_lock_folder_are_created_private(
    tmp_path: Path, open_umask: object
) -> None:
    """Issue 20: the store was 0644 and its folder and lock folder 0755 (health data readable
    by every user of the machine)."""
    data = tmp_path / "data"
    with SessionStore.open(data_dir=data) as store:
        store_file = store.path
        lock_dir = store.lock_dir
        RecordingLock.acquire(lock_dir, "t").release()
        assert store.notes == []
    assert _mode(data) == 0o700
    assert _mode(store_file) == 0o600
    assert _mode(lock_dir) == 0o700
    for side in data.glob("isoforce.sqlite3-*"):
        if side.is_file():
            assert _mode(side) & 0o077 == 0, side


def test_a_loose_store_is_tightened_on_open_with_a_note(tmp_path: Path, open_umask: object) -> None:
    data = tmp_path / "data"
    SessionStore.open(data_dir=data).close()
    store_file = data / "isoforce.sqlite3"
    data.chmod(0o755)
    store_file.chmod(0o644)
    with SessionStore.open(data_dir=data) as store:
        assert len(store.notes) == 2 and all("private" in n for n in store.notes)
    assert _mode(data) == 0o700 and _mode(store_file) == 0o600
