r"""HX711 load cells over USB serial as text lines: the formats of the common Arduino examples.

A DIY rig is usually a load cell, an HX711 amplifier and an Arduino printing one line per sample
(``firmware_notes/`` and device-protocols.md §16 list the sources). Lines recognised::

    HX711 reading: <n>                                   bogde/HX711 basic example, raw counts
    Load_cell output val: <x>                            olkal/HX711_ADC Read_1x, user units
    Load_cell 1 output val: <a>    Load_cell 2 output val: <b>       HX711_ADC Read_2x, two cells
    one reading:\t<x>\t| average:\t<y>                  bogde/HX711 full example, user units
    <x>            or      <a>,<b>  <a>;<b>  <a>\t<b>  <a> <b>       plain numbers, one or two cells

Lines end in ``\r\n`` or ``\n``. None of these carry a device clock, so samples are stamped
with host arrival time (:class:`~isoforce.core.host_time.HostTimeline`). Values go to the
channel ``load_raw`` (second cell or the average: ``load2_raw`` / ``load_avg_raw``); whether
they are ADC counts or the sketch's own units, the isoforce calibration maps them to newtons.

Garbage never raises. A line is kept when it parses completely; non-printable bytes in front of
a line (noise, a wrong baud rate, a boot message) and a truncated line in front of a labelled one
are dropped and counted, as is a stream's first line of bare digits when a labelled line follows
it (the port opened in the middle of ``HX711 reading: 84009`` and caught ``9``; that line is
held, across chunks, until the next sample line or message decides); a line with noise inside
it is dropped whole (after noise, only a labelled reading is trusted: a bare number there may be
the tail of a damaged one). Clean lines that are not samples ("Tare complete", "HX711 not
found.") become :class:`DeviceMessage` items. A number that overflows to infinity or exceeds
``MAX_ABS_VALUE`` drops its line (``stats.non_finite``, ``stats.out_of_range``). Text has no
checksum: a corrupted digit that stays a digit cannot be detected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from isoforce.core.samples import FloatArray, SampleBlock
from isoforce.devices.base import (
    TEXT_KIND,
    DeviceMessage,
    HostTimedDecoder,
    plausible_rows,
)

NEWLINE = b"\n"
CARRIAGE_RETURN = b"\r"
CR_LF = b"\r\n"
#: A buffer this long without a newline is not a text line (binary data or a wrong baud rate).
MAX_LINE_BYTES = 256
#: Bytes of an over-long unterminated buffer kept in case a real line starts near its end.
OVERFLOW_KEEP_BYTES = 96
#: A partial line of bare numbers older than this when more bytes arrive was cut off (device
#: stopped or reconnected): "12" + "345" would otherwise read as 12345. Labelled lines need no
#: such guess (the label shows where a reading starts), so a stalled reader never loses them.
STALE_PARTIAL_S = 2.0
DEFAULT_RATE_HZ = 80.0
#: Beyond any 24-bit ADC count and any sketch's own unit: a larger reading is a damaged line.
MAX_ABS_VALUE = float(2**31)
#: Characters a number may contain (checked before numpy parses a whole chunk at once).
_NUMBER_CHARS = b"0123456789+-.eE"
#: Characters of whole numbers: a chunk of nothing else is parsed in one go.
_INTEGER_CHARS = b"0123456789+-"
#: Whole numbers longer than this are left to float() (int64 holds 18 digits safely).
MAX_INT_DIGITS = 18
#: From this many lines in a chunk whole numbers are parsed by numpy at once; fewer go through
#: float() one by one, which is faster below about 250 lines (numpy's fixed cost is ~50 µs; a
#: board at 80 Hz brings one line a read).
BULK_LINES = 200

_NUM = rb"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
#: Everything up to and including the last byte that is not printable ASCII or a tab.
_JUNK = re.compile(rb"(?:.*[^\x20-\x7e\t])?", re.DOTALL)
_WARNING_WORDS = re.compile(rb"not found|timeout|error|fail", re.IGNORECASE)
#: Rows of consecutive samples with the same channels (an array on the fast path).
_Run = tuple[FloatArray | list[tuple[float, ...]], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class LineFormat:
    """One recognised line layout: its name, pattern, output channels and optional fixed prefix.

    ``labelled`` formats may follow a truncated line on the same text line (matched by search);
    plain-number formats must fill the whole line. ``prefix`` enables the bulk fast path.
    """

    name: str
    description: str
    pattern: re.Pattern[bytes]
    channels: tuple[str, ...]
    labelled: bool
    prefix: bytes | None = None


FORMATS: tuple[LineFormat, ...] = (
    LineFormat(
        "bogde-basic",
        "HX711 reading: <n> (bogde/HX711 basic example, raw ADC counts)",
        re.compile(rb"HX711 reading:\s*" + _NUM + rb"\s*$"),
        ("load_raw",),
        labelled=True,
        prefix=b"HX711 reading: ",
    ),
    LineFormat(
        "hx711adc-2x",
        "Load_cell 1/2 output val (olkal/HX711_ADC Read_2x, two cells, sketch units)",
        re.compile(
            rb"Load_cell 1 output val:\s*"
            + _NUM
            + rb"\s+Load_cell 2 output val:\s*"
            + _NUM
            + rb"\s*$"
        ),
        ("load_raw", "load2_raw"),
        labelled=True,
    ),
    LineFormat(
        "hx711adc-1x",
        "Load_cell output val: <x> (olkal/HX711_ADC Read_1x, sketch units)",
        re.compile(rb"Load_cell output val:\s*" + _NUM + rb"\s*$"),
        ("load_raw",),
        labelled=True,
        prefix=b"Load_cell output val: ",
    ),
    LineFormat(
        "bogde-full",
        "one reading | average (bogde/HX711 full example, sketch units)",
        re.compile(rb"one reading:\s*" + _NUM + rb"\s*\|\s*average:\s*" + _NUM + rb"\s*$"),
        ("load_raw", "load_avg_raw"),
        labelled=True,
    ),
    LineFormat(
        "plain",
        "one number per line",
        re.compile(rb"\s*" + _NUM + rb"\s*"),
        ("load_raw",),
        labelled=False,
        prefix=b"",
    ),
    LineFormat(
        "plain-2",
        "two numbers per line (two cells)",
        re.compile(rb"\s*" + _NUM + rb"\s*[,;\t ]\s*" + _NUM + rb"\s*"),
        ("load_raw", "load2_raw"),
        labelled=False,
    ),
)


class Hx711LineDecoder(HostTimedDecoder):
    """Streaming decoder for HX711 text lines; never raises, counts every byte it drops.

    ``stats.resyncs`` counts runs of dropped bytes between good lines; ``stats.other`` holds
    ``text_lines`` (clean non-sample lines) and ``rejected_lines`` (lines dropped whole).
    """

    COUNTERS = ("text_lines", "rejected_lines")
    NOMINAL_RATE_HZ = DEFAULT_RATE_HZ

    def __init__(self, *, nominal_rate_hz: float = DEFAULT_RATE_HZ, fast_path: bool = True) -> None:
        super().__init__(nominal_rate_hz=nominal_rate_hz)
        self.format: LineFormat | None = None
        self._fast_path = fast_path
        #: Whether the stream has given a sample line yet (its first may be a cut-off tail).
        self._seen_sample = False
        #: The stream's first line when it is a bare number: held (across chunks: at 80 Hz a
        #: read brings one line) until the next sample line shows whether lines are labelled.
        self._held: tuple[LineFormat, tuple[float, ...], int] | None = None
        self._last_t_host = -np.inf

    @property
    def pending_bytes(self) -> int:
        """Bytes of an unfinished line held back for the next chunk."""
        return len(self._buf)

    def feed(self, t_host_s: float, data: bytes) -> list[SampleBlock | DeviceMessage]:
        """Consume a chunk; return the blocks and messages of the lines it completed, in order."""
        labelled = self.format is not None and self.format.labelled
        if self._buf and not labelled and t_host_s - self._last_t_host > STALE_PARTIAL_S:
            self._drop(len(self._buf))
            self._buf.clear()
        self._last_t_host = t_host_s
        self._buf += data
        end = self._buf.rfind(NEWLINE)
        if end < 0:
            self._limit_partial()
            return []
        complete = bytes(self._buf[: end + 1])
        del self._buf[: end + 1]
        self._limit_partial()
        fast = self._fast(complete) if self._fast_path else None
        if fast is not None:
            channels = self.format.channels if self.format is not None else ("load_raw",)
            return list(self._blocks(t_host_s, [(fast, channels)]))
        return self._slow(t_host_s, complete)

    def flush(self, t_host_s: float) -> list[SampleBlock | DeviceMessage]:
        """End of stream: an unterminated last line may be cut short; drop and count it.

        A held first line (a bare number no later line confirmed or refuted) is kept.
        """
        self._drop(len(self._buf))
        self._buf.clear()
        return self._slow(t_host_s, b"", final=True) if self._held is not None else []

    # -- the bulk path: a whole chunk of lines of the current single-value format ------------

    def _fast(self, complete: bytes) -> FloatArray | None:
        """All lines in the current single-value format, or None (then the general path runs).

        Checks the structure with whole-buffer operations: one line end per line, the prefix at
        the start of every line, and nothing but number characters besides the prefixes.
        """
        fmt = self.format
        if fmt is None or fmt.prefix is None:
            return None
        n = complete.count(NEWLINE)
        crs = complete.count(CARRIAGE_RETURN)
        if crs and (crs != n or complete.count(CR_LF) != n):
            return None
        prefix = fmt.prefix
        if prefix and (
            not complete.startswith(prefix) or complete.count(NEWLINE + prefix) != n - 1
        ):
            return None
        # besides one prefix per line, only number characters: then every line is prefix+number
        values = None
        whole = _INTEGER_CHARS + CR_LF
        if n >= BULK_LINES and complete.translate(None, whole) == prefix.translate(None, whole) * n:
            values = _integers(complete, len(prefix), n)  # raw counts: parsed by numpy at once
        if values is None:
            allowed = _NUMBER_CHARS + CR_LF
            if complete.translate(None, allowed) != prefix.translate(None, allowed) * n:
                return None
            parts = complete.split(prefix)[1:] if prefix else complete.split(NEWLINE)[:-1]
            try:  # float() takes bytes and ignores the line end
                values = np.fromiter(map(float, parts), dtype=np.float64, count=n)
            except ValueError:
                return None
        if not (np.abs(values) <= MAX_ABS_VALUE).all():  # also False for NaN
            return None  # the line-by-line path counts the refused lines by reason
        self.stats.frames_ok += n
        self._in_sync = True
        return values.reshape(n, 1)

    # -- the general path: line by line ------------------------------------------------------

    def _slow(
        self, t_host_s: float, complete: bytes, *, final: bool = False
    ) -> list[SampleBlock | DeviceMessage]:
        runs: list[_Run] = []
        order: list[SampleBlock | DeviceMessage | int] = []
        rows: list[tuple[float, ...]] = []
        channels: tuple[str, ...] = ()

        def close_run() -> None:
            nonlocal rows
            if rows:
                runs.append((rows, channels))
                order.append(len(runs) - 1)
                rows = []

        def add(fmt: LineFormat, values: tuple[float, ...]) -> None:
            nonlocal channels
            if fmt is not self.format:
                close_run()
                self.format = fmt
                order.append(DeviceMessage(t_host_s, "format", fmt.description))
            elif fmt.channels != channels:
                close_run()
            channels = fmt.channels
            rows.append(values)

        # The stream's first line may be the tail of one the port opened in the middle of: a
        # bare number there is held until the next sample line shows whether lines are labelled
        held, self._held = self._held, None
        for raw_line in complete.split(NEWLINE)[:-1]:
            size = len(raw_line) + 1
            line = raw_line[:-1] if raw_line.endswith(CARRIAGE_RETURN) else raw_line
            parsed = self._parse(line, size)
            if parsed is None:
                continue
            if isinstance(parsed, DeviceMessage):
                if held is not None:
                    add(*held[:2])
                    held = None
                close_run()
                order.append(DeviceMessage(t_host_s, parsed.kind, parsed.text))
                continue
            fmt, values = parsed
            if not self._seen_sample:
                self._seen_sample = True
                if not fmt.labelled:
                    held = (fmt, values, size)
                    continue
            if held is not None:
                if fmt.labelled:  # digits in front of labelled lines: a cut-off reading's tail
                    self.stats.frames_ok -= 1
                    self._reject(held[2])
                else:
                    add(*held[:2])
                held = None
            add(fmt, values)
        if held is not None:
            if final:
                add(*held[:2])
            else:
                self._held = held  # no sample line after it yet: the next chunk decides
        close_run()
        blocks = self._blocks(t_host_s, runs)
        return [blocks[item] if isinstance(item, int) else item for item in order]

    def _parse(
        self, line: bytes, size: int
    ) -> tuple[LineFormat, tuple[float, ...]] | DeviceMessage | None:
        """One line (without terminator; ``size`` counts it): a sample, a message or nothing."""
        junk = _JUNK.match(line)
        skip = junk.end() if junk else 0
        text = line[skip:]
        for fmt in FORMATS:
            if skip and not fmt.labelled:
                continue  # after noise only a label proves where a reading starts
            match = fmt.pattern.search(text) if fmt.labelled else fmt.pattern.fullmatch(text)
            if match is None:
                continue
            lead = text[: match.start()]
            if skip or lead.strip():
                skip += len(lead)
            if skip:
                self._drop(skip)
            values = tuple(float(g) for g in match.groups())
            if not plausible_rows(self.stats, np.array([values]), max_abs=MAX_ABS_VALUE)[0]:
                self._reject(size - skip)
                return None
            self._in_sync = True
            self.stats.frames_ok += 1
            return fmt, values
        if skip:
            self._reject(size)
            return None
        if not text.strip():
            return None
        self.stats.other["text_lines"] += 1
        kind = "warning" if _WARNING_WORDS.search(text) else TEXT_KIND
        return DeviceMessage(0.0, kind, text.decode("ascii").strip())

    def _blocks(
        self,
        t_host_s: float,
        runs: list[tuple[np.ndarray | list[tuple[float, ...]], tuple[str, ...]]],
    ) -> list[SampleBlock]:
        total = sum(len(rows) for rows, _ in runs)
        t_s, t_host = self._timeline.stamp(t_host_s=t_host_s, count=total)
        out: list[SampleBlock] = []
        start = 0
        for rows, channels in runs:
            n = len(rows)
            values = np.asarray(rows, dtype=np.float64).reshape(n, len(channels))
            out.append(
                SampleBlock(
                    t_s=t_s[start : start + n],
                    t_host_s=t_host[start : start + n],
                    values=values,
                    channels=channels,
                )
            )
            start += n
        return out

    def _limit_partial(self) -> None:
        if len(self._buf) > MAX_LINE_BYTES:
            cut = len(self._buf) - OVERFLOW_KEEP_BYTES
            self._drop(cut)
            del self._buf[:cut]

    def _reject(self, count: int) -> None:
        self.stats.other["rejected_lines"] += 1
        self._drop(count)


def _integers(data: bytes, skip: int, n: int) -> FloatArray | None:
    """Parse ``n`` lines of ``skip`` prefix bytes, ``[-+]digits`` and a line end, vectorised.

    None if any line does not fit (the caller then parses number by number).
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    ends_nl = np.flatnonzero(buf == ord(NEWLINE))
    if ends_nl.shape[0] != n:
        return None
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends_nl[:-1] + 1
    ends = ends_nl - (buf[ends_nl - 1] == ord(CARRIAGE_RETURN))
    first = starts + skip
    negative = buf[first] == ord("-")
    first = first + (negative | (buf[first] == ord("+")))
    width = ends - first
    if width.min() < 1 or width.max() > MAX_INT_DIGITS:
        return None
    w = int(width.max())
    idx = ends[:, None] - w + np.arange(w)
    inside = idx >= first[:, None]
    digits = np.where(inside, buf[np.where(inside, idx, 0)].astype(np.int64) - ord("0"), 0)
    if ((digits < 0) | (digits > 9)).any():
        return None
    magnitude = digits @ (10 ** np.arange(w - 1, -1, -1, dtype=np.int64))
    return np.where(negative, -magnitude, magnitude).astype(np.float64)


def detect_format(data: bytes) -> LineFormat | None:
    """The format of the first sample line in ``data``, if any (for scanning ports)."""
    dec = Hx711LineDecoder(fast_path=False)
    dec.feed(0.0, data)
    return dec.format
