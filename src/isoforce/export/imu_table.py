"""A session's IMU samples as a table of named columns: the ``.imu.csv`` file and its reader.

The column names carry their units and are shared by the CSV and the JSON export
(docs/data.md): ``t_s, acc_x_g, acc_y_g, acc_z_g, gyro_x_dps, gyro_y_dps, gyro_z_dps,
angle_deg, still, effort_est_pct, effort_low_pct, effort_high_pct``. In the CSV, ``still`` is
``1`` or ``0``, missing values (an angle before the zero pose, a refused estimate) are empty
cells, and numbers are rounded to :data:`IMU_DECIMALS` — chosen so that the store's float32
values come back to the same text, so a CSV round trip is byte-identical. The JSON export
writes the exact values instead (it is the lossless format).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from isoforce.core import schema
from isoforce.core.schema import ColumnRole, names
from isoforce.export import numtext
from isoforce.export.csv_reader import check_cells, float_column, open_csv
from isoforce.export.formats import FileFormatError
from isoforce.session.model import ImuSamples

#: Columns of the IMU table, in file order (:data:`~isoforce.core.schema.IMU_COLUMNS`).
IMU_COLUMNS = names(schema.IMU_COLUMNS)

#: Decimals per float column in the CSV (t: 1 µs, acc: 10 µg, gyro: 0.001 °/s, angle: 0.001°,
#: effort: 0.01 %). Coarser than float32 everywhere a sensor can reach (±16 g, ±2000 °/s).
IMU_DECIMALS: dict[str, int] = {
    c.name: c.decimals for c in schema.IMU_COLUMNS if c.decimals is not None
}

IMU_CSV_SUFFIX = ".imu.csv"
BATCH_ROWS = 32768


def imu_csv_path(csv_path: Path) -> Path:
    """Where the IMU table of a tidy CSV goes (``run.csv`` → ``run.imu.csv``)."""
    return csv_path.with_suffix(IMU_CSV_SUFFIX)


def main_csv_path(imu_path: Path) -> Path | None:
    """The tidy CSV an IMU table belongs to (``run.imu.csv`` → ``run.csv``), if so named."""
    name = imu_path.name
    if not name.endswith(IMU_CSV_SUFFIX):
        return None
    return imu_path.with_name(name[: -len(IMU_CSV_SUFFIX)] + ".csv")


def imu_columns(samples: ImuSamples) -> dict[str, NDArray[np.generic]]:
    """The samples as named columns (views, no copy)."""
    return samples.columns()


def imu_from_columns(columns: Mapping[str, NDArray[np.generic]]) -> ImuSamples:
    """Samples from named columns (every name of :data:`IMU_COLUMNS`, equal lengths)."""
    return ImuSamples.from_columns(columns)


# -- writing ------------------------------------------------------------------------------


def imu_csv_header() -> bytes:
    """The header line of the IMU table."""
    return (",".join(IMU_COLUMNS) + "\n").encode()


def imu_csv_rows(samples: ImuSamples) -> bytes:
    """The rows of some IMU samples (no header), formatted with numpy."""
    if len(samples) == 0:
        return b""
    cols = samples.columns()
    fields: list[numtext.Field] = []
    last = schema.IMU_COLUMNS[-1]
    for column in schema.IMU_COLUMNS:
        sep = b"\n" if column is last else b","
        values = cols[column.name]
        if column.role is ColumnRole.FLAG:
            fields.append(numtext.integers(values.astype(np.int64), sep=sep))
        else:
            floats = np.asarray(values, dtype=np.float64)
            fields.append(numtext.fixed(floats, decimals=column.decimals or 0, sep=sep))
    return numtext.join_rows(fields)


def write_imu_csv(out: BinaryIO, samples: ImuSamples) -> int:
    """Write the IMU table (header and rows, in batches); returns the rows written."""
    out.write(imu_csv_header())
    n = len(samples)
    for start in range(0, n, BATCH_ROWS):
        out.write(imu_csv_rows(samples.part(start, start + BATCH_ROWS)))
    return n


# -- reading ------------------------------------------------------------------------------


def is_imu_csv(first_line: str) -> bool:
    """Whether a file's first line is the IMU table's header."""
    cols = tuple(c.strip() for c in first_line.lstrip("\ufeff").strip().split(","))
    return cols == IMU_COLUMNS


def read_imu_csv(text: str, *, source: str) -> ImuSamples:
    """Parse an IMU table; every problem is a :class:`FileFormatError` naming file and line."""
    reader, header = open_csv(text, source=source)
    if header != IMU_COLUMNS:
        raise FileFormatError(
            source, 1, f"not an isoforce IMU table: expected the header {','.join(IMU_COLUMNS)}"
        )
    width = len(IMU_COLUMNS)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                raise FileFormatError(
                    source,
                    reader.line_num,
                    f"expected {width} fields, got {len(row)} (truncated or damaged file?)",
                )
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise FileFormatError(source, reader.line_num, f"damaged CSV ({exc})") from None
    if not rows:
        raise FileFormatError(source, 2, "no samples after the header")
    raw = dict(zip(IMU_COLUMNS, (list(c) for c in zip(*rows, strict=True)), strict=True))
    columns: dict[str, NDArray[np.generic]] = {
        c.name: float_column(raw[c.name], c.name, lines, source)
        for c in schema.IMU_COLUMNS
        if c.role is ColumnRole.NUMBER
    }
    for c in schema.IMU_COLUMNS:
        if c.role is ColumnRole.FLAG:
            flags = np.array(raw[c.name])
            wrong = np.flatnonzero((flags != "0") & (flags != "1"))
            if wrong.size:
                i = int(wrong[0])
                raise FileFormatError(
                    source, lines[i], f"{c.name}: expected 1 or 0, got {raw[c.name][i]!r}"
                )
            columns[c.name] = flags == "1"
    check_cells(columns, schema.IMU_COLUMNS, cells=raw, lines=lines, source=source)
    return imu_from_columns(columns)
