"""Athletes as a coach uses them: the installed console script in subprocesses.

Two athletes' data never mix: each runs a max test and the tension drill on the simulator,
and their maxima, drill references, history and sessions stay apart; the default athlete sees
neither. Remembered choices, torque in the report, export/import carrying the athlete, and
one-line errors for unknown or duplicate names.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.test_store_cli import ok, run, session_ids

SIM = ("--speed", "max", "--no-keys")


def _usage_error(res: subprocess.CompletedProcess[str], text: str) -> None:
    assert res.returncode == 2, res
    err = res.stderr
    assert "Traceback" not in err and text in err
    assert len(err.strip().splitlines()) <= 5  # one message (argparse adds its usage lines)


def test_two_athletes_never_mix(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(
        run(
            "athlete", "add", "anna", "--body-mass-kg", "62", "--lever-arm", "90-90=0.35", data=data
        )
    )
    ok(run("athlete", "add", "bob", data=data))

    anna_max = ok(
        run("drill", "run", "max-test", "--athlete", "anna", "--side", "left", *SIM, data=data)
    )
    assert "athlete: anna" in anna_max.stdout
    assert "MVIC for hip-ir left push @ 90-90" in anna_max.stdout

    # bob has no MVIC: his tension drill does not step in % of anna's
    bob = ok(
        run("drill", "run", "tension-drill", "--athlete", "bob", "--side", "left", *SIM, data=data)
    )
    assert "athlete: bob" in bob.stdout
    assert "MVIC" not in bob.stdout.split("isoforce 0.")[0]
    assert "none before this run, which measures it" in bob.stdout
    assert "pain-free max for hip-ir left push @ 90-90" in bob.stdout

    # anna's does, with the side she used last (remembered)
    anna = ok(run("drill", "run", "tension-drill", "--athlete", "anna", *SIM, data=data))
    assert "side: left (remembered)" in anna.stdout
    assert "in steps of % of the push MVIC" in anna.stdout

    hist_anna = ok(run("history", "--athlete", "anna", data=data)).stdout
    hist_bob = ok(run("history", "--athlete", "bob", data=data)).stdout
    assert "— MVIC" in hist_anna and "— pain-free max" in hist_anna
    assert "— MVIC" not in hist_bob and "— pain-free max" in hist_bob  # the series titles
    assert "no maxima" in ok(run("history", data=data)).stdout

    anna_ids = session_ids(
        ok(run("sessions", "--athlete", "anna", data=data)).stdout.split("\n", 1)[1]
    )
    bob_ids = session_ids(
        ok(run("sessions", "--athlete", "bob", data=data)).stdout.split("\n", 1)[1]
    )
    assert sorted(anna_ids) == [1, 3] and bob_ids == [2]
    assert "no sessions" in ok(run("sessions", data=data)).stdout

    listing = ok(run("athlete", "list", data=data)).stdout
    assert "anna     62 kg" in listing and "90-90 0.35 m" in listing and "side left" in listing

    # latest is per athlete; a session of another athlete is refused
    report = ok(run("report", "latest", "--athlete", "anna", data=data)).stdout
    assert report.startswith("session 3 ")
    assert "peak torque" in report and "lever arm 0.35 m at 90-90 from athlete anna" in report
    assert "N·m/kg" in report
    # the export's analysis carries the same torque with its source
    sidecar = tmp_path / "anna.csv"
    ok(run("export", "latest", "--athlete", "anna", "--out", str(sidecar), data=data))
    doc = json.loads((tmp_path / "anna.meta.json").read_text())
    torque = doc["analysis"]["efforts"][0]["torque"]
    assert torque["lever_arm_m"] == 0.35 and torque["athlete"] == "anna"
    assert torque["peak_torque_nm"] > 0 and torque["peak_torque_nm_per_kg"] > 0
    refused = run("report", "2", "--athlete", "anna", data=data)
    assert refused.returncode == 1 and "belongs to athlete 'bob'" in refused.stderr
    assert "another's needs --athlete" in run("export", "latest", data=data).stderr


def test_export_and_import_carry_the_athlete(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(run("athlete", "add", "bob", "--body-mass-kg", "80", data=data))
    ok(run("record", "--duration", "2", "--speed", "max", "--athlete", "bob", data=data))
    out = tmp_path / "bob.json"
    ok(
        run(
            "export", "latest", "--athlete", "bob", "--format", "json", "--out", str(out), data=data
        )
    )
    doc = json.loads(out.read_text().splitlines()[0])  # the manifest line
    assert doc["profile"]["name"] == "bob" and doc["profile"]["body_mass_kg"] == 80.0

    fresh = tmp_path / "fresh"
    imported = ok(run("import", str(out), data=fresh))
    assert "athlete bob" in imported.stdout
    assert session_ids(
        ok(run("sessions", "--athlete", "bob", data=fresh)).stdout.split("\n", 1)[1]
    ) == [1]
    assert "no sessions" in ok(run("sessions", data=fresh)).stdout

    other = tmp_path / "other"
    _usage_error(run("import", str(out), "--athlete", "carl", data=other), "no athlete 'carl'")
    ok(run("athlete", "add", "carl", data=other))
    assert "athlete carl" in ok(run("import", str(out), "--athlete", "carl", data=other)).stdout
    assert "bob" not in ok(run("athlete", "list", data=other)).stdout


def test_unknown_and_duplicate_athletes_are_one_line_errors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok(run("athlete", "add", "anna", data=data))
    _usage_error(run("athlete", "add", "anna", data=data), "exists already")
    _usage_error(
        run("athlete", "set", "zed", "--body-mass-kg", "70", data=data), "no athlete 'zed'"
    )
    _usage_error(
        run("drill", "run", "max-test", "--athlete", "zed", *SIM, data=data), "no athlete 'zed'"
    )
    _usage_error(run("history", "--athlete", "zed", data=data), "no athlete 'zed'")
    _usage_error(run("athlete", "add", "x", "--lever-arm", "90-90=9", data=data), "lever arm")
    # a single user never sees the concept
    single = tmp_path / "single"
    rec = ok(run("record", "--duration", "1", "--speed", "max", data=single))
    assert "athlete" not in rec.stdout + rec.stderr
