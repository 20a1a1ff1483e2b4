"""Imports validate every format the same way (issue 20, deliver 3).

Two halves: every kind of session isoforce records comes back through every file format with
the same samples (so the checks refuse nothing real), and each import finding of issue 20 has
a test named after it (``test_finding_import_…``) that failed before the one validation and
passes with it. A refused file leaves the store as it was; an accepted one is a session that
export and replay read.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from isoforce.cli import main
from isoforce.core.schema import FORCE_COLUMNS, IMU_COLUMNS, ColumnRole
from isoforce.export.formats import FileFormatError
from isoforce.export.imu_table import IMU_DECIMALS
from isoforce.session.exporter import (
    export_csv,
    export_imu_csv,
    export_json,
    sidecar_bytes,
)
from isoforce.session.importer import import_file
from isoforce.session.model import SessionRecord
from isoforce.session.store import SessionStore
from isoforce.transports.replay_plan import replay_plan
from tests.export.json_lines import document
from tests.session.session_helpers import run_drill, run_record

# -- every kind of session, every format ----------------------------------------------------

KINDS: dict[str, Callable[[SessionStore], int]] = {
    "force only": lambda s: run_record(s, duration_s=2.0).session_id,
    "force and IMU": lambda s: run_record(s, device="sim-dual", duration_s=2.0).session_id,
    "IMU only (no force: NaN)": lambda s: (
        run_record(s, device="sim-imu", duration_s=2.0).session_id
    ),
    "with gaps": lambda s: run_record(s, duration_s=3.0, drops=((1.0, 0.5),)).session_id,
    "drill with gaps and pain": lambda s: (
        run_drill(s, "tension-drill", drops=((20.0, 1.0),)).session_id
    ),
    "IMU drill with range of motion": lambda s: (
        run_drill(s, "hip-rom", device="sim-dual", rate_hz=100, drops=((5.0, 0.5),)).session_id
    ),
}


def _write_export(store: SessionStore, sid: int, folder: Path, fmt: str) -> Path:
    folder.mkdir(parents=True)
    if fmt == "csv":
        out = io.BytesIO()
        export_csv(store, sid, out)
        (folder / "s.csv").write_bytes(out.getvalue())
        (folder / "s.meta.json").write_bytes(sidecar_bytes(store, sid))
        if store.load(sid).imu is not None:
            imu = io.BytesIO()
            export_imu_csv(store, sid, imu)
            (folder / "s.imu.csv").write_bytes(imu.getvalue())
        return folder / "s.csv"
    out = io.BytesIO()
    export_json(store, sid, out)
    if fmt == "json":
        (folder / "s.json").write_bytes(out.getvalue())
    else:  # the single-document layout isoforce wrote before schema 3
        (folder / "s.json").write_text(json.dumps(document(out.getvalue())))
    return folder / "s.json"


def _assert_same_samples(before: SessionRecord, after: SessionRecord, fmt: str) -> None:
    """Equal samples, up to the precision the format writes (CSV leaves out host time)."""
    assert [c.name for c in after.channels] == [c.name for c in before.channels]
    for a, b in zip(before.channels, after.channels, strict=True):
        ca, cb = a.columns(), b.columns()
        for col in FORCE_COLUMNS:
            if fmt == "csv" and col.name == "t_host_s":
                continue
            if col.role is ColumnRole.NUMBER:
                step = 10.0 ** -(col.decimals or 0)
                np.testing.assert_allclose(
                    cb[col.name], ca[col.name], rtol=0, atol=0.51 * step, err_msg=col.name
                )
            else:
                np.testing.assert_array_equal(cb[col.name], ca[col.name], err_msg=col.name)
    assert (before.imu is None) == (after.imu is None)
    if before.imu is not None and after.imu is not None:
        ia, ib = before.imu.columns(), after.imu.columns()
        for col in IMU_COLUMNS:
            exact = fmt != "csv" or col.role is not ColumnRole.NUMBER
            atol = 0.0 if exact else 0.51 * 10.0 ** -IMU_DECIMALS[col.name]
            np.testing.assert_allclose(
                ib[col.name].astype(float), ia[col.name].astype(float), rtol=0, atol=atol,
                err_msg=col.name,
            )  # fmt: skip
    assert after.gaps == before.gaps
    assert after.rom == before.rom


@pytest.mark.parametrize("fmt", ["csv", "json", "schema-2 json"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_session_comes_back_with_the_same_samples(
    store: SessionStore, other_store: SessionStore, tmp_path: Path, kind: str, fmt: str
) -> None:
    sid = KINDS[kind](store)
    path = _write_export(store, sid, tmp_path / "out", fmt)
    (new,) = import_file(other_store, path).session_ids
    before, after = store.load(sid), other_store.load(new)
    _assert_same_samples(before, after, fmt)
    # and later commands read it: a replay plan and another export
    assert len(replay_plan(after).source) > 0
    export_json(other_store, new, io.BytesIO())


# -- the findings of issue 20 ---------------------------------------------------------------


@dataclass
class Exported:
    """One drill session with gaps and pain, exported in each format as text to mutate."""

    csv: str
    sidecar: dict[str, Any]
    json_lines: list[dict[str, Any]]
    recording: dict[str, Any]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    with SessionStore.open(tmp_path_factory.mktemp("src") / "isoforce.sqlite3") as store:
        sid = run_drill(store, "tension-drill", drops=((20.0, 1.0),), rate_hz=40).session_id
        out = io.BytesIO()
        export_csv(store, sid, out)
        csv_text = out.getvalue().decode()
        side = json.loads(sidecar_bytes(store, sid))
        out = io.BytesIO()
        export_json(store, sid, out)
        parts = [json.loads(line) for line in out.getvalue().splitlines()]
        yield Exported(csv_text, side, parts, _old_recording(document(out.getvalue())))


def _old_recording(doc: dict[str, Any]) -> dict[str, Any]:
    """The session as an ``isoforce-recording`` (what ``record --format json`` once wrote)."""
    cols = doc["channels"][0]["columns"]
    steps, phases = doc["labels"]["step_names"], doc["labels"]["phase_names"]
    return {
        "format": "isoforce-recording",
        "schema": 1,
        "rate_hz": 40.0,
        "samples": len(cols["t_s"]),
        "device": {"key": "sim", "title": "Simulated", "capabilities": "push, pull"},
        "gaps": [{"t_s": 20.0, "samples_lost": 40}],
        "columns": {
            **{k: cols[k] for k in ("t_s", "raw", "force_n", "effort_pct", "target_pct", "rep")},
            "step": [steps[s] if s >= 0 else None for s in cols["step"]],
            "phase": [phases[p] if p >= 0 else None for p in cols["phase"]],
        },
    }


def _csv_cell(text: str, column: str, value: str, row: int = 5) -> str:
    """``text`` with one cell of data row ``row`` (1-based after the header) replaced."""
    lines = text.splitlines(keepends=True)
    header = lines[0].strip().split(",")
    cells = lines[row].rstrip("\n").split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells) + "\n"
    return "".join(lines)


def _json_lines(parts: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(p, allow_nan=True) + "\n" for p in parts)


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


Files = dict[str, str]
Mutation = Callable[[Exported], Files]


def _csv_files(csv_text: str, side: dict[str, Any] | None) -> Files:
    files = {"s.csv": csv_text}
    if side is not None:
        files["s.meta.json"] = json.dumps(side, allow_nan=True)
    return files


def _sidecar(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def make(e: Exported) -> Files:
        side = _copy(e.sidecar)
        change(side)
        return _csv_files(e.csv, side)

    return make


def _lines(change: Callable[[list[dict[str, Any]]], None]) -> Mutation:
    def make(e: Exported) -> Files:
        parts = _copy(e.json_lines)
        change(parts)
        return {"s.json": _json_lines(parts)}

    return make


def _recording(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def make(e: Exported) -> Files:
        doc = _copy(e.recording)
        change(doc)
        return {"s.json": json.dumps(doc, allow_nan=True)}

    return make


def _refused(tmp_path: Path, store: SessionStore, files: Files, match: str) -> str:
    """Import ``files`` (the first is the one named): a FileFormatError matching ``match``,
    nothing kept; the message names the file and a line or a field."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    with pytest.raises(FileFormatError, match=match) as err:
        import_file(store, folder / next(iter(files)))
    assert store.sessions() == []
    assert str(folder) in str(err.value) and "\n" not in str(err.value)
    return str(err.value)


def _set(*path: Any, to: Any) -> Callable[[Any], None]:
    def change(doc: Any) -> None:
        for key in path[:-1]:
            doc = doc[key]
        doc[path[-1]] = to

    return change


def _first_chunk(column: str, index: int, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    return lambda parts: parts[1]["columns"][column].__setitem__(index, value)


HUGE = 10**30


@pytest.mark.parametrize(
    ("mutation", "match"),
    [
        (lambda e: _csv_files(_csv_cell(e.csv, "rep", str(HUGE)), None), r"s.csv:6: rep: expected"),
        (
            lambda e: _csv_files(_csv_cell(e.csv, "flags", f"gap:{HUGE}"), None),
            r"s.csv:6: flags: expected gap:N with N a whole number from 0 to 4294967296",
        ),
        (_sidecar(_set("gaps", 0, "samples_lost", to=HUGE)), r"gaps\[0\].samples_lost: expected"),
        (_sidecar(_set("events", 0, "step_index", to=HUGE)), r"events\[0\].step_index: expected"),
        (
            _sidecar(_set("scores", "steps", 0, "step_index", to=HUGE)),
            r"scores.steps\[0\].step_index: expected",
        ),
        (_recording(lambda d: d["columns"]["rep"].__setitem__(3, HUGE)), r"columns.rep\[3\]"),
        (_recording(_set("gaps", 0, "samples_lost", to=HUGE)), r"gaps\[0\].samples_lost"),
        (
            _lines(lambda p: p[1].__setitem__("lost_before", [[0, HUGE]])),
            r"s.json:2: .*lost_before",
        ),
    ],
)
def test_finding_import_huge_integers_in_rep_gap_and_lost_fields_are_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, mutation: Mutation, match: str
) -> None:
    """Issue 20: huge integers in rep, gap and lost fields ended in OverflowError tracebacks."""
    _refused(tmp_path, other_store, mutation(exported), match)


@pytest.mark.parametrize("labels", [5, "abc", {"step_names": 5}, {"phase_names": [1, 2]}])
def test_finding_import_wrong_typed_labels_are_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, labels: object
) -> None:
    """Issue 20: a wrong-typed labels field (then ``side_labels``) in a sidecar raised TypeError."""
    files = _sidecar(_set("labels", to=labels))(exported)
    _refused(tmp_path, other_store, files, r"s.meta.json: labels(.\w+)?: expected")


@pytest.mark.parametrize(
    ("mutation", "match"),
    [
        (_recording(_set("gaps", 0, "t_s", to="x")), r"gaps\[0\].t_s: expected a finite number"),
        (_sidecar(_set("gaps", 0, "start_t_s", to="x")), r"gaps\[0\].start_t_s: expected"),
        (_lines(lambda p: p[-1]["gaps"][0].__setitem__("end_t_s", "x")), r"gaps\[0\].end_t_s"),
    ],
)
def test_finding_import_text_in_a_gap_time_is_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, mutation: Mutation, match: str
) -> None:
    """Issue 20: text in a gap time raised ValueError (could not convert string to float)."""
    _refused(tmp_path, other_store, mutation(exported), match)


def _nest(depth: int) -> Callable[[Any], None]:
    return lambda doc: doc.__setitem__("notes_extra", json.loads("[" * depth + "]" * depth))


@pytest.mark.parametrize("depth", [100, 500, 100_000])
@pytest.mark.parametrize("where", ["sidecar", "json lines", "old recording"])
def test_finding_import_deeply_nested_json_is_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, depth: int, where: str
) -> None:
    """Issue 20: deeply nested JSON ended in RecursionError."""
    bomb = "[" * depth + "]" * depth
    if where == "sidecar":
        files = _csv_files(exported.csv, exported.sidecar)
        files["s.meta.json"] = files["s.meta.json"].replace("{", '{"x": ' + bomb + ",", 1)
    elif where == "json lines":
        text = _json_lines(exported.json_lines)
        files = {"s.json": text.replace('"options": {', '"options": {"x": ' + bomb + ",", 1)}
    else:
        files = {"s.json": json.dumps(exported.recording).replace("{", '{"x": ' + bomb + ",", 1)}
    _refused(tmp_path, other_store, files, "JSON nested more than 64 deep")


@pytest.mark.parametrize(
    ("mutation", "match"),
    [
        (
            lambda e: _csv_files(_csv_cell(e.csv, "force_n", "nan"), e.sidecar),
            r"s.csv:6: force_n: expected a number \(an empty cell for none\), got 'nan'",
        ),
        (
            lambda e: _csv_files(_csv_cell(e.csv, "force_n", "inf"), None),
            r"s.csv:6: force_n: expected a finite number within ±20000 N, or none, got 'inf'",
        ),
        (
            lambda e: _csv_files(_csv_cell(e.csv, "force_n", "-1e999"), None),
            r"s.csv:6: force_n: expected a finite number",
        ),
        (_recording(lambda d: d["columns"]["force_n"].__setitem__(3, float("nan"))), "not valid"),
        (_recording(lambda d: d["columns"]["force_n"].__setitem__(3, float("inf"))), "not valid"),
        (_lines(_first_chunk("force_n", 3, float("-inf"))), r"s.json:2: not valid JSON"),
        (
            lambda e: {
                "s.json": _json_lines(e.json_lines).replace(
                    '"force_n": [', '"force_n": [1e999, ', 1
                )
            },
            r"s.json:2: not valid JSON \(number is infinity",
        ),
    ],
)
def test_finding_import_nan_or_inf_force_is_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, mutation: Mutation, match: str
) -> None:
    """Issue 20: NaN and inf force in CSV and JSON were imported (an empty cell or null is how
    a file says "no force here", so that stays allowed)."""
    _refused(tmp_path, other_store, mutation(exported), match)


@pytest.mark.parametrize(
    ("mutation", "match"),
    [
        (
            _lines(_first_chunk("force_n", 3, "12.5")),
            r"s.json:2: force chunk.columns.force_n\[3\]: expected a finite number within ±20000 N"
            r", or none, got '12.5'",
        ),
        (_lines(_first_chunk("force_n", 3, True)), r"force_n\[3\]: expected .* got True"),
        (_recording(lambda d: d["columns"]["force_n"].__setitem__(3, "1.5")), r"force_n\[3\]"),
    ],
)
def test_finding_import_force_given_as_a_string_is_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, mutation: Mutation, match: str
) -> None:
    """Issue 20: a force given as a string was imported as its number."""
    _refused(tmp_path, other_store, mutation(exported), match)


def _swap_chunks(parts: list[dict[str, Any]]) -> None:
    chunk = parts[1]
    half = chunk["samples"] // 2
    first = {
        **chunk,
        "samples": half,
        "lost_before": [],
        "columns": {k: v[:half] for k, v in chunk["columns"].items()},
    }
    second = {
        **chunk,
        "samples": chunk["samples"] - half,
        "lost_before": [],
        "columns": {k: v[half:] for k, v in chunk["columns"].items()},
    }
    parts[1:2] = [second, first]


@pytest.mark.parametrize(
    ("mutation", "match"),
    [
        (_lines(_first_chunk("t_s", 10, 0.0)), r"s.json:2: .*t_s\[10\]: expected a time after"),
        (_lines(_first_chunk("t_s", 3, None)), r"s.json:2: .*t_s\[3\]: expected a finite number"),
        (
            _lines(_first_chunk("t_s", 3, 1e300)),
            r"t_s\[3\]: expected a finite number within ±1e\+09",
        ),
        (_lines(_first_chunk("t_s", 3, float("nan"))), r"s.json:2: not valid JSON"),
        (_lines(_swap_chunks), r"s.json:3: t_s: expected the channel 'load' times to go on after"),
        (
            _recording(lambda d: d["columns"]["t_s"].__setitem__(3, -5.0)),
            r"columns.t_s\[3\]: expected a time after",
        ),
    ],
)
def test_finding_import_json_time_that_does_not_increase_or_is_not_finite_is_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, mutation: Mutation, match: str
) -> None:
    """Issue 20: a session JSON whose time did not increase (or was NaN/inf) was imported, and
    replay then refused the session."""
    _refused(tmp_path, other_store, mutation(exported), match)


@pytest.mark.parametrize("rate", [-36.0, 0.0, 1e308])
@pytest.mark.parametrize("where", ["sidecar", "json lines", "old recording"])
def test_finding_import_negative_rate_is_refused(
    exported: Exported, other_store: SessionStore, tmp_path: Path, rate: float, where: str
) -> None:
    """Issue 20: a negative sample rate was imported, and replay then failed ('cutoff −36 Hz')."""
    mutation = {
        "sidecar": _sidecar(_set("session", "rate_hz", to=rate)),
        "json lines": _lines(lambda p: p[0]["session"].__setitem__("rate_hz", rate)),
        "old recording": _recording(_set("rate_hz", to=rate)),
    }[where]
    _refused(
        tmp_path,
        other_store,
        mutation(exported),
        "session.rate_hz: expected a sample rate above 0 and up to 100000 Hz, got "
        + re.escape(repr(rate)),
    )


@pytest.mark.parametrize(
    ("mutation", "match"),
    [
        (
            lambda e: _csv_files(_csv_cell(e.csv, "force_n", "25000"), None),
            r"s.csv:6: force_n: expected a finite number within ±20000 N",
        ),
        (_lines(_first_chunk("force_n", 3, -1e6)), r"force_n\[3\]: expected .*±20000 N"),
        (
            lambda e: {"s.csv": "time,weight\n0.0,10\n0.1,3000\n"},
            r"s.csv:3: weight: expected a weight within ±2039",
        ),
        (_sidecar(_set("references", "pain_free", "push_max_n", to=-5.0)), r"references"),
        (_sidecar(_set("calibration", "n_per_raw", to=0)), r"calibration: .*non-zero"),
        (
            _lines(lambda p: p[1]["columns"]["step"].__setitem__(3, 50)),
            r"channel 'load' sample 3: step: expected a code from -1 \(none\) to 21, got 50",
        ),
    ],
)
def test_import_refuses_force_out_of_range_and_what_replay_cannot_use(
    exported: Exported, other_store: SessionStore, tmp_path: Path, mutation: Mutation, match: str
) -> None:
    _refused(tmp_path, other_store, mutation(exported), match)


def test_import_keeps_empty_cells_and_nulls_as_no_value(
    exported: Exported, other_store: SessionStore, tmp_path: Path
) -> None:
    """NaN is how a session says "nothing here" (no force from an IMU, effort not measured):
    empty CSV cells and JSON nulls import as NaN."""
    folder = tmp_path / "ok"
    folder.mkdir()
    (folder / "a.csv").write_text(_csv_cell(exported.csv, "force_n", ""))
    parts = _copy(exported.json_lines)
    parts[1]["columns"]["force_n"][3] = None
    (folder / "b.json").write_text(_json_lines(parts))
    for name in ("a.csv", "b.json"):
        (sid,) = import_file(other_store, folder / name).session_ids
        force = other_store.load(sid).channels[0].force_n
        assert np.isnan(force[3 if name == "b.json" else 4])


def test_finding_import_refusal_is_one_line_without_traceback(
    exported: Exported, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the command line a refused file is one error line, exit 1, and nothing stored."""
    path = tmp_path / "s.json"
    parts = _copy(exported.json_lines)
    parts[0]["session"]["rate_hz"] = -36.0
    path.write_text(_json_lines(parts))
    data = tmp_path / "data"
    assert main(["import", str(path), "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"isoforce: error: {path}: session.rate_hz: expected a sample rate above 0 and up to "
        "100000 Hz, got -36.0"
    ]
    assert main(["sessions", "--data-dir", str(data)]) == 0
    assert "no sessions" in capsys.readouterr().out.lower()
