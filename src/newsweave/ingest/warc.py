"""WARC and WARC.gz (Common Crawl's CC-NEWS): HTML responses, streamed record by record."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from newsweave.errors import InputError
from newsweave.ingest.html import html_document
from newsweave.records import Problem, RawDocument

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(stream: BinaryIO, source: str, max_record_bytes: int) -> Iterator[RawDocument | Problem]:
    """Yield the article of every HTML response record; a bad record is a Problem, not the end of the batch.

    A record is named ``FILE#OFFSET`` (its byte offset in the file), so it can be found again.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = ArchiveIterator(stream)
    offset = 0
    try:
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            status = record.http_headers.get_statuscode() or ""
            if not content_type.startswith(_HTML_TYPES) or not status.startswith("2"):
                continue
            body = record.content_stream().read(max_record_bytes + 1)
            # warcio knows a record's offset only once its content has been read.
            offset = records.get_record_offset()
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


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
