"""A damaged session file is refused with one error, or it is a session every later command
reads (issue 20, deliver 3: "a bad file never becomes a session that a later command cannot
read").

Hypothesis changes one value anywhere in an exported session (a JSON Lines file, a CSV's cell,
its sidecar's fields) to something hostile — huge or negative integers, NaN and infinities,
text, booleans, nesting — and imports it. Either the import raises a :class:`FileFormatError`
(or another isoforce error) and the store stays empty, or the session loads, exports as CSV
and JSON, and a replay of it can be built. ``ISOFORCE_FUZZ_EXAMPLES`` sets the number of
examples (the normal suite runs 60 per format).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoforce.errors import IsoforceError
from isoforce.live.build import open_replay
from isoforce.session.exporter import export_csv, export_json, sidecar_bytes
from isoforce.session.importer import import_file
from isoforce.session.store import SessionStore
from tests.session.session_helpers import channel, imu_samples, record

EXAMPLES = int(os.environ.get("ISOFORCE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

NASTY = st.sampled_from(
    [
        None, True, False, "", "12.5", "x", -1, 0, 1, 2**31, 2**63, 10**30, -(10**30), 0.5,
        -36.0, 1e300, -1e300, float("nan"), float("inf"), float("-inf"), [], {}, [[[[1]]]],
        {"a": [None]}, [1, 2, 3],
    ]
)  # fmt: skip
NASTY_CELLS = st.sampled_from(
    [
        "", "nan", "NaN", "inf", "-inf", "1e999", "1e300", "-1", "0", "1.5", "-0.0", "x",
        "99999999999999999999", "-99999999999999999999", "gap:3", "gap:-1",
        "gap:99999999999999999999", "25000", "load", "0x10",
    ]
)  # fmt: skip


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One small session with every field filled (IMU, NaNs, gaps, events, labels), exported."""
    with SessionStore.open(tmp_path_factory.mktemp("src") / "isoforce.sqlite3") as store:
        rec = record(channels=(channel(60, fs_hz=40.0),), imu=imu_samples(50, fs_hz=40.0))
        sid = store.save_record(rec)
        out = io.BytesIO()
        export_json(store, sid, out)
        parts = [json.loads(line) for line in out.getvalue().splitlines()]
        out = io.BytesIO()
        export_csv(store, sid, out)
        return {
            "json": parts,
            "csv": out.getvalue().decode(),
            "sidecar": json.loads(sidecar_bytes(store, sid)),
        }


def _mutate(data: st.DataObject, doc: Any) -> Any:
    """``doc`` (a copy) with one value somewhere in it replaced by a hostile one."""
    doc = json.loads(json.dumps(doc))
    parent: Any = None
    key: Any = None
    node = doc
    while isinstance(node, dict | list) and node:
        if parent is not None and data.draw(st.booleans(), label="stop here"):
            break
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        parent, key = node, data.draw(st.sampled_from(keys), label="key")
        node = parent[key]
    value = data.draw(NASTY, label="value")
    if parent is None:
        return value
    parent[key] = value
    return doc


def _later_commands_read(store: SessionStore, sid: int) -> None:
    """What export, replay and history do with a stored session, none of which may fail."""
    rec = store.load(sid)
    export_json(store, sid, io.BytesIO())
    export_csv(store, sid, io.BytesIO())
    sidecar_bytes(store, sid)
    open_replay(rec, speed=float("inf"))
    store.history()
    store.sessions()


def _import_or_refuse(folder: Path, name: str) -> None:
    with SessionStore.open(folder / "store" / "isoforce.sqlite3") as store:
        try:
            result = import_file(store, folder / name)
        except IsoforceError as exc:
            message = str(exc)
        else:
            for sid in result.session_ids:
                _later_commands_read(store, sid)
            return
        assert "\n" not in message
        assert store.sessions() == []


@FUZZ
@given(data=st.data())
def test_a_damaged_json_lines_file_is_refused_or_readable(
    files: dict[str, Any], data: st.DataObject
) -> None:
    parts = _mutate(data, files["json"])
    text = (
        "".join(json.dumps(p) + "\n" for p in parts)
        if isinstance(parts, list)
        else json.dumps(parts)
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.json").write_text(text)
        _import_or_refuse(folder, "s.json")


@FUZZ
@given(data=st.data())
def test_a_damaged_csv_or_sidecar_is_refused_or_readable(
    files: dict[str, Any], data: st.DataObject
) -> None:
    lines = files["csv"].splitlines(keepends=True)
    row = data.draw(st.integers(1, len(lines) - 1), label="row")
    cells = lines[row].rstrip("\n").split(",")
    cells[data.draw(st.integers(0, len(cells) - 1), label="column")] = data.draw(NASTY_CELLS)
    lines[row] = ",".join(cells) + "\n"
    sidecar = _mutate(data, files["sidecar"]) if data.draw(st.booleans()) else files["sidecar"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.csv").write_text("".join(lines))
        (folder / "s.meta.json").write_text(json.dumps(sidecar))
        _import_or_refuse(folder, "s.csv")
