"""Built-in drills as plain data (drill fields and the unrolled plan), for the golden test.

Regenerate the stored copy only when a plan change is intended::

    PYTHONPATH=tests/drills .venv/bin/python -m plan_golden > tests/drills/data/builtin_plans.json
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from isoforce.drills import DrillEngine, list_builtin, load_builtin


def drill_as_data(name: str) -> dict[str, Any]:
    """One built-in drill and its plan (default engine settings) as JSON-ready data."""
    drill = load_builtin(name)
    plan = DrillEngine(drill).plan
    return {
        "sensors": asdict(drill.sensors),
        "duration_s": drill.duration_s,
        "leaves": [repr(leaf) for leaf in drill.leaves()],
        "plan": [
            {
                "index": ps.index,
                "kind": str(ps.kind),
                "label": ps.label,
                "instruction": ps.instruction,
                "top_index": ps.top_index,
                "rep_path": list(ps.rep_path),
                "direction": None if ps.direction is None else ps.direction.value,
                "reference": None if ps.reference is None else ps.reference.value,
                "band_pct": ps.band_pct,
                "reps_ending": list(ps.reps_ending),
                "peak_pct": ps.peak_pct,
                "duration_s": ps.duration_s,
                "segments": [
                    {**asdict(seg), "phase": int(seg.phase), "cues": [list(c) for c in seg.cues]}
                    for seg in ps.segments
                ],
            }
            for ps in plan
        ],
    }


def all_builtins() -> dict[str, Any]:
    """Every built-in drill by name."""
    return {name: drill_as_data(name) for name in list_builtin()}


if __name__ == "__main__":
    print(json.dumps(all_builtins(), indent=1, ensure_ascii=False))
