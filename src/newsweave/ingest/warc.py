"""WARC and WARC.gz (Common Crawl's CC-NEWS): HTML responses, streamed record by record."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from newsweave.errors import InputError
from newsweave.ingest.html import html_document
from newsweave.records import Problem, RawDocument

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(
    stream: BinaryIO, source: str, max_record_bytes: int, *, base: int = 0, stop: int | None = None
) -> Iterator[RawDocument | Problem]:
    """Yield the article of every HTML response record; a bad record is a Problem, not the end of the batch.

    A record is named ``FILE#OFFSET`` (its byte offset in the file), so it can be found again.
    ``stream`` may start inside the file, at the record that starts at byte ``base`` (warcio counts
    offsets from the file's start); reading stops before the first record that starts at or after
    ``stop`` (``read_warc_range``).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = ArchiveIterator(stream)
    offset = base
    try:
        for record in records:
            if stop is not None and records.offset >= stop:
                return
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            status = record.http_headers.get_statuscode() or ""
            if not content_type.startswith(_HTML_TYPES) or not status.startswith("2"):
                continue
            body = record.content_stream().read(max_record_bytes + 1)
            # warcio knows a record's offset only once its content has been read.
            offset = records.get_record_offset()  # from the file's start, wherever the stream began
            where = f"{source}#{offset}"
            missing = getattr(record.raw_stream, "limit", 0)
            if len(body) <= max_record_bytes and missing > 0:
                yield Problem(where, f"truncated WARC record ({missing} bytes of it are missing); skipped")
                continue
            if len(body) > max_record_bytes:
                yield Problem(where, f"response body is over the {max_record_bytes // (1024 * 1024)} MiB limit")
                continue
            charset = _charset(content_type)
            try:
                yield html_document(body, where, url=record.rec_headers.get_header("WARC-Target-URI"), charset=charset)
            except InputError as error:
                yield Problem(error.source, error.reason)
    except (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError) as error:
        yield Problem(
            f"{source}#{offset}", f"malformed or truncated WARC record ({error}); the rest of the file was skipped"
        )


_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_START = b"WARC/1."
_SCAN = 1 << 20


def warc_ranges(path: Path, size: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` bytes covering the file; each record belongs to the range it starts in."""
    total = path.stat().st_size
    return [(start, min(start + size, total)) for start in range(0, total, size)] or [(0, 0)]


def read_warc_range(path: Path, start: int, end: int, max_record_bytes: int) -> Iterator[RawDocument | Problem]:
    """The documents of the records that start in ``[start, end)`` of a WARC or WARC.gz file, named as
    ``read_warc`` names them, so that the ranges of a file together read exactly what the whole file reads."""
    with path.open("rb") as handle:
        gzipped = handle.read(3) == _GZIP_MEMBER
        first = 0 if start == 0 else _record_start(handle, start, end, gzipped)
        if first is None or first >= end:
            return
        handle.seek(first)
        yield from read_warc(handle, str(path), max_record_bytes, base=first, stop=end)


def _record_start(handle: BinaryIO, position: int, end: int, gzipped: bool) -> int | None:
    """The offset of the first record that starts at or after ``position`` and before ``end``.

    A WARC.gz holds one gzip member per record: a record starts where a member starts whose first
    bytes inflate to "WARC/1."; an uncompressed WARC's records start with "WARC/1." after a newline.
    """
    marker = _GZIP_MEMBER if gzipped else _WARC_START
    at = position
    while at < end:
        handle.seek(at)
        window = handle.read(_SCAN + 16)
        if not window:
            return None
        found = window.find(marker)
        while found >= 0 and at + found < end:
            candidate = at + found
            if _is_record(handle, candidate, gzipped):
                return candidate
            found = window.find(marker, found + 1)
        at += _SCAN
    return None


def _is_record(handle: BinaryIO, offset: int, gzipped: bool) -> bool:
    handle.seek(max(0, offset - 2))
    data = handle.read(4096 + 2)
    before, data = (data[:2], data[2:]) if offset >= 2 else (b"\n", data[offset:])
    if not gzipped:
        return data.startswith(_WARC_START) and before.endswith(b"\n")
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, 16).startswith(_WARC_START)
    except zlib.error:
        return False


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
