"""What the streaming commands print and write while a session runs: session consumers.

:class:`Progress` (a one-line status on a terminal), :class:`LinkReporter` (device lost / back
/ given up, on stderr) and :class:`FileRows` (rows into ``--out`` as they arrive) each read the
session's frames; none reaches back into the session.
"""

from __future__ import annotations

import sys
import time

from isoforce.cli.output import Output
from isoforce.devices.base import TEXT_KIND
from isoforce.drills.events import DrillEvent, DrillResult
from isoforce.drills.imu_scores import ImuStepScore
from isoforce.drills.plan import PlanStep
from isoforce.export.live_file import LiveFileWriter
from isoforce.live import FrameConsumer, LiveFrame, LiveSession, SessionOutcome
from isoforce.live.frame import refused_text
from isoforce.live.session import SENT_KIND
from isoforce.session.model import SessionStatus
from isoforce.session.store import now_iso


class Progress(FrameConsumer):
    """A one-line progress display on stderr when it is a terminal (silent otherwise)."""

    def __init__(self, *, total_s: float | None, label: str) -> None:
        self.total_s = total_s
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def on_frame(self, frame: LiveFrame) -> None:
        """Redraw at most 10 times a second."""
        now = time.monotonic()
        if not self.enabled or not len(frame) or now - self._last < 0.1:
            return
        self._last = now
        t = frame.last_t_s
        force = float(frame.display_force_n[-1])
        effort = float(frame.effort_pct[-1])
        effort_txt = f"{effort:6.1f} %" if effort == effort else "   n/a"
        total = f" / {self.total_s:.1f}" if self.total_s else ""
        sys.stderr.write(
            f"\r{self.label} {t:6.1f}{total} s   force {force:8.1f} N   effort {effort_txt}  "
        )
        sys.stderr.flush()

    def on_end(self, outcome: SessionOutcome) -> None:
        """End the progress line."""
        del outcome
        if self.enabled:
            sys.stderr.write("\n")


class LinkReporter(FrameConsumer):
    """Tells the user on stderr when the device link drops, comes back or is given up."""

    def on_frame(self, frame: LiveFrame) -> None:
        """Print each link change."""
        for event in frame.link_events:
            text = event.text()
            sys.stderr.write(f"\n{text}\n" if sys.stderr.isatty() else f"{text}\n")
            sys.stderr.flush()


class FileRows(FrameConsumer):
    """Writes every frame's samples through a live file writer; closes it at the end.

    A failed write (disk full) stops the file, not the session: it is recorded on ``output``
    (which ends in one error naming what was kept) and the session goes on into the store.
    """

    def __init__(self, writer: LiveFileWriter, output: Output) -> None:
        self.writer = writer
        self.output = output

    def on_frame(self, frame: LiveFrame) -> None:
        """Append the frame's rows (none after a failed write)."""
        if len(frame) and not self.output.failed:
            try:
                self.writer.write_columns(frame.columns, frame.labels)
            except OSError as exc:
                self.output.fail(exc)

    def on_end(self, outcome: SessionOutcome) -> None:
        """Finish the file (also after an error: what arrived is kept, and it says so)."""
        if not self.output.failed:
            try:
                self.writer.close(
                    status=SessionStatus.INTERRUPTED if outcome.error else SessionStatus.COMPLETE,
                    ended_at=now_iso(),
                    stopped_by=outcome.error or outcome.stopped_by,
                )
            except OSError as exc:
                self.output.fail(exc)


def print_drill_result(result: DrillResult) -> None:
    """The score table and the findings of a drill run (or replay)."""
    from isoforce.drills.report import result_summary, score_table

    print()
    print(score_table(result))
    print()
    for line in result_summary(result):
        print(line)


def decode_summary(outcome: SessionOutcome) -> str:
    """One line on what the decoder dropped and what the link lost (empty when nothing)."""
    d = outcome.decode
    parts = []
    if d.bytes_dropped:
        parts.append(f"{d.bytes_dropped} bytes of garbage skipped ({d.resyncs} runs)")
    refused = refused_text(tuple((k, n) for k, n in d.drops_by_reason().items() if n))
    if refused:
        parts.append(refused)
    if outcome.gaps:
        parts.append(f"{len(outcome.gaps)} link gap(s)")
    return "; ".join(parts)


def device_dialogue(outcome: SessionOutcome) -> list[str]:
    """The command lines written to the device (``--send``) and its text replies, in order."""
    lines = []
    for message in outcome.messages:
        if message.kind == SENT_KIND:
            lines.append(f"sent to the device: {message.text}")
        elif message.kind == TEXT_KIND:
            lines.append(f"device: {message.text}")
    return lines


def newton_steps(session: LiveSession) -> frozenset[int]:
    """The plan steps whose effort reads in newtons (the engine's ``newton_scale``).

    They measure a max none was known for, so their efforts and levels print in N.
    """
    from isoforce.drills.report import in_newtons

    guide = session.guide
    if guide is None:
        return frozenset()
    scale = guide.engine.newton_scale
    return frozenset(s.index for s in guide.engine.plan if in_newtons(s, scale))


class DrillPrinter(FrameConsumer):
    """Prints drill events as they happen (a consumer of the session's frames).

    ``in_newtons``: the steps whose effort reads in newtons (:func:`newton_steps`); their
    efforts and levels are printed in N, never as a % of a stand-in.
    """

    def __init__(
        self, plan: tuple[PlanStep, ...], in_newtons: frozenset[int] = frozenset()
    ) -> None:
        self.plan = plan
        self.in_newtons = in_newtons
        self.names: tuple[str, ...] = tuple(step.label for step in plan)

    def on_frame(self, frame: LiveFrame) -> None:
        """Print the frame's drill events."""
        if len(frame.labels.step_names) == len(self.plan):
            self.names = frame.labels.step_names  # labels from the targets actually used
        if frame.events:
            self.events(frame.events, {s.step_index: s for s in frame.imu_step_scores})

    def _unit(self, e: DrillEvent) -> str:
        return "N" if e.step_index in self.in_newtons else "%"

    def events(self, events: tuple[DrillEvent, ...], imu_scores: dict[int, ImuStepScore]) -> None:
        """Print events; ``imu_scores`` are the IMU's scores of steps scored among them."""
        from isoforce.drills.events import EventKind
        from isoforce.drills.segments import GET_READY

        # a pain key's drop (when something was loaded) comes with its mark, and asks "better?"
        dropped = any(e.kind is EventKind.PAIN_DROP for e in events)
        for e in events:
            stamp = f"[{int(e.t_s // 60):2d}:{e.t_s % 60:04.1f}]"
            if e.kind is EventKind.STEP_STARTED:
                step = self.plan[e.step_index]
                label = self.names[e.step_index]
                _line(
                    f"{stamp} step {e.step_index + 1}/{len(self.plan)}  {label} — {step.instruction}"
                )
            elif e.kind is EventKind.PAIN_MARKED:
                effort = "n/a" if e.value is None else f"{abs(e.value):.0f} {self._unit(e)}"
                _line(f"{stamp} PAIN marked at effort {effort}")
                if not dropped and e.step_index >= 0:  # in a rest or a get-ready: a hold at rest
                    _line(f"{stamp} nothing to push or pull: rest — better? (y yes · n no)")
            elif e.kind is EventKind.PAIN_DROP:
                _line(f"{stamp} {e.text} — better? (y yes · n no, lower again)")
            elif e.kind is EventKind.PAIN_ANSWER:
                level = "" if e.value is None else f" at {e.value:.0f} {self._unit(e)} at most"
                if e.text in ("better", "no answer"):
                    _line(f"{stamp} {e.text}: carrying on{level}")
                else:
                    _line(f"{stamp} {e.text}: lowering again")
            elif e.kind is EventKind.CRAMP_MARKED:
                _line(f"{stamp} CRAMP: release and rest, then the step carries on (max unchanged)")
            elif e.kind is EventKind.CHECK:
                about = f"step {e.step_index + 1}" if e.step_index >= 0 else "the drill"
                lowered = ": later targets lowered" if e.text == "pinching" else ""
                _line(f"{stamp} noted: {e.text} ({about}){lowered}")
            elif e.kind is EventKind.PAIN_FREE_MAX:
                _line(f"{stamp} found: {e.text}")
            elif e.kind is EventKind.STEP_SCORED and e.score is not None:
                from isoforce.drills.report import score_brief

                newtons = e.step_index in self.in_newtons
                _line(f"{stamp}   scored: {score_brief(e.score, in_newtons=newtons)}")
                if e.score.direction is not None:
                    _line(f"{stamp}   felt any? 1 pinching · 2 cramping · 3 compensation")
                imu = imu_scores.get(e.step_index)
                if imu is not None:
                    from isoforce.drills.report import imu_step_text

                    text = imu_step_text(imu, kind=self.plan[e.step_index].kind)
                    if text:
                        _line(f"{stamp}   IMU: {text}")
            elif e.kind is EventKind.TARGET_CLAMPED:
                _line(f"{stamp} warning: {e.text}")
            elif e.kind is EventKind.ABOVE_MAX_CONSENT:
                _line(f"{stamp} above your max: {e.text}")
            elif e.kind is EventKind.SKIPPED:
                _line(f"{stamp} step {e.step_index + 1} skipped")
            elif e.kind is EventKind.CUE and e.text == GET_READY and e.step_index >= 0:
                # a max test's get-ready, or the one after a skip, before the next effort
                _line(f"{stamp} get ready")
            elif e.kind is EventKind.TRIAL_SKIPPED:
                _line(f"{stamp} {e.text} (s skips one trial; the MVIC comes from the others)")
            elif e.kind is EventKind.DRILL_FINISHED:
                _line(f"{stamp} drill finished")


def _line(text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(text, flush=True)
