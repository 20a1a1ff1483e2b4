"""The drill summary's per-effort table: values with units, refusals said once with the reason."""

from __future__ import annotations

from isoforce.session.efforts import Effort, summary_table
from isoforce.signal.analysis import analyse
from isoforce.signal.curve import Curve
from tests.session.test_compare import session, trial


def test_one_row_per_effort_with_units_and_each_refusal_once() -> None:
    headers, rows, notes = summary_table(session(1, trial(1, 200.0), trial(2, 150.0, sign=-1.0)))
    assert headers == ("#", "effort", "peak N", "best 1 s mean N", "RFD 20–80 % N/s", "impulse N·s")
    assert rows[0][:3] == ("1", "max trial push, trial 1", "200.0")
    assert rows[1][1] == "max trial pull, trial 2 (pull)"
    assert notes == []

    fast = trial(1, 200.0)
    curve = Curve.of(t_s=fast.curve.t_s[::100], force_n=fast.curve.force_n[::100])  # 10 Hz
    slow = [
        Effort(n, fast.label, fast.how, 0.0, 4.0, 1.0, curve, analyse(curve, rate_hz=10.0))
        for n in (1, 2)
    ]
    _, rows, notes = summary_table(session(2, *slow))
    assert [r[4] for r in rows] == ["—", "—"]
    assert notes == ["RFD 20–80 %: rate too low (needs ≥ 50 Hz, sensor gives 10 Hz)"]
    assert summary_table(session(3)) == ((), [], [])
