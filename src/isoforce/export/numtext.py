"""Numbers to text for many rows at once, with numpy: the fast path of CSV and JSON exports.

Each column becomes a *field*: a list of ``uint32`` arrays, one per 4 bytes of text, holding
every row's text right-aligned and followed by its separator, with ``0`` bytes as padding
(little-endian: the first byte of the text is the lowest byte of a word). :func:`join_rows`
lays fields side by side and drops the padding in one vectorised step, so formatting costs a
few numpy operations per character position rather than Python work per value.

Fixed-point values are rounded half to even on ``value × 10^decimals`` (:func:`numpy.rint`),
so text written here and read back with ``float()`` formats to the same text again. NaN
becomes an empty field (or the given ``nan`` text, e.g. ``null`` in JSON); ``-0.00`` is written
``0.00``; values too large for 64-bit fixed point, and infinities, fall back to ``%f``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Words = NDArray[np.uint32]
Field = list[Words]
"""Text of one column: ``len(field)`` words of 4 bytes per row, first bytes first."""

_ZERO, _DOT, _MINUS = 48, 46, 45
_MAX_FIXED = 2.0**62
_U32_LIMIT = 2**32


_W = 4  # bytes per word


def _nwords(chars: int) -> int:
    return (chars + _W - 1) // _W


def _pattern(text: bytes, words: int) -> list[int]:
    """The words of ``text`` right-aligned in ``words`` words."""
    buf = bytes(words * _W - len(text)) + text
    return [int(w) for w in np.frombuffer(buf, dtype="<u4")]


class _Builder:
    """Accumulates characters into the words of a field, counting positions from the right."""

    def __init__(self, n: int, words: int) -> None:
        self.words = words
        self.acc: Field = [np.zeros(n, dtype=np.uint32) for _ in range(words)]

    def put(self, chars: NDArray[np.uint32] | int, pos: int) -> None:
        """OR ``chars`` (one byte per row) into character position ``pos`` from the right."""
        b = self.words * _W - 1 - pos
        shift = 8 * (b % _W)
        word = self.acc[b // _W]
        if isinstance(chars, int):
            word |= np.uint32(chars << shift)
        elif shift:
            word |= np.left_shift(chars, np.uint32(shift))
        else:
            word |= chars

    def put_rows(self, rows: NDArray[np.intp], char: int, pos: NDArray[np.int64]) -> None:
        """OR one character into some rows, each at its own position from the right."""
        b = self.words * _W - 1 - pos
        for j in range(self.words):
            sel = b // _W == j
            if sel.any():
                shifts = (8 * (b[sel] % _W)).astype(np.uint32)
                self.acc[j][rows[sel]] |= np.left_shift(np.uint32(char), shifts)

    def set_rows(self, rows: NDArray[np.intp], text: bytes) -> None:
        """Replace some rows with a fixed text."""
        for j, w in enumerate(_pattern(text, self.words)):
            self.acc[j][rows] = np.uint32(w)


def _digits_into(
    out: _Builder, values: NDArray[np.int64], pos: int, count: int, *, trim: bool
) -> tuple[int, NDArray[np.int64]]:
    """Write ``count`` decimal digits of ``values`` ending at character ``pos``.

    Returns the next position and each row's digit count; with ``trim`` leading zeros become
    padding (integer parts), without it they are written (fractions).
    """
    n = values.shape[0]
    small = n == 0 or int(values.max()) < _U32_LIMIT
    dt: type[np.unsignedinteger[Any]] = np.uint32 if small else np.uint64
    ten = dt(10)
    r: NDArray[Any] = values.astype(dt)
    ndig = np.ones(n, dtype=np.int64)
    for k in range(count):
        q = r // ten
        char = (r - q * ten).astype(np.uint32, copy=False) + np.uint32(_ZERO)
        if trim and k > 0:
            nz = r > 0
            char *= nz
            ndig += nz
        out.put(char, pos)
        pos += 1
        r = q
    return pos, ndig


def _sep_into(out: _Builder, sep: bytes) -> int:
    """Write ``sep`` at the end of every row; returns the position (from the right) after it."""
    for pos, ch in enumerate(reversed(sep)):
        out.put(ch, pos)
    return len(sep)


def _signed_into(
    out: _Builder, mag: NDArray[np.int64], neg: NDArray[np.bool_], pos: int, top: int
) -> None:
    """The digits of ``mag`` (at most ``top``) from ``pos`` on, a minus before them where ``neg``."""
    _, ndig = _digits_into(out, mag, pos, top, trim=True)
    if neg.any():
        rows = np.flatnonzero(neg)
        out.put_rows(rows, _MINUS, pos + ndig[rows])


def _int_digits(top: int) -> int:
    return len(str(max(0, top)))


def fixed(
    values: NDArray[np.floating], *, decimals: int, sep: bytes = b",", nan: bytes = b""
) -> Field:
    """Fixed-point text of each value with ``decimals`` digits after the point, then ``sep``."""
    v = np.asarray(values, dtype=np.float64)
    n = v.shape[0]
    finite = np.isfinite(v)
    scaled = np.where(finite, v, 0.0) * (10.0**decimals)
    odd = (~finite & ~np.isnan(v)) | (np.abs(scaled) >= _MAX_FIXED)
    ints = np.rint(np.where(odd, 0.0, scaled)).astype(np.int64)
    neg = ints < 0
    mag = np.abs(ints)
    unit = 10**decimals
    whole = mag // unit
    top = _int_digits(int(whole.max())) if n else 1
    chars = top + bool(neg.any()) + (decimals + 1 if decimals else 0)
    extra: list[tuple[int, bytes]] = []
    if odd.any():
        extra = [(int(i), (f"%.{decimals}f" % v[i]).encode()) for i in np.flatnonzero(odd)]
        chars = max(chars, *(len(t) for _, t in extra))
    width = _nwords(max(chars, len(nan)) + len(sep))
    out = _Builder(n, width)
    pos = _sep_into(out, sep)
    if decimals:
        pos, _ = _digits_into(out, mag - whole * unit, pos, decimals, trim=False)
        out.put(_DOT, pos)
        pos += 1
    _signed_into(out, whole, neg, pos, top)
    missing = np.flatnonzero(np.isnan(v))
    if missing.size:
        out.set_rows(missing, nan + sep)
    for i, text in extra:
        out.set_rows(np.array([i]), text + sep)
    return out.acc


def integers(
    values: NDArray[np.integer], *, sep: bytes = b",", blank: int | None = None, nan: bytes = b""
) -> Field:
    """Decimal text of integers then ``sep``; values equal to ``blank`` become ``nan``."""
    v = np.asarray(values, dtype=np.int64)
    n = v.shape[0]
    neg = v < 0
    mag = np.abs(v)
    top = _int_digits(int(mag.max())) if n else 1
    width = _nwords(max(top + bool(neg.any()), len(nan)) + len(sep))
    out = _Builder(n, width)
    _signed_into(out, mag, neg, _sep_into(out, sep), top)
    if blank is not None:
        hide = np.flatnonzero(v == blank)
        if hide.size:
            out.set_rows(hide, nan + sep)
    return out.acc


def lookup(
    codes: NDArray[np.integer], names: Sequence[bytes], *, sep: bytes = b",", missing: bytes = b""
) -> Field:
    """Text of small integer codes from a table of names; codes outside it become ``missing``."""
    table_names = [*names, missing]
    if any(b"\x00" in t for t in table_names):
        raise ValueError("names must not contain NUL bytes")
    width = _nwords(max(len(t) for t in table_names) + len(sep))
    table = np.array([_pattern(t + sep, width) for t in table_names], dtype=np.uint32)
    c = np.asarray(codes, dtype=np.int64)
    idx = np.where((c >= 0) & (c < len(names)), c, len(names))
    return [np.ascontiguousarray(table[idx, j]) for j in range(width)]


def constant(text: bytes, n: int, *, sep: bytes = b",") -> Field:
    """The same text on every row."""
    if b"\x00" in text:
        raise ValueError("text must not contain NUL bytes")
    width = _nwords(len(text) + len(sep))
    return [np.full(n, w, dtype=np.uint32) for w in _pattern(text + sep, width)]


def join_rows(fields: Sequence[Field]) -> bytes:
    """The rows' text: every field's words side by side, padding removed."""
    words = [w for f in fields for w in f]
    if not words:
        return b""
    n = words[0].shape[0]
    out = np.empty((n, len(words)), dtype="<u4")
    for j, w in enumerate(words):
        out[:, j] = w
    return out.tobytes().translate(None, b"\x00")


def csv_field(text: str) -> bytes:
    """One CSV text field as UTF-8, quoted if it holds a comma, quote or line break (RFC 4180)."""
    if any(c in text for c in ',"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text.encode("utf-8")
