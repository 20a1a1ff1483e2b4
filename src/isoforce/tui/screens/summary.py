"""Session summary: per step and trial in N and %, each effort's force-curve metrics, findings.

The summary is not a dead end: ``o`` runs the same drill on the other side, ``d`` (or Enter)
picks another drill, ``h`` opens the history (Esc comes back), ``c`` goes on to the drill a
max test or tension drill was run for.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from isoforce.drills.events import DrillResult
from isoforce.drills.imu_scores import ImuDrillSummary
from isoforce.drills.report import imu_summary_lines, result_summary
from isoforce.session.athletes import TorqueBasis
from isoforce.session.efforts import SessionAnalysis, summary_table
from isoforce.session.force_angle import BAND_DEG, BANDS_HEADER, AngleBand, bands_text
from isoforce.signal.analysis import rate_text
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.summary_rows import StepTable
from isoforce.tui.widgets.chart import ChartData, ChartView


class SummaryScreen(IsoScreen):
    """Shows a finished (or stopped) drill's scores, and where to go next."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "other_side", "other side"),
        Binding("c", "go_on", "go on to the drill"),
        Binding("enter", "again", "another drill", priority=True),
        Binding("d", "again", "another drill", show=False),
        Binding("h", "history", "history"),
        Binding("q", "app.quit", "quit"),
    ]
    #: The whole summary scrolls as one (arrows, PgUp/PgDn); Tab reaches a wide table.
    AUTO_FOCUS = "#summary-body"

    def __init__(
        self,
        result: DrillResult,
        saved: str = "",
        imu: ImuDrillSummary | None = None,
        analysis: tuple[SessionAnalysis, TorqueBasis | None] | None = None,
        angles: tuple[AngleBand, ...] | None = None,
        chart: ChartData | None = None,
        steps: StepTable | None = None,
    ) -> None:
        super().__init__()
        self.angles = angles
        #: The session's effort with its targets and bands (None: nothing to draw).
        self.chart = chart
        self.result = result
        self.saved = saved
        self.imu = imu
        self.analysis = analysis
        self.steps = steps

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``o`` needs a side; ``c`` a drill that was put off for a max."""
        app = self.iso_app
        if action == "other_side":
            return app.controller.side is not None and app.last_drill is not None
        if action == "go_on":
            return app.wanted_drill is not None and app.wanted_drill != app.last_drill
        return True

    def compose(self) -> ComposeResult:
        """Title, step table, effort table, findings."""
        side = self.iso_app.controller.side
        on = f" · {side.value} side" if side is not None else ""
        yield Static(
            f"Summary — {self.result.drill_name}{on} ({self.result.status.value})",
            classes="title",
        )
        with VerticalScroll(id="summary-body"):
            if self.steps is not None and self.steps.rows:
                table: DataTable[str] = DataTable(id="scores", zebra_stripes=True)
                table.add_columns(*self.steps.headers)
                for row in self.steps.rows:
                    table.add_row(*row)
                yield table
                if self.steps.divisors:
                    yield Static("\n".join(self.steps.divisors), id="divisors", classes="hint")
            if self.chart is not None:
                yield ChartView(self.chart, id="session-chart")
            yield from self._efforts()
            if self.angles:
                yield Static(
                    f"Force at angle (IMU angle, {BAND_DEG:.0f}° bands; internal rotation positive)",
                    classes="hint",
                )
                angles: DataTable[str] = DataTable(id="angles", zebra_stripes=True)
                angles.add_columns(*BANDS_HEADER)
                for row in bands_text(self.angles):
                    angles.add_row(*row)
                yield angles
            lines = result_summary(self.result)
            if self.imu is not None:
                lines += imu_summary_lines(self.imu)
            if self.saved:
                lines.append(self.saved)
            yield Static("\n".join(lines), id="findings")
        yield Footer()

    def _efforts(self) -> ComposeResult:
        if self.analysis is None:
            return
        analysis, basis = self.analysis
        headers, rows, notes = summary_table(analysis, basis=basis)
        if not rows:
            return
        yield Static(
            f"Force curve per effort (sensor {rate_text(analysis.rate_hz)} Hz; "
            "all metrics: isoforce report)",
            classes="hint",
        )
        efforts: DataTable[str] = DataTable(id="efforts", zebra_stripes=True)
        efforts.add_columns(*headers)
        for row in rows:
            efforts.add_row(*row)
        yield efforts
        if notes:  # refused metrics, once each with the reason (e.g. the rate is too low)
            yield Static("\n".join(notes), id="effort-notes")

    def action_again(self) -> None:
        """Back to the drill picker."""
        self.iso_app.back_to_picker()

    def action_other_side(self) -> None:
        """The same drill on the other side."""
        self.iso_app.other_side()

    def action_go_on(self) -> None:
        """The drill the max was measured for."""
        self.iso_app.go_on()

    def action_history(self) -> None:
        """Maxima over time; Esc comes back here."""
        from isoforce.tui.screens.live import HistoryScreen

        self.app.push_screen(HistoryScreen())
