"""The drill player: the phase in words, big effort and countdown, fixed gauge, curve, scores."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.widgets import Footer, Label, Static

from isoforce.drills.events import DrillEvent, EventKind
from isoforce.drills.report import score_brief
from isoforce.drills.segments import Phase
from isoforce.live.frame import DrillCommand, LinkEvent, LinkSource
from isoforce.tui.screens.base import SLOW_HZ, IsoScreen
from isoforce.tui.view import BandState, LiveView
from isoforce.tui.widgets.big_digits import BigDigits
from isoforce.tui.widgets.curve import CurvePlot
from isoforce.tui.widgets.gauge import EffortGauge
from isoforce.tui.widgets.imu_panel import ImuPanel

#: The widest text each big number shows: it sets the digits' scale, so they do not jump.
EFFORT_TEMPLATE = "120%"
NEWTONS_TEMPLATE = "999N"
ANGLE_TEMPLATE = "-88°"
CLOCK_TEMPLATE = "0:00"

_STATE_CLASSES = {BandState.IN: "in-band", BandState.UNDER: "under", BandState.OVER: "over"}


def set_text(widget: Static | Label, text: str, *, layout: bool = False) -> None:
    """Update a widget's text only when it changed.

    Fixed-size rows need no layout pass; a widget sized by its text does, once per change:
    one whose width follows it (``width: auto``) asks with ``layout=True``, and one whose
    height does (``height: auto``, e.g. the one or two lines of what % divides by) always gets
    one, or it would keep the height of its previous text (a blank row, or a hidden line).
    """
    if getattr(widget, "_iso_text", None) == text:
        return
    widget._iso_text = text  # type: ignore[union-attr]
    height = widget.styles.height
    widget.update(text, layout=layout or height is None or height.is_auto)


def _digits(value: float) -> str:
    return "--" if math.isnan(value) else f"{abs(value):.0f}"


def _pct(value: float, unit: str = "%") -> str:
    return f"{_digits(value)} {unit}"


def _target_text(view: LiveView) -> str:
    """The target and its band in words (or that this phase has none)."""
    if math.isnan(view.target_pct) or (view.target_pct == 0 and math.isnan(view.band_pct)):
        return "no target now"
    if view.phase is Phase.EFFORT and view.effort_unit == "N":
        return "target: all you have (no max known yet)"  # not the stand-in's 100 N
    band = "" if math.isnan(view.band_pct) else f" ± {view.band_pct:g}"
    return f"target {_pct(view.target_pct, view.effort_unit)}{band}"


def _notice(view: LiveView) -> str:
    """The notice line: the link, a number not measured, above-max consent, dropped frames."""
    if view.link == "lost":
        return "⚠ SENSOR LOST — reconnecting… the drill is paused, samples so far are kept"
    if view.link in ("gone", "failed"):
        return "⚠ SENSOR GONE — press q to save and leave"
    if view.not_measured:
        return f"ⓘ {view.not_measured}"
    if view.above_max_prompt:
        return f"⚠ {view.above_max_prompt}"
    if view.refused:
        return f"ⓘ sensor: {view.refused}"
    return ""


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
    """Guides one drill; keys go to the drill engine through the controller.

    Top to bottom: the instruction and step; the phase in words with its rep, what comes next
    and the audio mode; the big number (effort %, or the angle in steps that move the leg) next
    to the phase's own countdown (the 3-2-1 before an effort, big); what effort divides by; the
    fixed 0–120 % gauge; the IMU; the curve; the next step; the last step's score.
    """

    DEFAULT_CSS = """
    PlayerScreen #phase-row { height: 1; }
    PlayerScreen #phase {
        width: auto; height: 1; padding: 0 1; text-style: bold; background: $accent;
    }
    PlayerScreen #phase-info { width: 1fr; height: 1; padding: 0 1; text-style: bold; }
    PlayerScreen #audio { width: auto; height: 1; padding: 0 1; color: $text-muted; }
    PlayerScreen #big-numbers { height: 34%; min-height: 4; }
    PlayerScreen #effort-box { width: 2fr; height: 100%; }
    PlayerScreen #clock-box { width: 1fr; height: 100%; }
    PlayerScreen .big-caption { height: 1; padding: 0 1; color: $text-muted; text-style: bold; }
    PlayerScreen #effort.in-band { color: $success; }
    PlayerScreen #effort.under { color: $warning; }
    PlayerScreen #effort.over { color: $error; }
    PlayerScreen #countdown.count-in { color: $warning; }
    PlayerScreen #target { height: 1; padding: 0 1; }
    """

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

    whole_hz = SLOW_HZ

    def compose(self) -> ComposeResult:
        """Lay out the player."""
        yield Static("", id="banner")
        yield Static("", id="link")
        with Horizontal(id="phase-row"):
            yield Static("", id="phase")
            yield Static("", id="phase-info")
            yield Static("", id="audio")
        with Horizontal(id="big-numbers"):
            with Vertical(id="effort-box"):
                yield Label("EFFORT", classes="big-caption", id="effort-caption")
                yield BigDigits("--%", template=EFFORT_TEMPLATE, id="effort")
            with Vertical(id="clock-box"):
                yield Label("PHASE TIME LEFT", classes="big-caption", id="countdown-caption")
                yield BigDigits("-:--", template=CLOCK_TEMPLATE, id="countdown")
                yield Static("", id="target")
        yield Static("", id="divides")
        # The gauge and the chart each sit in a box of their own: Textual re-renders every
        # widget whose box overlaps a change, so a moving gauge does not re-render the chart
        with Vertical(id="gauge-box"):
            yield EffortGauge(id="gauge")
        yield ImuPanel(id="imu")
        with Vertical(id="curve-box"):
            yield CurvePlot(id="curve")
        yield Static("", id="next")
        yield Static("", id="last-score")
        yield Footer()

    def show(self, view: LiveView, events: list[DrillEvent | LinkEvent]) -> None:
        """Draw a whole frame: the view and the events since the last frame."""
        self.query_one(EffortGauge).follow(view)
        self._show_slow(view)
        for e in events:
            if (
                isinstance(e, DrillEvent)
                and e.kind is EventKind.STEP_SCORED
                and e.score is not None
            ):
                controller = self.iso_app.controller
                imu = controller.imu_step_text(e.step_index)
                newtons = controller.step_in_newtons(e.step_index)
                brief = score_brief(e.score, " · ", in_newtons=newtons)
                # once per step, and one or two lines (with the IMU's): a layout pass is fine
                self.query_one("#last-score", Static).update(
                    f"Step {e.step_index + 1} {e.score.label}: {brief}"
                    + (f"\nIMU: {imu}" if imu else "")
                    + (f"\n{CHECK_PROMPT}" if e.score.direction is not None else "")
                )
            elif isinstance(e, DrillEvent) and e.kind in _NOTICES:
                text, severity = _NOTICES[e.kind](e)
                self.notify(text, severity=severity)
            elif isinstance(e, LinkEvent) and e.source is LinkSource.IMU:
                self.notify(e.text(), severity="warning")
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
        notice = _notice(view)
        set_text(link, notice)
        if link.display != bool(notice):
            link.display = bool(notice)
        self._show_phase(view)
        self._show_big(view)
        set_text(
            self.query_one("#divides", Static),
            view.divides_by,
        )
        self.query_one(CurvePlot).curve = view.curve
        # angle, STILL / MOVING (only where the step asks for stillness), the estimate's band
        self.query_one(ImuPanel).show(
            view.imu, still_asked=view.still_asked, lift_offs_asked=view.lift_offs_asked
        )
        set_text(
            self.query_one("#next", Static),
            f"Next: {view.next_label}" if view.next_label else "Next: —",
        )
        audio_notice = self.iso_app.player.take_notice()
        if audio_notice:
            self.notify(audio_notice, severity="warning", timeout=12)

    def _show_phase(self, view: LiveView) -> None:
        """The phase in words, its rep and what comes next, and the audio mode."""
        word = "PAUSED" if view.status == "paused" else view.phase_word
        set_text(self.query_one("#phase", Static), word, layout=True)
        timed = view.step_number and math.isfinite(view.remaining_s)
        step_left = f"step {_clock(view.remaining_s)} left" if timed else ""
        info = "  ·  ".join(part for part in (view.rep, view.coming, step_left) if part)
        set_text(self.query_one("#phase-info", Static), info)
        set_text(self.query_one("#audio", Static), self.iso_app.player.status, layout=True)

    def _show_big(self, view: LiveView) -> None:
        """The big number and the phase's countdown (or the count-in), sized to the screen."""
        effort = self.query_one("#effort", BigDigits)
        countdown = self.query_one("#countdown", BigDigits)
        angle = view.imu.angle_deg if view.imu is not None else None
        angle_first = view.angle_first and view.imu is not None
        if angle_first:
            set_text(self.query_one("#effort-caption", Label), "ANGLE  (+ inward / − outward)")
            effort.template = ANGLE_TEMPLATE
            effort.text = "--°" if angle is None else f"{angle:+.0f}°"
            small = (
                "no force asked"
                if math.isnan(view.effort_pct)
                else f"effort {_pct(view.effort_pct)}"
            )
        else:
            newtons = view.effort_unit == "N"  # no max yet: this step measures it
            title = "FORCE N — no max yet, being measured" if newtons else "EFFORT"
            set_text(self.query_one("#effort-caption", Label), title)
            effort.template = NEWTONS_TEMPLATE if newtons else EFFORT_TEMPLATE
            effort.text = f"{_digits(view.effort_pct)}{view.effort_unit}"
            small = _target_text(view)
        for state, cls in _STATE_CLASSES.items():
            effort.set_class(view.state is state and not angle_first, cls)
        caption = self.query_one("#countdown-caption", Label)
        if view.count_in:
            set_text(caption, f"{view.count_in_word} IN")
            countdown.max_scale = max(1, effort.scale)
            countdown.text = str(view.count_in)
        else:
            set_text(caption, "PHASE TIME LEFT")
            countdown.max_scale = max(1, effort.scale - 1)
            countdown.text = _clock(view.phase_remaining_s)
        countdown.set_class(bool(view.count_in), "count-in")
        set_text(self.query_one("#target", Static), small)
        # the angle leads (effort is the small line only), or no max is known yet (the gauge's
        # % would be of a stand-in): no gauge
        gauge_box = self.query_one("#gauge-box")
        gauge = not angle_first and view.effort_unit != "N"
        if gauge_box.display != gauge:
            gauge_box.display = gauge

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
        """Skip the current step, with a 3-2-1 before an effort (in a max test: one trial)."""
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
        set_text(self.query_one("#audio", Static), self.iso_app.player.status, layout=True)
        self.notify(f"audio: {mode.value}")

    async def action_finish(self) -> None:
        """Stop the drill, keep what was done, show the summary."""
        self.iso_app.controller.command(DrillCommand.ABORT)
        self.iso_app.show_summary()
