"""End to end: drills on the simulator over several weeks, then ``isoforce history``.

The drills run in this process (``isoforce.cli.main``) with the store's clock set to chosen
days, so the sessions and the maxima they store fall in different ISO weeks. The simulated
athlete presses the pain key above ``--sim-pain-at``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from isoforce.cli import main

LEFT = ("--side", "left", "--device", "sim", "--speed", "max", "--no-keys", "--seed", "3")


def _drill(
    capsys: pytest.CaptureFixture[str], clock: list[str], day: str, name: str, *extra: str
) -> str:
    clock[0] = f"{day}T18:00:00.000+01:00"
    assert main(["drill", "run", name, *LEFT, *extra]) == 0
    return capsys.readouterr().out


def _history(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["history", *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def _push(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = _history(capsys, "--json")
    assert code == 0
    keys = json.loads(out)["keys"]
    (push,) = [k for k in keys if k["direction"] == "push" and k["side"] == "left"]
    return dict(push)


@pytest.mark.slow
def test_weeks_of_drills_give_the_history_table_and_the_suggestions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clock = ["2026-11-16T18:00:00.000+01:00"]
    monkeypatch.setattr("isoforce.recording.store_writer.now_iso", lambda: clock[0])

    # no data yet
    code, out, _ = _history(capsys)
    assert code == 0 and "no maxima" in out

    # week 47: the tension drill finds a pain-free max, then a clean PAILs/RAILs session
    _drill(capsys, clock, "2026-11-16", "tension-drill")
    push = _push(capsys)
    assert push["suggestion"]["action"] == "start"
    max_n = push["pain_free_max_n"]
    assert max_n > 0
    _drill(capsys, clock, "2026-11-19", "pails-rails-hip")
    push = _push(capsys)
    assert push["suggestion"]["action"] == "raise"
    assert push["suggestion"]["target_pct"] == 55.0
    assert push["suggestion"]["target_n"] == pytest.approx(0.55 * max_n)

    # week 48: pain at the 50 % hold → keep 50 %, and the pain-free max is lowered
    out = _drill(capsys, clock, "2026-11-24", "pails-rails-hip", "--sim-pain-at", "45")
    assert "lowered after pain" in out
    # the drill offered the last suggestion before it started, without applying it
    assert (
        "last suggestion for hip-ir left push @ 90-90: raise the hold target by 5 % (to 55 % of "
        f"the {max_n:.0f} N pain-free max)"
    ) in out
    assert "(not applied: this drill runs the targets in its file)" in out
    push = _push(capsys)
    assert push["suggestion"]["action"] == "keep"
    assert push["suggestion"]["text"] == "keep 50 % — pain at 50 % on 24 Nov"
    assert push["pain_free_max_n"] < max_n

    # week 49: pain again → two painful sessions in a row lower the target. The simulated
    # athlete's threshold is % of its own strength, and the targets now sit on the lowered
    # max, so it is made more sensitive to feel pain at all
    _drill(capsys, clock, "2026-12-01", "pails-rails-hip", "--sim-pain-at", "15")
    push = _push(capsys)
    assert push["suggestion"]["action"] == "lower"
    assert push["suggestion"]["target_pct"] == 45.0
    assert [w["week"] for w in push["weeks"]] == ["2026-W47", "2026-W48", "2026-W49"]
    w47, w48, w49 = push["weeks"]
    assert w47["sessions"] == 2 and w47["pains"] == [] and w47["in_band_pct"] > 50
    assert w47["pain_free_max_n"] == pytest.approx(max_n)
    # the % is of that session's max, said in newtons: the max shown now is the lowered one
    assert w48["pains"] == [f"pain at 50 % of {max_n:.0f} N on 24 Nov"]
    assert w48["pain_free_max_lowered_by_pain"] == 1
    assert w49["pains"] and all(p.startswith("pain at ") for p in w49["pains"])
    assert w49["pains"][0].endswith(" on 1 Dec")

    # the text: the week table with its date range, and the suggestion with its reason
    code, out, _ = _history(capsys)
    assert code == 0
    assert "hip-ir left push @ 90-90 — week by week" in out
    assert "2026-W48  23–29 Nov 2026" in out
    assert "(lowered by pain)" in out
    assert (
        "next session (pails-rails-hip): lower to 45 % (45 % of the "
        f"{push['pain_free_max_n']:.0f} N pain-free max) — painful in 2 sessions in a row "
        "(last: pain at "
    ) in out

    # the user's own rule: one painful session already lowers, and by 10 points
    rule = tmp_path / "mine.toml"
    rule.write_text("painful_sessions_to_lower = 1\nlower_by_pct = 10\n", encoding="utf-8")
    code, out, _ = _history(capsys, "--rule", str(rule))
    assert code == 0
    assert f"rule: {rule}" in out
    assert "lower to 40 %" in out

    # a bad rule file: one clear line, no traceback
    rule.write_text("lower_by_pct = 90\n", encoding="utf-8")
    code, out, err = _history(capsys, "--rule", str(rule))
    assert code != 0
    assert err.strip() == (
        f"isoforce: error: {rule}:1: lower_by_pct: must be between 0.5 and 50, got 90"
    )
