"""``isoforce drill``: list, show, check and run drills headless."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    run_until_interrupted,
)
from isoforce.cli.output import OutputError, open_output, output_format
from isoforce.cli.record import add_device_arguments, session_options
from isoforce.cli.saving import (
    add_athlete_argument,
    add_data_dir_argument,
    add_key_arguments,
    add_save_arguments,
    keeps_nothing,
    recording_exit,
    side_argument,
)
from isoforce.cli.values import PERCENT, output_file
from isoforce.core.movements import describe
from isoforce.errors import DrillFileError

if TYPE_CHECKING:
    from isoforce.live import LiveSession


def register(sub: Any) -> None:
    """Add ``drill list|show|check|run``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "drill",
        help="list, show, check and run drills",
        description="Guided drills (PAILs/RAILs, tension drill, max test …).",
    )
    add_data_dir_argument(p)
    dsub = p.add_subparsers(dest="drill_command", metavar="SUBCOMMAND", required=True)

    ls = dsub.add_parser("list", help="list built-in and user drills")
    ls.set_defaults(handler=run_list)

    show = dsub.add_parser("show", help="show a drill's steps and timing")
    show.add_argument(
        "name", help="drill name (see 'isoforce drill list') or a path to a .toml file"
    )
    add_key_arguments(show, cycles=True)
    add_athlete_argument(
        show,
        what="show the drill with this athlete's remembered movement and position and their "
        "stored maxima in newtons (default: the default athlete)",
    )
    show.set_defaults(handler=run_show)

    check = dsub.add_parser("check", help="validate a drill file")
    check.add_argument("file", type=Path, help="path to a drill .toml file")
    check.set_defaults(handler=run_check)

    run = dsub.add_parser(
        "run",
        help="run a drill headless, printing phases, live effort and scores",
        description="Run a drill on a device; prints each phase, live effort and a score table, and saves a recording.",
    )
    run.add_argument("name", help="drill name or path to a .toml file")
    add_device_arguments(run, remembered=True)
    add_athlete_argument(run)
    run.add_argument(
        "--out",
        type=output_file,
        default=None,
        metavar="PATH",
        help="also write the recording as CSV ('-' for standard output); the session store always gets it",
    )
    run.add_argument(
        "--side",
        type=side_argument,
        default=None,
        help="left or right (for drills that say 'either'; default: the athlete's last): "
        "maxima found go into the history per side",
    )
    add_key_arguments(run, cycles=True)
    add_save_arguments(run, data_dir=False)
    run.add_argument(
        "--no-keys",
        action="store_true",
        help="do not read drill keys (p pain, y/n better?, c cramp, 1-3 checks) from standard input",
    )
    run.add_argument(
        "--yes-above-max",
        action="store_true",
        help="agree in advance to targets above your max (for scripts; the drill file must "
        "allow them); without it you are asked, and with no answer they are capped at 100 %%",
    )
    run.add_argument(
        "--sim-pain-at",
        type=PERCENT,
        default=None,
        metavar="PCT",
        help="simulator only: the virtual athlete feels pinching above this effort %% and presses "
        f"the pain key ({PERCENT.span})",
    )
    run.set_defaults(handler=run_drill)


def _no_save_note(args: argparse.Namespace) -> list[str]:
    """With ``--no-save`` nothing of an athlete is read or kept: say so when one is named."""
    if args.no_save and args.athlete is not None:
        return [
            f"athlete {args.athlete}: not used with --no-save (the store is neither read nor "
            "written: no stored maxima, no remembered choices)"
        ]
    return []


def _load(name: str, data_dir: str | None) -> Any:
    from isoforce.drills.loader import find_drill, load_drill
    from isoforce.paths import drills_dir

    if name.endswith(".toml") or "/" in name:
        return load_drill(Path(name))
    return find_drill(name, drills_dir(data_dir))


def _load_chosen(args: argparse.Namespace) -> Any:
    """The drill named in ``args`` with the movement, position and cycles chosen there."""
    from isoforce.drills.choices import DrillChoices, apply_choices

    drill = _load(args.name, args.data_dir)
    choices = DrillChoices(movement=args.movement, position=args.position, cycles=args.cycles)
    try:
        return apply_choices(drill, choices)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def run_list(args: argparse.Namespace) -> int:
    """Handler of ``isoforce drill list``."""
    from isoforce.drills.loader import find_drill, list_drills
    from isoforce.paths import drills_dir

    user_dir = drills_dir(args.data_dir)
    for info in list_drills(user_dir):
        try:
            drill = find_drill(info.name, user_dir)
            detail = f"{drill.duration_s / 60:4.1f} min  {drill.title}"
        except DrillFileError as exc:
            detail = f"(invalid: {exc})"
        origin = "user, replaces built-in" if info.overrides_builtin else info.origin
        print(f"{info.name:<22} {detail}  [{origin}]")
    print(f"\nuser drills live in {user_dir}", file=sys.stderr)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """Handler of ``isoforce drill show``."""
    from isoforce.drills.report import plan_lines

    for line in _show_remembered(args):
        print(line)
    drill = _load_chosen(args)
    print(f"{drill.title or drill.name}  ({drill.name}, {drill.source})")
    ref = drill.reference.value.replace("_", "-")
    print(
        f"for {describe(drill.movement, drill.position, drill.side.value)}; targets in % of {ref} max"
    )
    if drill.description:
        print(drill.description.strip())
    print()
    print("\n".join(plan_lines(drill)))
    return EXIT_OK


def _show_remembered(args: argparse.Namespace) -> list[str]:
    """For ``drill show``: the athlete's remembered movement and position (when not given).

    The store is read only when it exists or an athlete is named (showing a drill never
    creates one otherwise).
    """
    from isoforce.cli.athlete import remembered_choices
    from isoforce.recording import Recording
    from isoforce.session.store import store_path

    if args.athlete is None and not store_path(args.data_dir).exists():
        return []
    args.side = None
    with Recording(data_dir=args.data_dir, athlete=args.athlete) as rec:
        _, lines = remembered_choices(rec, args, drill_side=None)
        head = rec.athlete_line()
    return [line for line in (head, *lines) if line and not line.startswith("side:")]


def run_check(args: argparse.Namespace) -> int:
    """Handler of ``isoforce drill check``: exit 0 if valid, 2 with ``file:line: field: problem`` if not."""
    from isoforce.drills.loader import load_drill

    try:
        drill = load_drill(args.file)
    except DrillFileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    print(
        f"{args.file}: ok — {drill.name}, {sum(1 for _ in drill.leaves())} steps, {drill.duration_s / 60:.1f} min"
    )
    return EXIT_OK


#: How long ``drill run`` waits for y/n to targets above the max before capping them.
CONSENT_WAIT_S = 60.0


def _tare(session: LiveSession) -> None:
    """The ``t`` key: zero the sensor on its last second of readings, and say what came off."""
    from isoforce.errors import CalibrationError

    before = session.calibration.offset_raw
    try:
        after = session.tare()
    except CalibrationError as exc:
        print(f"not tared: {exc}", flush=True)
        return
    taken_n = (after.offset_raw - before) * after.n_per_raw
    print(f"tared: the sensor now reads 0 N ({taken_n:+.1f} N taken off)", flush=True)


def _no_consent(above: Any, agreed: bool, why: str) -> None:
    if above and not agreed:
        print(
            f"not asked ({why}): these steps are capped at 100 % of your max "
            "(give --yes-above-max to agree in advance)",
            flush=True,
        )


async def _ask_consent(session: Any, keys: Any) -> None:
    """Ask y/N to targets above the max; no answer (or no terminal) caps them at 100 %."""
    if not keys.active:
        _no_consent(True, False, "no terminal")
        return
    print(
        f"go above your max in these steps? y agree · n no (no answer in {CONSENT_WAIT_S:.0f} s: no) ",
        end="",
        flush=True,
    )
    answer = await keys.ask_yes_no(CONSENT_WAIT_S)
    if answer is None:
        print("\nno answer: these steps are capped at 100 % of your max", flush=True)
        return
    session.set_above_max_consent(agreed=answer, how=" (asked)")
    if answer:
        print("y: agreed, these steps go above your max", flush=True)
    else:
        print("n: declined, these steps are capped at 100 % of your max", flush=True)


def run_drill(args: argparse.Namespace) -> int:
    """Handler of ``isoforce drill run``."""
    from isoforce import __version__
    from isoforce.cli.athlete import remember_run, remembered_choices, remembered_device
    from isoforce.cli.drill_keys import KEY_HELP, KeyReader
    from isoforce.cli.live_output import (
        DrillPrinter,
        FileRows,
        LinkReporter,
        Progress,
        newton_steps,
        print_drill_result,
    )
    from isoforce.cli.progression_hint import suggestion_lines
    from isoforce.drills.report import imu_summary_lines
    from isoforce.export.csv_writer import CsvSampleWriter
    from isoforce.live.build import open_session
    from isoforce.recording import Recording

    out = args.out
    if keeps_nothing(args, "drill run"):
        return EXIT_USAGE
    output_format(out, None, ("csv",))
    failure: OutputError | None = None
    session: LiveSession | None = None
    try:
        with contextlib.ExitStack() as stack:
            rec = stack.enter_context(
                Recording(data_dir=args.data_dir, save=not args.no_save, athlete=args.athlete)
            )
            notes = [rec.athlete_line(), *_no_save_note(args)]
            notes += remembered_device(rec, args)
            drill_side = _load(args.name, args.data_dir).side.as_side()
            side, remembered = remembered_choices(rec, args, drill_side=drill_side)
            drill = _load_chosen(args)
            for line in (*notes, *remembered):
                if line:
                    print(line)
            options = session_options(args, pain_threshold_pct=args.sim_pain_at)
            stored = rec.stored_references(drill, side=side)
            session = open_session(options, drill=drill, stored=stored)
            print(f"for {describe(drill.movement, drill.position, side and side.value)}")
            for line in session.header.reference_lines:
                print(line)
            for line in suggestion_lines(
                rec.store, drill, side=side, data_dir_override=args.data_dir
            ):
                print(line)
            session.add(Progress(total_s=drill.duration_s, label=f"{drill.name}"))
            session.add(LinkReporter())
            session.add(DrillPrinter(session.header.plan, newton_steps(session)))
            if out is not None:
                output = stack.enter_context(open_output(out, keep_partial=True))
                session.add(FileRows(CsvSampleWriter(output.text), output))
            rec.attach(session, options, side=side, keep_going=out is not None)
            print(
                f"isoforce {__version__}: {drill.title or drill.name} on {session.header.spec.title}"
            )

            above = session.above_max_steps()
            if above:
                print("targets above your max in this drill:")
                for step in above:
                    print(f"  {step.text()}")
                if args.yes_above_max:
                    session.set_above_max_consent(agreed=True, how=" (--yes-above-max)")
                    print("agreed with --yes-above-max: these steps go above your max")

            async def go(stop: asyncio.Event) -> None:
                assert session is not None
                if args.no_keys:
                    _no_consent(above, args.yes_above_max, "--no-keys")
                    await session.run(stop=stop)
                    return
                with KeyReader(session, actions={"t": lambda: _tare(session)}) as keys:
                    if above and not args.yes_above_max:
                        await _ask_consent(session, keys)
                    if keys.active:
                        print(KEY_HELP, flush=True)
                    await session.run(stop=stop)

            interrupted = run_until_interrupted(go)
            if session.outcome is not None and not session.outcome.error:
                remember_run(rec, args, side=side, drill=True)
    except OutputError as exc:  # the file failed; the session went on into the store
        if session is None or session.outcome is None:
            raise
        failure = exc
    outcome = session.outcome
    assert outcome is not None and outcome.drill_result is not None
    print_drill_result(outcome.drill_result)
    if outcome.imu_summary is not None:
        for line in imu_summary_lines(outcome.imu_summary):
            print(line)
    print()
    if out is not None and failure is None:
        print(f"recording: {out} ({outcome.samples} samples)")
    for line in rec.saved_lines(drill=drill, side=side):
        print(line)
    return recording_exit(rec, failure, interrupted=interrupted)
