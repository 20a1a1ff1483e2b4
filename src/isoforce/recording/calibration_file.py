"""A sensor's saved calibration in the data directory: what the TUI's calibration screen keeps.

One JSON file per device (``<data dir>/calibrations/<device>.json``), in the format
``isoforce calibrate --out`` writes, so ``--calibration`` on any command reads it too. The TUI
loads it when that device is picked, given with ``--device`` or remembered as the athlete's last
one (a ``--calibration`` given on the command line wins).
"""

from __future__ import annotations

import json
from pathlib import Path

from isoforce.errors import CalibrationError, StorageError
from isoforce.paths import calibrations_dir, make_private
from isoforce.signal.calibration import Calibration


def calibration_path(data_dir: str | None, device: str) -> Path:
    """Where the calibration of ``device`` is kept."""
    return calibrations_dir(data_dir) / f"{device}.json"


def saved_calibration(data_dir: str | None, device: str) -> Calibration | None:
    """The saved calibration of ``device`` (None when none was saved).

    A file that cannot be read or is not a calibration is a one-line error naming it.
    """
    path = calibration_path(data_dir, device)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise CalibrationError(f"{path} is not a calibration file: {exc}") from None
    if not isinstance(data, dict):
        raise CalibrationError(f"{path} is not a calibration file (expected a JSON object)")
    return Calibration.from_dict(data)


def save_calibration(data_dir: str | None, device: str, calibration: Calibration) -> Path:
    """Save the calibration of ``device`` (owner-only, like the rest of the data) and say where."""
    path = calibration_path(data_dir, device)
    try:
        make_private(path.parent, folder=True)
        make_private(path, folder=False)
        path.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"cannot save {path}: {exc.strerror or exc}") from None
    return path


__all__ = ["calibration_path", "save_calibration", "saved_calibration"]
