"""Session summary: per-step scores, each effort's force-curve metrics, and the findings."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from isoforce.drills.events import DrillResult
from isoforce.drills.imu_scores import ImuDrillSummary
from isoforce.drills.report import SCORE_HEADERS, imu_summary_lines, result_summary, score_row
from isoforce.session.athletes import TorqueBasis
from isoforce.session.efforts import SessionAnalysis, summary_table
from isoforce.session.force_angle import BAND_DEG, BANDS_HEADER, AngleBand, bands_text
from isoforce.signal.analysis import rate_text
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.widgets.chart import ChartData, ChartView


class SummaryScreen(IsoScreen):
    """Shows a finished (or stopped) drill's scores."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "quit"),
        Binding("enter", "again", "another drill"),
    ]

    def __init__(
        self,
        result: DrillResult,
        saved: str = "",
        imu: ImuDrillSummary | None = None,
        analysis: tuple[SessionAnalysis, TorqueBasis | None] | None = None,
        angles: tuple[AngleBand, ...] | None = None,
        chart: ChartData | None = None,
    ) -> None:
        super().__init__()
        self.angles = angles
        #: The session's effort with its targets and bands (None: nothing to draw).
        self.chart = chart
        self.result = result
        self.saved = saved
        self.imu = imu
        self.analysis = analysis

    def compose(self) -> ComposeResult:
        """Title, table, findings."""
        yield Static(
            f"Summary — {self.result.drill_name} ({self.result.status.value})", classes="title"
        )
        table: DataTable[str] = DataTable(id="scores", zebra_stripes=True, cursor_type="row")
        table.add_columns(*SCORE_HEADERS)
        for score in self.result.step_scores:
            table.add_row(*score_row(score))
        yield table
        if self.chart is not None:
            yield ChartView(self.chart, id="session-chart")
        if self.analysis is not None:
            analysis, basis = self.analysis
            headers, rows, notes = summary_table(analysis, basis=basis)
            if rows:
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
                if notes:
                    yield Static("\n".join(notes), id="effort-notes")
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

    def action_again(self) -> None:
        """Back to the drill picker."""
        self.iso_app.back_to_picker()
