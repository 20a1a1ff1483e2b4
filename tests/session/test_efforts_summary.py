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


def test_with_a_lever_arm_the_peak_torque_follows_with_its_source() -> None:
    from isoforce.session.athletes import TorqueBasis
    from isoforce.session.efforts import analysis_to_dict

    basis = TorqueBasis("anna", "90-90", 0.35, 62.0)
    analysis = session(1, trial(1, 200.0))
    headers, rows, notes = summary_table(analysis, basis=basis)
    assert headers[-2:] == ("peak torque N·m", "N·m/kg")
    assert rows[0][-2:] == ("70.0", "1.13")  # 200 N × 0.35 m = 70 N·m; ÷ 62 kg
    assert notes == ["torque: lever arm 0.35 m at 90-90 from athlete anna, body mass 62 kg"]
    torque = analysis_to_dict(analysis, basis)["efforts"][0]["torque"]
    assert torque["peak_torque_nm"] == 70.0 and torque["lever_arm_m"] == 0.35
    assert analysis_to_dict(analysis)["efforts"][0]["torque"] is None  # no lever arm: none
