"""``isoforce athlete add|list|set``, and the remembered choices runs take per athlete.

A single user never needs this: everything belongs to the ``default`` athlete. A coach or
physio adds each athlete once (name, body mass, lever arm per position) and passes
``--athlete NAME`` to the commands that read or write someone's data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import EXIT_OK, UsageError
from isoforce.cli.saving import add_data_dir_argument, side_argument
from isoforce.cli.values import MASS_KG

if TYPE_CHECKING:
    from isoforce.core.effort_key import Side
    from isoforce.recording import Recording
    from isoforce.session.store import SessionStore


def _lever_arm(text: str) -> tuple[str, float]:
    from isoforce.session.athletes import parse_lever_arm

    try:
        return parse_lever_arm(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _body_mass(text: str) -> float:
    from isoforce.session.athletes import check_body_mass

    try:
        return check_body_mass(MASS_KG(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _details(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--body-mass-kg",
        type=_body_mass,
        default=None,
        metavar="KG",
        help="body mass in kg (10–400), for N·m/kg",
    )
    p.add_argument(
        "--dominant-side", type=side_argument, default=None, help="left or right (optional)"
    )
    p.add_argument(
        "--lever-arm",
        type=_lever_arm,
        action="append",
        default=[],
        metavar="POSITION=METRES",
        help="lever arm at a body position, from the joint's axis to the block's centre "
        "(e.g. 90-90=0.35; repeat for each position): force × lever arm = torque in N·m",
    )


def register(sub: Any) -> None:
    """Add ``athlete add|list|set``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "athlete",
        help="add, list and change athletes (for a coach or physio with several)",
        description=(
            "Athletes keep their maxima, sessions, history and last choices apart. Without "
            "--athlete everything belongs to the 'default' athlete, so one person never needs "
            "this. Each athlete has a body mass and a lever arm per body position, so peak "
            "force can be shown as torque (N·m) and N·m/kg."
        ),
    )
    add_data_dir_argument(p)
    asub = p.add_subparsers(dest="athlete_command", metavar="SUBCOMMAND", required=True)
    add = asub.add_parser("add", help="add an athlete")
    add.add_argument("name", help="the athlete's name (as --athlete takes it)")
    _details(add)
    add.set_defaults(handler=run_add)
    ls = asub.add_parser("list", help="list athletes with body mass, lever arms and sessions")
    ls.set_defaults(handler=run_list)
    edit = asub.add_parser("set", help="change an athlete's body mass, side or lever arms")
    edit.add_argument("name", help="the athlete to change")
    _details(edit)
    edit.set_defaults(handler=run_set)


def run_add(args: argparse.Namespace) -> int:
    """Handler of ``isoforce athlete add``."""
    from isoforce.session.athletes import Athlete
    from isoforce.session.store import SessionStore

    athlete = Athlete(
        name=args.name,
        body_mass_kg=args.body_mass_kg,
        dominant_side=None if args.dominant_side is None else args.dominant_side.value,
        lever_arms_m=dict(args.lever_arm),
    )
    with SessionStore.open(data_dir=args.data_dir) as store:
        added = store.add_athlete(athlete)
    print(f"added athlete {added.name}: {_describe(added)}")
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    """Handler of ``isoforce athlete set``."""
    from isoforce.session.store import SessionStore

    if args.body_mass_kg is None and args.dominant_side is None and not args.lever_arm:
        raise UsageError("nothing to change: give --body-mass-kg, --dominant-side or --lever-arm")
    with SessionStore.open(data_dir=args.data_dir) as store:
        changed = store.update_athlete(
            args.name,
            body_mass_kg=args.body_mass_kg,
            dominant_side=None if args.dominant_side is None else args.dominant_side.value,
            lever_arms_m=dict(args.lever_arm),
        )
    print(f"athlete {changed.name}: {_describe(changed)}")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Handler of ``isoforce athlete list``."""
    from isoforce.drills.report import format_table
    from isoforce.session.athletes import REMEMBERED, lever_arms_text
    from isoforce.session.store import SessionStore

    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        athletes = store.athletes()
    rows = [
        (
            a.name,
            "—" if a.body_mass_kg is None else f"{a.body_mass_kg:g} kg",
            lever_arms_text(a.lever_arms_m),
            str(a.sessions),
            ", ".join(f"{k} {a.remembered[k]}" for k in REMEMBERED if a.remembered.get(k)) or "—",
        )
        for a in athletes
    ]
    print(format_table(("athlete", "body mass", "lever arms", "sessions", "last used"), rows))
    print(
        "torque = force × lever arm (N·m); divided by body mass: N·m/kg "
        "('isoforce report --athlete NAME' shows them)",
        file=sys.stderr,
    )
    return EXIT_OK


def _describe(athlete: Any) -> str:
    from isoforce.session.athletes import lever_arms_text

    mass = "no body mass" if athlete.body_mass_kg is None else f"{athlete.body_mass_kg:g} kg"
    side = f", {athlete.dominant_side} dominant" if athlete.dominant_side else ""
    return f"{mass}{side}, lever arms: {lever_arms_text(athlete.lever_arms_m)}"


# ---- remembered choices, for the commands that run a device -------------------------------


def remembered_device(rec: Recording, args: argparse.Namespace) -> list[str]:
    """Set ``args.device`` (and its port or address) to the athlete's last when not given.

    Returns what to tell the user (nothing when the device was given or nothing remembered).
    """
    from isoforce.devices.registry import DEVICES

    chosen = rec.choose("device", args.device)
    if chosen.value is None or chosen.value not in DEVICES:
        args.device = args.device or "sim"
        return []
    args.device = chosen.value
    if not chosen.remembered or chosen.value == "sim":
        return []  # the simulator is also what nothing remembered gives: nothing to say
    athlete = rec.athlete
    where = ""
    for field in ("port", "address"):
        value = athlete.remembered.get(field) if athlete is not None else None
        if value and getattr(args, field, None) is None:
            setattr(args, field, value)
            where = f" at {value}"
    return [f"device: {chosen.value}{where} (remembered)"]


def remembered_choices(
    rec: Recording, args: argparse.Namespace, *, drill_side: Side | None
) -> tuple[Side | None, list[str]]:
    """Side, movement and position: flag, else (side) the drill's own, else the athlete's last.

    Sets ``args.movement`` and ``args.position`` when a remembered one is used; returns the
    side and the lines saying which values were remembered.
    """
    from isoforce.core.effort_key import Side

    lines = []
    for what in ("movement", "position"):
        chosen = rec.choose(what, getattr(args, what))
        if chosen.remembered:
            setattr(args, what, chosen.value)
            lines.append(f"{what}: {chosen.text()}")
    if args.side is not None or drill_side is not None:
        return (args.side if args.side is not None else drill_side), lines
    chosen = rec.choose("side", None)
    if chosen.value not in {s.value for s in Side}:
        return None, lines
    lines.append(f"side: {chosen.text()}")
    return Side(str(chosen.value)), lines


def remember_run(
    rec: Recording, args: argparse.Namespace, *, side: Side | None = None, drill: bool = False
) -> None:
    """Keep this run's device (and port/address), side, movement and position for next time."""
    choices: dict[str, str | None] = {
        "device": args.device,
        "port": getattr(args, "port", None) or "",
        "address": getattr(args, "address", None) or "",
    }
    if drill:
        choices.update(
            side=None if side is None else side.value,
            movement=args.movement,
            position=args.position,
        )
    rec.remember(**choices)


def session_ids(store: SessionStore, specs: Sequence[str], athlete: str | None) -> list[int]:
    """The sessions ``specs`` name (numbers, ``latest``, ``latest-K``, ``all``), in order.

    ``latest`` and ``all`` are the athlete's (the default athlete's without ``--athlete``); a
    number is that session, and with ``--athlete`` it must be that athlete's.
    """
    from isoforce.session.athletes import DEFAULT_ATHLETE
    from isoforce.session.store import SessionNotFoundError

    if athlete is not None:
        store.athlete(athlete)  # an unknown name is an error, not an empty list
    ids: list[int] = []
    for spec in specs:
        word = spec.strip().lower()
        scoped = athlete is not None or word == "all" or word.startswith("latest")
        whose = (athlete or DEFAULT_ATHLETE) if scoped else None
        try:
            found = store.resolve(spec, profile=whose)
        except SessionNotFoundError as exc:
            others = [a.name for a in store.athletes() if a.name != DEFAULT_ATHLETE]
            if athlete is not None or not others:
                raise
            raise SessionNotFoundError(
                f"{exc} of the default athlete (another's needs --athlete NAME: {', '.join(others)})"
            ) from None
        ids.extend(sid for sid in found if sid not in ids)
    return ids
