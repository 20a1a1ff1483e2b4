"""The example frames in firmware_notes/frame-format.md decode to what the page says."""

from __future__ import annotations

import re

import numpy as np

from isoforce.core.samples import SampleBlock
from isoforce.devices import isoforce_ble
from isoforce.devices.base import DeviceMessage
from isoforce.devices.isoforce_frame import IsoforceFrameDecoder
from tests.firmware.firmware_build import FIRMWARE


def page_examples() -> list[bytes]:
    text = (FIRMWARE / "frame-format.md").read_text(encoding="utf-8")
    section = text.split("## Examples", 1)[1].split("\n## ", 1)[0]
    return [bytes.fromhex(h) for h in re.findall(r"`([0-9a-f]{24,})`", section)]


def test_examples_decode_as_documented() -> None:
    frames = page_examples()
    assert len(frames) == 4
    dec = IsoforceFrameDecoder()
    items = dec.feed(0.0, b"".join(frames))
    assert dec.stats.bytes_dropped == 0 and dec.stats.samples_lost == 0
    blocks = [i for i in items if isinstance(i, SampleBlock)]
    assert blocks[0].column("load_raw").tolist() == [-123456.0, -123400.0]
    assert np.allclose(blocks[0].t_s, [0.0, 0.0125])
    full = blocks[1]
    assert full.values[0].tolist() == [84123.0, 0.0, -1.0, 1.0, 1.0, -1.0, 0.008, 10.0]
    assert full.t_s[0] == 25_000 * 1e-6  # device µs since the first frame
    assert [i.text for i in items if isinstance(i, DeviceMessage)] == ["ok tare 5000"]


def test_the_ble_device_module_quotes_the_page() -> None:
    assert set(isoforce_ble.EXAMPLES) <= set(page_examples())
