"""Database errors as one line for the user (:class:`~isoforce.errors.StorageError`)."""

from __future__ import annotations

import os
from pathlib import Path

from isoforce.errors import StorageError

#: What a damaged store's messages tell the user to do.
CHECK_OR_RECOVER = (
    "nothing was written to it; run 'isoforce store check', and 'isoforce store recover' to "
    "salvage its sessions into a new store"
)


def storage_error(exc: Exception, path: Path, doing: str) -> StorageError:
    """A user-facing :class:`StorageError` for a database error met while ``doing``."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    msg = str(exc)
    low = msg.lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in low:
        text = f"the disk is full (or the store reached its size limit) at {path}; free some space"
    elif name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in low:
        text = f"{path} is damaged or not an isoforce store ({msg}); {CHECK_OR_RECOVER}"
    elif (
        name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR"))
        or "readonly" in low
        or "unable to open" in low
    ):
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            text = (
                f"{path.parent} is read-only; choose another with --data-dir or ISOFORCE_DATA_DIR"
            )
        elif "readonly" in low or name.startswith("SQLITE_READONLY"):
            text = f"{path} is read-only; choose another with --data-dir or ISOFORCE_DATA_DIR"
        else:
            text = f"cannot open or write {path} ({msg})"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low:
        text = f"{path} is busy: another isoforce process is writing to it; try again"
    else:
        text = f"{path}: {msg}"
    return StorageError(f"{doing}: {text}")
