"""Telling serial devices apart from a second of bytes."""

import struct

import numpy as np

from isoforce.devices.isoforce_frame import encode_frames as iso_frames
from isoforce.devices.isoforce_frame import encode_text
from isoforce.devices.registry import DECODERS, DEVICES, new_decoder
from isoforce.devices.serial_specs import SERIAL_DEVICES, SERIAL_PROFILES, identify
from isoforce.devices.witmotion_uart import encode_frames as wit_frames


def test_every_serial_device_is_registered_with_a_decoder_and_bauds() -> None:
    for spec in SERIAL_DEVICES:
        assert DEVICES[spec.key] is spec and spec.key in DECODERS
        assert new_decoder(spec.key).stats.frames_ok == 0
        profile = SERIAL_PROFILES[spec.key]
        assert profile.bauds[0] == profile.default_baud


def test_identify_each_family_and_reject_noise() -> None:
    rng = np.random.default_rng(0)
    hx = b"".join(b"HX711 reading: %d\r\n" % v for v in range(84000, 84040))
    wit = (
        b"".join(
            wit_frames(type_code=t, words=rng.integers(-32768, 32767, (1, 4)))
            for t in (0x51, 0x52, 0x53)
        )
        * 20
    )
    iso = iso_frames(
        seq=np.arange(40),
        t_us=np.arange(40) * 12500,
        names=("load_raw",),
        values=rng.normal(0, 1e5, (40, 1)),
    )
    for data, key in ((hx, "hx711"), (wit[5:], "witmotion"), (iso[7:], "isoforce-serial")):
        found = identify(data)
        assert found is not None and found.device == key, (key, found)
    assert identify(rng.integers(0, 256, 2000, dtype=np.uint8).tobytes()) is None
    assert identify(b"") is None


def test_isoforce_text_frames_become_messages() -> None:
    from isoforce.devices.base import DeviceMessage
    from isoforce.devices.isoforce_frame import IsoforceFrameDecoder, crc16_ccitt

    frame = encode_text("ok tare 84123")
    assert frame[:4] == b"\xa5\x5a\x02\x0d"
    assert struct.unpack("<H", frame[-2:])[0] == crc16_ccitt(frame[2:-2])
    dec = IsoforceFrameDecoder()
    out = dec.feed(1.0, frame + frame[:5])
    assert out == [DeviceMessage(1.0, "text", "ok tare 84123")]
    assert dec.stats.bytes_dropped == 0 and dec.pending_bytes == 5
