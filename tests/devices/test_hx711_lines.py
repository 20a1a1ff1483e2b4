"""HX711 text lines, as the Arduino examples in device-protocols.md §16 print them."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoforce.core.samples import SampleBlock
from isoforce.devices import hx711_lines
from isoforce.devices.base import DeviceMessage
from isoforce.devices.hx711_lines import Hx711LineDecoder, detect_format


def run(
    data: bytes, cuts: list[int] | None = None, **kw: object
) -> tuple[list[object], Hx711LineDecoder]:
    dec = Hx711LineDecoder(**kw)  # type: ignore[arg-type]
    if cuts is None:
        return dec.feed(0.0, data), dec
    out: list[object] = []
    i = 0
    for c in [*cuts, len(data)]:
        out += dec.feed(0.0, data[i : i + c])
        i += c
        if i >= len(data):
            break
    return out, dec


def samples(items: list[object], channel: str = "load_raw") -> list[float]:
    return [
        v
        for b in items
        if isinstance(b, SampleBlock) and b.has(channel)
        for v in b.column(channel).tolist()
    ]


# Lines exactly as each example prints them (Serial.print / println: CR LF line ends).
BOGDE_BASIC = b"HX711 reading: 84123\r\nHX711 reading: -8388608\r\nHX711 reading: 8388607\r\n"
OLKAL_1X = b"Starting...\r\nStartup is complete\r\nLoad_cell output val: 12.34\r\nLoad_cell output val: -0.05\r\n"
OLKAL_2X = b"Load_cell 1 output val: 1.50    Load_cell 2 output val: -2.25\r\n"
BOGDE_FULL = b"one reading:\t12.3\t| average:\t12.34567\r\n"


def test_bogde_basic_raw_counts_24_bit_range() -> None:
    items, dec = run(BOGDE_BASIC)
    assert samples(items) == [84123.0, -8388608.0, 8388607.0]
    assert dec.format is not None and dec.format.name == "bogde-basic"
    assert dec.stats.frames_ok == 3 and dec.stats.bytes_dropped == 0


def test_hx711_adc_one_cell_with_its_start_messages() -> None:
    items, dec = run(OLKAL_1X)
    assert samples(items) == [12.34, -0.05]
    texts = [m.text for m in items if isinstance(m, DeviceMessage) and m.kind == "text"]
    assert texts == ["Starting...", "Startup is complete"]
    assert dec.stats.other["text_lines"] == 2 and dec.stats.bytes_dropped == 0


def test_hx711_adc_two_cells() -> None:
    items, _ = run(OLKAL_2X)
    assert samples(items) == [1.5] and samples(items, "load2_raw") == [-2.25]


def test_bogde_full_example_reading_and_average() -> None:
    items, _ = run(BOGDE_FULL)
    assert samples(items) == [12.3] and samples(items, "load_avg_raw") == [12.34567]


@pytest.mark.parametrize("sep", [b",", b";", b"\t", b" "])
def test_plain_numbers_one_and_two_cells(sep: bytes) -> None:
    items, _ = run(b"12\n-3.5\n" + b"7" + sep + b"-8\n")
    assert samples(items) == [12.0, -3.5, 7.0]
    assert samples(items, "load2_raw") == [-8.0]


def test_lf_only_and_crlf_line_ends_are_equal() -> None:
    a, _ = run(BOGDE_BASIC)
    b, _ = run(BOGDE_BASIC.replace(b"\r\n", b"\n"))
    assert samples(a) == samples(b)


def test_warnings_are_messages_not_samples() -> None:
    items, _ = run(b"HX711 not found.\r\nTimeout, check MCU>HX711 wiring and pin designations\r\n")
    assert [m.kind for m in items if isinstance(m, DeviceMessage)] == ["warning", "warning"]
    assert samples(items) == []


def test_noise_before_a_line_and_truncated_lines_are_dropped_and_counted() -> None:
    data = (
        b"HX711 reading: 1\r\n"
        + b"\x9f\x80ab  "  # noise before a labelled line: dropped, the reading kept
        + b"HX711 reading: 2\r\n"
        + b"HX711 reading: 3"  # cut off; the next line follows on the same text line
        + b"HX711 reading: 4\r\n"
        + b"HX711 re\x88ding: 5\r\n"  # noise inside: the whole line goes
        + b"HX711 reading: 6\r\n"
    )
    items, dec = run(data)
    assert samples(items) == [1.0, 2.0, 4.0, 6.0]
    assert dec.stats.bytes_dropped == 6 + 16 + 18
    assert dec.stats.resyncs == 3
    assert dec.stats.other["rejected_lines"] == 1


def test_a_first_line_of_digits_before_labelled_lines_is_a_cut_off_tail() -> None:
    """The port opened in the middle of ``HX711 reading: 84009``: the ``9`` is not a reading."""
    items, dec = run(b"9\r\nHX711 reading: 84067\r\nHX711 reading: 84070\r\n")
    assert samples(items) == [84067.0, 84070.0]
    assert dec.stats.frames_ok == 2 and dec.stats.bytes_dropped == 3
    assert dec.stats.other["rejected_lines"] == 1
    # alone in its chunk (at 80 Hz a serial read brings one line), the tail is held to the next
    for cuts in ([3], [2, 3, 10]):
        items, dec = run(b"9\r\nHX711 reading: 84067\r\nHX711 reading: 84070\r\n", cuts=cuts)
        assert samples(items) == [84067.0, 84070.0] and dec.stats.frames_ok == 2
    # a stream that ends after its first bare line keeps it
    dec = Hx711LineDecoder()
    assert samples(dec.feed(0.0, b"9\r\n")) == [] and samples(dec.flush(1.0)) == [9.0]
    # a stream of bare numbers keeps its first line, alone in its chunk or not
    assert samples(run(b"9\r\n10\r\n")[0]) == [9.0, 10.0]
    assert samples(run(b"9\r\n10\r\n", cuts=[3])[0]) == [9.0, 10.0]
    # only the stream's first line is in doubt
    assert samples(run(b"HX711 reading: 5\r\n9\r\nHX711 reading: 6\r\n")[0]) == [5.0, 9.0, 6.0]


def test_after_noise_a_bare_number_is_not_trusted() -> None:
    items, dec = run(b"12\n\x9f34\n56\n")
    assert samples(items) == [12.0, 56.0]
    assert dec.stats.bytes_dropped == 4


def test_a_partial_line_left_by_a_stopped_device_is_dropped() -> None:
    dec = Hx711LineDecoder()
    first = dec.feed(0.0, b"12\n34")
    out = dec.feed(5.0, b"5\n")  # seconds later: "34" was cut off, "5" is a new reading
    assert samples(first + out) == [12.0, 5.0]
    assert dec.stats.bytes_dropped == 2


def test_binary_data_is_dropped_without_growing_the_buffer() -> None:
    dec = Hx711LineDecoder()
    for _ in range(100):
        dec.feed(0.0, bytes(range(0, 256)).replace(b"\n", b""))
    assert dec.pending_bytes <= 256
    assert dec.stats.frames_ok == 0


def test_host_times_strictly_increase_when_lines_arrive_together() -> None:
    dec = Hx711LineDecoder(nominal_rate_hz=80.0)
    a = dec.feed(10.0, b"1\n2\n3\n")
    b = dec.feed(10.001, b"4\n5\n")
    t = np.concatenate([x.t_s for x in a + b if isinstance(x, SampleBlock)])
    host = np.concatenate([x.t_host_s for x in a + b if isinstance(x, SampleBlock)])
    assert t[0] == 0.0 and np.all(np.diff(t) > 0)
    assert host[2] == 10.0 and host[-1] == pytest.approx(10.001)
    assert host[1] == pytest.approx(10.0 - 1 / 80)


def test_detect_format() -> None:
    fmt = detect_format(b"xx\r\nLoad_cell output val: 1.00\r\n")
    assert fmt is not None and fmt.name == "hx711adc-1x"
    assert detect_format(b"\x00\x01\x02") is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(1, 80), max_size=20))
def test_random_bytes_never_raise_and_every_byte_is_accounted(data: bytes, cuts: list[int]) -> None:
    items, dec = run(data, cuts)
    assert all(np.isfinite(v) for v in samples(items))
    assert dec.stats.bytes_dropped <= len(data)


line_values = st.lists(st.integers(-8388608, 8388607), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    values=line_values,
    garbage=st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
    cuts=st.lists(st.integers(1, 50), max_size=30),
)
def test_valid_lines_after_garbage_are_all_recovered(
    values: list[int], garbage: bytes, cuts: list[int]
) -> None:
    body = b"".join(b"HX711 reading: %d\r\n" % v for v in values)
    items, dec = run(garbage + body, cuts)
    assert samples(items) == [float(v) for v in values]
    assert dec.stats.bytes_dropped == len(garbage)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-(10**9), 10**9).map(str), st.floats(-1e6, 1e6).map(lambda f: f"{f:.3f}")
        ),
        min_size=1,
        max_size=50,
    ),
    prefix=st.sampled_from(["HX711 reading: ", "Load_cell output val: ", ""]),
    crlf=st.booleans(),
    extra=st.sampled_from([b"", b"Tare complete\r\n", b"\x9f\r\n", b" 5 \r\n"]),
    cuts=st.lists(st.integers(1, 400), max_size=8),
    numpy_from=st.sampled_from([1, hx711_lines.BULK_LINES]),
)
def test_bulk_path_equals_line_by_line_path(
    values: list[str], prefix: str, crlf: bool, extra: bytes, cuts: list[int], numpy_from: int
) -> None:
    """``numpy_from``: whole numbers are parsed by numpy from 1 line a chunk, or as shipped."""
    end = "\r\n" if crlf else "\n"
    data = (
        "".join(f"{prefix}{v}{end}" for v in values).encode() + extra + (f"{prefix}1{end}").encode()
    )
    with mock.patch.object(hx711_lines, "BULK_LINES", numpy_from):
        fast_items, fast = run(data, cuts)
    slow_items, slow = run(data, cuts, fast_path=False)
    assert samples(fast_items) == samples(slow_items)
    assert fast.stats == slow.stats
