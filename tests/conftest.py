"""Shared test setup: every test runs with a temporary home and data directory.

Fixtures used by more than one folder live here: session stores in a temp dir and the real
Tindeq app exports in ../shared. Folder-specific ones stay in that folder's ``conftest.py``
(BLE bus and fake bluetoothd, serial ptys and emulators); fixture names are unique across the
tree, so none shadows another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from isoforce.session.store import SessionStore
from tests.paths import THIRDPARTY_DATA


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME and the XDG/isoforce data dirs at a temp dir so no test touches real user data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("ISOFORCE_DATA_DIR", str(home / "isoforce-data"))
    return home


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    """A fresh store file in a temp dir."""
    s = SessionStore.open(tmp_path / "store" / "isoforce.sqlite3")
    yield s
    s.close()


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[SessionStore]:
    """A second, independent store (for export/import round trips)."""
    s = SessionStore.open(tmp_path / "other" / "isoforce.sqlite3")
    yield s
    s.close()


@pytest.fixture
def tindeq_dir() -> Path:
    """The real Tindeq app exports in ../shared (skips when they are not there)."""
    path = THIRDPARTY_DATA / "tindeq_app_exports_SantiCiri"
    if not path.is_dir():
        pytest.skip("../shared/thirdparty-data is not available")
    return path
