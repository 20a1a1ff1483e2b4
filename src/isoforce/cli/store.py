"""``isoforce store check|backup|recover``: keep the session store sound over years."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from isoforce.cli.common import EXIT_ERROR, EXIT_OK
from isoforce.cli.saving import add_data_dir_argument
from isoforce.cli.values import output_file


def register(sub: Any) -> None:
    """Add ``store`` and its subcommands."""
    p: argparse.ArgumentParser = sub.add_parser(
        "store",
        help="check, back up or salvage the session store",
        description=(
            "Check the session store (SQLite integrity, schema version, orphan rows), back it up "
            "while it is in use (even during a recording), or salvage every readable session of "
            "a damaged store into a new one. None of these writes to the store."
        ),
    )
    add_data_dir_argument(p)
    ssub = p.add_subparsers(dest="store_command", metavar="SUBCOMMAND", required=True)
    check = ssub.add_parser("check", help="check the store's integrity, schema and orphan rows")
    check.set_defaults(handler=run_check)
    backup = ssub.add_parser(
        "backup", help="copy the store to PATH (SQLite online backup; safe during a recording)"
    )
    backup.add_argument("path", type=output_file, metavar="PATH", help="the backup file to write")
    backup.set_defaults(handler=run_backup)
    recover = ssub.add_parser(
        "recover", help="salvage every readable session into a new store file and say what was lost"
    )
    recover.add_argument(
        "--out",
        type=output_file,
        default=None,
        metavar="PATH",
        help="the new store (default: isoforce-recovered-<time>.sqlite3 beside the store)",
    )
    recover.set_defaults(handler=run_recover)


def _store(args: argparse.Namespace) -> Path:
    from isoforce.session.store import store_path

    return store_path(args.data_dir)


def _report(report: Any) -> int:
    """Print a check report; the exit code says whether it passed."""
    sessions = "?" if report.sessions is None else str(report.sessions)
    version = "?" if report.schema_version is None else f"v{report.schema_version}"
    if report.ok:
        print(f"{report.path}: ok (schema {version}, {sessions} sessions)")
        return EXIT_OK
    print(f"{report.path}: {len(report.problems)} problem(s) (schema {version})", file=sys.stderr)
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    print("run 'isoforce store recover' to salvage its sessions into a new store", file=sys.stderr)
    return EXIT_ERROR


def run_check(args: argparse.Namespace) -> int:
    """Handler of ``isoforce store check``."""
    from isoforce.session.maintenance import check_store

    return _report(check_store(_store(args)))


def run_backup(args: argparse.Namespace) -> int:
    """Handler of ``isoforce store backup PATH``."""
    from isoforce.session.maintenance import backup_store

    report = backup_store(_store(args), Path(args.path))
    print(f"backed up to {args.path}")
    return _report(report)


def run_recover(args: argparse.Namespace) -> int:
    """Handler of ``isoforce store recover``."""
    from isoforce.session.maintenance import recover_store

    source = _store(args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = Path(args.out) if args.out else source.with_name(f"isoforce-recovered-{stamp}.sqlite3")
    report = recover_store(source, target)
    print(f"salvaged {len(report.saved)} session(s) into {target}")
    for old, new in report.saved.items():
        if old != new:
            print(f"  session {old} is session {new} there")
    if report.unlisted:
        print("the session list was damaged: sessions were looked up one by one", file=sys.stderr)
    for sid, why in report.lost.items():
        print(f"lost session {sid}: {why}", file=sys.stderr)
    print(
        f"to use it: keep {source.name} aside as a copy, then move {target.name} to {source.name}"
    )
    return EXIT_ERROR if report.lost else EXIT_OK
