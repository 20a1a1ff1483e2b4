"""The drill player: big effort and countdown, gauge with target band, curve, next step, scores."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.widgets import Digits, Footer, Label, Static

from isoforce.drills.events import DrillEvent, EventKind
from isoforce.drills.report import score_brief
from isoforce.drills.segments import Phase
from isoforce.live.frame import DrillCommand, LinkEvent
from isoforce.tui.screens.base import IsoScreen
from isoforce.tui.view import LiveView
from isoforce.tui.widgets.curve import CurvePlot
from isoforce.tui.widgets.gauge import EffortGauge
from isoforce.tui.widgets.imu_panel import ImuPanel

#: The gauge moves at the full frame rate; text, digits and the curve redraw every third frame
#: (10 Hz at 30 fps: faster than anyone reads) and at once when an event arrives.
SLOW_EVERY_N_FRAMES = 3


def set_text(widget: Static | Label | Digits, text: str) -> None:
    """Update a widget's text only when it changed (an update forces a layout pass)."""
    if getattr(widget, "_iso_text", None) == text:
        return
    widget._iso_text = text  # type: ignore[union-attr]
    if isinstance(widget, Digits):
        widget.update(text)
    else:
        widget.update(text, layout=False)  # fixed-size rows: no layout pass needed


def quantize(value: float, step: float = 0.5) -> float:
    """Round for display so a widget redraws only when what it shows changes."""
    return value if math.isnan(value) else round(value / step) * step


def _digits(value: float) -> str:
    return "--" if math.isnan(value) else f"{abs(value):.0f}"


def _clock(seconds: float) -> str:
    if math.isnan(seconds):
        return "-:--"
    s = max(0, math.ceil(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _drop_notice(e: DrillEvent) -> tuple[str, SeverityLevel]:
    return (f"{e.text[:1].upper()}{e.text[1:]} — better? y yes · n no", "warning")


def _answer_notice(e: DrillEvent) -> tuple[str, SeverityLevel]:
    level = f" at {e.value:.0f} % at most" if e.value is not None else ""
    if e.text in ("better", "no answer"):
        return (f"{e.text.capitalize()}: carrying on{level}", "information")
    return (f"{e.text.capitalize()}: lowering again", "warning")


def _check_notice(e: DrillEvent) -> tuple[str, SeverityLevel]:
    about = f"step {e.step_index + 1}" if e.step_index >= 0 else "the drill"
    lowered = " — later targets lowered" if e.text == "pinching" else ""
    return (f"Noted: {e.text} ({about}){lowered}", "information")


CHECK_PROMPT = "Felt any? 1 pinching · 2 cramping · 3 compensation"
"""Asked after each loaded step (seed 000's checks), answered with one key each."""

#: What the player tells the user when a pain, cramp or check event arrives.
_NOTICES: dict[EventKind, Callable[[DrillEvent], tuple[str, SeverityLevel]]] = {
    EventKind.PAIN_DROP: _drop_notice,
    EventKind.PAIN_ANSWER: _answer_notice,
    EventKind.CRAMP_MARKED: lambda e: ("Cramp: release and rest; the step carries on", "warning"),
    EventKind.CHECK: _check_notice,
    EventKind.TRIAL_SKIPPED: lambda e: (
        f"{e.text.capitalize()}: the MVIC comes from the others",
        "information",
    ),
    EventKind.ABOVE_MAX_CONSENT: lambda e: (f"Above your max: {e.text}", "warning"),
}


class PlayerScreen(IsoScreen):
    """Guides one drill; keys go to the drill engine through the controller."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pain", "PAIN / pinch", priority=True),
        # asked on screen when they apply (the banner in a pain hold, after each loaded step)
        Binding("y", "better", "better", show=False),
        Binding("n", "not_better", "not better", show=False),
        Binding("c", "cramp", "cramp"),
        Binding("1", "check('pinching')", "pinching", show=False),
        Binding("2", "check('cramping')", "cramping", show=False),
        Binding("3", "check('compensation')", "compensation", show=False),
        Binding("space", "pause", "pause"),
        Binding("s", "skip", "skip"),
        Binding("g", "agree_above_max", "agree above max", show=False),
        Binding("t", "tare", "tare"),
        Binding("a", "audio", "audio"),
        Binding("q", "finish", "quit & save"),
    ]

    _frames = 0

    def compose(self) -> ComposeResult:
        """Lay out the player."""
        yield Static("", id="banner")
        yield Static("", id="link")
        with Horizontal(id="numbers"):
            with Vertical(classes="number"):
                yield Label("EFFORT %", classes="caption", id="effort-caption")
                yield Digits("--", id="effort")
            with Vertical(classes="number"):
                yield Label("TARGET %", classes="caption")
                yield Digits("--", id="target")
            with Vertical(classes="number"):
                yield Label("STEP TIME LEFT", classes="caption")
                yield Digits("-:--", id="countdown")
        yield Static("", id="divides")
        yield EffortGauge(id="gauge")
        yield ImuPanel(id="imu")
        yield CurvePlot(id="curve")
        yield Static("", id="next")
        yield Static("", id="last-score")
        yield Footer()

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Draw one frame (called by the app at its frame rate)."""
        gauge = self.query_one(EffortGauge)
        gauge.effort_pct = quantize(view.effort_pct)
        gauge.target_pct = quantize(view.target_pct)
        gauge.band_pct = view.band_pct
        gauge.state = view.state
        self._frames += 1
        if self._frames % SLOW_EVERY_N_FRAMES == 0 or events:
            self._show_slow(view)
        for e in events:
            if (
                isinstance(e, DrillEvent)
                and e.kind is EventKind.STEP_SCORED
                and e.score is not None
            ):
                imu = self.iso_app.controller.imu_step_text(e.step_index)
                # once per step, and one or two lines (with the IMU's): a layout pass is fine
                self.query_one("#last-score", Static).update(
                    f"Step {e.step_index + 1} {e.score.label}: {score_brief(e.score, ' · ')}"
                    + (f"\nIMU: {imu}" if imu else "")
                    + (f"\n{CHECK_PROMPT}" if e.score.direction is not None else "")
                )
            elif isinstance(e, DrillEvent) and e.kind in _NOTICES:
                text, severity = _NOTICES[e.kind](e)
                self.notify(text, severity=severity)
            elif isinstance(e, DrillEvent) and e.kind is EventKind.DRILL_FINISHED:
                self.iso_app.show_summary()

    def _show_slow(self, view: LiveView) -> None:
        step = (
            f"  ·  step {view.step_number}/{view.steps_total}: {view.step_label}"
            if view.step_number
            else ""
        )
        banner = self.query_one("#banner", Static)
        set_text(banner, f"{view.instruction}{step}")
        banner.set_class(view.status == "paused", "paused")
        banner.set_class(view.phase in (Phase.PAIN_REST, Phase.PAIN_HOLD), "pain")
        banner.set_class(view.phase is Phase.CRAMP_REST, "paused")
        link = self.query_one("#link", Static)
        if view.link == "lost":
            notice = "⚠ SENSOR LOST — reconnecting… the drill is paused, samples so far are kept"
        elif view.link in ("gone", "failed"):
            notice = "⚠ SENSOR GONE — press q to save and leave"
        elif view.not_measured:
            notice = f"ⓘ {view.not_measured}"
        elif view.above_max_prompt:
            notice = f"⚠ {view.above_max_prompt}"
        elif view.refused:
            notice = f"ⓘ sensor: {view.refused}"
        else:
            notice = ""
        set_text(link, notice)
        if link.display != bool(notice):
            link.display = bool(notice)
        direction = f"{view.direction.upper()} " if view.direction else ""
        set_text(self.query_one("#effort-caption", Label), f"{direction}EFFORT %")
        set_text(
            self.query_one("#divides", Static),
            view.divides_by,
        )
        set_text(self.query_one("#effort", Digits), _digits(view.effort_pct))
        set_text(self.query_one("#target", Digits), _digits(view.target_pct))
        set_text(self.query_one("#countdown", Digits), _clock(view.remaining_s))
        self.query_one(CurvePlot).curve = view.curve
        self.query_one(ImuPanel).show(view.imu)  # angle, STILL / MOVING, the estimate's band
        set_text(
            self.query_one("#next", Static),
            f"Next: {view.next_label}" if view.next_label else "Next: —",
        )

    def action_pain(self) -> None:
        """The pain/pinch key."""
        self.iso_app.controller.command(DrillCommand.PAIN)

    def action_better(self) -> None:
        """Answer "better?" with yes: carry on at the lowered level."""
        self.iso_app.controller.command(DrillCommand.BETTER)

    def action_not_better(self) -> None:
        """Answer "better?" with no: lower again."""
        self.iso_app.controller.command(DrillCommand.NOT_BETTER)

    def action_cramp(self) -> None:
        """The cramp key: release and rest, the max untouched."""
        self.iso_app.controller.command(DrillCommand.CRAMP)

    def action_check(self, check: str) -> None:
        """A check after a phase: pinching, cramping or compensation felt."""
        self.iso_app.controller.command(DrillCommand(f"check_{check}"))

    def action_pause(self) -> None:
        """Pause or resume."""
        self.iso_app.controller.command(DrillCommand.PAUSE)

    def action_skip(self) -> None:
        """Skip the current step (in a max test: one trial)."""
        self.iso_app.controller.command(DrillCommand.SKIP)

    def action_agree_above_max(self) -> None:
        """Agree to the targets above the max this drill asks for (else they stay capped)."""
        if self.iso_app.controller.drill_state is None:
            return
        self.iso_app.controller.command(DrillCommand.AGREE_ABOVE_MAX)

    def action_tare(self) -> None:
        """Zero the sensor (refused while loaded)."""
        self.notify(self.iso_app.controller.tare())

    def action_audio(self) -> None:
        """Cycle audio mode."""
        mode = self.iso_app.player.next_mode()
        self.notify(f"audio: {mode.value}")

    async def action_finish(self) -> None:
        """Stop the drill, keep what was done, show the summary."""
        self.iso_app.controller.command(DrillCommand.ABORT)
        self.iso_app.show_summary()
