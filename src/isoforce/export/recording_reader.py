"""Reading the JSON files ``isoforce record --format json`` writes (format ``isoforce-recording``).

Those files hold the recording's device, rate, seed, calibration and reference, the gaps, and
column arrays with phase and step *names* per sample. This reader turns them into one
channel plus its label tables; errors name the file and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from isoforce.export.formats import FileFormatError
from isoforce.export.json_writer import JSON_FORMAT, JSON_SCHEMA
from isoforce.session.model import DEFAULT_CHANNEL, ChannelData, JsonDict, Labels

_FLOATS = ("t_s", "raw", "force_n", "effort_pct", "target_pct")


@dataclass(frozen=True, slots=True, eq=False)
class Recording:
    """A live JSON recording: its samples, label names, and the rest of its manifest."""

    channel: ChannelData
    labels: Labels
    manifest: JsonDict


def is_recording(doc: Any) -> bool:
    """Whether a parsed JSON document is a live recording."""
    return isinstance(doc, dict) and doc.get("format") == JSON_FORMAT


def _codes(values: list[Any], where: str, source: str) -> tuple[np.ndarray, tuple[str, ...]]:
    names: list[str] = []
    index: dict[str, int] = {}
    codes = np.full(len(values), -1, dtype=np.int64)
    for i, v in enumerate(values):
        if v is None:
            continue
        if not isinstance(v, str):
            raise FileFormatError(source, None, f"columns.{where}[{i}]: expected text or null")
        if v not in index:
            index[v] = len(names)
            names.append(v)
        codes[i] = index[v]
    return codes, tuple(names)


def read_recording(doc: JsonDict, *, source: str) -> Recording:
    """Samples and labels of a live JSON recording."""
    if doc.get("schema") != JSON_SCHEMA:
        raise FileFormatError(
            source, None, f"recording schema {doc.get('schema')!r} is not supported"
        )
    cols = doc.get("columns")
    n = doc.get("samples")
    if not isinstance(cols, dict) or not isinstance(n, int) or n < 0:
        raise FileFormatError(source, None, "a recording needs 'samples' and 'columns'")
    arrays: dict[str, np.ndarray] = {}
    for name in (*_FLOATS, "phase", "step", "rep"):
        values = cols.get(name)
        if not isinstance(values, list) or len(values) != n:
            raise FileFormatError(source, None, f"columns.{name}: expected {n} values")
        if name in _FLOATS:
            try:
                arrays[name] = np.array(
                    [np.nan if v is None else v for v in values], dtype=np.float64
                )
            except (TypeError, ValueError):
                raise FileFormatError(source, None, f"columns.{name}: not all numbers") from None
    step, step_names = _codes(cols["step"], "step", source)
    phase, phase_names = _codes(cols["phase"], "phase", source)
    try:
        rep = np.array([0 if v is None else int(v) for v in cols["rep"]], dtype=np.int64)
    except (TypeError, ValueError):
        raise FileFormatError(source, None, "columns.rep: not all whole numbers") from None
    t = arrays["t_s"]
    if n > 1 and not np.all(np.diff(t) > 0):
        raise FileFormatError(source, None, "columns.t_s: time does not increase")
    lost = np.zeros(n, dtype=np.int64)
    for gap in doc.get("gaps") or []:
        if not isinstance(gap, dict) or not isinstance(gap.get("samples_lost"), int):
            raise FileFormatError(source, None, f"gaps: bad entry {gap!r}")
        at = int(np.searchsorted(t, float(gap.get("t_s", np.nan)) - 1e-9))
        if at < n:
            lost[at] = gap["samples_lost"]
    channel = ChannelData(
        DEFAULT_CHANNEL,
        t,
        np.full(n, np.nan),
        arrays["raw"],
        arrays["force_n"],
        arrays["effort_pct"],
        arrays["target_pct"],
        step,
        phase,
        rep,
        lost,
    )
    manifest = {k: v for k, v in doc.items() if k not in ("columns", "gaps", "samples")}
    return Recording(channel, Labels(step_names, phase_names), manifest)
