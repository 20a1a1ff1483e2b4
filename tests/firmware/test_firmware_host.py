"""The firmware's logic (commands, averaging, tare, HX711 and IMU reading) run on the host.

``app_test`` checks the parts one by one in C; its ``session`` mode plays a scripted session
(readings, commands) and the Python decoder reads what the firmware would have sent.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices.base import DeviceMessage
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from tests.firmware.firmware_build import HOST_TEST, LIBRARY, compile_c


@pytest.fixture(scope="module")
def app_test(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("c") / "app_test"
    return compile_c(out, HOST_TEST / "app_test.c", *sorted(LIBRARY.glob("*.c")))


def test_unit_checks_in_c(app_test: Path) -> None:
    res = subprocess.run([app_test], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


def test_a_firmware_session_reads_back_as_sent(app_test: Path) -> None:
    data = subprocess.run([app_test, "session"], capture_output=True, check=True).stdout
    dec = IsoforceFrameDecoder()
    items = dec.feed(0.0, data)
    assert dec.stats.bytes_dropped == 0 and dec.stats.samples_lost == 0
    texts = [m.text for m in items if isinstance(m, DeviceMessage)]
    assert texts == [
        "isoforce fw 1.0 adc 80 rate 80 imu yes cal off",
        "isoforce fw 1.0 adc 80 rate 80 imu yes cal off",
        "ok rate 20",
        "ok tare 5000",
        "ok cal 2000.000 counts/N",
        "ok stop",
        "ok start",
        "err unknown command; ? for help",
        "err rate 30: use a divisor of 80",
        "err line too long",
    ]
    blocks = [b for b in items if isinstance(b, SampleBlock)]
    load = np.concatenate([b.column("load_raw") for b in blocks])
    expected = (
        [100000 + i for i in range(80)]  # 80 SPS, one frame per reading
        + [200000 + 4 * k + 2 for k in range(10)]  # rate 20: means of 4, rounded half away
        + [5000] * 4  # the tare window
        + [25000] * 2  # after "c 2000": 10 N on the on-device force channel
        + [-7]  # stopped for 8 readings (nothing sent), then started again
    )
    assert load.tolist() == expected
    imu = blocks[0]
    assert imu.channels == (
        "load_raw", "acc_x_g", "acc_y_g", "acc_z_g", "gyro_x_dps", "gyro_y_dps", "gyro_z_dps",
    )  # fmt: skip
    assert imu.values[0, 1:].tolist() == [1.0, -1.0, 0.0, 1.0, -1.0, 0.008]
    forced = [b for b in blocks if b.has("force_n")]
    assert [v for b in forced for v in b.column("force_n").tolist()] == [10.0, 10.0, -2.504]
    assert blocks[-1].channels == ("load_raw", "force_n")  # a reading without the IMU
    t = np.concatenate([b.t_s for b in blocks])
    steps = np.round(np.diff(t) * 1e6).astype(int)
    # 12.5 ms per frame at 80 SPS, 50 ms at 20 Hz; the device clock wrapped on the way
    assert set(steps[:79].tolist()) == {12500} and set(steps[80:89].tolist()) == {50000}
