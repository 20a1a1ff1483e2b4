"""Export → import → export: CSV byte-identical, JSON field-identical, for native drill sessions."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from isoforce.errors import StorageError
from isoforce.export.formats import FileFormatError
from isoforce.export.session_json import as_written
from isoforce.session.efforts import ANALYSED_COLUMNS, analyse_session, analysis_to_dict
from isoforce.session.exporter import export_csv, export_json, sidecar, sidecar_bytes
from isoforce.session.importer import AlreadyImportedError, import_file
from isoforce.session.model import SessionKind, SessionStatus
from isoforce.session.store import SessionStore
from tests.export.json_lines import document, lines
from tests.session.session_helpers import run_drill, run_record


def _csv(store: SessionStore, sid: int, **kwargs: object) -> bytes:
    out = io.BytesIO()
    export_csv(store, sid, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def _json_bytes(store: SessionStore, sid: int) -> bytes:
    out = io.BytesIO()
    export_json(store, sid, out)
    return out.getvalue()


def _json(store: SessionStore, sid: int) -> dict:  # type: ignore[type-arg]
    return document(_json_bytes(store, sid))


def test_csv_round_trip_is_identical(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    run = run_drill(store, "tension-drill", drops=((50.0, 2.0),))
    first = _csv(store, run.session_id)
    (tmp_path / "s.csv").write_bytes(first)
    (tmp_path / "s.meta.json").write_bytes(sidecar_bytes(store, run.session_id))
    result = import_file(other_store, tmp_path / "s.csv")
    (sid,) = result.session_ids
    assert _csv(other_store, sid) == first
    # the sidecar carried the context: drill, scores, events, gaps, maxima
    a, b = sidecar(store, run.session_id), sidecar(other_store, sid)
    assert a.pop("store") != b.pop("store")
    assert a == b
    assert b["gaps"] and b["scores"]["steps"] and b["maxima"]
    assert other_store.session_info(sid).imported_from == str(tmp_path / "s.csv")
    assert "gap:" in first.decode()


def test_csv_without_sidecar_still_round_trips(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    run = run_record(store, duration_s=4.0)
    first = _csv(store, run.session_id)
    (tmp_path / "bare.csv").write_bytes(first)
    (sid,) = import_file(other_store, tmp_path / "bare.csv").session_ids
    assert _csv(other_store, sid) == first
    info = other_store.session_info(sid)
    assert info.kind is SessionKind.IMPORT and info.status is SessionStatus.COMPLETE


def test_truncated_csv_is_caught_by_its_sidecar(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    run = run_record(store, duration_s=2.0)
    lines = _csv(store, run.session_id).decode().splitlines(keepends=True)
    (tmp_path / "cut.csv").write_text("".join(lines[:100]))  # ends on a whole line
    (tmp_path / "cut.meta.json").write_bytes(sidecar_bytes(store, run.session_id))
    with pytest.raises(FileFormatError, match=r"declares .* samples but the CSV holds .*truncated"):
        import_file(other_store, tmp_path / "cut.csv")
    assert other_store.sessions() == []


def test_json_round_trip_preserves_every_field(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    run = run_drill(store, "max-test", pain_at=None, rate_hz=100)
    first = _json(store, run.session_id)
    (tmp_path / "s.json").write_bytes(_json_bytes(store, run.session_id))
    (sid,) = import_file(other_store, tmp_path / "s.json").session_ids
    second = _json(other_store, sid)
    assert first.pop("store") == {"session_id": run.session_id, "imported_from": None}
    assert second.pop("store")["imported_from"] == str(tmp_path / "s.json")
    assert second == first
    # and it is all there
    for key in (
        "session",
        "profile",
        "sensor",
        "calibration",
        "drill",
        "references",
        "labels",
        "scores",
        "maxima",
        "events",
        "gaps",
    ):
        assert key in first
    assert first["maxima"][0]["kind"] == "mvic"
    # the analysis: one effort per trial, a metric the 100 Hz rate cannot support refused
    analysis = first["analysis"]
    assert analysis["rate_hz"] == pytest.approx(100.0)
    assert [e["found_by"] for e in analysis["efforts"]] == ["drill trial"] * 6
    rfd_50 = analysis["efforts"][0]["metrics"]["rfd_0_50ms_n_per_s"]
    assert rfd_50["value"] is None
    assert rfd_50["note"] == "rate too low (needs ≥ 200 Hz, sensor gives 100 Hz)"
    assert analysis["efforts"][0]["metrics"]["peak_n"]["value"] > 0
    assert first["drill"]["toml"].startswith("# Max test")
    cols = first["channels"][0]["columns"]
    assert set(cols) == {
        "t_s",
        "t_host_s",
        "raw",
        "force_n",
        "effort_pct",
        "target_pct",
        "step",
        "phase",
        "rep",
    }
    assert len(cols["t_s"]) == first["channels"][0]["samples"] == run.result.samples


def test_same_session_twice_is_refused(store: SessionStore, tmp_path: Path) -> None:
    run = run_record(store, duration_s=1.0)
    (tmp_path / "s.json").write_bytes(_json_bytes(store, run.session_id))
    with pytest.raises(
        AlreadyImportedError, match=f"already in the store as session {run.session_id}"
    ):
        import_file(store, tmp_path / "s.json")


def test_several_sessions_in_one_csv(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    a = run_record(store, duration_s=1.0).session_id
    b = run_record(store, duration_s=2.0).session_id
    stream = _csv(store, a, session_key="a") + _csv(store, b, session_key="b", header=False)
    (tmp_path / "both.csv").write_bytes(stream)
    ids = import_file(other_store, tmp_path / "both.csv").session_ids
    assert len(ids) == 2
    sizes = [other_store.session_info(i).samples for i in ids]
    assert sizes == [store.session_info(a).samples, store.session_info(b).samples]


def test_wrong_format_and_binary_files(store: SessionStore, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("shopping list\nmilk\n")
    with pytest.raises(FileFormatError, match="not a Tindeq app export"):
        import_file(store, tmp_path / "notes.txt")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    with pytest.raises(FileFormatError, match="not UTF-8"):
        import_file(store, tmp_path / "image.png")
    assert store.sessions() == []


def test_json_lines_of_several_sessions(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    ids = [run_record(store, duration_s=d).session_id for d in (1.0, 2.0)]
    out = io.BytesIO()
    for sid in ids:
        export_json(store, sid, out)
    assert [p.get("format") for p in lines(out.getvalue())].count("isoforce-session") == 2
    (tmp_path / "two.jsonl").write_bytes(out.getvalue())
    new = import_file(other_store, tmp_path / "two.jsonl").session_ids
    assert [other_store.session_info(i).samples for i in new] == [80, 160]


def test_the_export_analysis_reads_few_columns_and_matches_the_whole_record(
    store: SessionStore,
) -> None:
    run = run_drill(store, "max-test", pain_at=None, rate_hz=100)
    sid = run.session_id
    whole = store.load(sid)
    (name, _), *_ = store.channel_sizes(sid)
    few = store.channel(sid, name, only=ANALYSED_COLUMNS)
    for column in ANALYSED_COLUMNS:
        np.testing.assert_array_equal(getattr(few, column), getattr(whole.channels[0], column))
    assert np.isnan(few.effort_pct).all() and (few.rep == 0).all()  # not read: "none" values
    written = replace(whole, channels=(as_written(whole.channels[0]),))
    basis = store.torque_basis(sid, whole.meta)
    assert sidecar(store, sid)["analysis"] == analysis_to_dict(analyse_session(written), basis)
    with pytest.raises(StorageError, match="no channel 'nope'"):
        store.channel(sid, "nope")
