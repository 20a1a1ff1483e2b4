"""Which maxima a session divides by, and which of them nothing gives.

Kept apart from :mod:`isoforce.live.build` so that asking "does this drill need a max test
first?" (the TUI's first screen does) imports neither the simulator nor scipy: that import
takes most of a second and would hold the first frame back.
"""

from __future__ import annotations

from isoforce.core.effort_key import Direction, ReferenceKind
from isoforce.devices.registry import device_spec
from isoforce.drills.kinds.base import ForceStep
from isoforce.drills.model import Drill
from isoforce.drills.open_scale import staircase_directions
from isoforce.live.options import PROVISIONAL_MVIC_N, SessionOptions
from isoforce.session.references import (
    OPTION_FIELDS,
    ChosenReference,
    ReferenceSource,
    StoredReferences,
    choose_references,
    measuring_references,
)
from isoforce.signal.effort import EffortReference


def session_references(
    options: SessionOptions,
    *,
    simulated_max_n: tuple[float, float] | None,
    stored: StoredReferences,
    drill: Drill | None,
) -> tuple[dict[ReferenceKind, EffortReference], dict[str, ChosenReference], frozenset[Direction]]:
    """Pain-free max and MVIC in newtons, each with where it came from.

    A value given for this session wins, then the latest stored one for the drill's movement,
    side and position. Only a simulated person has maxima isoforce can know without either
    (``simulated_max_n``: its push and pull max; None for a real person); a real user's are
    otherwise unknown and effort is "not measured" (never relative to a guess). A drill that
    measures a max (tension drill, max test) measures it the same way on both
    (:func:`~isoforce.session.references.measuring_references`): on a stored MVIC, else on a
    100 N scale, so effort there reads in newtons and the result converts back exactly. The
    third value: the directions whose staircases climb open-ended in newtons.
    """
    fallback: dict[str, float | None] = {}
    if simulated_max_n is not None:
        push_n, pull_n = simulated_max_n
        fallback = {
            "push_max_n": push_n,
            "pull_max_n": pull_n,
            "mvic_push_n": push_n,
            "mvic_pull_n": pull_n,
        }
    given = {name: getattr(options, name) for name in OPTION_FIELDS}
    chosen = choose_references(
        given=given, stored=stored, fallback=fallback, fallback_source=ReferenceSource.SIMULATED
    )
    open_dirs: frozenset[Direction] = frozenset()
    if drill is not None:
        chosen, open_dirs = measuring_references(
            chosen,
            finds_pain_free=staircase_directions(drill),
            finds_mvic=frozenset(
                s.direction
                for s in drill.leaves()
                if isinstance(s, ForceStep) and s.traits.measures_mvic
            ),
            scale_n=PROVISIONAL_MVIC_N,
        )

    def reference(push: str, pull: str) -> EffortReference:
        return EffortReference(push_max_n=chosen[push].value_n, pull_max_n=chosen[pull].value_n)

    references = {
        ReferenceKind.PAIN_FREE: reference("push_max_n", "pull_max_n"),
        ReferenceKind.MVIC: reference("mvic_push_n", "mvic_pull_n"),
    }
    return references, chosen, open_dirs


def missing_references(
    options: SessionOptions, drill: Drill, *, stored: StoredReferences
) -> list[ChosenReference]:
    """The maxima ``drill``'s %-targets need that nothing gives: no flag, nothing stored.

    The same choice as a session's (:func:`session_references`) but without the simulated
    athlete's fallback, so the simulator and a real sensor say the same: a drill that measures
    the max it divides by (tension drill, max test) needs nothing; a direction the device
    cannot measure is left out. Empty: the drill can run with every number it shows explained.
    """
    spec = device_spec(options.device)
    _, chosen, _ = session_references(options, simulated_max_n=None, stored=stored, drill=drill)
    needed = {
        (s.reference, s.direction)
        for s in drill.leaves()
        if isinstance(s, ForceStep) and spec.capabilities.measures(s.direction)
    }
    return [
        c
        for c in chosen.values()
        if (c.kind, c.direction) in needed and c.source is ReferenceSource.NONE
    ]


__all__ = ["missing_references", "session_references"]
