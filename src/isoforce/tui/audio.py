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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isoforce.drills.events import DrillEvent, EventKind
from isoforce.live.frame import LinkChange, LinkEvent, LinkSource

TONE_RATE_HZ = 22_050
BAND_EXIT_MIN_GAP_S = 2.0


class CueKind(enum.Enum):
    """What a cue is about; decides its tone."""

    PHASE = "phase"
    COUNT = "count"
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
    CueKind.BAND_EXIT: (330.0, 0.12),
    CueKind.ALERT: (220.0, 0.45),
    CueKind.DONE: (990.0, 0.35),
}


class CueMapper:
    """Turns events into cues; band exits are rate-limited so a wobbly hold does not chatter."""

    def __init__(self, *, band_exit_gap_s: float = BAND_EXIT_MIN_GAP_S) -> None:
        self.band_exit_gap_s = band_exit_gap_s
        self._last_exit = -math.inf

    def cues(self, events: Iterable[DrillEvent | LinkEvent]) -> list[Cue]:
        """The cues for a batch of events, in order."""
        out: list[Cue] = []
        for e in events:
            cue = self._one(e)
            if cue is not None:
                out.append(cue)
        return out

    def _one(self, e: DrillEvent | LinkEvent) -> Cue | None:
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
            return Cue(CueKind.ALERT, "pain marked, target lowered", e.t_s)
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


class CuePlayer:
    """Plays cues with the chosen mode; never blocks the UI (sound programs run detached)."""

    def __init__(self, mode: AudioMode, *, bell: Callable[[], None] | None = None) -> None:
        self.mode = mode
        self.bell = bell or (lambda: None)
        self.played: list[Cue] = []
        self._speaker = shutil.which("espeak-ng") or shutil.which("espeak")
        self._player = shutil.which("paplay") or shutil.which("aplay")

    @staticmethod
    def available() -> list[AudioMode]:
        """Modes this machine can play (bell and off always work)."""
        modes = [AudioMode.OFF, AudioMode.BELL]
        if shutil.which("paplay") or shutil.which("aplay"):
            modes.append(AudioMode.TONES)
        if shutil.which("espeak-ng") or shutil.which("espeak"):
            modes.append(AudioMode.SPEECH)
        return modes

    def next_mode(self) -> AudioMode:
        """Cycle to the next available mode (the TUI's audio key)."""
        modes = self.available()
        self.mode = (
            modes[(modes.index(self.mode) + 1) % len(modes)]
            if self.mode in modes
            else AudioMode.BELL
        )
        return self.mode

    def play(self, cues: Iterable[Cue]) -> None:
        """Play cues in order (and keep them in ``played``)."""
        for cue in cues:
            self.played.append(cue)
            if self.mode is AudioMode.OFF:
                continue
            if self.mode is AudioMode.BELL:
                if cue.kind is not CueKind.COUNT:
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
