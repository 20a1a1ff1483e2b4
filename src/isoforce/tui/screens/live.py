"""Screens about the numbers: reference maxima and their history."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Input, Static

from isoforce.errors import IsoforceError
from isoforce.tui.charts import history_charts
from isoforce.tui.maxima_rows import MAXIMA_HEADERS, maxima_rows
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.widgets.chart import ChartData, ChartView


class HistoryScreen(IsoScreen):
    """MVIC and pain-free max over time, and left/right asymmetry, from the session store."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "back")]

    def compose(self) -> ComposeResult:
        """The history as text."""
        from isoforce.session.history_text import history_lines
        from isoforce.session.store import SessionStore

        yield Static("History — maxima and range of motion over time, left/right", classes="title")
        charts: list[tuple[str, ChartData]] = []
        try:
            with SessionStore.open(data_dir=self.iso_app.config.data_dir) as store:
                history = store.history(profile=self.iso_app.athlete_name)
            charts = history_charts(history)
            lines = (
                history_lines(history)
                if not history.empty
                else [
                    "Nothing stored yet: run the max test or the tension drill (maxima), or "
                    "hip-rom with an IMU (range of motion), with a side chosen (l / r)."
                ]
            )
        except IsoforceError as exc:
            lines = [f"cannot read the history: {exc}"]
        with VerticalScroll():
            for title, chart in charts:  # maxima over time per side, one per movement key
                yield Static(title, classes="chart-title")
                yield ChartView(chart, classes="history-chart")
            yield Static("\n".join(lines), id="history")
        yield Footer()


class ReferencesScreen(IsoScreen):
    """Reference maxima for the current movement: view and edit, or start a max test."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "max_test", "max test"),
        Binding("escape", "app.pop_screen", "back"),
    ]
    #: Nothing focused at first, so ``m`` is the max test, not a letter typed into a field
    #: (Tab reaches the fields).
    AUTO_FOCUS = None

    def __init__(self, *, focus: str | None = None) -> None:
        super().__init__()
        #: The field to type in first (``push`` or ``pull``: the one a drill lacks), if any.
        self.first_field = focus

    def on_mount(self) -> None:
        """Focus the field asked for (opened from the offer of a missing maximum)."""
        if self.first_field is not None:
            self.query_one(f"#{self.first_field}", Input).focus()

    def compose(self) -> ComposeResult:
        """The athlete's stored maxima per movement key, and inputs for this session's."""
        app = self.iso_app
        side = app.controller.side
        yield Static(
            f"Maxima of {app.athlete_name} — per side, movement, position and direction "
            f"(side now: {side.value if side else 'none'}). Targets use the pain-free max.",
            classes="title",
        )
        rows, error = self._rows()
        if rows:
            table: DataTable[str] = DataTable(id="maxima", zebra_stripes=True, cursor_type="none")
            table.can_focus = False
            table.add_columns(*MAXIMA_HEADERS)
            for row in rows:
                table.add_row(*row)
            yield table
        yield Static(
            error
            or (
                ""
                if rows
                else "None stored yet: press m for the max test (MVIC), or run the tension "
                "drill (pain-free max), with a side chosen."
            ),
            id="refs",
        )
        with Horizontal(classes="row"):
            yield Input(placeholder="pain-free push max N", id="push", type="number")
            yield Input(placeholder="pain-free pull max N", id="pull", type="number")
            yield Button("Save", id="save", variant="primary")
        yield Static(
            "Typed values apply to this launch's next drills. m: max test (MVIC: 3 × 5 s, best "
            "1 s mean kept).",
            classes="hint",
        )
        yield Static("", id="ref-status")
        yield Footer()

    def _rows(self) -> tuple[list[tuple[str, ...]], str]:
        from isoforce.session.store import SessionStore

        app = self.iso_app
        try:
            with SessionStore.open(data_dir=app.config.data_dir) as store:
                records = store.reference_history(profile=app.athlete_name)
        except IsoforceError as exc:
            return [], f"cannot read the maxima: {exc}"
        return maxima_rows(records, side=app.controller.side), ""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save edited maxima."""
        del event
        self._save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field saves too."""
        del event
        self._save()

    def _save(self) -> None:
        try:
            push = self.query_one("#push", Input).value.strip()
            pull = self.query_one("#pull", Input).value.strip()
            self.iso_app.controller.set_pain_free(
                push_max_n=float(push) if push else None, pull_max_n=float(pull) if pull else None
            )
            self.query_one("#ref-status", Static).update(
                "saved: applies to this launch's next drills (Esc: back)"
            )
        except ValueError as exc:
            self.query_one("#ref-status", Static).update(f"✗ {exc}")

    def action_max_test(self) -> None:
        """Run the max test drill."""
        self.iso_app.start_drill("max-test")


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:7.1f} N"


__all__ = ["HistoryScreen", "ReferencesScreen"]
