r"""Where isoforce keeps the user's files: drills, recordings and (later) the session store.

The platform's convention (``platformdirs``: ``~/.local/share/isoforce`` on Linux,
``~/Library/Application Support/isoforce`` on macOS, ``%LOCALAPPDATA%\\isoforce`` on Windows),
overridden by the ``ISOFORCE_DATA_DIR`` environment variable or a ``--data-dir`` flag.
"""

from __future__ import annotations

import os
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
