"""Real Tindeq app exports (../shared, never copied into the project): import and reproduce.

The acceptance check: importing each export reproduces the numbers the app wrote in its own
header (max and avg of endurance tests, Avg and Peak of repeaters) within 1 %.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import numpy as np
import pytest

from isoforce.core.effort_key import Side
from isoforce.export.tindeq_csv import NoSamplesError
from isoforce.live import FrameConsumer, LiveFrame
from isoforce.live.build import open_replay
from isoforce.session.exporter import export_csv, sidecar_bytes
from isoforce.session.importer import AlreadyImportedError, ImportOptions, import_file
from isoforce.session.store import SessionStore
from isoforce.session.tindeq import tindeq_checks
from isoforce.units import N_PER_KGF

pytestmark = pytest.mark.shared_data

WITH_HEADER_NUMBERS = {
    "24_05_2023__balanza__endurance_test_36946123_balanza_24_05_2023_19_10_53.csv": 2,
    "30_04_2023__balanza__endurance_test_36946123_balanza_30_04_2023_18_48_28.csv": 2,
    "endurance_test_36946123_29_04_2023_23_24_36.csv": 2,
    "24_05_2023__rot-int-der__data_set_1.csv": 4,
    "24_05_2023__rot-int-der__data_set_2.csv": 4,
    "24_05_2023__rot-int-der__data_set_3.csv": 4,
}


def test_every_export_imports(store: SessionStore, tindeq_dir: Path) -> None:
    files = sorted(tindeq_dir.glob("*.csv"))
    assert len(files) >= 12
    imported = 0
    for path in files:
        if path.name.endswith("info.csv"):
            with pytest.raises(NoSamplesError):
                import_file(store, path)
            continue
        result = import_file(store, path)
        imported += 1
        rec = store.load(result.session_ids[0])
        ch = rec.channels[0]
        assert len(ch) == result.samples > 400
        assert np.all(np.diff(ch.t_s) > 0)
        assert rec.meta.source["format"] == "tindeq-app-csv"
        assert rec.meta.started_at.startswith(("2023-04", "2023-05"))
        assert 80 < (rec.meta.rate_hz or 0) < 90  # ≈ 88 Hz effective
    assert imported == 10


@pytest.mark.parametrize("name", sorted(WITH_HEADER_NUMBERS))
def test_header_numbers_are_reproduced_within_1_pct(
    store: SessionStore, tindeq_dir: Path, name: str
) -> None:
    result = import_file(store, tindeq_dir / name)
    rec = store.load(result.session_ids[0])  # from what was stored, not from the parser
    checks = tindeq_checks(rec)
    assert len(checks) == WITH_HEADER_NUMBERS[name]
    for c in checks:
        assert c.rel_error <= 0.01, c


def test_concatenated_repeaters_match_the_set_files(store: SessionStore, tindeq_dir: Path) -> None:
    result = import_file(store, tindeq_dir / "24_05_2023__rot-int-der__repeaters.csv")
    rec = store.load(result.session_ids[0])
    ch = rec.channels[0]
    assert rec.meta.labels.step_names == ("set 1", "set 2", "set 3")
    for k in range(3):
        header = import_file(store, tindeq_dir / f"24_05_2023__rot-int-der__data_set_{k + 1}.csv")
        (avg, peak) = [c for c in header.checks if c.name.startswith("Rep 1")]
        kg = ch.force_n[ch.step == k] / N_PER_KGF
        assert np.mean(kg) == pytest.approx(avg.app_value, rel=0.01)
        assert np.max(kg) == pytest.approx(peak.app_value, rel=0.01)


def test_reps_come_from_the_info_file(tmp_path: Path, tindeq_dir: Path) -> None:
    # the cfd set has 3 reps of 7 s with 3 s pauses (its info.csv), and no header table
    for name in ("29_04_2023__cfd__data_set_1.csv", "29_04_2023__cfd__info.csv"):
        (tmp_path / name).write_bytes((tindeq_dir / name).read_bytes())
    with SessionStore.open(tmp_path / "s.sqlite3") as s:
        result = import_file(s, tmp_path / "29_04_2023__cfd__data_set_1.csv")
        ch = s.load(result.session_ids[0]).channels[0]
    assert set(np.unique(ch.rep)) == {0, 1, 2, 3}
    first = ch.t_s[ch.rep == 1]
    assert first[0] < 0.3 and 6.9 < first[-1] < 7.0


def test_same_file_twice_is_refused(store: SessionStore, tindeq_dir: Path) -> None:
    path = tindeq_dir / "endurance_test_36946123_29_04_2023_23_24_36.csv"
    sid = import_file(store, path).session_ids[0]
    with pytest.raises(AlreadyImportedError, match=f"already imported as session {sid}"):
        import_file(store, path)


def test_as_mvic_enters_the_history(store: SessionStore, tindeq_dir: Path) -> None:
    options = ImportOptions(movement="shoulder-ir", side=Side.RIGHT, as_mvic=True)
    import_file(store, tindeq_dir / "24_05_2023__rot-int-der__repeaters.csv", options)
    (series,) = store.history(movement="shoulder-ir").series
    (point,) = series.points
    assert point.trial_cv_pct is not None  # three sets = three trials
    assert 60 < point.value_n < 80  # ≈ 7 kg held for a second


def test_imported_tindeq_round_trips_and_replays(
    store: SessionStore, other_store: SessionStore, tindeq_dir: Path, tmp_path: Path
) -> None:
    sid = import_file(
        store, tindeq_dir / "endurance_test_36946123_29_04_2023_23_24_36.csv"
    ).session_ids[0]
    first = io.BytesIO()
    export_csv(store, sid, first)
    (tmp_path / "t.csv").write_bytes(first.getvalue())
    (tmp_path / "t.meta.json").write_bytes(sidecar_bytes(store, sid))
    sid2 = import_file(other_store, tmp_path / "t.csv").session_ids[0]
    second = io.BytesIO()
    export_csv(other_store, sid2, second)
    assert second.getvalue() == first.getvalue()
    # the mvc in the header gives effort %: 8.486 kg
    rec = store.load(sid)
    ch = rec.channels[0]
    assert ch.effort_pct[-1] == pytest.approx(ch.raw[-1] / 8.486 * 100)
    # replay: kilograms are not counts, so the force travels in 1 mN steps
    seen: list[np.ndarray] = []

    class Keep(FrameConsumer):
        def on_frame(self, frame: LiveFrame) -> None:
            seen.append(frame.force_n)

    session = open_replay(rec, speed=float("inf"), consumers=[Keep()])
    asyncio.run(session.run())
    replayed = np.concatenate(seen)
    assert replayed.shape == ch.force_n.shape
    np.testing.assert_allclose(replayed, ch.force_n, atol=0.0005 + 1e-9)
