"""Free mode: live force and effort without a drill, peak hold, record on/off.

Every % names what it divides by. The peak holds the largest force since the last reset (x).
Recording (r) saves the free session to the store (kind ``record``, marked ``tui_mode: free``)
and says where. On the simulator, p asks the simulated athlete for one push (it rests
otherwise); a real device never sees that key.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, Static

from isoforce.drills.events import DrillEvent
from isoforce.errors import IsoforceError
from isoforce.live.frame import LinkEvent
from isoforce.tui.controller import LiveController
from isoforce.tui.screens.base import SLOW_HZ, IsoScreen
from isoforce.tui.view import LiveView
from isoforce.tui.widgets.big_digits import BigDigits
from isoforce.tui.widgets.curve import CurvePlot
from isoforce.tui.widgets.gauge import EffortGauge
from isoforce.tui.widgets.imu_panel import ImuPanel

#: The widest text each number shows (force and peak in N, effort in %): it sets their scale.
NUMBER_TEMPLATES = {"force": "-888", "effort": "-188", "peak": "-888"}


class FreeScreen(IsoScreen):
    """Free mode: live N and %, peak hold with reset, record on/off, tare.

    The three numbers are block digits that grow with the terminal, as in the player.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "record", "record on/off"),
        Binding("x", "reset_peak", "reset peak"),
        Binding("t", "tare", "tare"),
        Binding("p", "sim_push", "sim push"),
        Binding("escape", "app.pop_screen", "back"),
    ]
    whole_hz = SLOW_HZ

    def compose(self) -> ComposeResult:
        """Digits, what % divides by, the recording line, gauge, curve."""
        yield Static("Free mode — push or pull", classes="title", id="free-title")
        with Horizontal(id="numbers"):
            for ident, caption in (
                ("force", "FORCE N"),
                ("effort", "EFFORT %"),
                ("peak", "PEAK N"),
            ):
                with Vertical(classes="number"):
                    yield Label(caption, classes="caption", id=f"{ident}-caption")
                    yield BigDigits("--", template=NUMBER_TEMPLATES[ident], id=ident)
        yield Static("", id="divides")
        yield Static("", id="free-status")
        yield EffortGauge(id="gauge")
        yield ImuPanel(id="imu")
        yield CurvePlot(id="curve")
        yield Footer()

    def on_mount(self) -> None:
        """Free mode streams without a drill (a simulated athlete rests until p)."""
        self.ready = True
        controller = self.iso_app.controller
        if controller.drill is not None or not controller.running:
            self.iso_app.restart_free(resting=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The simulated push only on the simulator."""
        if action == "sim_push":
            return self.iso_app.controller.options.device.startswith("sim")
        return True

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Live numbers, the held peak and what effort % divides by."""
        del events
        controller = self.iso_app.controller
        peak = controller.peak
        self.query_one("#force", BigDigits).text = _number(view.force_n)
        self.query_one("#effort", BigDigits).text = _number(view.effort_pct)
        # the peak as a size with its direction named, its N and % alike (a -1 N rest after a
        # reset read "-1" beside "1 %")
        self.query_one("#peak", BigDigits).text = _number(abs(peak.force_n))
        peak_pct = "" if math.isnan(peak.effort_pct) else f" · {abs(peak.effort_pct):.0f} %"
        way = " · push" if peak.force_n > 0 else " · pull" if peak.force_n < 0 else ""
        self.query_one("#peak-caption", Label).update(f"PEAK N{peak_pct}{way}")  # x: footer
        divides = view.divides_by or "effort %: no maximum, not measured"
        self.query_one("#divides", Static).update(divides)
        recording = "● REC: recording to the store (r stops and saves)"
        idle = "not recording (r records this free session to the store)"
        if view.instruction.startswith("✗"):
            idle = view.instruction
        if controller.restarting:
            recording = idle = "switching the recording…"
        self.query_one("#free-status", Static).update(recording if controller.record_free else idle)
        self.query_one(EffortGauge).follow(view)
        self.query_one(CurvePlot).curve = view.curve
        self.query_one(ImuPanel).show(view.imu)

    def action_reset_peak(self) -> None:
        """Forget the held peak."""
        self.iso_app.controller.peak.reset()
        self.notify("peak reset")

    def action_tare(self) -> None:
        """Tare."""
        self.notify(self.iso_app.controller.tare())

    def action_sim_push(self) -> None:
        """Ask the simulated athlete for one push (5 s, to 60 % of its max)."""
        self.notify(self.iso_app.controller.simulated_push())

    def action_record(self) -> None:
        """Start recording, or stop and save (the stream restarts either way)."""
        # said at once, before the switch runs: keys pressed meanwhile wait for the new stream
        self.iso_app.controller.restarting = True
        self.run_worker(self._toggle_record(), exclusive=True, group="session")

    async def _toggle_record(self) -> None:
        controller = self.iso_app.controller
        try:
            await self._switch(controller)
        finally:
            controller.restarting = False

    async def _switch(self, controller: LiveController) -> None:
        from isoforce.session.store import store_path

        async with controller.restart_lock:  # after a start still under way, not into it
            controller.record_free = not controller.record_free
            await controller.stop()
            if not controller.record_free:
                lines = controller.saved_lines or ["nothing was saved (saving is off: --no-save)"]
                where = store_path(self.iso_app.config.data_dir)
                self.notify(f"free recording {lines[0]} in {where}", timeout=10)
            elif not controller.save:
                controller.record_free = False
                self.notify("saving is off (--no-save): nothing is recorded", severity="warning")
            controller.options = replace(controller.options, sim_profile="rest")
            try:
                await controller.start(None, duration_s=self.iso_app.config.stop_at_s)
            except IsoforceError as exc:
                controller.error = str(exc)
                self.notify(str(exc), severity="error", timeout=10)


def _number(value: float) -> str:
    return "--" if math.isnan(value) else f"{value:.0f}"


__all__ = ["FreeScreen"]
