"""Commands written to a device during a session: one text line at a session time.

isoforce's reference firmware (``firmware_notes/README.md``, "Commands") reads one ASCII command
per line: ``r 40`` (frames per second), ``t`` (zero its on-device force channel), ``x`` / ``s``
(stop / start sending), ``c 200`` (counts per newton), ``i`` (info). ``isoforce record --send
[T:]CMD`` writes such a line when the session clock reaches T seconds; the firmware's replies
come back as text frames and are printed with the recording's summary. Only devices whose
:class:`~isoforce.devices.base.DeviceSpec` has ``text_commands`` take them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: The firmware's longest command line (``ISF_LINE_MAX`` in ``isoforce_app.h``).
MAX_COMMAND_CHARS = 32
_TIMED = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*:(.*)$")


@dataclass(frozen=True, slots=True)
class DeviceCommand:
    """``text`` (without its line end) to write when the session clock reaches ``at_s``."""

    at_s: float
    text: str

    def line(self) -> bytes:
        """The bytes to write: the text and a newline."""
        return self.text.encode("ascii") + b"\n"

    def __str__(self) -> str:
        return f"{self.at_s:g}:{self.text}"


def parse_device_command(spec: str) -> DeviceCommand:
    """``CMD`` (sent as soon as the device is connected) or ``T:CMD`` (at T s of session time).

    Raises ``ValueError`` with a one-line reason: empty, not printable ASCII, or longer than the
    firmware's line (:data:`MAX_COMMAND_CHARS`).
    """
    timed = _TIMED.match(spec)
    at_s = float(timed.group(1)) if timed else 0.0
    text = (timed.group(2) if timed else spec).strip()
    if not math.isfinite(at_s):
        raise ValueError(f"{spec!r}: the time must be a number of seconds")
    if not text:
        raise ValueError(f"{spec!r}: no command (give CMD or T:CMD, e.g. 'r 40' or '10:t')")
    if not (text.isascii() and text.isprintable()):
        raise ValueError(f"{spec!r}: a command is printable ASCII on one line")
    if len(text) > MAX_COMMAND_CHARS:
        raise ValueError(f"{spec!r}: longer than {MAX_COMMAND_CHARS} characters")
    return DeviceCommand(at_s, text)
