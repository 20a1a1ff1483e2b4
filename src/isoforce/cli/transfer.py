"""``isoforce export`` and ``isoforce import``: sessions to files and files to sessions."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from isoforce.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from isoforce.cli.output import OutputError, open_output, output_format
from isoforce.cli.saving import (
    add_athlete_argument,
    add_data_dir_argument,
    side_argument,
    slug_argument,
)
from isoforce.cli.values import session_spec
from isoforce.errors import IsoforceError, StorageError

if TYPE_CHECKING:
    from isoforce.session.store import SessionStore

FORMATS = ("csv", "json", "png")


def register(sub: Any) -> None:
    """Add ``export`` and ``import``."""
    ex: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="write stored sessions to CSV, JSON or PNG",
        description=(
            "Write sessions from the store to files. CSV is a tidy table (one row per sample) "
            "with a .meta.json sidecar, and a .imu.csv table for sessions with an IMU; JSON is "
            "one document with the manifest and the arrays (IMU values exact); PNG is a plot. "
            "SESSION is a number, 'latest', 'latest-1' … or 'all'."
        ),
    )
    ex.add_argument(
        "sessions", nargs="+", type=session_spec, metavar="SESSION", help="session(s) to export"
    )
    ex.add_argument("--format", choices=FORMATS, default=None, help="csv (default), json or png")
    ex.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="file (one session), folder (several) or '-' for standard output "
        "(default: session-N.<format> in the current folder)",
    )
    add_data_dir_argument(ex)
    add_athlete_argument(
        ex, what="'latest' and 'all' are this athlete's sessions (default: the default athlete)"
    )
    ex.set_defaults(handler=run_export)

    im: argparse.ArgumentParser = sub.add_parser(
        "import",
        help="import Tindeq app CSV exports or isoforce CSV/JSON files",
        description=(
            "Import files into the session store: Tindeq app CSV exports (endurance, RFD, "
            "repeaters data_set_N and repeaters.csv) and isoforce's own CSV (with its "
            ".meta.json sidecar and .imu.csv table when present) and JSON."
        ),
    )
    im.add_argument("files", nargs="+", type=Path, metavar="FILE")
    im.add_argument(
        "--movement",
        type=slug_argument("movement"),
        default=None,
        help="what the file measured, e.g. hip-ir",
    )
    im.add_argument("--side", type=side_argument, default=None, help="left or right")
    im.add_argument(
        "--direction",
        choices=("push", "pull"),
        default="push",
        help="direction of effort (default push)",
    )
    im.add_argument(
        "--position",
        type=slug_argument("position"),
        default=None,
        help="body position, e.g. 90-90",
    )
    im.add_argument(
        "--as-mvic",
        action="store_true",
        help="Tindeq files: record each test's best 1 s mean as an MVIC in the history "
        "(needs --movement and --side)",
    )
    add_athlete_argument(
        im,
        what="the athlete the sessions belong to, whatever the file says (default: the "
        "athlete an isoforce file names, else the default athlete)",
    )
    add_data_dir_argument(im)
    im.set_defaults(handler=run_import)


def _writer(fmt: str) -> Callable[[SessionStore, int, BinaryIO], object]:
    from isoforce.session import exporter

    writers: dict[str, Callable[[SessionStore, int, BinaryIO], object]] = {
        "csv": exporter.export_csv,
        "json": exporter.export_json,
        "png": exporter.export_png,
    }
    return writers[fmt]


def run_export(args: argparse.Namespace) -> int:
    """Handler of ``isoforce export``."""
    from isoforce.cli.athlete import session_ids
    from isoforce.session.exporter import export_csv
    from isoforce.session.store import SessionStore

    out = args.out
    target = Path(out) if out and out != "-" else Path.cwd()
    into_folder = out != "-" and (out is None or target.is_dir() or out.endswith(os.sep))
    with SessionStore.open(data_dir=args.data_dir, create=False) as store:
        ids = session_ids(store, args.sessions, args.athlete)
        named = out if out == "-" or not (into_folder or len(ids) > 1) else None
        fmt = output_format(named, args.format, FORMATS)
        if out == "-":
            if fmt == "png" and len(ids) > 1:
                print(
                    "isoforce export: error: only one PNG can go to standard output",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            with open_output("-", binary=True) as std:
                for k, sid in enumerate(ids):
                    if fmt == "csv":
                        key = str(sid) if len(ids) > 1 else None
                        export_csv(store, sid, std.data, session_key=key, header=k == 0)
                        if store.imu_size(sid):
                            print(
                                f"isoforce export: note: session {sid} has IMU samples, which a "
                                "CSV on standard output leaves out; export it to a file (for its "
                                ".imu.csv) or as JSON",
                                file=sys.stderr,
                            )
                    else:
                        _writer(fmt)(store, sid, std.data)
            return EXIT_OK
        many = len(ids) > 1 or into_folder
        if len(ids) > 1 and target.suffix.lower() in (".csv", ".json", ".png") and not into_folder:
            print(
                f"isoforce export: error: {len(ids)} sessions need a folder for --out (or '-')",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if many:
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {target}: {exc.strerror or exc}") from None
        written: list[str] = []
        try:
            for sid in ids:
                path = target / f"session-{sid}.{fmt}" if many else target
                note = _export_one(store, sid, path, fmt, written)
                print(f"session {sid} → {path}{note}", file=sys.stderr)
        except OutputError as exc:
            kept = f"; written before it: {', '.join(written)}" if written else ""
            raise OutputError(f"{exc}{kept}") from None
    return EXIT_OK


def _export_one(store: SessionStore, sid: int, path: Path, fmt: str, written: list[str]) -> str:
    """Write one session to ``path`` (and a CSV's sidecars); a note naming the extra files."""
    from isoforce.export.imu_table import imu_csv_path
    from isoforce.session.exporter import export_imu_csv, sidecar_bytes

    with open_output(str(path), binary=True) as main:
        _writer(fmt)(store, sid, main.data)
    written.append(path.name)
    if fmt != "csv":
        return ""
    if main.streamed:  # a FIFO or device: nothing is created beside it
        return " (streamed; no .meta.json sidecar beside it)"
    meta = path.with_suffix(".meta.json")
    with open_output(str(meta), binary=True) as side:
        side.data.write(sidecar_bytes(store, sid))
    written.append(meta.name)
    extra = [meta.name]
    if store.imu_size(sid):
        imu_path = imu_csv_path(path)
        with open_output(str(imu_path), binary=True) as imu:
            export_imu_csv(store, sid, imu.data)
        written.append(imu_path.name)
        extra.append(f"{imu_path.name}: IMU samples")
    return f" (+ {', '.join(extra)})"


def run_import(args: argparse.Namespace) -> int:
    """Handler of ``isoforce import``."""
    from isoforce.core.effort_key import Direction
    from isoforce.export.tindeq_csv import NoSamplesError
    from isoforce.session.athletes import DEFAULT_ATHLETE
    from isoforce.session.importer import (
        TINDEQ_FORMAT,
        CompanionFileError,
        ImportOptions,
        import_file,
    )
    from isoforce.session.store import SessionStore

    if args.as_mvic and (args.movement is None or args.side is None):
        print("isoforce import: error: --as-mvic needs --movement and --side", file=sys.stderr)
        return EXIT_USAGE
    options = ImportOptions(
        movement=args.movement,
        side=args.side,
        direction=Direction(args.direction),
        position=args.position,
        as_mvic=args.as_mvic,
        profile=args.athlete,
    )
    failed = 0
    with SessionStore.open(data_dir=args.data_dir) as store:
        if args.athlete is not None:
            store.athlete(args.athlete)  # an unknown name is an error before any file is read
        for path in args.files:
            try:
                result = import_file(store, path, options)
            except (NoSamplesError, CompanionFileError) as exc:
                print(f"skipped {exc}", file=sys.stderr)
                continue
            except IsoforceError as exc:
                print(f"isoforce: error: {exc}", file=sys.stderr)
                failed += 1
                continue
            ids = ", ".join(str(i) for i in result.session_ids)
            imu = f", {result.imu_samples} IMU samples" if result.imu_samples else ""
            whose = (
                f", athlete {', '.join(result.athletes)}"
                if result.athletes != (DEFAULT_ATHLETE,)
                else ""
            )
            print(
                f"{path}: session {ids} ({result.format}, {result.samples} samples, "
                f"{result.duration_s:.1f} s{imu}{whose})"
            )
            for c in result.checks:
                print(
                    f"  app {c.name} {c.app_value:.3f} {c.unit}, recomputed {c.ours:.3f} {c.unit} "
                    f"({100 * c.rel_error:.2f} % apart)"
                )
            if args.as_mvic and result.format != TINDEQ_FORMAT:
                print(
                    f"  --as-mvic is for Tindeq app files: no MVIC recorded from {path.name} "
                    "(an isoforce file keeps the maxima it was saved with)",
                    file=sys.stderr,
                )
    return EXIT_ERROR if failed else EXIT_OK
