"""Screens about the numbers: reference maxima and their history."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Static

from isoforce.errors import IsoforceError
from isoforce.tui.screens.base import IsoScreen


class HistoryScreen(IsoScreen):
    """MVIC and pain-free max over time, and left/right asymmetry, from the session store."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "back")]

    def compose(self) -> ComposeResult:
        """The history as text."""
        from isoforce.session.history_text import history_lines
        from isoforce.session.store import SessionStore

        yield Static("History — maxima and range of motion over time, left/right", classes="title")
        try:
            with SessionStore.open(data_dir=self.iso_app.config.data_dir) as store:
                history = store.history(profile=self.iso_app.athlete_name)
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
            yield Static("\n".join(lines), id="history")
        yield Footer()


class ReferencesScreen(IsoScreen):
    """Reference maxima for the current movement: view and edit, or start a max test."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "max_test", "max test"),
        Binding("escape", "app.pop_screen", "back"),
    ]

    def compose(self) -> ComposeResult:
        """The maxima and inputs."""
        refs = self.iso_app.controller.references()
        yield Static(
            "Reference maxima (newtons). Training targets use the pain-free max.", classes="title"
        )
        lines = [
            f"{kind:<10} push {_n(r.push_max_n)}   pull {_n(r.pull_max_n)}"
            for kind, r in refs.items()
        ]
        yield Static("\n".join(lines), id="refs")
        with Horizontal(classes="row"):
            yield Input(placeholder="pain-free push max N", id="push", type="number")
            yield Input(placeholder="pain-free pull max N", id="pull", type="number")
            yield Button("Save", id="save", variant="primary")
        yield Static(
            "Press m to run the max test (MVIC: 3 × 5 s, best 1 s mean kept).", classes="hint"
        )
        yield Static("", id="ref-status")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save edited maxima."""
        del event
        try:
            push = self.query_one("#push", Input).value.strip()
            pull = self.query_one("#pull", Input).value.strip()
            self.iso_app.controller.set_pain_free(
                push_max_n=float(push) if push else None, pull_max_n=float(pull) if pull else None
            )
            self.query_one("#ref-status", Static).update("saved: applies to the next drill")
        except ValueError as exc:
            self.query_one("#ref-status", Static).update(f"✗ {exc}")

    def action_max_test(self) -> None:
        """Run the max test drill."""
        self.iso_app.start_drill("max-test")


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:7.1f} N"


__all__ = ["HistoryScreen", "ReferencesScreen"]
