"""A short soak: 80 Hz HX711 lines and 200 Hz WitMotion frames with 5 % faults, over ptys.

The long version (10 minutes) is ``benchmarks/soak_serial.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.serial_devices.serial_soak import run_soak


def test_no_valid_frame_lost_and_every_fault_counted(tmp_path: Path) -> None:
    reports = asyncio.run(run_soak(tmp_path, duration_s=4.0, fault_probability=0.05, seed=11))
    for r in reports:
        assert r.injected_runs > 5, f"{r.name}: too few faults injected to mean anything"
        assert r.frames_ok == r.frames_intact, r.name
        assert r.samples_decoded == r.samples_expected, r.name
        assert r.values_match, r.name
        assert (r.counted_runs, r.counted_bytes) == (r.injected_runs, r.injected_bytes), r.name
        assert r.incomplete_counted == r.incomplete_expected, r.name
