"""A drill that needs a maximum nobody measured yet: offer the tension drill or the max test.

A %-drill never runs blind: when its targets divide by a maximum that is neither typed in nor
stored for this athlete, movement, side and position, the app shows this screen instead of the
player. ``t`` finds the pain-free max (tension drill), ``m`` measures the MVIC (max test, also
offered before a tension drill: its levels are then 10 % of the MVIC); after either, the
summary's ``c`` goes on to the drill that was wanted (or back here while a max is missing). On
the simulator ``s`` runs it on the simulated athlete's maxima (said as such on screen).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from isoforce.core.effort_key import ReferenceKind, Side
from isoforce.core.movements import describe
from isoforce.devices.registry import DEVICES
from isoforce.drills.loader import find_drill
from isoforce.drills.model import Drill
from isoforce.drills.open_scale import staircase_directions
from isoforce.session.references import ChosenReference, StoredReferences
from isoforce.tui.denominator import day_text, reference_name
from isoforce.tui.screens.base import IsoScreen


class ReferenceOfferScreen(IsoScreen):
    """Says which maximum a drill lacks and offers the drill that measures it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "measure('tension-drill')", "tension"),
        Binding("m", "measure('max-test')", "max test"),
        Binding("k", "maxima", "maxima"),
        Binding("s", "simulated", "sim max"),
        Binding("l", "side('left')", "left"),
        Binding("r", "side('right')", "right"),
        Binding("h", "history", "history", show=False),
        Binding("escape", "back", "back"),
    ]

    def __init__(
        self,
        drill: Drill,
        missing: list[ChosenReference],
        *,
        stored: StoredReferences | None = None,
    ) -> None:
        super().__init__()
        self.drill = drill
        self.missing = missing
        #: What is stored for the same key and helps (e.g. the MVIC a tension drill steps in).
        self.stored = stored or StoredReferences()

    def _known(self) -> list[str]:
        """One line per maximum stored for the drill's key, e.g. ``stored: push MVIC 252 N …``."""
        return [
            f"stored: {d.value} {'MVIC' if k is ReferenceKind.MVIC else 'pain-free max'} "
            f"{rec.value_n:.0f} N from {day_text(rec.measured_at)}"
            for (k, d), rec in self.stored.sources.items()
        ]

    def _mvic_helps(self) -> bool:
        """A pain-free max is missing and no MVIC is known: a max test first gives its scale."""
        missing = {c.kind for c in self.missing}
        stored = {k for k, _ in self.stored.sources}
        return ReferenceKind.PAIN_FREE in missing and ReferenceKind.MVIC not in missing | stored

    def _simulated(self) -> bool:
        options = self.iso_app.controller.options
        return DEVICES[options.device].transport == "sim"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``s`` only on the simulator; ``l`` / ``r`` only while no side is chosen."""
        if action == "simulated":
            return self._simulated()
        if action == "side":
            return self.iso_app.controller.side is None
        return True

    def compose(self) -> ComposeResult:
        """What is missing, and what to do about it."""
        side = self.iso_app.controller.side
        drill = self.drill
        yield Static(
            f"{drill.title or drill.name} needs a maximum nobody has measured yet",
            classes="title",
        )
        yield VerticalScroll(Static(self._text(side), id="offer-text"))
        yield Footer()

    def _text(self, side: Side | None) -> str:
        drill = self.drill
        where = describe(drill.movement, drill.position, side.value if side else None)
        lines = [f"for {where}:"]
        tension = find_drill("tension-drill", self.iso_app.drills_dir)
        finds = staircase_directions(tension)
        for c in self.missing:
            if c.kind is ReferenceKind.MVIC:
                how = "m  max test: 3 maximal efforts; the best 1 s mean is the MVIC"
            elif c.direction in finds:
                how = "t  tension drill: a level at a time until pain, pinching or a plateau"
            else:
                how = "k  type it on the maxima screen (no drill finds it in this direction)"
            lines += [f"  no {reference_name(c)} stored", f"     {how}"]
        lines += [f"  {k}" for k in self._known()]
        if self._mvic_helps():
            lines += [
                "  m  or a max test first: your MVIC, which the tension drill then climbs in",
                "     10 % steps of (without one: 20 N at a time); its c comes back here",
            ]
        lines.append("")
        lines.append("Its targets are % of these, so it does not run without them.")
        if side is None:
            lines.append("  l / r  choose the side first: maxima are kept per side")
        if self._simulated():
            lines.append("  s  go on with the simulated athlete's maxima (the simulator only)")
        lines.append(f"After a drill here, the summary's c goes on to {drill.name}.")
        lines.append("h: history · esc: back")
        return "\n".join(lines)

    def on_screen_resume(self) -> None:
        """Back from the maxima screen: with every maximum now given, the drill starts."""
        super().on_screen_resume()
        if self.iso_app.controller.side is not None and not self.iso_app.missing_references(
            self.drill
        ):
            self.iso_app.start_drill(self.drill.name)

    def action_measure(self, name: str) -> None:
        """Run the tension drill or the max test (the wanted drill waits)."""
        if self.iso_app.controller.side is None:
            self.notify("choose a side first (l / r): maxima are kept per side", severity="warning")
            return
        self.iso_app.start_drill(name)

    def action_maxima(self) -> None:
        """Type a maximum on the maxima screen (back here, the drill starts when none lacks)."""
        from isoforce.tui.screens.live import ReferencesScreen

        typed = [c.direction.value for c in self.missing if c.kind is ReferenceKind.PAIN_FREE]
        self.app.push_screen(ReferencesScreen(focus=typed[-1] if typed else None))

    def action_simulated(self) -> None:
        """Run the wanted drill on the simulated athlete's maxima."""
        if self._simulated():
            self.iso_app.start_drill(self.drill.name, check=False)

    def action_side(self, side: str) -> None:
        """Choose the side, then look again (a maximum may be stored for it)."""
        self.iso_app.controller.side = Side(side)
        self.iso_app.start_drill(self.drill.name)

    def action_history(self) -> None:
        """The history of maxima."""
        from isoforce.tui.screens.live import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_back(self) -> None:
        """Back to the drill list (nothing run)."""
        self.iso_app.wanted_drill = None
        self.iso_app.back_to_picker()


__all__ = ["ReferenceOfferScreen"]
