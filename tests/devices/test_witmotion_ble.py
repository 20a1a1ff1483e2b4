"""WitMotion BLE 5.0 frames and commands (device-protocols.md §12, vendor SDK examples)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import witmotion_ble as wit
from isoforce.devices.base import DeviceMessage


def data_frame(*words: int) -> bytes:
    return b"\x55\x61" + struct.pack("<9h", *words)


def reply(first: int, *values: int) -> bytes:
    vals = (*values, *(0,) * (8 - len(values)))
    return b"\x55\x71" + first.to_bytes(2, "little") + struct.pack("<8h", *vals)


WORDS = (2048, -2048, 16384, 1000, -1000, 0, 16384, -8192, 32767)
EXPECTED = [
    *(2048 / 32768 * 16, -2048 / 32768 * 16, 16384 / 32768 * 16),
    *(1000 / 32768 * 2000, -1000 / 32768 * 2000, 0.0),
    *(16384 / 32768 * 180, -8192 / 32768 * 180, 32767 / 32768 * 180),
]


def samples(items: list[SampleBlock | DeviceMessage]) -> np.ndarray:
    got = [i for i in items if isinstance(i, SampleBlock)]
    return np.concatenate([b.values for b in got]) if got else np.empty((0, 9))


def test_data_frame_scales() -> None:
    dec = wit.WitMotionBleDecoder()
    values = samples(dec.feed(1.0, data_frame(*WORDS)))
    assert values.tolist() == [EXPECTED]
    assert dec.stats.frames_ok == 1
    assert wit.EXAMPLES == (data_frame(*WORDS),)


def test_frames_split_and_bursting_across_notifications() -> None:
    stream = data_frame(*WORDS) * 3 + reply(wit.REG_BATTERY, 395) + data_frame(*WORDS)
    dec = wit.WitMotionBleDecoder()
    items: list[SampleBlock | DeviceMessage] = []
    pieces = [stream[0:7], stream[7:31], stream[31:45], stream[45:80], stream[80:]]
    for i, piece in enumerate(pieces):
        items += dec.feed(float(i), piece)
    assert samples(items).tolist() == [EXPECTED] * 4
    messages = [i for i in items if isinstance(i, DeviceMessage)]
    assert [m.text for m in messages] == ["battery 3.95 V"]
    assert dec.registers[wit.REG_BATTERY].value(wit.REG_BATTERY) == 395
    assert dec.stats.bytes_dropped == 0


def test_garbage_is_skipped_and_counted() -> None:
    dec = wit.WitMotionBleDecoder()
    junk = b"\x00\x55\x12\x99"
    items = dec.feed(0.0, junk + data_frame(*WORDS) + b"\x55")
    items += dec.feed(0.1, b"\x61" + struct.pack("<9h", *WORDS))
    assert samples(items).tolist() == [EXPECTED] * 2
    assert dec.stats.bytes_dropped == len(junk)
    assert dec.stats.resyncs == 1


def test_a_header_must_be_followed_by_a_header() -> None:
    # 55 61 inside garbage followed by more garbage is not taken for a frame
    dec = wit.WitMotionBleDecoder()
    fake = b"\x55\x61" + bytes(18) + b"\x01\x02\x03"
    assert samples(dec.feed(0.0, fake + data_frame(*WORDS))).tolist() == [EXPECTED]


def test_short_frame_option_for_the_16_byte_reading() -> None:
    dec = wit.WitMotionBleDecoder(frame_bytes=16)
    values = samples(dec.feed(0.0, data_frame(*WORDS)[:16]))
    assert values[0, :7].tolist() == EXPECTED[:7]
    assert np.isnan(values[0, 7:]).all()
    with pytest.raises(ValueError, match="frame_bytes"):
        wit.WitMotionBleDecoder(frame_bytes=11)


def test_command_bytes_match_the_vendor_examples() -> None:
    assert wit.unlock() == bytes.fromhex("FF AA 69 88 B5")
    assert wit.save() == bytes.fromhex("FF AA 00 00 00")
    assert wit.read_register(wit.REG_BATTERY) == bytes.fromhex("FF AA 27 64 00")
    # the iOS example: FF AA 03 08 00 = 50 Hz, FF AA 03 06 00 = 10 Hz
    assert wit.write_register(wit.REG_RRATE, wit.rate_code(50)) == bytes.fromhex("FF AA 03 08 00")
    assert wit.write_register(wit.REG_RRATE, wit.rate_code(10)) == bytes.fromhex("FF AA 03 06 00")
    assert wit.set_rate_commands(100) == (
        bytes.fromhex("FF AA 69 88 B5"),
        bytes.fromhex("FF AA 03 09 00"),
        bytes.fromhex("FF AA 00 00 00"),
    )
    assert wit.rate_hz(0x0B) == 200 and wit.rate_hz(0x0C) is None
    with pytest.raises(ValueError, match="200"):
        wit.rate_code(33)


def test_register_replies() -> None:
    frame = reply(wit.REG_RRATE, 0x08, 0x06)
    r = wit.parse_register_reply(frame)
    assert r is not None and r.first == wit.REG_RRATE and r.value(wit.REG_RRATE) == 8
    assert r.value(0x04) == 6 and r.value(0x20) is None
    assert wit.describe_register(r) == "output rate 50 Hz"
    assert wit.find_register_reply(data_frame(*WORDS) + frame, wit.REG_RRATE) == r
    assert wit.find_register_reply(frame, wit.REG_BATTERY) is None
    assert wit.parse_register_reply(data_frame(*WORDS)) is None
    assert wit.describe_register(wit.RegisterReply(wit.REG_TEMPERATURE, (2512,))) == (
        "temperature 25.12 °C"
    )
