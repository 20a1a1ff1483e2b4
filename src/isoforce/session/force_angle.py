"""Force at a known joint angle: the peak push and pull per angle band of a session.

For a session with force and IMU samples on one timeline (``sim-dual``, or ``--device D --imu
I``), each force sample gets the IMU's angle at its time, interpolated linearly between the
two IMU samples around it. A force sample gets no angle (and counts in no band) where the IMU
had no sample within :data:`MAX_IMU_GAP_S` on either side (before the IMU's first sample,
after its last, across an IMU loss) or where the angle was not yet known (NaN before the zero
pose). Bands are ``band_deg`` wide from 0° (``[10, 20)`` …; internal rotation positive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from isoforce.core.samples import FloatArray
from isoforce.session.model import SessionRecord

#: Default band width (degrees).
BAND_DEG = 10.0
#: The largest distance to the nearest IMU sample on each side for a force sample to get an
#: angle (s): a WitMotion at 50 Hz is 20 ms apart; more than this is a gap.
MAX_IMU_GAP_S = 0.1


@dataclass(frozen=True, slots=True)
class AngleBand:
    """One band: its angles, the force samples in it, and the peak push and pull (N)."""

    low_deg: float
    high_deg: float
    samples: int
    peak_push_n: float | None
    peak_push_t_s: float | None
    peak_pull_n: float | None
    peak_pull_t_s: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (pull as a positive magnitude, as the report shows it)."""
        return {
            "low_deg": self.low_deg,
            "high_deg": self.high_deg,
            "samples": self.samples,
            "peak_push_n": self.peak_push_n,
            "peak_push_t_s": self.peak_push_t_s,
            "peak_pull_n": self.peak_pull_n,
            "peak_pull_t_s": self.peak_pull_t_s,
        }


def angle_at(
    *, t_s: FloatArray, imu_t_s: FloatArray, angle_deg: FloatArray, max_gap_s: float = MAX_IMU_GAP_S
) -> FloatArray:
    """The IMU angle at each time of ``t_s`` (NaN where the IMU does not cover that time)."""
    t = np.asarray(t_s, dtype=np.float64)
    it = np.asarray(imu_t_s, dtype=np.float64)
    a = np.asarray(angle_deg, dtype=np.float64)
    out = np.full(t.shape, np.nan)
    if it.size < 2:
        return out
    right = np.clip(np.searchsorted(it, t, side="left"), 1, it.size - 1)
    left = right - 1
    covered = (
        (t >= it[0])
        & (t <= it[-1])
        & (t - it[left] <= max_gap_s)
        & (it[right] - t <= max_gap_s)
        & np.isfinite(a[left])
        & np.isfinite(a[right])
    )
    span = it[right] - it[left]
    w = np.where(span > 0, (t - it[left]) / np.where(span > 0, span, 1.0), 0.0)
    values = a[left] + w * (a[right] - a[left])
    out[covered] = values[covered]
    return out


def force_at_angle(
    *,
    t_s: FloatArray,
    force_n: FloatArray,
    imu_t_s: FloatArray,
    angle_deg: FloatArray,
    band_deg: float = BAND_DEG,
) -> tuple[AngleBand, ...]:
    """The peak push (largest positive force) and pull (largest negative) per angle band.

    Bands with no force sample are left out; a band with only push has no pull peak.
    """
    if not band_deg > 0:
        raise ValueError(f"band width must be positive, got {band_deg}")
    angle = angle_at(t_s=t_s, imu_t_s=imu_t_s, angle_deg=angle_deg)
    force = np.asarray(force_n, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    ok = np.isfinite(angle) & np.isfinite(force)
    if not ok.any():
        return ()
    band = np.floor(angle[ok] / band_deg).astype(np.int64)
    f, tt = force[ok], t[ok]
    out = []
    for b in np.unique(band).tolist():
        sel = band == b
        fb, tb = f[sel], tt[sel]
        push = int(np.argmax(fb))
        pull = int(np.argmin(fb))
        out.append(
            AngleBand(
                low_deg=b * band_deg,
                high_deg=(b + 1) * band_deg,
                samples=int(sel.sum()),
                peak_push_n=float(fb[push]) if fb[push] > 0 else None,
                peak_push_t_s=float(tb[push]) if fb[push] > 0 else None,
                peak_pull_n=float(-fb[pull]) if fb[pull] < 0 else None,
                peak_pull_t_s=float(tb[pull]) if fb[pull] < 0 else None,
            )
        )
    return tuple(out)


def bands_text(bands: tuple[AngleBand, ...]) -> list[tuple[str, str, str, str]]:
    """Table rows: the band, the samples in it, its peak push and pull (N, "—" where none)."""

    def n(value: float | None) -> str:
        return "—" if value is None or math.isnan(value) else f"{value:.1f}"

    return [
        (
            f"{b.low_deg:+.0f}° to {b.high_deg:+.0f}°",
            str(b.samples),
            n(b.peak_push_n),
            n(b.peak_pull_n),
        )
        for b in bands
    ]


#: The table's header for :func:`bands_text`.
BANDS_HEADER = ("angle band", "samples", "peak push N", "peak pull N")


def session_bands(
    record: SessionRecord, *, band_deg: float = BAND_DEG
) -> tuple[AngleBand, ...] | None:
    """A stored session's force per angle band (None: it has no IMU or no force samples)."""
    imu = record.imu
    if imu is None or not len(imu) or not record.channels or not len(record.channels[0]):
        return None
    ch = record.channels[0]
    return force_at_angle(
        t_s=ch.t_s, force_n=ch.force_n, imu_t_s=imu.t_s, angle_deg=imu.angle_deg, band_deg=band_deg
    )
