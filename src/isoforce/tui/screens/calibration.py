"""Calibration screen: empty, known weight, check, save — and tare and lever arm — in the TUI.

A raw-count sensor (an HX711 board) streams counts until it is calibrated; the steps use the
same calibration code as ``isoforce calibrate`` (:func:`calibrate_with_weight`), check it against
a known load, and save it for the sensor (``<data dir>/calibrations/<device>.json``), so no
step needs the command line. Each step reads the last second of readings: keep still, then press.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Footer, Input, Label, Static

from isoforce.core.samples import FloatArray
from isoforce.drills.events import DrillEvent
from isoforce.errors import CalibrationError, IsoforceError
from isoforce.live.frame import LinkEvent
from isoforce.signal.calibration import (
    FACTORY_SOURCE,
    calibrate_with_weight,
    check_with_weight,
)
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.view import LiveView

#: Seconds of readings each step averages (the person keeps still, then presses the key).
WINDOW_S = 1.0


class CalibrationScreen(IsoScreen):
    """Empty, known weight, check and save, with the live reading; tare and lever arm."""

    #: No field focused: the step keys work at once; w (or a click) goes to the mass field.
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "empty", "empty"),
        Binding("w", "weight", "weight"),
        Binding("c", "check", "check"),
        Binding("s", "save", "save"),
        Binding("t", "tare", "tare"),
        Binding("enter", "next", "continue"),
        Binding("escape", "app.pop_screen", "back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._empty_raw: FloatArray | None = None
        self._done: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """Title, live reading, the four steps, the fields and the status line."""
        yield Static(self._title(), classes="title", id="calib-title")
        with Horizontal(id="numbers"), Vertical(classes="number"):
            yield Label(self._caption(), classes="caption", id="reading-caption")
            yield Digits("--", id="force")
        yield Static(self._steps(), id="calib-steps")
        with Horizontal(classes="row"):
            yield Input(placeholder="known mass kg", id="mass", type="number")
            yield Input(placeholder="check mass kg (same)", id="check-mass", type="number")
            yield Input(placeholder="lever arm m (optional)", id="lever", type="number")
        yield Static(self.iso_app.calibration_note, id="calib-status")
        yield Footer()

    # ---- what is shown ----

    def _device_title(self) -> str:
        from isoforce.devices.registry import DEVICES

        spec = DEVICES.get(self.iso_app.controller.options.device)
        return spec.title if spec is not None else self.iso_app.controller.options.device

    def _title(self) -> str:
        controller = self.iso_app.controller
        if controller.uncalibrated:
            state = "raw counts: not calibrated yet"
        else:
            cal = controller.calibration
            if cal is None or cal.source == FACTORY_SOURCE:  # the sensor's own scale
                tared = cal is not None and cal.offset_raw != 0
                state = "calibrated in newtons" + (", zeroed by a tare" if tared else "")
            else:
                state = f"calibration: {cal.source}"
        return f"Calibrate {self._device_title()}  ·  {state}"

    def _caption(self) -> str:
        return "READING counts" if self.iso_app.controller.uncalibrated else "FORCE N"

    def _steps(self) -> str:
        rows = (
            ("empty", "1 Empty ", "take all load off, keep still, press e"),
            ("weight", "2 Weight", "type the mass, put it on as a push loads it, w or ⏎"),
            ("check", "3 Check ", "same weight (or type a check mass), press c"),
            ("save", "4 Save  ", "press s: kept for this sensor for later launches"),
        )
        return "\n".join(
            f"{label}  {self._done.get(key, '·')}  {what if key not in self._done else ''}".rstrip()
            for key, label, what in rows
        )

    def _update(self, status: str) -> None:
        self.query_one("#calib-status", Static).update(status)
        self.query_one("#calib-steps", Static).update(self._steps())
        self.query_one("#calib-title", Static).update(self._title())
        self.query_one("#reading-caption", Label).update(self._caption())

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Live reading (counts until calibrated, then newtons)."""
        del events
        counts = self.iso_app.controller.uncalibrated
        caption = self.query_one("#reading-caption", Label)
        if str(caption.render()) != self._caption():  # the session started after compose
            caption.update(self._caption())
            self.query_one("#calib-title", Static).update(self._title())
        value = view.force_n
        text = "--" if math.isnan(value) else (f"{value:.0f}" if counts else f"{value:.1f}")
        self.query_one("#force", Digits).update(text)

    # ---- the steps ----

    def _window(self) -> FloatArray:
        recent = self.iso_app.controller.recent_raw(WINDOW_S)
        raw: FloatArray = np.asarray(recent[np.isfinite(recent)], dtype=np.float64)
        if raw.size < 5:
            raise CalibrationError("no readings yet: is the sensor streaming?")
        return raw

    def _mass(self, ident: str, *, what: str) -> float:
        text = self.query_one(f"#{ident}", Input).value.strip()
        if not text:
            raise CalibrationError(f"type the {what} in kg first")
        try:
            mass = float(text)
        except ValueError:
            raise CalibrationError(f"{what} must be a number of kg, not {text!r}") from None
        if not (math.isfinite(mass) and mass > 0):
            raise CalibrationError(f"{what} must be a positive number of kg")
        return mass

    def _run(self, step: str) -> None:
        """Do one step; a refusal is one line in the status, never a crash."""
        try:
            status = getattr(self, f"_step_{step}")()
        except (CalibrationError, IsoforceError) as exc:
            status = f"✗ {exc}"
        self._update(status)

    def action_empty(self) -> None:
        """Step 1: the empty reading."""
        self._run("empty")

    def _step_empty(self) -> str:
        raw = self._window()
        self._empty_raw = raw
        self._done["empty"] = f"✓ {np.mean(raw):.0f} counts (SD {np.std(raw):.1f})"
        for later in ("weight", "check", "save"):
            self._done.pop(later, None)
        return "empty reading taken: type the known mass, put it on, then w (or ⏎ in the field)"

    def action_weight(self) -> None:
        """Step 2: the reading with the known mass (asks for the mass first)."""
        if not self.query_one("#mass", Input).value.strip():
            self.query_one("#mass", Input).focus()
            self._update("type the known mass in kg, put it on the cell, then press ⏎")
            return
        self._run("weight")

    def _step_weight(self) -> str:
        if self._empty_raw is None:
            raise CalibrationError("take the empty reading first: all load off, press e")
        mass = self._mass("mass", what="known mass")
        cal = calibrate_with_weight(
            empty_raw=self._empty_raw, loaded_raw=self._window(), mass_kg=mass
        )
        controller = self.iso_app.controller
        lever = controller.calibration.lever_arm_m if controller.calibration else None
        controller.set_calibration(replace(cal, lever_arm_m=lever))
        self._done["weight"] = f"✓ {mass:g} kg: {1 / cal.n_per_raw:.1f} counts per N"
        self._done.pop("check", None)
        self._done.pop("save", None)
        return f"calibrated with {mass:g} kg: check it (c), then save (s)"

    def action_check(self) -> None:
        """Step 3: what the calibration reads with a known load on."""
        self._run("check")

    def _step_check(self) -> str:
        cal = self.iso_app.controller.active_calibration
        if cal is None:
            raise CalibrationError("calibrate first: empty (e), then the known weight (w)")
        if self.query_one("#check-mass", Input).value.strip():
            mass = self._mass("check-mass", what="check mass")
        else:
            mass = self._mass("mass", what="known mass")
        check = check_with_weight(raw=self._window(), calibration=cal, mass_kg=mass)
        self._done["check"] = f"✓ {check.text()}"
        return f"check: {check.text()}"

    def action_save(self) -> None:
        """Step 4: keep the calibration for this sensor."""
        self._run("save")

    def _step_save(self) -> str:
        from isoforce.recording.calibration_file import save_calibration

        cal = self.iso_app.controller.active_calibration
        if cal is None:
            raise CalibrationError("nothing to save: calibrate first (e, then w)")
        device = self.iso_app.controller.options.device
        path = save_calibration(self.iso_app.config.data_dir, device, cal)
        self._done["save"] = "✓ saved"
        return f"saved {path}: used whenever {device} is picked (also --calibration {path})"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """⏎ in the mass field takes the weight reading; in the check field, the check."""
        self.set_focus(None)
        if event.input.id == "mass":
            self._run("weight")
        elif event.input.id == "check-mass":
            self._run("check")
        elif event.input.id == "lever":
            self.action_next()

    def action_tare(self) -> None:
        """Zero a calibrated sensor on the last second (a raw-count one takes step 1 instead)."""
        controller = self.iso_app.controller
        if controller.uncalibrated:
            self._update("✗ not calibrated yet: tare is step 1 (e) of the calibration")
            return
        self._update(controller.tare())

    def action_next(self) -> None:
        """Apply the lever arm and go on to the drill picker (a raw-count sensor calibrated)."""
        controller = self.iso_app.controller
        if controller.uncalibrated:
            self._update("✗ calibrate first: empty (e), known weight (w); drills need newtons")
            return
        lever = self.query_one("#lever", Input).value.strip()
        if lever:
            try:
                controller.set_lever_arm(float(lever))
            except (CalibrationError, ValueError) as exc:
                self._update(f"✗ {exc}")
                return
        from isoforce.tui.screens.setup import DrillPickerScreen

        self.app.push_screen(DrillPickerScreen())


__all__ = ["CalibrationScreen"]
