"""IMU samples and ROM records in exports: the .imu.csv table, JSON (lossless), imports, errors."""

from __future__ import annotations

import io
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from isoforce.errors import IsoforceError
from isoforce.export.formats import FileFormatError
from isoforce.export.imu_table import (
    IMU_COLUMNS,
    imu_csv_path,
    main_csv_path,
    read_imu_csv,
    write_imu_csv,
)
from isoforce.export.session_json import read_json, write_json
from isoforce.session.exporter import export_csv, export_imu_csv, export_json, sidecar_bytes
from isoforce.session.importer import CompanionFileError, import_file
from isoforce.session.model import ImuSamples, SessionRecord
from isoforce.session.store import SessionStore
from tests.export.json_lines import document, lines
from tests.paths import ISOFORCE
from tests.session.session_helpers import as_stored, assert_same_imu, imu_samples, record, rom


def imu_record(n: int = 600) -> SessionRecord:
    return replace(
        record(),
        imu=imu_samples(n),
        rom=(rom(), rom(direction="er", angle_deg=41.25, placement="thigh")),
    )


def _csv_text(imu: ImuSamples) -> str:
    out = io.BytesIO()
    write_imu_csv(out, imu)
    return out.getvalue().decode()


def _exported(store: SessionStore, sid: int, folder: Path, stem: str = "s") -> Path:
    """A session exported as CSV with its sidecar and IMU table, as the CLI does it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.csv"
    with path.open("wb") as f:
        export_csv(store, sid, f)
    path.with_suffix(".meta.json").write_bytes(sidecar_bytes(store, sid))
    with imu_csv_path(path).open("wb") as f:
        assert export_imu_csv(store, sid, f) == store.imu_size(sid)
    return path


# -- the IMU table -------------------------------------------------------------------------


def test_imu_table_columns_units_and_missing_values() -> None:
    imu = imu_samples(200)
    text = _csv_text(imu)
    lines = text.splitlines()
    assert lines[0].split(",") == list(IMU_COLUMNS)
    assert len(lines) == 201 and text.endswith("\n")
    first = dict(zip(IMU_COLUMNS, lines[1].split(","), strict=True))
    assert first["t_s"] == "0.000000"
    assert first["angle_deg"] == ""  # before the zero pose
    assert first["still"] == "1" and lines[40].split(",")[8] == "0"
    assert len(first["acc_x_g"].split(".")[1]) == 5 and len(first["gyro_x_dps"].split(".")[1]) == 3
    row_refused = lines[1 + 37].split(",")  # not still: the estimate is refused
    assert row_refused[8] == "0" and row_refused[9:] == ["", "", ""]
    back = read_imu_csv(text, source="x.imu.csv")
    np.testing.assert_array_equal(back.still, imu.still)
    np.testing.assert_array_equal(np.isnan(back.angle_deg), np.isnan(imu.angle_deg))
    np.testing.assert_allclose(back.acc_g, imu.acc_g, atol=5e-6)
    np.testing.assert_allclose(back.gyro_dps, imu.gyro_dps, atol=5e-4)
    assert _csv_text(as_stored(back)) == text  # stored as float32, written again: same text


def test_imu_table_text_survives_float32_at_sensor_limits() -> None:
    rng = np.random.default_rng(1)
    n = 20_000
    imu = ImuSamples(
        np.arange(n) / 1000.0,
        rng.uniform(-16, 16, (n, 3)),
        rng.uniform(-2000, 2000, (n, 3)),
        rng.uniform(-180, 180, n),
        rng.random(n) > 0.5,
        rng.uniform(0, 150, n),
        rng.uniform(0, 150, n),
        rng.uniform(0, 150, n),
    )
    text = _csv_text(imu)
    assert _csv_text(as_stored(read_imu_csv(text, source="x"))) == text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "x.imu.csv:1: empty file"),
        ("t_s,acc_x_g\n", "x.imu.csv:1: not an isoforce IMU table"),
        (",".join(IMU_COLUMNS) + "\n", "x.imu.csv:2: no samples"),
        (",".join(IMU_COLUMNS) + "\n0.1,0,1,0,0,0,0,,1,,,\n0.2,0,1", "x.imu.csv:3: expected 12"),
        (",".join(IMU_COLUMNS) + "\n0.1,0,1,0,0,0,0,,yes,,,\n", "x.imu.csv:2: still: expected 1"),
        (
            ",".join(IMU_COLUMNS) + "\n0.1,0,one,0,0,0,0,,1,,,\n",
            "x.imu.csv:2: acc_y_g: expected a number",
        ),
        (
            ",".join(IMU_COLUMNS) + "\n0.2,0,1,0,0,0,0,,1,,,\n0.1,0,1,0,0,0,0,,1,,,\n",
            "x.imu.csv:3: t_s: expected a time after 0.2 s",
        ),
    ],
)
def test_damaged_imu_tables_name_file_and_line(text: str, problem: str) -> None:
    with pytest.raises(FileFormatError) as err:
        read_imu_csv(text, source="x.imu.csv")
    assert problem in str(err.value)


def test_imu_table_paths() -> None:
    assert imu_csv_path(Path("out/session-3.csv")) == Path("out/session-3.imu.csv")
    assert main_csv_path(Path("out/session-3.imu.csv")) == Path("out/session-3.csv")
    assert main_csv_path(Path("out/session-3.csv")) is None


# -- JSON ----------------------------------------------------------------------------------


def test_json_carries_imu_exactly_and_rom() -> None:
    rec = imu_record()
    out = io.BytesIO()
    write_json(out, rec)
    doc = document(out.getvalue())
    assert doc["imu"]["samples"] == 600 and list(doc["imu"]["columns"]) == list(IMU_COLUMNS)
    assert doc["imu"]["columns"]["angle_deg"][0] is None
    assert doc["imu"]["columns"]["still"][:2] == [True, True]
    assert [r["direction"] for r in doc["rom"]] == ["ir", "er"]
    assert set(doc["rom"][0]) == {
        "movement",
        "side",
        "position",
        "direction",
        "angle_deg",
        "placement",
        "measured_at",
        "source_drill",
        "detail",
    }
    back = read_json(out.getvalue(), source="x.json")
    assert_same_imu(back.imu, rec.imu)  # float64 in, float64 out: bit for bit
    assert back.rom == rec.rom
    again = io.BytesIO()
    write_json(again, back)
    assert again.getvalue() == out.getvalue()
    assert [p.get("table") for p in lines(out.getvalue())] == [None, "force", "imu", None]


def test_json_export_import_round_trip_through_stores(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    sid = store.save_record(imu_record(), chunk_samples=100)
    out = io.BytesIO()
    export_json(store, sid, out)
    (tmp_path / "s.json").write_bytes(out.getvalue())
    result = import_file(other_store, tmp_path / "s.json")
    (new,) = result.session_ids
    assert result.imu_samples == 600
    a, b = store.load(sid), other_store.load(new)
    assert a.imu is not None and np.isnan(a.imu.angle_deg).any()
    assert_same_imu(b.imu, a.imu)  # NaN kept
    assert [replace(r, session_id=None) for r in b.rom] == [
        replace(r, session_id=None) for r in a.rom
    ]
    assert {r.session_id for r in b.rom} == {new}
    second = io.BytesIO()
    export_json(other_store, new, second)
    d1, d2 = document(out.getvalue()), document(second.getvalue())
    assert d1.pop("store") != d2.pop("store")
    assert d1 == d2  # the analysis too: both computed from the samples as written
    assert len(d1["analysis"]["efforts"]) == 2


def test_schema_1_json_without_imu_still_imports(other_store: SessionStore, tmp_path: Path) -> None:
    out = io.BytesIO()
    write_json(out, record())
    doc = document(out.getvalue())
    doc["schema"] = 1
    del doc["imu"], doc["rom"]
    (tmp_path / "old.json").write_text(json.dumps(doc))
    (sid,) = import_file(other_store, tmp_path / "old.json").session_ids
    back = other_store.load(sid)
    assert back.imu is None and back.rom == () and back.samples == 500


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["imu"].pop("columns"), "imu: needs 'samples' and 'columns'"),
        (lambda d: d["imu"]["columns"]["gyro_y_dps"].pop(), "imu.columns.gyro_y_dps: expected 600"),
        (
            lambda d: d["imu"]["columns"]["still"].__setitem__(3, 1),
            "imu.columns.still[3]: expected true or false",
        ),
        (
            lambda d: d["imu"]["columns"]["acc_x_g"].__setitem__(0, "x"),
            "imu.columns.acc_x_g[0]: expected a finite number",
        ),
        (lambda d: d["rom"][1].__setitem__("direction", "up"), "rom[1]: ROM direction must be"),
        (lambda d: d["rom"][0].__setitem__("angle_deg", -4), "rom[0]: ROM angle must be"),
        (lambda d: d["rom"][0].pop("placement"), "rom[0].placement: missing"),
    ],
)
def test_bad_imu_or_rom_in_json_is_refused_and_keeps_nothing(
    other_store: SessionStore, tmp_path: Path, change: object, problem: str
) -> None:
    out = io.BytesIO()
    write_json(out, imu_record())
    doc = document(out.getvalue())  # the schema-2 layout: read by the same chunk parser
    change(doc)  # type: ignore[operator]
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(FileFormatError) as err:
        import_file(other_store, tmp_path / "bad.json")
    assert problem in str(err.value)
    assert other_store.sessions() == []


def test_bad_imu_chunk_line_names_its_line(other_store: SessionStore, tmp_path: Path) -> None:
    out = io.BytesIO()
    write_json(out, imu_record())
    parts = lines(out.getvalue())
    parts[2]["columns"]["still"][3] = 1
    (tmp_path / "bad.json").write_text("".join(json.dumps(p) + "\n" for p in parts))
    with pytest.raises(
        FileFormatError, match=r"bad.json:3: imu chunk.columns.still\[3\]: expected true or false"
    ):
        import_file(other_store, tmp_path / "bad.json")
    assert other_store.sessions() == []


# -- CSV with its IMU table ----------------------------------------------------------------


def test_csv_brings_its_imu_table_and_rom_along(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    sid = store.save_record(imu_record())
    path = _exported(store, sid, tmp_path / "out")
    result = import_file(other_store, path)
    (new,) = result.session_ids
    assert result.imu_samples == 600
    back = other_store.load(new)
    assert back.imu is not None and len(back.imu) == 600
    assert [r.angle_deg for r in back.rom] == [34.8, 41.25]
    again = _exported(other_store, new, tmp_path / "again")
    assert imu_csv_path(again).read_bytes() == imu_csv_path(path).read_bytes()
    assert again.read_bytes() == path.read_bytes()


def test_csv_without_sidecar_takes_the_imu_table(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    sid = store.save_record(imu_record(300))
    path = _exported(store, sid, tmp_path / "out")
    path.with_suffix(".meta.json").unlink()
    (new,) = import_file(other_store, path).session_ids
    back = other_store.load(new)
    assert back.imu is not None and len(back.imu) == 300 and back.rom == ()


def test_missing_or_truncated_imu_table_is_refused(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    sid = store.save_record(imu_record())
    path = _exported(store, sid, tmp_path / "out")
    table = imu_csv_path(path)
    text = table.read_text()
    table.write_text("".join(text.splitlines(keepends=True)[:300]))
    with pytest.raises(FileFormatError, match=r"declares 600 IMU samples but the table holds 299"):
        import_file(other_store, path)
    table.unlink()
    with pytest.raises(
        FileFormatError, match=r"declares 600 IMU samples but s\.imu\.csv is missing"
    ):
        import_file(other_store, path)
    table.write_text(text.replace("\n0.010000,", "\n0.010000,x", 1))
    with pytest.raises(FileFormatError, match=r"s\.imu\.csv:6: acc_x_g: expected a number"):
        import_file(other_store, path)
    assert other_store.sessions() == []


def test_an_imu_table_alone_is_not_a_session(
    store: SessionStore, other_store: SessionStore, tmp_path: Path
) -> None:
    sid = store.save_record(imu_record())
    table = imu_csv_path(_exported(store, sid, tmp_path / "out"))
    with pytest.raises(CompanionFileError, match=r"the IMU table of s\.csv, imported with it"):
        import_file(other_store, table)
    alone = tmp_path / "alone.imu.csv"
    alone.write_bytes(table.read_bytes())
    with pytest.raises(FileFormatError, match="an IMU table on its own"):
        import_file(other_store, alone)
    assert other_store.sessions() == []
    assert issubclass(CompanionFileError, IsoforceError)


# -- the command line ----------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ISOFORCE, *args], capture_output=True, text=True, timeout=120)


def test_cli_exports_and_imports_the_imu_table(tmp_path: Path) -> None:
    data, back = str(tmp_path / "data"), str(tmp_path / "back")
    res = _run(
        "record", "--device", "sim-dual", "--speed", "max", "--duration", "2", "--data-dir", data
    )
    assert res.returncode == 0, res.stderr
    out = tmp_path / "x.csv"
    res = _run("export", "latest", "--out", str(out), "--data-dir", data)
    assert res.returncode == 0, res.stderr
    assert "(+ x.meta.json, x.imu.csv: IMU samples)" in res.stderr
    assert (tmp_path / "x.imu.csv").read_text().startswith("t_s,acc_x_g,")
    res = _run("export", "latest", "--out", "-", "--data-dir", data)
    assert res.returncode == 0 and res.stdout.startswith("t_s,channel,")
    assert "has IMU samples, which a CSV on standard output leaves out" in res.stderr
    res = _run("import", str(out), str(tmp_path / "x.imu.csv"), "--data-dir", back)
    assert res.returncode == 0, res.stderr
    assert "(isoforce-csv, 800 samples, 2.0 s, 800 IMU samples)" in res.stdout
    assert "skipped " in res.stderr and "x.imu.csv: the IMU table of x.csv" in res.stderr
