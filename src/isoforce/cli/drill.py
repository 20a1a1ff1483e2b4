"""``isoforce drill``: list, show, check and run drills headless."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isoforce.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    open_output,
    positive_float,
    run_until_interrupted,
)
from isoforce.cli.record import Progress, add_device_arguments, report_link, session_options
from isoforce.cli.saving import (
    add_save_arguments,
    finish,
    recording,
    saved_lines,
    side_argument,
)
from isoforce.errors import DrillFileError

if TYPE_CHECKING:
    from isoforce.drills.events import DrillEvent
    from isoforce.drills.plan import PlanStep
    from isoforce.runner.imu_drill import ImuDrillScorer


def register(sub: Any) -> None:
    """Add ``drill list|show|check|run``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "drill",
        help="list, show, check and run drills",
        description="Guided drills (PAILs/RAILs, tension drill, max test …).",
    )
    p.add_argument(
        "--data-dir",
        default=None,
        help="isoforce data directory (default: platform data dir or $ISOFORCE_DATA_DIR)",
    )
    dsub = p.add_subparsers(dest="drill_command", metavar="SUBCOMMAND", required=True)

    ls = dsub.add_parser("list", help="list built-in and user drills")
    ls.set_defaults(handler=run_list)

    show = dsub.add_parser("show", help="show a drill's steps and timing")
    show.add_argument(
        "name", help="drill name (see 'isoforce drill list') or a path to a .toml file"
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
    add_device_arguments(run)
    run.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="also write the recording as CSV ('-' for standard output); the session store always gets it",
    )
    run.add_argument(
        "--side",
        type=side_argument,
        default=None,
        help="left or right (for drills that say 'either'): maxima found go into the history per side",
    )
    add_save_arguments(run, data_dir=False)
    run.add_argument(
        "--sim-pain-at",
        type=positive_float,
        default=None,
        metavar="PCT",
        help="simulator only: the virtual athlete feels pinching above this effort %% and presses the pain key",
    )
    run.set_defaults(handler=run_drill)


def _load(name: str, data_dir: str | None) -> Any:
    from isoforce.drills.loader import find_drill, load_drill
    from isoforce.paths import drills_dir

    if name.endswith(".toml") or "/" in name:
        return load_drill(Path(name))
    return find_drill(name, drills_dir(data_dir))


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

    drill = _load(args.name, args.data_dir)
    print(f"{drill.title or drill.name}  ({drill.name}, {drill.source})")
    ref = drill.reference.value.replace("_", "-")
    print(
        f"movement {drill.movement}, side {drill.side.value}, position {drill.position}, targets in % of {ref} max"
    )
    if drill.description:
        print(drill.description.strip())
    print()
    print("\n".join(plan_lines(drill)))
    return EXIT_OK


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


class _Printer:
    """Prints drill events as they happen, and a live effort line on a terminal."""

    def __init__(self, plan: tuple[PlanStep, ...], imu: ImuDrillScorer | None = None) -> None:
        self.plan = plan
        self.imu = imu

    def events(self, events: tuple[DrillEvent, ...]) -> None:
        from isoforce.drills.events import EventKind

        for e in events:
            stamp = f"[{int(e.t_s // 60):2d}:{e.t_s % 60:04.1f}]"
            if e.kind is EventKind.STEP_STARTED:
                step = self.plan[e.step_index]
                _line(
                    f"{stamp} step {e.step_index + 1}/{len(self.plan)}  {step.label} — {step.instruction}"
                )
            elif e.kind is EventKind.PAIN_MARKED:
                effort = "n/a" if e.value is None else f"{e.value:.0f} %"
                _line(
                    f"{stamp} PAIN marked at effort {effort}: target dropped to 0, later targets lowered"
                )
            elif e.kind is EventKind.PAIN_FREE_MAX:
                _line(f"{stamp} pain-free max found: {e.value:.0f} %")
            elif e.kind is EventKind.STEP_SCORED and e.score is not None:
                from isoforce.drills.report import score_row

                row = score_row(e.score)
                _line(
                    f"{stamp}   scored: in band {row[2]}, RMSE {row[3]}, CE {row[4]}, CV {row[5]}"
                )
                imu = self.imu.scores.get(e.step_index) if self.imu is not None else None
                if imu is not None:
                    from isoforce.drills.report import imu_step_text

                    text = imu_step_text(imu, kind=self.plan[e.step_index].kind)
                    if text:
                        _line(f"{stamp}   IMU: {text}")
            elif e.kind is EventKind.TARGET_CLAMPED:
                _line(
                    f"{stamp} warning: step asks for more than allowed; target capped at {e.value:.0f} %"
                )
            elif e.kind is EventKind.DRILL_FINISHED:
                _line(f"{stamp} drill finished")


def _line(text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(text, flush=True)


def _stored_maxima(
    args: argparse.Namespace, *, movement: str, side: Any, position: str
) -> dict[str, float]:
    """Session option values for the latest stored maxima of this movement key.

    Maxima given on the command line win; without a side, or with ``--no-save``, nothing is
    looked up. Prints where each value comes from.
    """
    from isoforce.session.references import latest_references, option_overrides
    from isoforce.session.store import SessionStore

    if side is None or args.no_save:
        return {}
    with SessionStore.open(data_dir=args.data_dir) as store:
        records = store.reference_history(movement=movement)
    refs = latest_references(records, movement=movement, side=side, position=position)
    for line in refs.lines():
        print(line)
    return option_overrides(refs, given={"push_max_n": args.push_max, "pull_max_n": args.pull_max})


def run_drill(args: argparse.Namespace) -> int:
    """Handler of ``isoforce drill run``."""
    from isoforce import __version__
    from isoforce.drills.report import imu_summary_lines, result_summary, score_table
    from isoforce.export.csv_writer import CsvSampleWriter
    from isoforce.runner.factory import build_session

    drill = _load(args.name, args.data_dir)
    out = args.out
    if out is None and args.no_save:
        print(
            "isoforce drill run: error: nothing would be kept: give --out or drop --no-save",
            file=sys.stderr,
        )
        return EXIT_USAGE
    side = args.side if args.side is not None else drill.side.as_side()
    stored = _stored_maxima(args, movement=drill.movement, side=side, position=drill.position)
    options = session_options(args, pain_threshold_pct=args.sim_pain_at, **stored)
    progress = Progress(total_s=drill.duration_s, label=f"{drill.name}")
    with contextlib.ExitStack() as stack:
        sinks = []
        if out is not None:
            sinks.append(CsvSampleWriter(stack.enter_context(open_output(out))))
        session = build_session(
            options, drill=drill, sinks=sinks, on_block=progress.update, on_link=report_link
        )
        assert session.guide is not None
        printer = _Printer(session.guide.engine.plan, session.guide.imu_scorer)
        session.guide.on_events = printer.events
        recorder = stack.enter_context(recording(args, session, options, drill=drill, side=side))
        print(f"isoforce {__version__}: {drill.title or drill.name} on {session.spec.title}")

        async def go(stop: asyncio.Event) -> None:
            await session.runner.run(stop=stop)

        interrupted = run_until_interrupted(go)
        engine = session.guide.engine
        if interrupted:
            session.guide.publish(engine.abort(session.runner.result.last_t_s))
        saved_id, maxima = finish(
            recorder, session.runner.result, session=session, interrupted=interrupted
        )
    progress.done()
    result = engine.result()
    print()
    print(score_table(result))
    print()
    for line in result_summary(result):
        print(line)
    if session.guide.imu_scorer is not None:
        for line in imu_summary_lines(session.guide.imu_scorer.summary()):
            print(line)
    print()
    if out is not None:
        print(f"recording: {out} ({session.runner.result.samples} samples)")
    finds = drill.saves_side_records
    rom = recorder.rom_saved if recorder is not None else ()
    for line in saved_lines(saved_id, maxima, side_known=side is not None or not finds, rom=rom):
        print(line)
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
