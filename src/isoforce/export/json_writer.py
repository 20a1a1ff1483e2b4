"""JSON recordings: a manifest (device, calibration, reference, drill context) plus column arrays."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from isoforce.session.model import Labels

JSON_FORMAT = "isoforce-recording"
JSON_SCHEMA = 1


def _clean(values: list[float]) -> list[float | None]:
    """NaN is not JSON: missing values become ``null``."""
    return [None if math.isnan(v) else v for v in values]


class JsonRecordingWriter:
    """Collects processed blocks and writes one JSON document when closed.

    The manifest is given up front; arrays are rounded to the same precision as the CSV.
    """

    def __init__(self, stream: TextIO, *, manifest: dict[str, Any]) -> None:
        self._stream = stream
        self._manifest = manifest
        self._cols: dict[str, list[Any]] = {
            k: []
            for k in ("t_s", "raw", "force_n", "effort_pct", "target_pct", "phase", "step", "rep")
        }
        self._gaps: list[dict[str, float | int]] = []
        self._closed = False
        self.rows_written = 0

    def write_columns(self, columns: Mapping[str, NDArray[Any]], labels: Labels) -> None:
        """Add one block's samples (columns named as in ``core.schema.FORCE_COLUMNS``)."""
        n = int(columns["t_s"].shape[0])
        if n == 0:
            return
        lost = int(columns["lost_before"][0])
        if lost:
            self._gaps.append({"t_s": round(float(columns["t_s"][0]), 6), "samples_lost": lost})
        c = self._cols
        c["t_s"].extend(np.round(columns["t_s"], 6).tolist())
        c["raw"].extend(_clean(np.round(columns["raw"], 3).tolist()))
        c["force_n"].extend(_clean(np.round(columns["force_n"], 3).tolist()))
        c["effort_pct"].extend(_clean(np.round(columns["effort_pct"], 2).tolist()))
        c["target_pct"].extend(_clean(np.round(columns["target_pct"], 2).tolist()))
        c["step"].extend(
            [labels.step_names[i] if i >= 0 else None for i in columns["step"].tolist()]
        )
        c["phase"].extend(
            [labels.phase_names[i] if i >= 0 else None for i in columns["phase"].tolist()]
        )
        c["rep"].extend([r if r > 0 else None for r in columns["rep"].tolist()])
        self.rows_written += n

    def close(self) -> None:
        """Write the document (once)."""
        if self._closed:
            return
        self._closed = True
        doc = {
            "format": JSON_FORMAT,
            "schema": JSON_SCHEMA,
            **self._manifest,
            "gaps": self._gaps,
            "samples": len(self._cols["t_s"]),
            "columns": self._cols,
        }
        json.dump(doc, self._stream, separators=(",", ":"))
        self._stream.write("\n")
        self._stream.flush()
