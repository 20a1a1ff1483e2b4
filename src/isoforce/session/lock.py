"""Recording locks: how a store tells a live recording from one whose process died.

Every recording holds an exclusive ``flock`` on its own lock file (named by a random token kept
in the session row) for as long as it runs. The kernel releases the lock when the process
ends in any way, SIGKILL included, so when a store opens it can mark sessions still
``recording`` as ``interrupted`` exactly when nobody holds their lock — a TUI and a headless
``isoforce record`` can share one store without stepping on each other. Where ``fcntl`` does
not exist (Windows) every session left ``recording`` counts as interrupted.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from isoforce.paths import make_private

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class RecordingLock:
    """An exclusive lock held while one session records."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @staticmethod
    def acquire(folder: Path, token: str) -> RecordingLock:
        """Create and lock ``folder/token.lock``; ``OSError`` if that is impossible."""
        make_private(folder, folder=True)
        path = folder / f"{token}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            os.close(fd)
            raise
        return RecordingLock(path, fd)

    def release(self) -> None:
        """Unlock and remove the lock file (safe to call twice)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None


def is_alive(folder: Path, token: str | None) -> bool:
    """Whether the recording with lock ``token`` is still running (its lock is held)."""
    if token is None or fcntl is None:
        return False
    path = folder / f"{token}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        path.unlink()
    return False
