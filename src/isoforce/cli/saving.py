"""Arguments shared by the commands that save live sessions (``record``, ``drill run``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isoforce.core.effort_key import Side


def add_save_arguments(parser: argparse.ArgumentParser, *, data_dir: bool = True) -> None:
    """``--no-save`` (and ``--data-dir`` unless the parent parser has it)."""
    if data_dir:
        parser.add_argument(
            "--data-dir",
            default=None,
            metavar="DIR",
            help="isoforce data directory holding the session store (default: platform data dir or $ISOFORCE_DATA_DIR)",
        )
    parser.add_argument(
        "--no-save",
        action="store_true",
        help="do not save the session in the store (it is saved by default)",
    )


def side_argument(text: str) -> Side:
    """Argparse type: ``left`` or ``right``."""
    from isoforce.core.effort_key import Side

    try:
        return Side(text.strip().lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"side must be left or right, got {text!r}") from None
