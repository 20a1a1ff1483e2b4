"""Guided drills: drill files, the pure drill engine and its scoring (no I/O but file loading).

Typical use::

    drill = find_drill("pails-rails-hip", user_dir)
    engine = DrillEngine(drill, EngineSettings(), start_t_s=t_now)
    upd = engine.update(t_s=block_t, effort_pct=block_effort)   # per sample block
    ... upd.target_pct, upd.events ...
    result = engine.result()
"""

from isoforce.drills.engine import DrillEngine
from isoforce.drills.events import (
    Check,
    CheckRecord,
    DrillEvent,
    DrillResult,
    EngineSettings,
    EngineStatus,
    EngineUpdate,
    EventKind,
    PainDrop,
    PainRecord,
    pain_drop_level,
)
from isoforce.drills.kinds import StepKind
from isoforce.drills.loader import (
    DrillInfo,
    DrillNotFoundError,
    find_drill,
    list_builtin,
    list_drills,
    load_builtin,
    load_drill,
    load_drill_text,
)
from isoforce.drills.model import Drill, SensorNeeds, SideSpec
from isoforce.drills.plan import Phase, PlanStep
from isoforce.drills.scoring import DrillScore, EndReason, MaxEffort, Metrics, RepScore, StepScore

__all__ = [
    "Check",
    "CheckRecord",
    "Drill",
    "DrillEngine",
    "DrillEvent",
    "DrillInfo",
    "DrillNotFoundError",
    "DrillResult",
    "DrillScore",
    "EndReason",
    "EngineSettings",
    "EngineStatus",
    "EngineUpdate",
    "EventKind",
    "MaxEffort",
    "Metrics",
    "PainDrop",
    "PainRecord",
    "Phase",
    "PlanStep",
    "RepScore",
    "SensorNeeds",
    "SideSpec",
    "StepKind",
    "StepScore",
    "find_drill",
    "list_builtin",
    "list_drills",
    "load_builtin",
    "load_drill",
    "load_drill_text",
    "pain_drop_level",
]
