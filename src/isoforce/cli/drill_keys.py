"""The drill keys on the command line: single keys in a terminal, lines from a pipe.

While ``isoforce drill run`` runs, what is typed on standard input goes to the live session as
:class:`~isoforce.live.DrillCommand` values, as the TUI's keys do. In a terminal each key acts at
once (the terminal is put in cbreak mode and restored after; Ctrl-C still stops) unless the
output goes elsewhere (then the terminal is left alone and a key needs Enter); from a pipe or a
FIFO each character of each line counts (``p`` then Enter, or ``echo y > fifo``). Other standard
inputs (a file, ``/dev/null``, none) give no keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import IO, Any

from isoforce.live.frame import DrillCommand

#: The keys, as in the TUI's player.
KEYS: dict[str, DrillCommand] = {
    "p": DrillCommand.PAIN,
    "y": DrillCommand.BETTER,
    "n": DrillCommand.NOT_BETTER,
    "c": DrillCommand.CRAMP,
    "1": DrillCommand.CHECK_PINCHING,
    "2": DrillCommand.CHECK_CRAMPING,
    "3": DrillCommand.CHECK_COMPENSATION,
    " ": DrillCommand.PAUSE,
    "s": DrillCommand.SKIP,
}
KEY_HELP = (
    "keys: p pain/pinch · y / n answer 'better?' · c cramp · after a step 1 pinching, "
    "2 cramping, 3 compensation · space pause · s skip (one trial in a max test) · "
    "t tare (unloaded) · Ctrl-C stop"
)


class KeyReader:
    """Reads drill keys from ``stream`` (standard input) in the running event loop.

    Use as a context manager inside the loop; :attr:`active` says whether keys are read.
    """

    def __init__(
        self,
        target: Any,
        stream: IO[str] | None = None,
        *,
        actions: Mapping[str, Callable[[], None]] | None = None,
    ) -> None:
        """``target.command`` gets the drill keys; ``actions`` maps other keys (``t``) to calls."""
        self.target = target
        self.actions = dict(actions or {})
        self.stream = stream if stream is not None else sys.stdin
        self.active = False
        self._fd = -1
        self._saved: list[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._answer: asyncio.Future[bool | None] | None = None

    def __enter__(self) -> KeyReader:
        try:
            fd = self.stream.fileno()
            mode = os.fstat(fd).st_mode
        except (OSError, ValueError, AttributeError):
            return self
        tty = os.isatty(fd)
        if not (tty or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            return self
        loop = asyncio.get_running_loop()
        try:
            loop.add_reader(fd, self._on_input)
        except (NotImplementedError, OSError, ValueError):
            return self
        self._fd, self._loop, self.active = fd, loop, True
        if tty and sys.stdout.isatty():
            self._cbreak()  # someone at the terminal; with output piped, keys need Enter
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def ask_yes_no(self, timeout_s: float) -> bool | None:
        """Wait for ``y`` or ``n`` (True/False); ``None`` with no keys, no answer in time or EOF.

        Other keys typed meanwhile are ignored; keys after the answer go to the drill.
        """
        if not self.active:
            return None
        self._answer = asyncio.get_running_loop().create_future()
        try:
            return await asyncio.wait_for(self._answer, timeout_s)
        except TimeoutError:
            return None
        finally:
            self._answer = None

    def close(self) -> None:
        """Stop reading and give the terminal its settings back."""
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        if self._loop is not None and self.active:
            with contextlib.suppress(OSError, ValueError):
                self._loop.remove_reader(self._fd)
        self.active = False
        if self._saved is not None:
            import termios

            with contextlib.suppress(OSError):
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def _cbreak(self) -> None:
        try:
            import termios
            import tty
        except ImportError:  # not on this platform: keys need Enter
            return
        with contextlib.suppress(OSError):
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)

    def _on_input(self) -> None:
        try:
            data = os.read(self._fd, 256)
        except OSError:
            data = b""
        if not data:  # the other end closed: no more keys
            self.close()
            return
        for ch in data.decode("utf-8", errors="ignore"):
            answer = self._answer
            if answer is not None and not answer.done():
                if ch.lower() in ("y", "n"):
                    answer.set_result(ch.lower() == "y")
                continue  # a question is open: other keys are not drill keys yet
            command = KEYS.get(ch.lower())
            if command is not None:
                self.target.command(command)
            elif ch.lower() in self.actions:
                self.actions[ch.lower()]()
