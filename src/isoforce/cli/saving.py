"""Saving live sessions to the store from ``isoforce record`` and ``isoforce drill run``."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isoforce.core.effort_key import Side
    from isoforce.drills.model import Drill
    from isoforce.runner import RunResult
    from isoforce.runner.factory import Session, SessionOptions
    from isoforce.session.model import ReferenceRecord, RomRecord
    from isoforce.session.recorder import SessionRecorder


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


@contextlib.contextmanager
def recording(
    args: argparse.Namespace,
    session: Session,
    options: SessionOptions,
    *,
    drill: Drill | None = None,
    side: Side | None = None,
    extra_options: dict[str, Any] | None = None,
) -> Iterator[SessionRecorder | None]:
    """Record ``session`` into the store while the block runs (None with ``--no-save``).

    If the block raises, the session is marked interrupted (or, if even that cannot be
    written, left for the next open of the store to mark).
    """
    if getattr(args, "no_save", False):
        yield None
        return
    from isoforce.session.recorder import SessionRecorder
    from isoforce.session.store import SessionStore

    store = SessionStore.open(data_dir=getattr(args, "data_dir", None))
    try:
        recorder = SessionRecorder.attach(
            store, session, options, drill=drill, side=side, extra_options=extra_options
        )
        try:
            yield recorder
        except BaseException as exc:
            recorder.abandon(f"error: {exc}" if str(exc) else type(exc).__name__)
            raise
    finally:
        store.close()


def finish(
    recorder: SessionRecorder | None,
    result: RunResult,
    *,
    session: Session,
    interrupted: bool,
) -> tuple[int | None, tuple[ReferenceRecord, ...]]:
    """Save the end of a run; returns the session id and the maxima saved."""
    if recorder is None:
        return None, ()
    stopped = "stopped by the user" if interrupted else None
    saved = recorder.finish_run(result, guide=session.guide, stopped_by=stopped)
    return recorder.session_id, saved


def saved_lines(
    session_id: int | None,
    maxima: tuple[ReferenceRecord, ...],
    *,
    side_known: bool,
    rom: Sequence[RomRecord] = (),
) -> list[str]:
    """What to tell the user about what was saved (maxima and end ranges for the history)."""
    from isoforce.session.results import saved_record_lines

    if session_id is None:
        return []
    lines = [
        f"saved as session {session_id}: 'isoforce export {session_id} --format csv' writes it "
        f"to a file, 'isoforce replay {session_id}' plays it back",
        *saved_record_lines(maxima, rom),
    ]
    if not side_known:
        lines.append(
            "maxima and end ranges are not added to the history without a side: "
            "pass --side left|right"
        )
    return lines
