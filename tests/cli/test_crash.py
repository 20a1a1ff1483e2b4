"""Crash safety: a recording killed with SIGKILL keeps everything up to ≤ 0.5 s before the kill.

The recording runs at real speed in a subprocess (the installed console script); the test
waits until samples are committed, kills it without warning, reopens the store and checks
that (a) the session is marked interrupted, (b) its samples reach to within 0.5 s of the
kill and have no holes, (c) the drill events so far are there.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from isoforce.session.model import SessionStatus
from isoforce.session.store import SessionStore
from tests.paths import ISOFORCE

PROMISE_S = 0.5


def _committed_s(db: Path) -> float:
    """Seconds of samples committed so far (read-only peek; 0 while nothing is there)."""
    if not db.exists():
        return 0.0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as c:
            row = c.execute("SELECT MAX(t_last_s) FROM sample_chunks").fetchone()
    except sqlite3.Error:
        return 0.0
    return float(row[0]) if row and row[0] is not None else 0.0


@pytest.mark.parametrize(
    "command",
    [
        ("drill", "run", "tension-drill", "--side", "left", "--rate", "200"),
        ("record", "--duration", "600", "--rate", "1000"),
    ],
    ids=["drill-run-200Hz", "record-1kHz"],
)
def test_sigkill_keeps_all_but_the_last_half_second(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "ISOFORCE_DATA_DIR": str(data)}
    db = data / "isoforce.sqlite3"
    proc = subprocess.Popen(
        [ISOFORCE, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while _committed_s(db) < 2.0:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"recording did not start: {proc.communicate()[1].decode()}")
            time.sleep(0.05)
        # land the kill somewhere inside a commit interval, not right after a commit
        time.sleep(0.137)
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    with SessionStore.open(db) as store:
        (info,) = store.sessions()
        assert info.status is SessionStatus.INTERRUPTED
        assert "crash" in info.stopped_by
        rec = store.load(info.id)
        started = store.connection.execute(
            "SELECT started_unix FROM sessions WHERE id = ?", (info.id,)
        ).fetchone()[0]
    ch = rec.channels[0]
    # the session clock starts after the row is written, so this over-estimates the lag
    lag_s = (killed_at - started) - float(ch.t_s[-1])
    print(f"\n{command[0]}: kept {ch.t_s[-1]:.3f} s; lag behind the kill ≤ {lag_s:.3f} s")
    assert lag_s <= PROMISE_S
    assert info.samples == len(ch)
    fs = 200.0 if command[0] == "drill" else 1000.0
    np.testing.assert_allclose(np.diff(ch.t_s), 1 / fs, atol=1e-6)  # no holes
    if command[0] == "drill":
        kinds = [e.kind for e in rec.events]
        assert kinds[:2] == ["drill_started", "step_started"]
        assert rec.meta.drill is not None and rec.meta.drill.name == "tension-drill"
        assert (ch.step == 0).all()
