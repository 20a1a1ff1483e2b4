"""The error types isoforce raises.

Every error a user can cause or meet derives from :class:`IsoforceError`, so the command line
and the TUI can show its message instead of a traceback.
"""

from __future__ import annotations

import enum
from pathlib import Path


class IsoforceError(Exception):
    """Root of every error isoforce raises on purpose; its message is meant for the user."""


class TransportErrorReason(enum.Enum):
    """Why a transport failed, so callers branch on a value rather than on message text."""

    NOT_FOUND = "device not found"
    DISCONNECTED = "device disconnected"
    PERMISSION_DENIED = "permission denied"
    ADAPTER_OFF = "Bluetooth is off"
    NO_ADAPTER = "no Bluetooth adapter"
    TIMEOUT = "timed out"
    CONNECT_FAILED = "could not connect"
    BAD_ADDRESS = "bad device address"
    IO = "input/output error"


class TransportError(IsoforceError):
    """A sensor could not be opened, read or written."""

    def __init__(self, reason: TransportErrorReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


class DecodeError(IsoforceError):
    """Bytes could not be decoded where a caller asked for strict decoding."""


class CalibrationError(IsoforceError):
    """A calibration step was refused (noisy tare window, equal calibration points, ...)."""


class DrillFileError(IsoforceError):
    """A drill file is malformed; the message reads ``file:line: field: what is wrong``."""

    def __init__(self, path: Path | str, line: int | None, field: str, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {field}: {problem}")


class StorageError(IsoforceError):
    """The session store or a file on disk could not be read or written."""


class ConfigError(IsoforceError):
    """A setting or command-line value is out of range or inconsistent."""


class AthleteNameError(ConfigError):
    """An athlete name that is unknown (or already taken when adding): a usage error (exit 2)."""
