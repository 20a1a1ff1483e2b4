"""Calibration screen: tare, known-weight calibration and lever arm, with the live reading."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Digits, Footer, Input, Label, Static

from isoforce.drills.events import DrillEvent
from isoforce.errors import CalibrationError
from isoforce.live.frame import LinkEvent
from isoforce.signal.calibration import known_weight
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.view import LiveView


class CalibrationScreen(IsoScreen):
    """Tare, known-weight calibration and lever arm, with the live reading."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "tare", "tare"),
        Binding("enter", "next", "continue", priority=True),
        Binding("escape", "app.pop_screen", "back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._empty_raw: float | None = None

    def compose(self) -> ComposeResult:
        """Live force and calibration controls."""
        yield Static(
            "Calibrate: take all load off and tare; optionally hang a known weight.",
            classes="title",
        )
        with Horizontal(id="numbers"), Vertical(classes="number"):
            yield Label("FORCE N", classes="caption")
            yield Digits("--", id="force")
        with Horizontal(classes="row"):
            yield Button("Tare (t)", id="tare")
            yield Button("Empty: capture", id="empty")
            yield Input(placeholder="known mass kg", id="mass", type="number")
            yield Button("Loaded: capture", id="loaded")
        with Horizontal(classes="row"):
            yield Input(placeholder="lever arm m (optional)", id="lever", type="number")
            yield Button("Continue (enter)", id="next", variant="primary")
        yield Static("", id="calib-status")
        yield Footer()

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Live force reading."""
        del events
        self.query_one("#force", Digits).update(
            "--" if math.isnan(view.force_n) else f"{view.force_n:.1f}"
        )

    def _raw_mean(self) -> float:
        raw = self.iso_app.controller.recent_raw(1.0)
        if raw.size == 0:
            raise CalibrationError("no samples yet")
        return float(np.nanmean(raw))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Handle the calibration buttons."""
        status = self.query_one("#calib-status", Static)
        try:
            if event.button.id == "tare":
                status.update(self.iso_app.controller.tare())
            elif event.button.id == "empty":
                self._empty_raw = self._raw_mean()
                status.update(
                    "empty reading captured: now hang or place the known mass and press Loaded"
                )
            elif event.button.id == "loaded":
                if self._empty_raw is None:
                    raise CalibrationError("capture the empty reading first")
                mass = float(self.query_one("#mass", Input).value or "nan")
                cal = known_weight(
                    raw_empty=self._empty_raw, raw_loaded=self._raw_mean(), mass_kg=mass
                )
                self.iso_app.controller.set_calibration(cal)
                status.update(
                    f"calibrated with {mass:g} kg: {1 / cal.n_per_raw:.1f} counts per newton"
                )
            elif event.button.id == "next":
                self.action_next()
        except (CalibrationError, ValueError) as exc:
            status.update(f"✗ {exc}")

    def action_tare(self) -> None:
        """Tare now."""
        self.query_one("#calib-status", Static).update(self.iso_app.controller.tare())

    def action_next(self) -> None:
        """Apply the lever arm and go on to the drill picker."""
        lever = self.query_one("#lever", Input).value.strip()
        if lever:
            try:
                self.iso_app.controller.set_lever_arm(float(lever))
            except (CalibrationError, ValueError) as exc:
                self.query_one("#calib-status", Static).update(f"✗ {exc}")
                return
        from isoforce.tui.screens.setup import DrillPickerScreen

        self.app.push_screen(DrillPickerScreen())


__all__ = ["CalibrationScreen"]
