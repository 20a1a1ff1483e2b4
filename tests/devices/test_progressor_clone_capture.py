"""The real Progressor-clone capture in ../shared decodes to the values written in its comments.

The capture (never copied into the project; the test skips without ../shared) is an nRF Connect
log of the Crimpdeq firmware's data-point notifications: 14-byte notifications whose length
byte says 8 (4 zero pad bytes), at about 10 samples/s. Its last comment line lists what each
line decodes to, as ``kg/µs`` pairs; the decoder must reproduce them (kg to the 3 decimals
given, µs exactly) and report the pad bytes, not drop them as garbage.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices.progressor import ProgressorDecoder
from isoforce.units import N_PER_KGF
from tests.paths import THIRDPARTY_DATA

pytestmark = pytest.mark.shared_data

CAPTURE = THIRDPARTY_DATA / "progressor_clone_nrfconnect_log" / "crimpdeq_pr18_notifications.txt"


def read_capture() -> tuple[list[tuple[float, bytes]], list[tuple[float, int]]]:
    """``(host seconds, notification bytes)`` per log line and the ``(kg, µs)`` pairs commented."""
    if not CAPTURE.is_file():
        pytest.skip("../shared/thirdparty-data is not available")
    lines: list[tuple[float, bytes]] = []
    comments: list[str] = []
    for line in CAPTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comments.append(line)
            continue
        if not line.strip():
            continue
        stamp, hexes = line.split("\t")
        h, m, s = stamp.split(":")
        lines.append(
            (int(h) * 3600 + int(m) * 60 + float(s), bytes.fromhex(hexes.replace("-", "")))
        )
    decoded_from = next(i for i, c in enumerate(comments) if "Decoded" in c)
    text = " ".join(comments[decoded_from:])
    pairs = [(float(kg), int(us)) for kg, us in re.findall(r"(-?\d+\.\d+)/(\d+)", text)]
    return lines, pairs


def test_capture_decodes_to_its_comments() -> None:
    lines, expected = read_capture()
    assert len(lines) == len(expected) == 7
    dec = ProgressorDecoder()
    blocks: list[SampleBlock] = []
    for t_host, data in lines:
        assert len(data) == 14 and data[1] == 8  # the padding the decoder must accept
        blocks += [b for b in dec.feed(t_host, data) if isinstance(b, SampleBlock)]
    force_n = np.concatenate([b.column("force_n") for b in blocks])
    kg = force_n / N_PER_KGF
    assert np.round(kg, 3).tolist() == [e[0] for e in expected]
    t_s = np.concatenate([b.t_s for b in blocks])
    first_us = expected[0][1]
    assert np.allclose(t_s, [(us - first_us) * 1e-6 for _, us in expected], atol=1e-9)
    # device time spacing ≈ 103.4 ms (≈ 9.67 Hz): the HX711 at 10 SPS
    assert np.allclose(np.diff(t_s), 0.1034, atol=0.0005)
    assert dec.stats.other["padding_bytes"] == 4 * 7
    assert dec.stats.bytes_dropped == 0 and dec.stats.other["restarts"] == 0
