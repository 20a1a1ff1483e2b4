"""Recognising BLE devices from what they advertise, and the registry's BLE entries."""

from __future__ import annotations

import pytest

from isoforce.core.samples import SampleBlock
from isoforce.devices import ble_specs as bs
from isoforce.devices import forceboard, isoforce_ble, progressor, wh_c06, witmotion_ble
from isoforce.devices.ble_profile import BleDeviceModule
from isoforce.devices.registry import DEVICES, new_decoder

WH_PAYLOAD = wh_c06.EXAMPLES[0]


@pytest.mark.parametrize(
    ("name", "uuids", "mfr", "key"),
    [
        ("Progressor_7E12", [], {}, "progressor"),
        (None, ["7e4e1701-1ea6-40c9-9dcc-13d34ffead57"], {}, "progressor"),  # clone, no name
        ("Force Board", [], {}, "forceboard"),
        ("IF_B7", [], {0x0100: WH_PAYLOAD}, "wh-c06"),
        (None, [], {0x0100: WH_PAYLOAD}, "wh-c06"),
        ("WT901BLE68", [], {}, "witmotion-ble"),
        (None, ["0000ffe5-0000-1000-8000-00805f9a34fb"], {}, "witmotion-ble"),
        ("isoforce", ["6e400001-b5a3-f393-e0a9-e50e24dcca9e"], {}, "isoforce-ble"),
        ("ENTRALPI", ["0000181d-0000-1000-8000-00805f9b34fb"], {}, "entralpi"),  # not a SIG scale
        ("ENTRALPI", [], {}, "entralpi"),
        ("Climbro_3F2A", [], {}, "climbro"),
        ("Motherboard", ["6e400001-b5a3-f393-e0a9-e50e24dcca9e"], {}, "motherboard"),
        ("FrezDyno-0042", [], {}, "frez-dyno"),
        (None, ["da8a6c41-154b-4b9a-9b00-2f84dfcebfe9"], {}, "frez-dyno"),
        ("Bathroom scale", ["0000181d-0000-1000-8000-00805f9b34fb"], {}, "sig-weight-scale"),
        (None, ["0000181d-0000-1000-8000-00805f9b34fb"], {}, "sig-weight-scale"),
    ],
)
def test_recognised(name: str | None, uuids: list[str], mfr: dict[int, bytes], key: str) -> None:
    profile = bs.recognise(name=name, service_uuids=uuids, manufacturer_data=mfr)
    assert profile is not None and profile.key == key


@pytest.mark.parametrize(
    ("name", "uuids", "mfr"),
    [
        ("Nordic_UART", ["6e400001-b5a3-f393-e0a9-e50e24dcca9e"], {}),  # NUS is generic
        ("Motherboard", [], {}),  # the Motherboard's name without its NUS service
        (None, ["49535343-fe7d-4ae5-8fa9-9fafd205e455"], {}),  # any Microchip module, unnamed
        ("FrezDyno", [], {}),
        ("isoforce", [], {}),  # our name without our service
        ("TomTom watch", [], {0x0100: WH_PAYLOAD}),  # company 0x0100 is TomTom's
        ("IF_B7", [], {0x0100: b"\x01\x02"}),  # too short to hold a reading
        ("Forceboard", [], {}),
        (None, [], {}),
    ],
)
def test_not_recognised(name: str | None, uuids: list[str], mfr: dict[int, bytes]) -> None:
    assert bs.recognise(name=name, service_uuids=uuids, manufacturer_data=mfr) is None


def test_registry_has_every_ble_device_with_its_decoder() -> None:
    for key, profile in bs.BLE_PROFILES.items():
        spec = DEVICES[key]
        assert spec.transport == "ble"
        assert type(new_decoder(key)) is type(profile.decoder())
    assert DEVICES["witmotion-ble"].force_channel is None
    assert DEVICES["wh-c06"].nominal_rate_hz <= 2.0  # stated honestly
    assert DEVICES["isoforce-ble"].n_per_count is None  # raw counts: needs a calibration


def test_each_device_module_declares_its_spec_profile_and_examples() -> None:
    assert [m.SPEC.key for m in bs.BLE_DEVICE_MODULES] == list(bs.BLE_PROFILES)
    for module in bs.BLE_DEVICE_MODULES:
        assert module.PROFILE.key == module.SPEC.key
        assert module.SPEC.transport == "ble" and module.EXAMPLES


@pytest.mark.parametrize("module", bs.BLE_DEVICE_MODULES, ids=lambda m: m.SPEC.key)
def test_every_example_is_one_clean_sample(module: BleDeviceModule) -> None:
    per_example = getattr(module, "EXAMPLE_SAMPLES", 1)  # a Frez Dyno notification holds nine
    for example in module.EXAMPLES:
        decoder = module.PROFILE.decoder()
        items = decoder.feed(0.0, example) + decoder.flush(0.0)
        blocks = [i for i in items if isinstance(i, SampleBlock)]
        assert sum(len(b) for b in blocks) == per_example, example.hex(" ")
        assert decoder.stats.bytes_dropped == 0 and decoder.stats.samples_lost == 0


def test_profiles_use_the_documented_commands() -> None:
    prog = progressor.PROFILE
    assert [w.data for w in prog.start] == [b"\x65"] and prog.start[0].response
    assert [w.data for w in prog.tare] == [b"\x64"]
    fb = forceboard.PROFILE
    assert [(w.char_uuid[:8], w.data) for w in fb.start + fb.stop + fb.tare] == [
        ("467a8517", b"\x04"),
        ("467a8517", b"\x07"),
        ("9a88d683", b"\x01"),
    ]
    assert wh_c06.PROFILE.notify_uuid is None and wh_c06.PROFILE.company_id == 0x0100
    nus = isoforce_ble.PROFILE
    assert [w.data for w in nus.start + nus.stop + nus.tare] == [b"s\n", b"x\n", b"t\n"]
    rate = witmotion_ble.PROFILE.rate
    assert rate is not None
    assert [w.data.hex() for w in rate.commands(50)] == ["ffaa6988b5", "ffaa030800", "ffaa000000"]
