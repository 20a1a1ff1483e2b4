"""Audio cues: phase changes, countdowns and band exits, for a user who is not looking.

Cue choice is a pure mapping from drill events to :class:`Cue` values (testable without a sound
card). Backends play them: the terminal bell, tones through ``aplay``/``paplay``, or speech
through ``espeak-ng``; a recording backend keeps the list (tests) and speech can be rendered
to a WAV file. Backends that need a program not on the machine are reported as unavailable.
"""

from __future__ import annotations

import enum
import io
import math
import shutil
import subprocess
import wave
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isoforce.drills.events import DrillEvent, EventKind
from isoforce.live.frame import LinkChange, LinkEvent, LinkSource

TONE_RATE_HZ = 22_050
BAND_EXIT_MIN_GAP_S = 2.0
COUNT_SAME_S = 1.0
"""A count cue with the same number as one less than this long ago is the same count."""
SPEECH_INSTALL_HINT = (
    "no speech engine found: cues play as beeps. For spoken cues install espeak-ng "
    "(Debian/Ubuntu: sudo apt install espeak-ng; macOS: brew install espeak-ng)"
)


class CueKind(enum.Enum):
    """What a cue is about; decides its tone."""

    PHASE = "phase"
    COUNT = "count"
    """The drill's countdown to the end of a segment (silent on the bell)."""
    COUNT_IN = "count_in"
    """The 3-2-1 before an effort (rings the bell too)."""
    BAND_EXIT = "band_exit"
    ALERT = "alert"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Cue:
    """One thing to say or sound: the words for speech, the kind for tones."""

    kind: CueKind
    words: str
    t_s: float


TONES_HZ = {
    CueKind.PHASE: (660.0, 0.18),
    CueKind.COUNT: (880.0, 0.08),
    CueKind.COUNT_IN: (880.0, 0.12),
    CueKind.BAND_EXIT: (330.0, 0.12),
    CueKind.ALERT: (220.0, 0.45),
    CueKind.DONE: (990.0, 0.35),
}


class CueMapper:
    """Turns events into cues; band exits are rate-limited so a wobbly hold does not chatter.

    The count-in before an effort comes from the drill's phase clock (:meth:`count_in`, one
    call per frame); where the drill's own countdown says the same number at the same moment,
    it is said once.
    """

    def __init__(self, *, band_exit_gap_s: float = BAND_EXIT_MIN_GAP_S) -> None:
        self.band_exit_gap_s = band_exit_gap_s
        self._last_exit = -math.inf
        self._count_shown = 0
        self._last_count: tuple[str, float] = ("", -math.inf)

    def cues(self, events: Iterable[DrillEvent | LinkEvent]) -> list[Cue]:
        """The cues for a batch of events, in order."""
        out: list[Cue] = []
        events = list(events)
        # a pain key's mark and its drop (when something was loaded) come in one batch: one cue
        kinds = {e.kind for e in events if isinstance(e, DrillEvent)}
        for e in events:
            cue = self._one(e, kinds)
            if cue is not None and self._new_count(cue):
                out.append(cue)
        return out

    def count_in(self, number: int, t_s: float) -> list[Cue]:
        """A cue when the count-in before an effort shows a new number (3, 2, 1; 0: none)."""
        if number == self._count_shown:
            return []
        self._count_shown = number
        if not number:
            return []
        cue = Cue(CueKind.COUNT_IN, str(number), t_s)
        return [cue] if self._new_count(cue) else []

    def _new_count(self, cue: Cue) -> bool:
        """False for a count already said (the same number under a second ago)."""
        if cue.kind not in (CueKind.COUNT, CueKind.COUNT_IN):
            return True
        words, t = self._last_count
        if cue.words == words and abs(cue.t_s - t) < COUNT_SAME_S:
            return False
        self._last_count = (cue.words, cue.t_s)
        return True

    def _one(self, e: DrillEvent | LinkEvent, batch: Collection[EventKind]) -> Cue | None:
        """The cue for one event; ``batch``: the kinds of the drill events that came with it."""
        if isinstance(e, LinkEvent):
            who = "IMU" if e.source is LinkSource.IMU else "sensor"
            if e.change is LinkChange.LOST:
                return Cue(CueKind.ALERT, f"{who} lost", e.t_s)
            if e.change is LinkChange.RESTORED:
                return Cue(CueKind.PHASE, f"{who} back", e.t_s)
            return None
        k = e.kind
        if k is EventKind.CUE:
            words = e.text
            kind = CueKind.COUNT if words.strip().isdigit() else CueKind.PHASE
            return Cue(kind, words, e.t_s)
        if k is EventKind.BAND_LEFT:
            if e.t_s - self._last_exit < self.band_exit_gap_s:
                return None
            self._last_exit = e.t_s
            return Cue(CueKind.BAND_EXIT, "out of band", e.t_s)
        if k is EventKind.PAIN_MARKED:
            then = "target lowered" if EventKind.PAIN_DROP in batch else "rest"
            return Cue(CueKind.ALERT, f"pain marked, {then}", e.t_s)
        if k is EventKind.PAIN_DROP and EventKind.PAIN_MARKED not in batch:  # "not better"
            return Cue(CueKind.ALERT, "target lowered", e.t_s)
        if k is EventKind.CRAMP_MARKED:
            return Cue(CueKind.ALERT, "cramp, release", e.t_s)
        if k is EventKind.PAUSED:
            return Cue(CueKind.PHASE, "paused", e.t_s)
        if k is EventKind.DRILL_FINISHED:
            return Cue(CueKind.DONE, "drill finished", e.t_s)
        return None


def tone_wav(kind: CueKind) -> bytes:
    """A short sine beep with soft edges as WAV bytes (16-bit mono)."""
    freq, seconds = TONES_HZ[kind]
    n = int(TONE_RATE_HZ * seconds)
    t = np.arange(n) / TONE_RATE_HZ
    env = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    samples = (0.4 * env * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(TONE_RATE_HZ)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


class AudioMode(enum.Enum):
    """How cues are played."""

    OFF = "off"
    BELL = "bell"
    TONES = "tones"
    SPEECH = "speech"

    @property
    def label(self) -> str:
        """The mode in the player's words."""
        return {"off": "off", "bell": "beeps (bell)", "tones": "beeps (tones)"}.get(
            self.value, self.value
        )


class CuePlayer:
    """Plays cues with the chosen mode; never blocks the UI (sound programs run detached).

    Asked for speech on a machine with no speech engine, it beeps instead and says so once
    (:meth:`take_notice`), with how to install one.
    """

    def __init__(
        self,
        mode: AudioMode,
        *,
        bell: Callable[[], None] | None = None,
        speaker: str | None = "",
        player: str | None = "",
    ) -> None:
        self.bell = bell or (lambda: None)
        self.played: list[Cue] = []
        #: The speech and tone programs ("": look them up; None: there is none).
        self._speaker = (
            shutil.which("espeak-ng") or shutil.which("espeak") if speaker == "" else speaker
        )
        self._player = shutil.which("paplay") or shutil.which("aplay") if player == "" else player
        self._notice = ""
        self._noticed = False
        #: Speech was asked for (the flag, or the audio key passing it) on a machine without it.
        self._speech_asked = False
        self.mode = AudioMode.OFF
        self.set_mode(mode)

    def available(self) -> list[AudioMode]:
        """Modes this machine can play (bell and off always work)."""
        modes = [AudioMode.OFF, AudioMode.BELL]
        if self._player:
            modes.append(AudioMode.TONES)
        if self._speaker:
            modes.append(AudioMode.SPEECH)
        return modes

    def set_mode(self, mode: AudioMode) -> AudioMode:
        """Use ``mode``; speech with no engine falls back to beeps and leaves a notice."""
        if mode is AudioMode.SPEECH and not self._speaker:
            self._missing_speech()
            mode = AudioMode.TONES if self._player else AudioMode.BELL
        elif mode is AudioMode.TONES and not self._player:
            mode = AudioMode.BELL
        self.mode = mode
        return mode

    def next_mode(self) -> AudioMode:
        """Cycle off → beeps → (tones) → speech → off (the TUI's audio key)."""
        order = list(AudioMode)
        for step in range(1, len(order) + 1):
            mode = order[(order.index(self.mode) + step) % len(order)]
            if mode is AudioMode.SPEECH and not self._speaker:
                self._missing_speech()
            if mode in self.available():
                self.mode = mode
                break
        return self.mode

    def _missing_speech(self) -> None:
        self._speech_asked = True
        if not self._noticed:
            self._notice = SPEECH_INSTALL_HINT

    def take_notice(self) -> str:
        """A notice to show once (the missing speech engine), else empty."""
        notice, self._notice = self._notice, ""
        if notice:
            self._noticed = True
        return notice

    @property
    def status(self) -> str:
        """The audio mode in words, for the screen (``audio: beeps (bell)``).

        ``· no speech engine`` is added once speech was asked for and could not be had.
        """
        missing = " · no speech engine" if self._speech_asked else ""
        return f"audio: {self.mode.label}{missing}"

    def play(self, cues: Iterable[Cue]) -> None:
        """Play cues in order (and keep them in ``played``)."""
        for cue in cues:
            self.played.append(cue)
            if self.mode is AudioMode.OFF:
                continue
            if self.mode is AudioMode.BELL:
                if cue.kind is not CueKind.COUNT:  # the 3-2-1 before an effort does ring
                    self.bell()
            elif self.mode is AudioMode.SPEECH and self._speaker:
                _spawn([self._speaker, "-s", "170", cue.words])
            elif self.mode is AudioMode.TONES and self._player:
                _spawn(
                    [self._player, "-q", "-"] if self._player.endswith("aplay") else [self._player],
                    tone_wav(cue.kind),
                )
            else:
                self.bell()


def _spawn(cmd: list[str], stdin: bytes | None = None) -> None:
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if stdin is not None and proc.stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
    except OSError:
        pass


def render_speech(cues: Iterable[Cue], path: Path) -> bool:
    """Speak the cues into a WAV file with espeak-ng (False if it is not installed)."""
    speaker = shutil.which("espeak-ng") or shutil.which("espeak")
    if speaker is None:
        return False
    text = ". ".join(c.words for c in cues)
    subprocess.run([speaker, "-w", str(path), text], check=True, capture_output=True)
    return True
