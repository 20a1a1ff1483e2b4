"""The JSON session file written live: a header at once, one line per block, a trailer at close.

It writes the one JSON format of :mod:`isoforce.export.session_json` (what ``isoforce export
--format json`` writes and ``isoforce import`` reads), so memory stays flat however long the
recording, and an interrupted run keeps every line written (a file without its trailer is
refused on import as truncated).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TextIO

from isoforce.export.live_file import LiveFileWriter
from isoforce.export.manifest import manifest
from isoforce.export.session_json import force_line, header_line, trailer_line
from isoforce.session.model import (
    DEFAULT_CHANNEL,
    ChannelData,
    Labels,
    SessionMeta,
    SessionRecord,
    SessionStatus,
)


class JsonRecordingWriter(LiveFileWriter):
    """Writes a session's samples as JSON lines as they arrive, flushing after each block."""

    def __init__(
        self, stream: TextIO, *, meta: SessionMeta, channel: str = DEFAULT_CHANNEL
    ) -> None:
        super().__init__(stream, channel=channel)
        self._meta = meta
        self._labels = meta.labels
        stream.write(header_line(manifest(SessionRecord(meta=meta))).decode())
        stream.flush()

    def rows(self, channel: ChannelData, labels: Labels) -> bytes:
        """One chunk line per block; the latest labels go into the trailer."""
        self._labels = labels
        return force_line(channel)

    def trailer(self, *, status: SessionStatus, ended_at: str | None, stopped_by: str) -> bytes:
        """The trailer line: labels, sample count and how the session ended."""
        doc = manifest(SessionRecord(meta=replace(self._meta, labels=self._labels)))
        doc["channels"] = [{"name": self._channel, "samples": self.rows_written}]
        update = {"status": status.value, "ended_at": ended_at, "stopped_by": stopped_by}
        return trailer_line(doc, session=update)
