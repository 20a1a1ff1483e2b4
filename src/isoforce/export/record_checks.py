"""The last check of every imported session, whatever its format, before it is stored.

Each reader already refuses what it can place (file and line, or field): wrong types, values
outside the sample schema, time that does not go forward. :func:`check_record` then checks
the whole session the same way for every format, so that nothing a later command reads
(export, replay, history) can fail on it:

* every channel and the IMU table against the sample schema (:mod:`isoforce.core.sample_checks`),
  with the step and phase codes inside the session's labels;
* the sample rate finite and above 0 (up to :data:`~isoforce.core.schema.RATE_LIMIT_HZ`);
* the calibration one that :class:`~isoforce.signal.calibration.Calibration` accepts;
* reference maxima and measured maxima positive forces within the force limit, a body mass
  within 1000 kg;
* gaps that end after they start and lose a count of samples within the schema's range.
"""

from __future__ import annotations

import math

from isoforce.core.sample_checks import check_table
from isoforce.core.schema import (
    FORCE,
    FORCE_COLUMNS,
    FORCE_LIMIT_N,
    IMU_COLUMNS,
    RATE_LIMIT_HZ,
    ColumnRole,
)
from isoforce.errors import CalibrationError
from isoforce.export.formats import FileFormatError, label_names
from isoforce.session.model import SessionRecord
from isoforce.signal.calibration import Calibration

#: The heaviest body mass a session may name (the CLI's limit).
MASS_LIMIT_KG = 1000.0


def _within(value: float | None, high: float) -> bool:
    return value is None or (math.isfinite(value) and 0 < value <= high)


def check_record(record: SessionRecord, source: str) -> None:
    """Refuse a session a later command could not read; the message names the field."""
    problem = record_problem(record)
    if problem is not None:
        raise FileFormatError(source, None, problem)


def record_problem(record: SessionRecord) -> str | None:
    """What in ``record`` breaks the session schema, or None."""
    meta = record.meta
    if not _within(meta.rate_hz, RATE_LIMIT_HZ):
        return (
            f"session.rate_hz: expected a sample rate above 0 and up to {RATE_LIMIT_HZ:g} Hz, "
            f"got {meta.rate_hz!r}"
        )
    if meta.calibration is not None:
        try:
            Calibration.from_dict(meta.calibration)
        except CalibrationError as exc:
            return f"calibration: {exc}"
    for kind, values in meta.references.items():
        for key, value in values.items():
            if not _within(value, FORCE_LIMIT_N):
                return (
                    f"references.{kind}.{key}: expected a force above 0 and up to "
                    f"{FORCE_LIMIT_N:g} N, or null, got {value!r}"
                )
    if not _within(meta.profile.body_mass_kg, MASS_LIMIT_KG):
        return (
            f"profile.body_mass_kg: expected a mass above 0 and up to {MASS_LIMIT_KG:g} kg, "
            f"got {meta.profile.body_mass_kg!r}"
        )
    for i, m in enumerate(record.maxima):
        if not _within(m.value_n, FORCE_LIMIT_N):
            return (
                f"maxima[{i}].value_n: expected a force above 0 and up to {FORCE_LIMIT_N:g} N, "
                f"got {m.value_n!r}"
            )
    return _labels_problem(record) or _gaps_problem(record) or _samples_problem(record)


def _labels_problem(record: SessionRecord) -> str | None:
    for column in FORCE_COLUMNS:
        if column.role is not ColumnRole.LABEL:
            continue
        names = label_names(record.meta.labels, column.name)
        most = int(column.valid_range[1]) + 1
        if len(names) > most:
            return f"labels.{column.name}_names: expected at most {most} names, got {len(names)}"
    return None


def _gaps_problem(record: SessionRecord) -> str | None:
    low, high = FORCE["lost_before"].valid_range
    for i, gap in enumerate(record.gaps):
        if gap.end_t_s is not None and gap.end_t_s < gap.start_t_s:
            return (
                f"gaps[{i}].end_t_s: expected a time at or after start_t_s {gap.start_t_s!r}, "
                f"got {gap.end_t_s!r}"
            )
        if gap.samples_lost is not None and not low <= gap.samples_lost <= high:
            return (
                f"gaps[{i}].samples_lost: expected a whole number from {int(low)} to "
                f"{int(high)}, got {gap.samples_lost!r}"
            )
    return None


def _samples_problem(record: SessionRecord) -> str | None:
    labels = record.meta.labels
    counts = {
        c.name: len(label_names(labels, c.name))
        for c in FORCE_COLUMNS
        if c.role is ColumnRole.LABEL
    }
    for channel in record.channels:
        bad = check_table(channel.columns(), FORCE_COLUMNS, label_counts=counts)
        if bad is not None:
            return bad.describe(f"channel {channel.name!r} sample {bad.index}: {bad.column}")
    if record.imu is not None:
        bad = check_table(record.imu.columns(), IMU_COLUMNS)
        if bad is not None:
            return bad.describe(f"IMU sample {bad.index}: {bad.column}")
    return None
