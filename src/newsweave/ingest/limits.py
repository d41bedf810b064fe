"""Bounded reading: no input, compressed or not, can make newsweave read more than it allows."""

from __future__ import annotations

import gzip
import zlib
from typing import BinaryIO

from newsweave.errors import InputError
from newsweave.ingest.sniff import GZIP_MAGIC

MiB = 1024 * 1024


def read_capped(stream: BinaryIO, cap: int, source: str, what: str = "input") -> bytes:
    """Return all of ``stream`` if it is at most ``cap`` bytes; raise ``InputError`` otherwise."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise InputError(source, f"{what} is over the {_size(cap)} limit; raise it with --max-bytes if it is right")
    return data


def gunzip_capped(data: bytes, cap: int, source: str) -> bytes:
    """Return ``data`` decompressed if it is gzip, stopping (with an error) at ``cap`` decompressed bytes.

    A 10 KB gzip bomb that expands to gigabytes costs at most ``cap`` bytes of memory.
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    out = bytearray()
    decompressor = zlib.decompressobj(wbits=31)
    pending = data
    try:
        while True:
            out += decompressor.decompress(pending, cap + 1 - len(out))
            if len(out) > cap:
                raise InputError(source, f"decompresses to more than {_size(cap)}; refusing (a gzip bomb?)")
            if decompressor.eof:
                pending = decompressor.unused_data
                if not pending.startswith(GZIP_MAGIC):
                    return bytes(out)  # trailing bytes after the last member are ignored, as gzip(1) does
                decompressor = zlib.decompressobj(wbits=31)
            else:
                pending = decompressor.unconsumed_tail
                if not pending:
                    raise InputError(source, "truncated gzip data")
    except zlib.error as error:
        raise InputError(source, f"corrupt gzip data ({error})") from error


def open_decompressed(stream: BinaryIO) -> BinaryIO:
    """Return a stream of the decompressed bytes if ``stream`` is gzip (read lazily), else ``stream``."""
    head = stream.read(2)
    stream.seek(0)
    if head == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


def _size(count: int) -> str:
    return f"{count / MiB:.0f} MiB" if count >= MiB else f"{count} bytes"
