"""Helpers shared by the CLI commands: argument types, output files, Ctrl-C handling."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TextIO

from isoforce.errors import IsoforceError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def positive_float(text: str) -> float:
    """Argparse type: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def speed_value(text: str) -> float:
    """Argparse type: a speed factor > 0, or ``max`` for as fast as possible."""
    if text.strip().lower() in {"max", "inf"}:
        return float("inf")
    return positive_float(text)


@contextlib.contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """Open ``path`` for writing text (``-`` is stdout); errors become IsoforceError."""
    if path == "-":
        yield sys.stdout
        return
    try:
        stream = Path(path).open("w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise IsoforceError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        yield stream
    finally:
        stream.close()


def run_until_interrupted(make: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> bool:
    """Run the coroutine ``make(stop)``; Ctrl-C or SIGTERM sets ``stop``. True if interrupted."""
    interrupted = False

    async def main() -> None:
        nonlocal interrupted
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            nonlocal interrupted
            interrupted = True
            stop.set()

        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, on_signal)
            loop.add_signal_handler(signal.SIGTERM, on_signal)
        await make(stop)

    asyncio.run(main())
    return interrupted


def read_json_object(path: str, *, what: str) -> dict[str, Any]:
    """Read a JSON object from ``path``; a missing file or wrong content is a one-line error.

    ``what`` names the file in messages ("a calibration file", "an effort calibration").
    """
    import json

    from isoforce.errors import CalibrationError, StorageError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CalibrationError(f"{path} is not {what}: {exc}") from None
    except RecursionError:
        raise CalibrationError(f"{path} is not {what}: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise CalibrationError(f"{path} is not {what} (expected a JSON object)")
    return data
