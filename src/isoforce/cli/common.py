"""Helpers shared by the CLI commands: exit codes, usage errors, Ctrl-C, JSON inputs."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from isoforce.errors import ConfigError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(ConfigError):
    """A command-line value that no option type could check alone (exit 2, like argparse)."""


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
