"""What the commands that read or save the session store share.

Their arguments, and how a recording command (``record``, ``drill run``) refuses to keep
nothing and what it exits with.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from isoforce.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from isoforce.cli.values import WholeNumber

if TYPE_CHECKING:
    from isoforce.cli.output import OutputError
    from isoforce.core.effort_key import Side
    from isoforce.recording import Recording


def add_data_dir_argument(parser: argparse.ArgumentParser) -> None:
    """``--data-dir DIR``: the data directory holding the session store."""
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="isoforce data directory holding the session store (default: platform data dir or $ISOFORCE_DATA_DIR)",
    )


def add_save_arguments(parser: argparse.ArgumentParser, *, data_dir: bool = True) -> None:
    """``--no-save`` (and ``--data-dir`` unless the parent parser has it)."""
    if data_dir:
        add_data_dir_argument(parser)
    parser.add_argument(
        "--no-save",
        action="store_true",
        help="do not save the session in the store (it is saved by default)",
    )


def add_athlete_argument(parser: argparse.ArgumentParser, *, what: str = "") -> None:
    """``--athlete NAME``: whose data a command reads or writes (default: the default athlete)."""
    parser.add_argument(
        "--athlete",
        default=None,
        metavar="NAME",
        help=what
        or "whose session, maxima and remembered choices these are (see 'isoforce athlete "
        "list'; default: the default athlete)",
    )


def side_argument(text: str) -> Side:
    """Argparse type: ``left`` or ``right``."""
    from isoforce.core.effort_key import Side

    try:
        return Side(text.strip().lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"side must be left or right, got {text!r}") from None


def slug_argument(what: str) -> Callable[[str], str]:
    """Argparse type for a movement or position slug (``hip-er``, ``supine-45``)."""
    from isoforce.core.movements import check_slug

    def parse(text: str) -> str:
        try:
            return check_slug(text.strip().lower(), what)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what  # argparse names the type in its messages
    return parse


def add_key_arguments(parser: argparse.ArgumentParser, *, cycles: bool = False) -> None:
    """``--movement`` and ``--position`` (and ``--cycles``): what the maxima are kept under."""
    from isoforce.core.movements import MOVEMENTS, POSITIONS
    from isoforce.drills.choices import MAX_CYCLES

    for what, known, words in (
        ("movement", MOVEMENTS, "the movement measured"),
        ("position", POSITIONS, "the body position"),
    ):
        parser.add_argument(
            f"--{what}",
            type=slug_argument(what),
            default=None,
            metavar="NAME",
            help=f"{words} ({', '.join(known)} or your own name; default: the drill's): "
            f"maxima are kept per {what}",
        )
    if cycles:
        parser.add_argument(
            "--cycles",
            type=WholeNumber(1, MAX_CYCLES),
            default=None,
            metavar="N",
            help=f"how many times the drill's repeated block runs (1–{MAX_CYCLES}; default: the "
            "drill's; end-range expansion builds from 1 to 3–4)",
        )


def keeps_nothing(args: argparse.Namespace, command: str) -> bool:
    """Whether ``--no-save`` without ``--out`` would keep nothing (then said on stderr)."""
    if args.out is None and args.no_save:
        print(
            f"isoforce {command}: error: nothing would be kept: give --out or drop --no-save",
            file=sys.stderr,
        )
        return True
    return False


def recording_exit(rec: Recording, failure: OutputError | None, *, interrupted: bool) -> int:
    """The exit code of a recording command: an error when the file or the store failed."""
    if failure is not None:
        print(f"isoforce: error: {failure}", file=sys.stderr)
        return EXIT_ERROR
    if rec.writer is not None and rec.writer.failure is not None:
        return EXIT_ERROR  # the file has everything, the store not: said above
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
