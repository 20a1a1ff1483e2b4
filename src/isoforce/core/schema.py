"""The per-sample columns of a session, named once: meaning, unit, dtype and text precision.

Every place that moves samples (the live frames, the store's blobs, CSV and JSON export and
import, replay) takes its column names, units, dtypes and decimals from here. A new column is
one line in :data:`FORCE_COLUMNS` or :data:`IMU_COLUMNS`.

Two tables exist, because the two sensors run at their own rates:

* the **force table**, one row per load-cell sample (device time, the raw reading, newtons,
  effort % against the reference, the drill's target, step/phase/rep labels, losses);
* the **IMU table**, one row per IMU sample (raw accelerometer and gyro, and what the IMU chain
  derived live: angle, stillness, the effort *estimate* with its band).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np


class ColumnRole(enum.Enum):
    """How a column is written to text."""

    #: a float rounded to ``decimals`` (NaN = empty / null)
    NUMBER = "number"
    #: an integer code whose text is a name (step and phase labels; -1 = none)
    LABEL = "label"
    #: a count (0 = none, written blank)
    COUNT = "count"
    #: a yes/no flag (written 1/0)
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class Column:
    """One per-sample column: its name (with the unit in it), dtype in memory and in the store.

    ``stored_dtype`` is the little-endian dtype of the column in the store's blobs (and of the
    ``(index, value)`` pairs of a ``sparse`` column); ``decimals`` the precision of its text in
    CSV and JSON exports (None: integers, labels and flags).
    """

    name: str
    unit: str
    dtype: str
    stored_dtype: str
    role: ColumnRole
    doc: str
    decimals: int | None = None
    #: kept as sparse ``(index, value)`` pairs beside the dense columns (mostly zeros)
    sparse: bool = False
    #: the largest magnitude a value may have (numbers: finite and within ±limit; counts and
    #: labels: up to this code); None: what the stored dtype holds
    limit: float | None = None
    #: every sample must have a value (no NaN / empty cell / null)
    required: bool = False

    @property
    def valid_range(self) -> tuple[float, float]:
        """The lowest and highest value a sample may hold (its "none" value aside).

        Numbers lie within ``±limit``; labels from -1 (none) and counts from 0 up to ``limit``
        or what the stored dtype holds, whichever is smaller.
        """
        if self.role is ColumnRole.NUMBER:
            high = math.inf if self.limit is None else self.limit
            return -high, high
        if self.role is ColumnRole.FLAG:
            return 0, 1
        top = int(np.iinfo(np.dtype(self.stored_dtype)).max)
        if self.limit is not None:
            top = min(top, int(self.limit))
        return (-1 if self.role is ColumnRole.LABEL else 0), top

    @property
    def numpy_dtype(self) -> np.dtype[np.generic]:
        """The in-memory numpy dtype."""
        return np.dtype(self.dtype)

    @property
    def none(self) -> float | int | bool:
        """The value meaning "nothing here": NaN, -1 for labels, 0 for counts, no for flags."""
        if self.role is ColumnRole.NUMBER:
            return math.nan
        if self.role is ColumnRole.LABEL:
            return -1
        return False if self.role is ColumnRole.FLAG else 0


def _num(
    name: str,
    unit: str,
    doc: str,
    *,
    decimals: int,
    limit: float,
    stored: str = "<f8",
    required: bool = False,
) -> Column:
    return Column(
        name, unit, "f8", stored, ColumnRole.NUMBER, doc, decimals, False, limit, required
    )


# What a sample may hold, well beyond any sensor isoforce reads, so a value past it is damage
# or a hand edit, never a measurement (checked by every import: core.sample_checks).
#: Session times: a little over 31 years either side of the first sample.
TIME_LIMIT_S = 1e9
#: Force: the largest force isoforce takes anywhere (the CLI's force limit, 20 kN).
FORCE_LIMIT_N = 20_000.0
#: A sensor's raw reading: a signed 32-bit count (the isoforce frame's, the HX711's bound).
RAW_LIMIT = float(2**31)
#: Effort and target in % of a reference (a tiny reference makes large but finite values).
PERCENT_LIMIT = 1e9
#: Accelerometer (supported IMUs reach ±16 g), gyroscope (±2000 °/s) and angle limits.
ACC_LIMIT_G = 64.0
GYRO_LIMIT_DPS = 8_000.0
ANGLE_LIMIT_DEG = 3_600.0
#: Samples lost before one sample: a whole wrap of a 32-bit device counter.
LOST_LIMIT = 2**32
#: The highest sample rate a session may have (the CLI's limit; every rate is above 0).
RATE_LIMIT_HZ = 100_000.0

#: Session time of each force sample: device time (unwrapped) where the device has a clock,
#: host receive time otherwise, from the first sample of the stream.
T_S = _num(
    "t_s",
    "s",
    "session time (device clock where there is one)",
    decimals=6,
    limit=TIME_LIMIT_S,
    required=True,
)

#: The force table, in store order. ``lost_before`` is kept sparse in the store and written as
#: the ``flags`` text column (``gap:N``).
FORCE_COLUMNS: tuple[Column, ...] = (
    T_S,
    _num(
        "t_host_s",
        "s",
        "host monotonic time the sample's chunk arrived",
        decimals=6,
        limit=TIME_LIMIT_S,
    ),
    _num("raw", "count", "the sensor's reading before calibration", decimals=3, limit=RAW_LIMIT),
    _num(
        "force_n",
        "N",
        "calibrated force, push positive, pull negative (NaN: no force measured)",
        decimals=3,
        limit=FORCE_LIMIT_N,
    ),
    _num(
        "effort_pct",
        "%",
        "signed effort against the reference max of the current direction (NaN: not measured)",
        decimals=2,
        limit=PERCENT_LIMIT,
    ),
    _num("target_pct", "%", "the drill's target (NaN: no target)", decimals=2, limit=PERCENT_LIMIT),
    Column("step", "", "i8", "<i2", ColumnRole.LABEL, "drill step index (-1: none)"),
    Column("phase", "", "i8", "<i1", ColumnRole.LABEL, "drill phase code (-1: none)"),
    Column("rep", "", "i8", "<i2", ColumnRole.COUNT, "repeat pass, 1-based (0: none)"),
    Column(
        "lost_before",
        "",
        "i8",
        "<i8",
        ColumnRole.COUNT,
        "samples lost just before this one",
        sparse=True,
        limit=LOST_LIMIT,
    ),
)

#: The IMU table, in file order.
IMU_COLUMNS: tuple[Column, ...] = (
    T_S,
    *(
        _num(f"acc_{a}_g", "g", f"accelerometer {a}", decimals=5, limit=ACC_LIMIT_G, stored="<f4")
        for a in "xyz"
    ),
    *(
        _num(
            f"gyro_{a}_dps",
            "deg/s",
            f"gyroscope {a}",
            decimals=3,
            limit=GYRO_LIMIT_DPS,
            stored="<f4",
        )
        for a in "xyz"
    ),
    _num(
        "angle_deg",
        "deg",
        "hip rotation from the zero pose (NaN before it)",
        decimals=3,
        limit=ANGLE_LIMIT_DEG,
        stored="<f4",
    ),
    Column("still", "", "bool", "u1", ColumnRole.FLAG, "the leg is still (1) or moving (0)"),
    _num(
        "effort_est_pct",
        "%",
        "IMU effort estimate (NaN: not calibrated)",
        decimals=2,
        limit=PERCENT_LIMIT,
        stored="<f4",
    ),
    _num(
        "effort_low_pct",
        "%",
        "low edge of the estimate's band",
        decimals=2,
        limit=PERCENT_LIMIT,
        stored="<f4",
    ),
    _num(
        "effort_high_pct",
        "%",
        "high edge of the estimate's band",
        decimals=2,
        limit=PERCENT_LIMIT,
        stored="<f4",
    ),
)

#: Live-only force columns (shown, never stored): the display low-pass of ``force_n``.
LIVE_COLUMNS: tuple[Column, ...] = (
    _num(
        "display_force_n",
        "N",
        "force through the display low-pass (eyes only)",
        decimals=3,
        limit=FORCE_LIMIT_N,
    ),
)


def names(columns: tuple[Column, ...]) -> tuple[str, ...]:
    """The names of ``columns``, in order."""
    return tuple(c.name for c in columns)


def dense(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns stored densely, one value per sample (all but the ``sparse`` ones)."""
    return tuple(c for c in columns if not c.sparse)


def by_name(columns: tuple[Column, ...]) -> dict[str, Column]:
    """``columns`` keyed by name."""
    return {c.name: c for c in columns}


FORCE = by_name(FORCE_COLUMNS)
IMU = by_name(IMU_COLUMNS)
