"""Tidy CSV and JSON of sessions: what is written, and clear errors for bad files."""

from __future__ import annotations

import csv
import io
import json
import sys

import numpy as np
import pytest

from isoforce.export.csv_reader import read_csv
from isoforce.export.formats import FileFormatError
from isoforce.export.legacy_json import read_document
from isoforce.export.manifest import manifest
from isoforce.export.plot import MissingExtraError, write_png
from isoforce.export.session_csv import csv_header, csv_rows, write_csv
from isoforce.export.session_json import read_json, write_json
from isoforce.session.model import ARRAY_FIELDS
from tests.export.json_lines import document, lines
from tests.session.session_helpers import channel, record


def _csv_text(rec=None, **kwargs) -> str:  # type: ignore[no-untyped-def]
    rec = rec or record()
    out = io.BytesIO()
    write_csv(out, rec.channels, rec.meta.labels, **kwargs)
    return out.getvalue().decode()


def test_csv_rows_hold_context_and_open_as_plain_csv() -> None:
    rec = record()
    text = _csv_text(rec)
    rows = list(csv.DictReader(io.StringIO(text)))
    ch = rec.channels[0]
    assert len(rows) == len(ch)
    assert list(rows[0]) == [
        "t_s",
        "channel",
        "raw",
        "force_n",
        "effort_pct",
        "target_pct",
        "phase",
        "step",
        "rep",
        "flags",
    ]
    first, late = rows[0], rows[300]
    assert first["t_s"] == "0.000000" and first["channel"] == "load"
    assert first["effort_pct"] == ""  # NaN is an empty cell
    assert first["target_pct"] == ""
    assert first["phase"] == "passive" and first["step"] == "passive 2 s" and first["rep"] == ""
    assert late["step"] == "hold push, 20 %" and late["phase"] == "hold" and late["rep"] == "1"
    assert late["target_pct"] == "20.00"
    assert float(late["force_n"]) == pytest.approx(ch.force_n[300], abs=5e-4)
    assert rows[len(ch) // 2]["flags"] == "gap:3"
    assert '"hold push, 20 %"' in text  # quoted because of the comma


def test_session_column_for_several_sessions() -> None:
    text = _csv_text(session="12")
    assert text.startswith("session,t_s,channel,")
    assert text.splitlines()[1].startswith("12,0.000000,load,")
    assert csv_header(with_session=True).decode().count(",") == 10


def test_rows_of_an_empty_channel() -> None:
    assert csv_rows(channel(0), record().meta.labels) == b""


def test_csv_reads_back_to_the_same_text() -> None:
    rec = record()
    text = _csv_text(rec)
    (parsed,) = read_csv(text, source="x.csv", labels=rec.meta.labels)
    again = io.BytesIO()
    write_csv(again, parsed.channels, parsed.labels)
    assert again.getvalue().decode() == text
    assert parsed.channels[0].lost_before.sum() == 3


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", 1, "empty file"),
        ("time,weight\n0.0,1.0\n", 1, "not an isoforce CSV"),
        ("t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n", 2, "no samples"),
        (
            "t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n"
            "0.0,load,1,2,3,4,,,,\n0.1,load,1,2",
            3,
            "expected 10 fields, got 4 (truncated",
        ),
        (
            "t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n"
            "0.0,load,1,2,3,4,,,,\n0.1,load,x,2,3,4,,,,\n",
            3,
            "raw: expected a number",
        ),
        (
            "t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n"
            "0.2,load,1,2,3,4,,,,\n0.1,load,1,2,3,4,,,,\n",
            3,
            "t_s: expected a time after 0.2 s",
        ),
        (
            "t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n"
            "0.0,load,1,2,3,4,,,,oops\n",
            2,
            "unknown flag",
        ),
        (
            "t_s,channel,raw,force_n,effort_pct,target_pct,phase,step,rep,flags\n"
            "0.0,load,1,2,3,4,,,one,\n",
            2,
            "rep: expected a whole number from 0 to 32767, got 'one'",
        ),
    ],
)
def test_bad_csv_names_file_and_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(FileFormatError) as err:
        read_csv(text, source="bad.csv")
    assert err.value.line == line
    assert str(err.value).startswith(f"bad.csv:{line}: ")
    assert problem in str(err.value)


def test_json_round_trip_keeps_every_field() -> None:
    rec = record(channels=(channel(300), channel(120, name="load2", seed=2)))
    out = io.BytesIO()
    write_json(out, rec, rows=128)
    parts = lines(out.getvalue())
    assert parts[0]["format"] == "isoforce-session" and parts[0]["schema"] == 3
    assert [p.get("samples") for p in parts[1:-1]] == [128, 128, 44, 120]
    assert parts[-1]["end"] == "isoforce-session"
    doc = document(out.getvalue())
    assert doc["imu"] is None and doc["rom"] == []
    assert doc["channels"][0]["columns"]["effort_pct"][0] is None
    assert doc["channels"][0]["lost_before"] == [[150, 3]]
    back = read_json(out.getvalue(), source="x.json")
    again = io.BytesIO()
    write_json(again, back, rows=128)
    assert again.getvalue() == out.getvalue()
    assert back.meta == rec.meta
    assert back.events == rec.events and back.gaps == rec.gaps
    old = read_document(json.dumps(doc), source="old.json")  # the schema-2 layout still reads
    assert old.meta == rec.meta
    for a, b in zip(old.channels, back.channels, strict=True):
        for name in ARRAY_FIELDS:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"format": "isoforce-session", "schema": 3, "sess', "bad.json:1: not valid JSON"),
        (b'{"format": "something-else"}', "not an isoforce session file"),
        (b'{"format": "isoforce-session", "schema": 99}', "newer than this isoforce reads"),
        (b'{"format": "isoforce-session", "schema": 3}\n', "bad.json:1: no trailer line"),
        (b'{"format": "isoforce-session", "schema": 3}\n[1]\n', "bad.json:2: expected a JSON"),
        (
            b'{"format": "isoforce-session", "schema": 3}\n{"table": "force"}\n',
            "bad.json:2: force chunk: expected an object with a channel name",
        ),
    ],
)
def test_bad_json_is_a_clear_error(data: bytes, problem: str) -> None:
    with pytest.raises(FileFormatError, match=problem):
        read_json(data, source="bad.json")


def test_bad_old_json_document_is_a_clear_error() -> None:
    with pytest.raises(FileFormatError, match="channels: expected a list"):
        read_document(b'{"format": "isoforce-session", "schema": 1, "channels": 3}', source="x")


def _dump(parts: list[dict]) -> bytes:  # type: ignore[type-arg]
    return b"".join(json.dumps(p).encode() + b"\n" for p in parts)


def test_json_with_a_short_column_or_a_missing_chunk_is_refused() -> None:
    out = io.BytesIO()
    write_json(out, record())
    parts = lines(out.getvalue())
    parts[1]["columns"]["raw"].pop()
    with pytest.raises(
        FileFormatError, match=r"short.json:2: .*columns.raw: expected 500 values, got 499"
    ):
        read_json(_dump(parts), source="short.json")
    parts = lines(out.getvalue())
    parts[0]["session"]["started_at"] = "last tuesday"
    with pytest.raises(FileFormatError, match=r"session\.started_at: not an ISO 8601 time"):
        read_json(_dump(parts), source="when.json")
    parts = lines(out.getvalue())
    parts[0]["session"]["side"] = "middle"
    with pytest.raises(FileFormatError, match=r"session\.side: 'middle' is not one of"):
        read_json(_dump(parts), source="side.json")
    parts = lines(out.getvalue())
    with pytest.raises(FileFormatError, match=r"cut.json:2: the trailer declares \{'load': 500\}"):
        read_json(_dump([parts[0], parts[2]]), source="cut.json")
    with pytest.raises(FileFormatError, match=r"cut.json:2: no trailer line"):
        read_json(_dump(parts[:2]), source="cut.json")


def test_manifest_lists_channels_and_store_separately() -> None:
    doc = manifest(record())
    assert doc["channels"] == [{"name": "load", "samples": 500}]
    assert doc["store"] == {"session_id": None, "imported_from": None}
    assert doc["sensor"]["key"] == "sim"
    assert doc["calibration"]["n_per_raw"] == pytest.approx(1 / 2250)


def test_png_has_a_clear_error_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'isoforce\[plot\]'"):
        write_png(io.BytesIO(), record())


def test_png_is_an_image() -> None:
    pytest.importorskip("matplotlib")
    out = io.BytesIO()
    write_png(out, record())
    assert out.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(out.getvalue()) > 10_000


def test_png_of_a_session_without_samples() -> None:
    pytest.importorskip("matplotlib")
    out = io.BytesIO()
    write_png(out, record(channels=()))  # no legend entries: no matplotlib warning either
    assert out.getvalue()[:4] == b"\x89PNG"
