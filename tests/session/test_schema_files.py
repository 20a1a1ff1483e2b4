"""core.schema describes the store's blobs and the live writers exactly (issue 15)."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest

from isoforce.core.schema import FORCE, FORCE_COLUMNS, IMU_COLUMNS, dense
from isoforce.export.csv_writer import CsvSampleWriter
from isoforce.export.formats import CSV_FIELDS, DECIMALS
from isoforce.export.json_writer import JsonRecordingWriter
from isoforce.export.session_csv import csv_header, csv_rows
from isoforce.export.session_json import read_json
from isoforce.session import blob
from isoforce.session.model import ARRAY_FIELDS, Labels, SessionStatus
from tests.export.json_lines import lines
from tests.session.session_helpers import channel, imu_samples, record

LABELS = Labels(("passive", "hold"), ("pending", "passive", "breath", "ramp", "hold"))


def test_blob_layout_1_is_the_bytes_stores_hold() -> None:
    ch = channel(37)
    by_hand = b"".join(
        [
            *(np.asarray(getattr(ch, k), dtype="<f8").tobytes() for k in ARRAY_FIELDS[:6]),
            ch.step.astype("<i2").tobytes(),
            ch.phase.astype("<i1").tobytes(),
            ch.rep.astype("<i2").tobytes(),
        ]
    )
    assert blob.pack_samples(ch.columns()) == by_hand
    assert blob.BYTES_PER_SAMPLE == 53 and blob.IMU_BYTES_PER_SAMPLE == 49
    imu = imu_samples(11)
    floats = np.vstack(
        [
            imu.acc_g.T,
            imu.gyro_dps.T,
            imu.angle_deg,
            imu.effort_est_pct,
            imu.effort_low_pct,
            imu.effort_high_pct,
        ]
    ).astype("<f4")
    by_hand = imu.t_s.astype("<f8").tobytes() + floats.tobytes() + imu.still.astype("u1").tobytes()
    assert blob.pack_imu(imu) == by_hand
    stored = [(37, 1, blob.pack_samples(ch.columns()), blob.pack_lost(ch.lost_before))]
    back = blob.channel_from_rows("load", stored)
    for name in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(back, name), getattr(ch, name))


def test_every_column_name_comes_from_the_schema() -> None:
    assert ARRAY_FIELDS == tuple(c.name for c in FORCE_COLUMNS)
    assert all(src is None or src in FORCE for src in CSV_FIELDS.values())
    assert DECIMALS == {
        "t_s": 6,
        "t_host_s": 6,
        "raw": 3,
        "force_n": 3,
        "effort_pct": 2,
        "target_pct": 2,
    }
    assert [c.name for c in dense(FORCE_COLUMNS)] == list(ARRAY_FIELDS[:-1])
    assert list(imu_samples(3).columns()) == [c.name for c in IMU_COLUMNS]


def test_live_csv_writer_takes_columns_and_writes_what_export_writes() -> None:
    ch = channel(120)
    out = io.StringIO()
    writer = CsvSampleWriter(out)
    writer.write_columns(ch.part(0, 50).columns(), LABELS)
    writer.write_columns(ch.part(50, 120).columns(), LABELS)
    assert out.getvalue().encode() == csv_header() + csv_rows(ch, LABELS)
    assert writer.rows_written == 120


def test_live_json_writer_writes_the_one_json_format() -> None:
    ch = channel(120)
    out = io.StringIO()
    writer = JsonRecordingWriter(out, meta=record().meta)
    first = lines(out.getvalue())
    assert first[0]["format"] == "isoforce-session" and len(first) == 1  # header at once
    writer.write_columns(ch.part(0, 50).columns(), LABELS)
    writer.write_columns(ch.part(50, 120).columns(), LABELS)
    writer.close(status=SessionStatus.INTERRUPTED, stopped_by="test")
    back = read_json(out.getvalue(), source="live.json")
    assert back.meta.labels == LABELS and back.meta.status is SessionStatus.INTERRUPTED
    (got,) = back.channels
    for name in ARRAY_FIELDS:
        want = getattr(ch, name)
        if name in DECIMALS:
            want = np.round(want, DECIMALS[name])
        np.testing.assert_array_equal(getattr(got, name), want)


@pytest.mark.parametrize("only", [None, ("force_n", "phase", "lost_before")])
def test_chunks_of_mixed_sizes_unpack_to_the_samples_packed(only: tuple[str, ...] | None) -> None:
    """Runs of equal-size chunks are copied together; sizes change, groups fill and split."""
    ch = channel(3000, seed=4)
    sizes = [200] * 6 + [1, 3, 0, 7] + [200] * 300 + [199, 200, 2]
    cuts = np.cumsum([0, *sizes])
    cuts = cuts[cuts <= len(ch)]
    rows = []
    for a, b in itertools.pairwise(cuts.tolist()):
        part = ch.part(a, b)
        rows.append((b - a, 1, blob.pack_samples(part.columns()), blob.pack_lost(part.lost_before)))
    total = int(cuts[-1])
    back = blob.channel_from_rows("load", iter(rows), total, only=only)
    for name in ARRAY_FIELDS if only is None else ("t_s", *only):
        np.testing.assert_array_equal(getattr(back, name), getattr(ch, name)[:total])
