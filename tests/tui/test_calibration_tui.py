"""Calibration in the TUI on the pty HX711 emulator: empty, known weight, check, save (Pilot)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual.widgets import Static

from isoforce.live import SessionOptions
from isoforce.tui.app import AppConfig, create_app
from isoforce.tui.audio import AudioMode
from isoforce.tui.screens.calibration import CalibrationScreen
from isoforce.tui.screens.setup import DrillPickerScreen, PairImuScreen
from isoforce.units import STANDARD_GRAVITY_M_S2
from tests.serial_devices.serial_emulators import Emulator, Hx711Text, PtyLink
from tests.tui.tui_helpers import wait_for

pytestmark = pytest.mark.asyncio

COUNTS_PER_N = 50.0
MASS_KG = 10.0


def _status(app: object) -> str:
    return str(app.screen.query_one("#calib-status", Static).render())  # type: ignore[attr-defined]


async def test_a_raw_count_sensor_is_calibrated_checked_and_saved_in_the_tui(
    tmp_path: Path,
) -> None:
    model = Hx711Text(rate_hz=80.0, base=84_000, spread=200)
    data = tmp_path / "data"
    with Emulator(PtyLink(tmp_path), model) as emu:
        options = SessionOptions(device="hx711", port=str(emu.link.path))
        app = create_app(
            AppConfig(options=options, audio=AudioMode.OFF, data_dir=str(data), save=False)
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")  # the device given on the command line is first
            await wait_for(pilot, lambda: isinstance(app.screen, PairImuScreen))
            await pilot.press("enter")  # no IMU: force only
            await wait_for(pilot, lambda: isinstance(app.screen, CalibrationScreen))
            await wait_for(pilot, lambda: app.controller.samples_kept > 100)
            assert app.controller.uncalibrated
            await pilot.press("enter")  # no drill on raw counts
            assert "calibrate first" in _status(app)
            assert isinstance(app.screen, CalibrationScreen)
            await pilot.press("e")
            assert "empty reading taken" in _status(app)
            model.base += round(MASS_KG * STANDARD_GRAVITY_M_S2 * COUNTS_PER_N)
            await asyncio.sleep(2.0)  # a full window of loaded readings
            await pilot.press("w", "1", "0", "enter")
            assert "calibrated with 10 kg" in _status(app), _status(app)
            assert not app.controller.uncalibrated
            await pilot.press("c")
            assert "10 kg reads" in _status(app), _status(app)
            await pilot.press("s")
            saved = data / "calibrations" / "hx711.json"
            assert f"saved {saved}" in _status(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DrillPickerScreen))
            await app.controller.stop()
    cal = json.loads(saved.read_text())
    assert 1 / cal["n_per_raw"] == pytest.approx(COUNTS_PER_N, rel=0.01)
    assert cal["offset_raw"] == pytest.approx(84_000, abs=20)


async def test_a_saved_calibration_is_used_when_the_device_is_given_on_the_command_line(
    tmp_path: Path,
) -> None:
    """``isoforce tui --device hx711 --drill …``: the drill runs in newtons from the saved file."""
    from isoforce.recording.calibration_file import save_calibration
    from isoforce.signal.calibration import Calibration

    data = tmp_path / "data"
    saved = save_calibration(str(data), "hx711", Calibration(1 / COUNTS_PER_N, 84_000.0))
    model = Hx711Text(rate_hz=80.0, base=84_000 + round(100 * COUNTS_PER_N), spread=2)
    with Emulator(PtyLink(tmp_path), model) as emu:
        options = SessionOptions(
            device="hx711", port=str(emu.link.path), push_max_n=200.0, pull_max_n=150.0
        )
        config = AppConfig(
            options=options,
            drill="pails-rails-hip",
            audio=AudioMode.OFF,
            data_dir=str(data),
            save=False,
        )
        app = create_app(config)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.controller.samples_kept > 40)
            assert not app.controller.uncalibrated
            assert app.calibration_note == f"using the calibration saved in {saved}"
            view = app.controller.snapshot()
            assert view.force_n == pytest.approx(100, abs=1)
            await app.controller.stop()


async def test_a_tare_on_a_newton_sensor_says_it_zeroed_it_not_a_factory_calibration(
    tmp_path: Path,
) -> None:
    """The simulator reports newtons: after ``t`` the title says the sensor was zeroed, not
    "calibration: factory" (the name of the sensor's own scale inside isoforce)."""
    app = create_app(
        AppConfig(options=SessionOptions(speed=1.0), audio=AudioMode.OFF, data_dir=str(tmp_path))
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # the simulator
        await wait_for(pilot, lambda: isinstance(app.screen, PairImuScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CalibrationScreen))
        title = app.screen.query_one("#calib-title", Static)
        assert "calibrated in newtons" in str(title.render())
        await wait_for(pilot, lambda: app.controller.samples_kept > 100)
        await pilot.press("t")
        await wait_for(pilot, lambda: "zeroed by a tare" in str(title.render()))
        assert "factory" not in str(title.render())
        await app.controller.stop()
