"""Read one athlete's progression from the store: maxima, drill sessions and their hold targets.

The edge of :mod:`isoforce.session.progress`: it loads the maxima and every drill session of
the profile (without samples), rebuilds each drill as it ran (its stored file text, or the
built-in drill of that name, with the session's cycles) to know each hold's nominal target,
and hands everything to :func:`~isoforce.session.progress.build_progress`.
"""

from __future__ import annotations

import contextlib

from isoforce.core.effort_key import MovementKey, ReferenceKind
from isoforce.drills.choices import DrillChoices, apply_choices, cycles_of
from isoforce.drills.loader import load_builtin, load_drill_text
from isoforce.drills.model import Drill
from isoforce.drills.plan import build_plan
from isoforce.drills.progression import TrainingSession
from isoforce.drills.progression_rule import ProgressionRule
from isoforce.errors import IsoforceError
from isoforce.session.model import SessionKind, SessionRecord, SessionStatus
from isoforce.session.progress import Progress, build_progress, training_sessions
from isoforce.session.store import SessionStore


def _drill_as_run(record: SessionRecord) -> Drill | None:
    """The drill a session ran (None when neither its text nor a built-in of its name exists)."""
    info = record.meta.drill
    if info is None:
        return None
    try:
        if info.toml:
            drill = load_drill_text(
                info.toml, name=info.name, source=f"session {record.session_id}"
            )
        else:
            drill = load_builtin(info.name)
    except (IsoforceError, ValueError):
        return None
    cycles = record.meta.options.get("drill_cycles")
    if isinstance(cycles, int) and cycles != cycles_of(drill):
        with contextlib.suppress(ValueError):
            drill = apply_choices(drill, DrillChoices(cycles=cycles))
    return drill


def hold_targets(record: SessionRecord) -> dict[int, float]:
    """Step index → nominal target (% of the pain-free max) of the drill as the session ran it.

    Only steps whose kind and direction match the stored step are kept, so a drill file
    that changed since gives no target rather than a wrong one; steps in % of the MVIC have none.
    """
    drill = _drill_as_run(record)
    if drill is None:
        return {}
    plan = build_plan(drill, default_band_pct=5.0, passive_band_pct=5.0)
    out: dict[int, float] = {}
    for step in record.steps:
        if not 0 <= step.step_index < len(plan):
            continue
        planned = plan[step.step_index]
        if planned.direction is None:
            continue  # passive steps, breaths: no target to progress
        direction = planned.direction.value
        of_pain_free = planned.reference in (None, ReferenceKind.PAIN_FREE)
        if planned.kind.value == step.kind and direction == step.direction and of_pain_free:
            out[step.step_index] = planned.peak_pct
    return out


def load_training(
    store: SessionStore, *, profile: str = "default", movement: str | None = None
) -> list[tuple[MovementKey, TrainingSession]]:
    """Every drill session of ``profile`` as training sessions per movement key, oldest first."""
    out: list[tuple[MovementKey, TrainingSession]] = []
    for info in reversed(store.sessions()):
        if info.kind is not SessionKind.DRILL or info.status is SessionStatus.RECORDING:
            continue
        if movement is not None and info.movement != movement:
            continue
        record = store.load(info.id, samples=False)
        if record.meta.profile.name != profile:
            continue
        out.extend(training_sessions(record, hold_targets(record)).items())
    return out


def load_progress(
    store: SessionStore,
    *,
    rule: ProgressionRule,
    profile: str = "default",
    movement: str | None = None,
) -> Progress:
    """One athlete's week-over-week progression and suggestions (see :mod:`.progress`)."""
    maxima = store.reference_history(movement=movement, profile=profile)
    sessions = load_training(store, profile=profile, movement=movement)
    return build_progress(maxima, sessions, rule=rule, profile=profile, movement=movement)
