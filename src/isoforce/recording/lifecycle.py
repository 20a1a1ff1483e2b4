"""The recording lifecycle the CLI and the TUI share: store, references, writer, end, messages.

One :class:`Recording` per run::

    with Recording(data_dir=..., save=True) as rec:
        stored = rec.stored_references(drill, side=side)   # optional
        session = open_session(options, drill=drill, stored=stored)
        rec.attach(session, options, side=side)      # the store writer becomes a consumer
        outcome = await session.run(stop=stop)
        lines = rec.saved_lines()                    # what was kept, for the user

The session is created in the store when the live session starts; its end (complete, or
interrupted after an error) is written when the live session ends; the store is closed when
the ``with`` block ends, whatever happened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from isoforce.core.effort_key import Direction, Side
from isoforce.drills.choices import DrillChoices, apply_choices, cycles_of
from isoforce.drills.loader import find_drill, load_drill_text
from isoforce.drills.model import Drill
from isoforce.drills.open_scale import open_ended
from isoforce.live.options import SessionOptions
from isoforce.live.session import LiveSession
from isoforce.paths import drills_dir
from isoforce.recording.store_writer import StoreWriter
from isoforce.session.athletes import DEFAULT_ATHLETE, Athlete, Chosen, TorqueBasis, choose
from isoforce.session.efforts import SessionAnalysis, analyse_session
from isoforce.session.force_angle import AngleBand, session_bands
from isoforce.session.model import ProfileInfo, SessionRecord
from isoforce.session.references import StoredReferences, latest_references
from isoforce.session.results import saved_record_lines
from isoforce.session.store import SessionStore


def stored_drill(record: SessionRecord, data_dir: str | None = None) -> Drill | None:
    """The drill a session ran: its stored file text, else the drill of that name today."""
    info = record.meta.drill
    if info is None:
        return None
    if info.toml:
        drill = load_drill_text(info.toml, name=info.name, source=f"session {record.session_id}")
    else:
        drill = find_drill(info.name, drills_dir(data_dir))
    return as_run(drill, record.meta.options)


def as_run(drill: Drill, options: Mapping[str, Any]) -> Drill:
    """``drill`` as a session ran it: with its cycles and its open-ended staircases."""
    cycles = options.get("drill_cycles")
    if isinstance(cycles, int) and cycles != cycles_of(drill):
        with contextlib.suppress(ValueError):  # the file changed since: play it as it is now
            drill = apply_choices(drill, DrillChoices(cycles=cycles))
    opened = options.get("open_staircases") or ()
    directions = frozenset(Direction(d) for d in opened if d in {x.value for x in Direction})
    return open_ended(drill, directions)


class Recording:
    """One run's recording: opens the store (unless ``save`` is False) and closes it at the end.

    ``athlete`` names whose run it is (the default athlete when None); opening looks the
    athlete up (an unknown name is an :class:`~isoforce.session.athletes.AthleteNameError`),
    and the maxima, the session and the remembered choices are theirs.
    """

    def __init__(
        self, *, data_dir: str | None = None, save: bool = True, athlete: str | None = None
    ) -> None:
        self.data_dir = data_dir
        self.save = save
        self.athlete_name = athlete if athlete is not None else DEFAULT_ATHLETE
        self.athlete: Athlete | None = None
        """The athlete as stored (None without a store)."""
        self.several_athletes = False
        """Whether the store holds athletes besides the default (then runs name theirs)."""
        self.store: SessionStore | None = None
        self.writer: StoreWriter | None = None

    def __enter__(self) -> Recording:
        if self.save:
            self.store = SessionStore.open(data_dir=self.data_dir)
            try:
                self.athlete = self.store.athlete(self.athlete_name)
                self.several_athletes = any(
                    a.name != DEFAULT_ATHLETE for a in self.store.athletes()
                )
            except BaseException:
                self.close()
                raise
        return self

    @property
    def profile(self) -> ProfileInfo:
        """What the session records about its athlete."""
        return self.athlete.profile if self.athlete is not None else ProfileInfo(self.athlete_name)

    def athlete_line(self) -> str | None:
        """``athlete: anna`` when it matters (a named athlete, or several stored), else None."""
        if self.athlete_name == DEFAULT_ATHLETE and not self.several_athletes:
            return None
        return f"athlete: {self.athlete_name}"

    def choose(self, what: str, given: str | None) -> Chosen:
        """``given``, else the athlete's remembered value for ``what`` (side, movement …)."""
        return choose(given, self.athlete, what)

    def remember(self, **choices: str | None) -> None:
        """Keep the choices this run used for the athlete's next run (nothing without a store)."""
        if self.store is not None:
            self.store.remember(self.athlete_name, choices)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(error=(f"error: {exc}" if str(exc) else exc_type.__name__) if exc_type else "")

    def close(self, *, error: str = "") -> None:
        """Mark an unfinished recording interrupted (after ``error``) and close the store."""
        if self.writer is not None and not self.writer.done:
            self.writer.abandon(error or "stopped")
        if self.store is not None:
            self.store.close()
            self.store = None

    def stored_references(self, drill: Drill, *, side: Side | None) -> StoredReferences:
        """The latest stored maxima for the drill's movement, ``side`` and position.

        Without a side or a store there are none; ``open_session(stored=...)`` chooses between
        them and the values given for the session, and its header says which it used.
        """
        if side is None or self.store is None:
            return StoredReferences()
        records = self.store.reference_history(movement=drill.movement, profile=self.athlete_name)
        return latest_references(
            records, movement=drill.movement, side=side, position=drill.position
        )

    def attach(
        self,
        session: LiveSession,
        options: SessionOptions,
        *,
        side: Side | None = None,
        extra_options: dict[str, Any] | None = None,
        keep_going: bool = False,
    ) -> StoreWriter | None:
        """Record ``session`` into the store (nothing without a store).

        ``keep_going``: the samples also go elsewhere (``--out``), so a store that fails (a
        full disk) stops only the recording into the store, not the session.
        """
        if self.store is None:
            return None
        self.writer = StoreWriter(
            self.store,
            options,
            side=side,
            extra_options=extra_options,
            keep_going=keep_going,
            profile=self.profile,
        )
        session.add(self.writer)
        return self.writer

    @property
    def session_id(self) -> int | None:
        """The stored session's id (None when not saving or not started)."""
        return self.writer.session_id if self.writer is not None else None

    def analysis(self) -> tuple[SessionAnalysis, TorqueBasis | None] | None:
        """The saved session's force-curve analysis, and what turns its forces into torque.

        Read back from the store; None when nothing was saved whole. The basis is the
        athlete's lever arm at the session's position (None when not known).
        """
        writer = self.writer
        if writer is None or writer.session_id is None or not writer.done or writer.failure:
            return None
        sid = writer.session_id
        with contextlib.ExitStack() as stack:
            store = self.store or stack.enter_context(SessionStore.open(data_dir=self.data_dir))
            record = store.load(sid)
            return analyse_session(record), store.torque_basis(sid, record.meta)

    def angle_bands(self) -> tuple[AngleBand, ...] | None:
        """The saved session's peak force per IMU angle band (None: no IMU, or nothing saved)."""
        writer = self.writer
        if writer is None or writer.session_id is None or not writer.done or writer.failure:
            return None
        with contextlib.ExitStack() as stack:
            store = self.store or stack.enter_context(SessionStore.open(data_dir=self.data_dir))
            return session_bands(store.load(writer.session_id))

    def saved_lines(
        self, *, drill: Drill | None = None, side: Side | None = None, long: bool = True
    ) -> list[str]:
        """What to tell the user about what was saved (maxima and end ranges for the history).

        ``long`` is the command line's wording; the TUI's is shorter and names its keys.
        """
        side_known = side is not None or drill is None or not drill.saves_side_records
        writer = self.writer
        if writer is not None and writer.failure is not None:
            return [
                f"the store stopped taking session {writer.session_id} ({writer.failure}): "
                f"it keeps {writer.samples} samples up to {writer.last_t_s:.2f} s and is marked "
                "interrupted; the recording went on into the file"
            ]
        if writer is None or writer.session_id is None or not writer.done:
            return []
        sid = writer.session_id
        first = (
            f"saved as session {sid}: 'isoforce export {sid} --format csv' writes it "
            f"to a file, 'isoforce replay {sid}' plays it back"
            if long
            else f"saved as session {sid} ('isoforce export {sid}')"
        )
        lines = [first, *saved_record_lines(writer.maxima, writer.rom_saved)]
        if not side_known:
            lines.append(
                "maxima and end ranges are not added to the history without a side: "
                "pass --side left|right"
                if long
                else "pick a side (l / r in the drill list) to keep maxima and end ranges "
                "in the history"
            )
        return lines
