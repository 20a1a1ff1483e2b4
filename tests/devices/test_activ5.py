"""Activ5 ASCII messages (device-protocols.md §10): ``IS<value>/…`` framed by 0x12 … 0x13."""

from __future__ import annotations

from isoforce.core.samples import SampleBlock
from isoforce.devices import activ5
from isoforce.devices.base import DeviceMessage

N_PER_COUNT = 1.08625263633  # ActivBody's legacy constant


def forces(items: list[SampleBlock | DeviceMessage]) -> list[float]:
    return [v for i in items if isinstance(i, SampleBlock) for v in i.column("force_n").tolist()]


def test_documented_example_and_commands() -> None:
    assert activ5.EXAMPLES == (b"\x12IS250/IS\x13",)
    assert forces(activ5.Activ5Decoder().feed(0.0, activ5.EXAMPLES[0])) == [250 * N_PER_COUNT]
    assert [w.data for w in activ5.PROFILE.start] == [b"ATVGTIME\x13", b"AISOM!\x13"]
    assert [w.data for w in activ5.PROFILE.stop + activ5.PROFILE.tare] == [
        b"ASTOP!\x13",
        b"ATARE!\x13",
    ]


def test_messages_cut_and_merged() -> None:
    dec = activ5.Activ5Decoder()
    stream = b"\x12TC5k;2.1.7\x13" + b"".join(b"\x12IS%d/IS\x13" % v for v in (0, 17, -3, 1234))
    got: list[float] = []
    texts: list[str] = []
    for i in range(0, len(stream), 5):
        items = dec.feed(i * 0.01, stream[i : i + 5])
        got += forces(items)
        texts += [m.text for m in items if isinstance(m, DeviceMessage)]
    assert got == [v * N_PER_COUNT for v in (0, 17, -3, 1234)]
    assert texts == ["2.1.7"]
    assert dec.flush(1.0) == [] and dec.stats.bytes_dropped == 0


def test_garbage_is_dropped_and_counted() -> None:
    dec = activ5.Activ5Decoder()
    assert dec.feed(0.0, bytes(range(200))) == []
    assert dec.stats.bytes_dropped > 0
    assert forces(dec.feed(0.1, b"\x12IS99999/IS\x13\x12IS5/IS\x13")) == [5 * N_PER_COUNT]
    assert dec.stats.out_of_range == 1


def test_recognised_by_its_service() -> None:
    from isoforce.devices.ble_specs import recognise

    profile = recognise(name="ACTIV5-0A1B", service_uuids=[activ5.SERVICE_UUID.upper()])
    assert profile is not None and profile.key == "activ5"
    assert recognise(name="ACTIV5-0A1B", service_uuids=[]) is None
