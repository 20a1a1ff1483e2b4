"""Free mode: live force and effort without a drill."""

from __future__ import annotations

import math
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Footer, Label, Static

from isoforce.drills.events import DrillEvent
from isoforce.live.frame import LinkEvent
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.view import LiveView
from isoforce.tui.widgets.curve import CurvePlot
from isoforce.tui.widgets.gauge import EffortGauge
from isoforce.tui.widgets.imu_panel import ImuPanel


class FreeScreen(IsoScreen):
    """Free mode: live gauge and curve, peak and mean, tare."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "tare", "tare"),
        Binding("escape", "app.pop_screen", "back"),
    ]

    def compose(self) -> ComposeResult:
        """Gauge, digits, curve."""
        yield Static("Free mode — push or pull; effort % of your pain-free max", classes="title")
        with Horizontal(id="numbers"):
            for ident, caption in (
                ("effort", "EFFORT %"),
                ("peak", "PEAK %"),
                ("force", "FORCE N"),
            ):
                with Vertical(classes="number"):
                    yield Label(caption, classes="caption")
                    yield Digits("--", id=ident)
        yield EffortGauge(id="gauge")
        yield ImuPanel(id="imu")
        yield CurvePlot(id="curve")
        yield Footer()

    def on_mount(self) -> None:
        """Free mode streams without a drill (a replay is already streaming); frames may draw."""
        self.ready = True
        replaying = self.iso_app.controller.replaying
        if not replaying and (
            self.iso_app.controller.drill is not None or not self.iso_app.controller.running
        ):
            self.iso_app.restart_free()

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Live numbers."""
        del events
        self.query_one("#effort", Digits).update(
            "--" if math.isnan(view.effort_pct) else f"{view.effort_pct:.0f}"
        )
        self.query_one("#peak", Digits).update(
            "--" if math.isnan(view.peak_pct) else f"{view.peak_pct:.0f}"
        )
        self.query_one("#force", Digits).update(
            "--" if math.isnan(view.force_n) else f"{view.force_n:.0f}"
        )
        gauge = self.query_one(EffortGauge)
        gauge.effort_pct = view.effort_pct
        self.query_one(CurvePlot).curve = view.curve
        self.query_one(ImuPanel).show(view.imu)

    def action_tare(self) -> None:
        """Tare."""
        self.notify(self.iso_app.controller.tare())


__all__ = ["FreeScreen"]
