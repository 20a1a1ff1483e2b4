"""Test helpers for JSON Lines session files: parse them, and turn them into the old layout.

``document()`` joins a one-session file into the single-document layout of schema 2 (the
manifest with ``channels[i].columns`` and ``imu.columns``): tests read it like the old
format, and ``legacy_json`` must still read it.
"""

from __future__ import annotations

import json
from typing import Any


def lines(data: bytes | str) -> list[dict[str, Any]]:
    """Every line of a JSON Lines file, parsed."""
    return [json.loads(ln) for ln in data.splitlines() if ln.strip()]


def document(data: bytes | str) -> dict[str, Any]:
    """A one-session JSON Lines file as one schema-2 document."""
    parts = lines(data)
    head, trailer = parts[0], parts[-1]
    assert "end" in trailer and sum("format" in p for p in parts) == 1
    doc = {**head, **{k: v for k, v in trailer.items() if k not in ("end", "session")}}
    doc["session"] = {**head["session"], **trailer.get("session", {})}
    doc["schema"] = 2
    channels: dict[str, dict[str, Any]] = {}
    imu: dict[str, Any] | None = None
    for p in parts[1:-1]:
        if p["table"] == "force":
            ch = channels.setdefault(
                p["channel"], {"name": p["channel"], "samples": 0, "lost_before": [], "columns": {}}
            )
            ch["lost_before"] += [[i + ch["samples"], c] for i, c in p["lost_before"]]
            _extend(ch, p)
        else:
            imu = imu or {"samples": 0, "columns": {}}
            _extend(imu, p)
    declared = {c["name"]: c["samples"] for c in trailer["channels"]}
    doc["channels"] = [channels.get(n, _empty(n)) for n in declared]
    doc["imu"] = imu
    return doc


def _extend(table: dict[str, Any], chunk: dict[str, Any]) -> None:
    table["samples"] += chunk["samples"]
    for name, values in chunk["columns"].items():
        table["columns"].setdefault(name, []).extend(values)


def _empty(name: str) -> dict[str, Any]:
    return {"name": name, "samples": 0, "lost_before": [], "columns": {}}
