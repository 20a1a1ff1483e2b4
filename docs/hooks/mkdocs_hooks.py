"""MkDocs hooks: pages generated from the code so they cannot drift.

- ``reference/cli.md``: every command's ``--help``, from the CLI's own argparse definitions;
- the device support table in ``devices.md`` (marker ``<!-- devices-table -->``), from the
  device registry;
- the TUI's key tables in ``tui.md`` (marker ``<!-- tui-keys -->``), from the screens' own
  bindings;
- ``hardware/`` and ``firmware_notes/`` (top-level folders of the repository) mirrored into the
  site, with their sources, so the guide can link to them;
- ``screenshots/*.svg``: the TUI snapshots the test suite renders from the real app.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "tests" / "tui" / "__snapshots__" / "test_snapshots"
MIRRORED = ("hardware", "firmware_notes")


def _cli_reference() -> str:
    from isoforce.cli import build_parser

    parser = build_parser()
    parts = [
        "# CLI reference",
        "",
        "Generated from the command line's own definitions when the docs are built.",
        "",
        "## isoforce",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]

    def walk(p: argparse.ArgumentParser, prefix: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    parts.extend(
                        [
                            "",
                            f"## {prefix} {name}",
                            "",
                            "```text",
                            sub.format_help().rstrip(),
                            "```",
                        ]
                    )
                    walk(sub, f"{prefix} {name}")

    walk(parser, "isoforce")
    return "\n".join(parts) + "\n"


def _devices_table() -> str:
    from isoforce.devices.registry import DEVICES

    rows = [
        "| key | device | transport | measures | rate | notes |",
        "|---|---|---|---|---|---|",
    ]
    for spec in DEVICES.values():
        notes = spec.notes.replace("|", "\\|")
        if spec.experimental:
            notes = f"**EXPERIMENTAL:** {spec.experimental}. {notes}"
        rows.append(
            f"| `{spec.key}` | {spec.title} | {spec.transport} | {spec.capabilities.describe()} | "
            f"{spec.nominal_rate_hz:g} Hz | {notes} |"
        )
    return "\n".join(rows)


def on_files(files: Files, config: Any) -> Files:
    """Add the generated and mirrored files."""
    site_dir = config["site_dir"]
    files.append(File.generated(config, "reference/cli.md", content=_cli_reference()))
    for folder in MIRRORED:
        base = ROOT / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = f"{folder}/{path.relative_to(base).as_posix()}"
                files.append(File.generated(config, rel, abs_src_path=str(path)))
    if SNAPSHOTS.is_dir():
        for svg in sorted(SNAPSHOTS.glob("*.svg")):
            name = svg.name.replace("[", "_").replace("]", "").replace("-", "_")
            files.append(File.generated(config, f"screenshots/{name}", abs_src_path=str(svg)))
    del site_dir
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Fill generated sections."""
    del page, config, files
    if "<!-- tui-keys -->" in markdown:
        from isoforce.tui.keys import key_tables_markdown

        markdown = markdown.replace("<!-- tui-keys -->", key_tables_markdown())
    return markdown.replace("<!-- devices-table -->", _devices_table())
