"""Fixtures for the session tests: a store in a temp dir, and the real Tindeq exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from isoforce.session.store import SessionStore

TINDEQ_DIR = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "thirdparty-data"
    / "tindeq_app_exports_SantiCiri"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    """A fresh store file in a temp dir."""
    s = SessionStore.open(tmp_path / "store" / "isoforce.sqlite3")
    yield s
    s.close()


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[SessionStore]:
    """A second, independent store (for import round trips)."""
    s = SessionStore.open(tmp_path / "other" / "isoforce.sqlite3")
    yield s
    s.close()


@pytest.fixture
def tindeq_dir() -> Path:
    """The real Tindeq app exports in ../shared (skips when they are not there)."""
    if not TINDEQ_DIR.is_dir():
        pytest.skip("../shared/thirdparty-data is not available")
    return TINDEQ_DIR
