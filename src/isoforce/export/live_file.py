"""What the live file writers share: samples in the schema's columns in, text out, flushed."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, TextIO

from numpy.typing import NDArray

from isoforce.session.model import ChannelData, Labels, SessionStatus


class LiveFileWriter(abc.ABC):
    """Appends each block of a live session to a text stream as it arrives, and flushes it.

    Subclasses say how a block of one channel becomes text (:meth:`rows`) and what the end of
    the file holds (:meth:`trailer`). The caller owns the stream.
    """

    def __init__(self, stream: TextIO, *, channel: str) -> None:
        self._stream = stream
        self._channel = channel
        self.rows_written = 0
        self._closed = False

    @abc.abstractmethod
    def rows(self, channel: ChannelData, labels: Labels) -> bytes:
        """The text of one block of samples."""

    def write_columns(self, columns: Mapping[str, NDArray[Any]], labels: Labels) -> None:
        """Append samples given as force columns (names of ``FORCE_COLUMNS``) and flush."""
        channel = ChannelData.from_columns(self._channel, columns)
        if len(channel) == 0:
            return
        self._stream.write(self.rows(channel, labels).decode())
        self._stream.flush()
        self.rows_written += len(channel)

    def trailer(self, *, status: SessionStatus, ended_at: str | None, stopped_by: str) -> bytes:
        """The text that ends the file, with how the session ended (none by default)."""
        del status, ended_at, stopped_by
        return b""

    def close(
        self,
        *,
        status: SessionStatus = SessionStatus.COMPLETE,
        ended_at: str | None = None,
        stopped_by: str = "",
    ) -> None:
        """Finish the file (once): write its :meth:`trailer` and flush."""
        if self._closed:
            return
        self._closed = True
        end = self.trailer(status=status, ended_at=ended_at, stopped_by=stopped_by)
        self._stream.write(end.decode())
        self._stream.flush()
