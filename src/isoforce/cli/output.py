"""Output files: the one way every command opens a file it writes (``--out``, ``export``).

What a path names decides how it is written:

- ``-``: standard output, streamed into (never closed);
- an existing FIFO, character device or socket: opened and streamed into in place, never
  replaced (a reader on a FIFO gets every row; ``/dev/null`` stays a device);
- a symlink: followed, and its target written as below (the link stays a link);
- a regular file or a new name: written to a temporary file beside it and renamed over the
  name only when complete, so the name always holds the old file or the whole new one.

A failed write (disk full, quota, I/O error) is recorded on the :class:`Output` and ends as one
:class:`OutputError` saying what happened and what is under the name; the temporary file is
removed. Commands that stream a live session into a file report the failure themselves and go
on recording into the store (:class:`isoforce.cli.live_output.FileRows`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, cast

from isoforce.cli.common import UsageError
from isoforce.errors import StorageError


class OutputError(StorageError):
    """Writing an output file failed; the message says what is (and is not) under its name."""


class UnknownFormatError(UsageError):
    """An output's extension names no format isoforce writes (and no ``--format`` was given)."""


def output_format(path: str | None, given: str | None, formats: Sequence[str]) -> str:
    """The format to write: ``given``, else the extension of ``path``, else the first format.

    An extension that is not one of ``formats`` is refused rather than guessed.
    """
    if given is not None:
        return given
    if path is None or path == "-":
        return formats[0]
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        return formats[0]
    if suffix not in formats:
        raise UnknownFormatError(
            f"{path}: isoforce does not write .{suffix} files; use {_or(formats)} "
            "(or give --format)"
        )
    return suffix


def _or(formats: Sequence[str]) -> str:
    names = [f".{f}" for f in formats]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _write_bytes(fd: int, data: bytes | memoryview) -> int:
    """One ``write(2)``; the seam where tests inject a full disk."""
    return os.write(fd, data)


class _Sink(io.RawIOBase):
    """A file descriptor as a raw stream whose writes go through :func:`_write_bytes`."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        """Always."""
        return True

    def fileno(self) -> int:
        """The descriptor."""
        return self._fd

    def write(self, data: Any) -> int:
        """Write what the OS takes now; the buffered layer above retries the rest."""
        return _write_bytes(self._fd, memoryview(data).cast("B"))

    def close(self) -> None:
        """Close the descriptor once."""
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()


@dataclass
class Output:
    """An opened output: write to ``stream``; ``streamed`` when written in place (no rename)."""

    path: str
    stream: IO[Any]
    streamed: bool
    error: OSError | None = None
    where: str = field(default="")

    def fail(self, exc: OSError) -> None:
        """Record a failed write (the first one counts); the caller stops writing.

        A reader closing standard output (``| head``) is not a failure: it is re-raised so the
        command ends quietly, as any Unix filter does.
        """
        if isinstance(exc, BrokenPipeError) and self.path == "-":
            raise exc
        if self.error is None:
            self.error = exc

    @property
    def text(self) -> TextIO:
        """The stream, opened for text (``binary=False``)."""
        return cast("TextIO", self.stream)

    @property
    def data(self) -> BinaryIO:
        """The stream, opened for bytes (``binary=True``)."""
        return cast("BinaryIO", self.stream)

    @property
    def failed(self) -> bool:
        """Whether a write failed."""
        return self.error is not None

    def failure_text(self) -> str:
        """One line: what went wrong and what is under the name now."""
        exc = self.error
        reason = (exc.strerror or str(exc)) if exc is not None else "unknown error"
        if self.streamed:
            kept = f"{self.where} got what was written before the error"
        else:
            kept = f"nothing was written to {self.path} (any earlier file there is unchanged)"
        return f"writing {self.path} failed: {reason}; {kept}"


def _wrap(fd: int, *, binary: bool) -> IO[Any]:
    buffered = io.BufferedWriter(_Sink(fd), buffer_size=64 * 1024)
    if binary:
        return buffered
    return io.TextIOWrapper(buffered, encoding="utf-8", newline="")


def _close(out: Output) -> None:
    """Close (flushing) the stream; a failed flush is a failed write."""
    try:
        out.stream.close()
    except OSError as exc:
        out.fail(exc)
        with contextlib.suppress(OSError):  # the descriptor is closed even when flushing failed
            out.stream.close()


@contextlib.contextmanager
def open_output(path: str, *, binary: bool = False, keep_partial: bool = False) -> Iterator[Output]:
    """Open ``path`` for writing (see the module docstring for what each kind of path gets).

    A write failure inside the block (an ``OSError``, or one recorded with
    :meth:`Output.fail`) ends in :class:`OutputError`. Another exception leaves the name as it
    was, unless ``keep_partial`` (a recording: what arrived before a crash is worth keeping).
    """
    if path == "-":
        std = sys.stdout.buffer if binary else sys.stdout
        out = Output(path, std, streamed=True, where="standard output")
        try:
            yield out
            std.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            out.fail(exc)
        if out.error is not None:
            raise OutputError(out.failure_text()) from None
        return
    target = Path(os.path.realpath(path))  # a symlink is written through to its target
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {path}: it is a folder")
    streamed = info is not None and not stat.S_ISREG(info.st_mode)
    tmp = None if streamed else target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        if tmp is None:
            fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # the umask applies
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    out = Output(path, _wrap(fd, binary=binary), streamed=streamed, where=path)
    try:
        yield out
    except OSError as exc:
        out.fail(exc)
    except BaseException:
        _close(out)
        if tmp is not None:
            if keep_partial and not out.failed:
                with contextlib.suppress(OSError):
                    os.replace(tmp, target)
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    _close(out)
    if tmp is not None:
        if out.failed:
            with contextlib.suppress(OSError):
                tmp.unlink()
        else:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if out.error is not None:
        raise OutputError(out.failure_text()) from None
