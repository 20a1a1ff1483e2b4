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
