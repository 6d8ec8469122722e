"""HTTP wire formats, without I/O: response bodies decoded in bounded pieces, and Retry-After.

Used by ``fetch`` (bodies and 429/503) and the webhook channel (Retry-After), so neither
stage imports the other.

* ``decoder_for(content_encoding)`` gives a decoder for gzip (also multi-member), deflate
  (zlib-wrapped or raw, as servers send both) and brotli (when the installed ``brotli`` can
  bound its output) that yields at most ``PIECE`` decoded bytes at a time, so a caller
  counting a size cap stops a compression bomb with bounded memory.
* ``retry_after_seconds`` reads delta-seconds or an HTTP-date (RFC 9110 section 10.2.3).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

try:
    import brotli  # type: ignore[import-untyped]

    brotli.Decompressor().process(b"", output_buffer_limit=1)
    _BROTLI = True
except (ImportError, TypeError):  # no brotli, or one too old to bound its output
    _BROTLI = False

DECODE_ERRORS: tuple[type[Exception], ...] = (
    (zlib.error, brotli.error) if _BROTLI else (zlib.error,)
)

PIECE = 64 * 1024  # largest decoded piece held at once before the cap is checked


def accept_encoding() -> str:
    """The Accept-Encoding value for the codings ``decoder_for`` supports here."""
    return "gzip, deflate, br" if _BROTLI else "gzip, deflate"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), never negative."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# --------------------------------------------------------------------------- bounded decoders


class Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), PIECE):
            yield data[start : start + PIECE]


class _Zlib:
    """gzip (possibly multi-member) or deflate (zlib-wrapped or raw), at most PIECE at a time."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._d = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            if self._wbits == zlib.MAX_WBITS and not _looks_zlib_wrapped(data):
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)  # servers send raw deflate too
        while True:
            out = self._d.decompress(data, PIECE)
            if out:
                yield out
            if self._d.eof:
                data = self._d.unused_data
                if data and self._wbits != zlib.MAX_WBITS:
                    self._d = zlib.decompressobj(self._wbits)  # the next gzip member
                    continue
                return  # trailing bytes after a deflate stream are ignored
            data = self._d.unconsumed_tail
            if not data and len(out) < PIECE:
                return  # input used up and zlib holds nothing back (a full buffer might)


def _looks_zlib_wrapped(data: bytes) -> bool:
    return len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        # can_accept_more_data() turns true as soon as the input is taken, while decoded
        # output may still be pending: drain with empty input until a call yields nothing.
        out = self._d.process(data, output_buffer_limit=PIECE)
        while out:
            yield out
            if self._d.is_finished():
                return
            out = self._d.process(b"", output_buffer_limit=PIECE)


def decoder_for(encoding: str) -> Decoder | None:
    """The bounded decoder of a Content-Encoding value, or None when it is not supported."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1:
        coding = codings[0]
        if coding in ("gzip", "x-gzip"):
            return _Zlib(zlib.MAX_WBITS | 16)
        if coding == "deflate":
            return _Zlib(zlib.MAX_WBITS)
        if coding == "br" and _BROTLI:
            return _Brotli()
    return None
