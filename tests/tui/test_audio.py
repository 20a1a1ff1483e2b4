"""Audio cues are chosen from events without a sound card; speech renders to a file."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from isoforce.drills.events import DrillEvent, EventKind
from isoforce.live import LinkChange, LinkEvent
from isoforce.tui.audio import AudioMode, CueKind, CueMapper, CuePlayer, render_speech, tone_wav


def test_events_map_to_cues_and_band_exits_are_rate_limited() -> None:
    events = [
        DrillEvent(EventKind.CUE, 10.0, 1, "ramp"),
        DrillEvent(EventKind.CUE, 27.0, 1, "3"),
        DrillEvent(EventKind.BAND_LEFT, 30.0, 2),
        DrillEvent(EventKind.BAND_LEFT, 30.5, 2),
        DrillEvent(EventKind.BAND_LEFT, 33.0, 2),
        DrillEvent(EventKind.PAIN_MARKED, 40.0, 2, value=55.0),
        DrillEvent(EventKind.PAIN_DROP, 40.0, 2, "pain: target 50 % → 40 %", 40.0),
        LinkEvent(LinkChange.LOST, 41.0),
        DrillEvent(EventKind.DRILL_FINISHED, 300.0, -1),
    ]
    cues = CueMapper().cues(events)
    assert [(c.kind, c.words) for c in cues] == [
        (CueKind.PHASE, "ramp"),
        (CueKind.COUNT, "3"),
        (CueKind.BAND_EXIT, "out of band"),
        (CueKind.BAND_EXIT, "out of band"),
        (CueKind.ALERT, "pain marked, target lowered"),
        (CueKind.ALERT, "sensor lost"),
        (CueKind.DONE, "drill finished"),
    ]


def test_pain_says_whether_a_target_was_lowered() -> None:
    """One cue for the key: with nothing loaded (a rest, a get-ready) nothing was lowered; a
    "not better" lowers the target again and says so."""
    mapper = CueMapper()
    rest = mapper.cues([DrillEvent(EventKind.PAIN_MARKED, 10.0, 1, value=2.0)])
    assert [c.words for c in rest] == ["pain marked, rest"]
    again = mapper.cues(
        [
            DrillEvent(EventKind.PAIN_ANSWER, 14.0, 2, "not better"),
            DrillEvent(EventKind.PAIN_DROP, 14.0, 2, "not better: target 40 % → 30 %", 30.0),
        ]
    )
    assert [(c.kind, c.words) for c in again] == [(CueKind.ALERT, "target lowered")]


def test_player_bell_mode_rings_for_phase_changes_not_counts() -> None:
    rings: list[int] = []
    player = CuePlayer(AudioMode.BELL, bell=lambda: rings.append(1))
    player.play(
        CueMapper().cues(
            [DrillEvent(EventKind.CUE, 1.0, 0, "hold"), DrillEvent(EventKind.CUE, 2.0, 0, "2")]
        )
    )
    assert len(player.played) == 2
    assert len(rings) == 1
    off = CuePlayer(AudioMode.OFF, bell=lambda: rings.append(1))
    off.play(CueMapper().cues([DrillEvent(EventKind.CUE, 1.0, 0, "hold")]))
    assert len(rings) == 1


def test_tone_is_a_valid_wav(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    path.write_bytes(tone_wav(CueKind.PHASE))
    with wave.open(str(path)) as w:
        assert w.getframerate() == 22_050
        assert w.getnframes() == int(22_050 * 0.18)


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None and shutil.which("espeak") is None, reason="no espeak-ng"
)
def test_speech_renders_to_a_file(tmp_path: Path) -> None:
    cues = CueMapper().cues([DrillEvent(EventKind.CUE, 1.0, 0, "hold")])
    path = tmp_path / "cues.wav"
    assert render_speech(cues, path)
    assert path.stat().st_size > 1000


def test_the_count_in_is_a_cue_per_new_number_and_said_once_with_the_drills_own_count() -> None:
    mapper = CueMapper()
    heard: list[tuple[CueKind, str]] = []
    # the frames of a rest's last seconds: the clock's count-in, and the drill's countdown cues
    frames = [
        (76.0, 0, []),
        (77.0, 3, [DrillEvent(EventKind.CUE, 77.0, 1, "3")]),
        (77.5, 3, []),
        (78.1, 2, [DrillEvent(EventKind.CUE, 78.0, 1, "2")]),
        (79.0, 1, [DrillEvent(EventKind.CUE, 79.0, 1, "1")]),
        (80.0, 0, [DrillEvent(EventKind.CUE, 80.0, 1, "go — max effort")]),
    ]
    for t, number, events in frames:
        cues = mapper.count_in(number, t) + mapper.cues(events)
        heard += [(c.kind, c.words) for c in cues]
    assert heard == [
        (CueKind.COUNT_IN, "3"),
        (CueKind.COUNT_IN, "2"),
        (CueKind.COUNT_IN, "1"),
        (CueKind.PHASE, "go — max effort"),
    ]
    # the drill's countdown at the end of a hold (no effort follows) is still said
    assert [c.words for c in mapper.cues([DrillEvent(EventKind.CUE, 97.0, 2, "3")])] == ["3"]


def test_the_bell_rings_for_the_count_in_and_pain_is_acknowledged() -> None:
    rings: list[int] = []
    player = CuePlayer(AudioMode.BELL, bell=lambda: rings.append(1))
    mapper = CueMapper()
    player.play(mapper.count_in(3, 10.0))
    pain = DrillEvent(EventKind.PAIN_MARKED, 11.0, 1, value=40.0)
    drop = DrillEvent(EventKind.PAIN_DROP, 11.0, 1, "pain: target 40 % → 30 %", 30.0)
    player.play(mapper.cues([pain, drop]))
    assert len(rings) == 2
    assert [c.words for c in player.played] == ["3", "pain marked, target lowered"]


def test_the_mode_is_named_and_a_missing_speech_engine_is_said_once_with_how_to_install() -> None:
    player = CuePlayer(AudioMode.SPEECH, speaker=None, player=None)
    assert player.mode is AudioMode.BELL  # beeps instead
    assert player.status == "audio: beeps (bell) · no speech engine"
    notice = player.take_notice()
    assert "no speech engine" in notice and "espeak-ng" in notice and "apt install" in notice
    assert player.take_notice() == ""  # once
    modes = [player.next_mode() for _ in range(3)]
    assert modes == [AudioMode.OFF, AudioMode.BELL, AudioMode.OFF]
    # nobody asked for speech: the line does not talk about it
    beeps = CuePlayer(AudioMode.BELL, speaker=None, player=None)
    assert beeps.status == "audio: beeps (bell)" and beeps.take_notice() == ""
    assert beeps.next_mode() is AudioMode.OFF  # the cycle passed speech: now it is said
    assert beeps.status == "audio: off · no speech engine"
    assert "espeak-ng" in beeps.take_notice()
    assert player.take_notice() == ""  # said already
    spoken = CuePlayer(AudioMode.OFF, speaker="/usr/bin/espeak-ng", player="/usr/bin/aplay")
    assert [spoken.next_mode() for _ in range(4)] == [
        AudioMode.BELL,
        AudioMode.TONES,
        AudioMode.SPEECH,
        AudioMode.OFF,
    ]
    assert [m.label for m in AudioMode] == ["off", "beeps (bell)", "beeps (tones)", "speech"]
    assert spoken.take_notice() == ""


def test_cycling_to_speech_without_an_engine_says_so() -> None:
    player = CuePlayer(AudioMode.BELL, speaker=None, player="/usr/bin/aplay")
    assert player.next_mode() is AudioMode.TONES
    assert player.take_notice() == ""
    assert player.next_mode() is AudioMode.OFF  # speech skipped …
    assert "espeak-ng" in player.take_notice()  # … and said why
