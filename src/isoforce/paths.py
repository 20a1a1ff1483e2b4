r"""Where isoforce keeps the user's files: drills, recordings and (later) the session store.

The platform's convention (``platformdirs``: ``~/.local/share/isoforce`` on Linux,
``~/Library/Application Support/isoforce`` on macOS, ``%LOCALAPPDATA%\\isoforce`` on Windows),
overridden by the ``ISOFORCE_DATA_DIR`` environment variable or a ``--data-dir`` flag.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "ISOFORCE_DATA_DIR"


def data_dir(override: str | Path | None = None) -> Path:
    """The data directory (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("isoforce", appauthor=False))


def drills_dir(override: str | Path | None = None) -> Path:
    """Where user drill files (``*.toml``) live."""
    return data_dir(override) / "drills"


def recordings_dir(override: str | Path | None = None) -> Path:
    """Where recordings are saved when no output path is given."""
    return data_dir(override) / "recordings"


def calibrations_dir(override: str | Path | None = None) -> Path:
    """Where the TUI keeps each sensor's calibration (``<device>.json``, as ``calibrate`` writes)."""
    return data_dir(override) / "calibrations"


#: Health data is the user's alone: folders rwx for the owner, files rw for the owner.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private(path: Path, *, folder: bool) -> str | None:
    """Create ``path`` (a folder, or an empty file) owner-only, or tighten it if it is looser.

    Returns a note for the user when an existing path was tightened, else None. Parents of a
    folder are created with the usual mode; only ``path`` itself is made private.
    """
    mode = PRIVATE_DIR_MODE if folder else PRIVATE_FILE_MODE
    if folder:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=mode)
            return None
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    else:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
            return None
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode == 0:
        return None
    try:
        path.chmod(current & mode)
    except OSError as exc:
        return f"{path} is readable by others (mode {current:o}) and could not be made private: {exc.strerror or exc}"
    return f"made {path} private (mode {current:o} → {current & mode:o}): it holds health data"


def make_store_private(path: Path) -> list[str]:
    """Make a store's folder, file and SQLite side files owner-only; the notes of what changed.

    ``OSError`` if the folder cannot be created. A file that cannot be created here (a folder
    we may not write) is left to SQLite, which says why.
    """
    notes = [make_private(path.parent, folder=True)]
    with contextlib.suppress(OSError):
        notes.append(make_private(path, folder=False))
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if side.exists():
            notes.append(make_private(side, folder=False))
    return [note for note in notes if note]
