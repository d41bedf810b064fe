"""Readers: turn inputs (files, folders, globs, URLs, stdin) into ``RawDocument`` records.

The kind of an input is told from its content (``sniff.py``), not its name: scraped text, HTML, RSS/Atom,
WARC(.gz), JSON Lines, JSON, or a list of URLs; gzip is opened transparently. Every reader streams and
bounds what it reads, and turns each bad input or record into a ``Problem`` that names it.
"""

from __future__ import annotations

import dataclasses
import glob
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import types
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from newsweave.errors import InputError
from newsweave.ingest.decode import decode
from newsweave.ingest.limits import MiB, gunzip_capped, open_decompressed, read_capped
from newsweave.ingest.sniff import GZIP_MAGIC, HEAD_BYTES, Kind, sniff
from newsweave.records import Hints, Origin, Problem, RawDocument

log = logging.getLogger(__name__)
SIDECAR_SUFFIX = ".meta.json"
UNEXPECTED = "unexpected error in a reader"
STDIN = "-"
# Extensions read when a folder is walked; a file named explicitly is always tried, whatever its name.
ARTICLE_SUFFIXES = frozenset(
    {".txt", ".text", "", ".html", ".htm", ".xhtml", ".xml", ".rss", ".atom", ".warc", ".jsonl", ".ndjson", ".json",
     ".gz", ".urls"}
)  # fmt: skip
Source = Path | str


@dataclass(frozen=True)
class IngestConfig:
    """Limits, network policy and outside metadata for reading inputs."""

    # A news article is rarely above 200 KB of text; 10 MiB leaves room for long pages and stops a
    # mislabelled dump or a disk image from being read into memory. WARC and JSON Lines files may be
    # any size: the limit applies to each record in them.
    max_bytes: int = 10 * MiB
    outlet: str | None = None
    fetch: bool = False  # feed entries: read the linked page instead of the entry's own content
    allow_private: bool = False  # URLs: allow private, loopback and link-local addresses


def is_url(item: str | Path) -> bool:
    """Return True for an http(s) address."""
    return isinstance(item, str) and item.lower().startswith(("http://", "https://"))


def discover(inputs: Iterable[str | Path]) -> Iterator[Source | Problem]:
    """Yield the sources named by ``inputs`` (files, folders, globs, URLs, ``-``), or a Problem for each miss.

    Folders are walked recursively in name order; hidden files, sidecars and files whose extension is not
    an article type are reported as skipped.
    """
    for item in inputs:
        if is_url(item) or item == STDIN:
            yield str(item)
            continue
        path = Path(item)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield path
        elif glob.has_magic(str(item)):
            matches = sorted(glob.glob(str(item), recursive=True))
            if not matches:
                yield Problem(str(item), "no file matches this pattern")
            for match in matches:
                yield from discover([match]) if Path(match).is_dir() else iter([Path(match)])
        else:
            yield Problem(str(item), "no such file or folder")


def _walk(folder: Path) -> Iterator[Path | Problem]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.is_dir():
            continue
        if path.name.endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            reason = f"not an article file type ({path.suffix}); name it explicitly to read it"
            yield Problem(str(path), reason, "skipped")
            continue
        yield path


def read_source(source: Source, config: IngestConfig = IngestConfig()) -> Iterator[RawDocument | Problem]:
    """Yield every document of one source, and a Problem for each part of it that could not be read."""
    if isinstance(source, str) and is_url(source):
        yield from read_urls([source], config)
        return
    if source == STDIN:
        yield from _read_stdin(config)
        return
    path = Path(source)
    try:
        with path.open("rb") as handle:
            yield from _read_stream(handle, str(path), config, sidecar=path)
    except InputError as error:
        yield Problem(error.source, error.reason)
    except OSError as error:
        yield Problem(str(path), f"cannot read the file ({error.strerror or error})")
    except Exception as error:  # a parser's bug must cost one input, not the batch
        log.exception("unexpected error while reading %s", path)
        yield Problem(str(path), f"{UNEXPECTED} ({type(error).__name__}: {error}); please report it")


def kind_of(path: Path) -> Kind | None:
    """What a file holds, told from its first bytes (gzip opened), or None when it cannot be read."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            handle.seek(0)
            if head.startswith(GZIP_MAGIC):
                head = _gunzip_head(handle, str(path))
            return sniff(head) if head.strip() else None
    except (OSError, InputError):
        return None


def _read_stdin(config: IngestConfig) -> Iterator[RawDocument | Problem]:
    # Spooled so that a WARC piped in is streamed from disk, not held in memory.
    with tempfile.SpooledTemporaryFile(max_size=8 * MiB) as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        spool.seek(0)
        try:
            yield from _read_stream(spool, "<stdin>", config, sidecar=None)  # type: ignore[arg-type]
        except InputError as error:
            yield Problem(error.source, error.reason)


def _read_stream(
    handle: BinaryIO, source: str, config: IngestConfig, *, sidecar: Path | None
) -> Iterator[RawDocument | Problem]:
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    if not head.strip():
        raise InputError(source, "empty file: there is no text to read")
    compressed = head.startswith(GZIP_MAGIC)
    if compressed:
        head = _gunzip_head(handle, source)
    kind = sniff(head)
    if kind == "warc":
        from newsweave.ingest.warc import read_warc

        yield from read_warc(handle, source, config.max_bytes)  # warcio reads .warc.gz itself
        return
    if kind == "jsonl":
        from newsweave.ingest.jsonl import read_jsonl

        yield from read_jsonl(open_decompressed(handle), source, config.max_bytes)
        return
    data = _read_whole(handle, source, config.max_bytes, compressed)
    hints = read_sidecar(sidecar) if sidecar is not None else Hints()
    for document in read_document(data, kind, source, config):
        if isinstance(document, RawDocument):
            document = dataclasses.replace(document, hints=merge_hints(hints, document.hints, config))
        yield document


def read_document(data: bytes, kind: Kind, source: str, config: IngestConfig) -> Iterator[RawDocument | Problem]:
    """Yield the documents in ``data``, an input of ``kind`` that fits in memory."""
    if kind == "html":
        from newsweave.ingest.html import html_document

        yield html_document(data, source)
    elif kind == "feed":
        yield from _read_feed(data, source, config)
    elif kind == "json":
        from newsweave.ingest.jsonl import read_json

        yield from read_json(data, source)
    elif kind == "jsonl":
        from newsweave.ingest.jsonl import read_jsonl

        yield from read_jsonl(io.BytesIO(data), source, config.max_bytes)
    elif kind == "urls":
        urls = [line.strip() for line in decode(data, source)[0].splitlines() if line.strip()]
        yield from read_urls(urls, config)
    elif kind == "warc":
        from newsweave.ingest.warc import read_warc

        yield from read_warc(io.BytesIO(data), source, config.max_bytes)
    else:
        text, encoding = decode(data, source)
        yield RawDocument(Origin(source, "text", encoding), text)


def _read_feed(data: bytes, source: str, config: IngestConfig) -> Iterator[RawDocument | Problem]:
    from newsweave.ingest.feeds import entry_links, read_feed

    if not config.fetch:
        yield from read_feed(data, source)
        return
    try:
        _, links = entry_links(data, source)
    except InputError as error:
        yield Problem(error.source, error.reason)
        return
    hints_of = dict(links)
    for document in read_urls([link for link, _ in links], config, follow_feeds=False):
        if isinstance(document, RawDocument):
            entry = hints_of.get(document.origin.location, Hints())
            document = dataclasses.replace(document, hints=_prefer(document.hints, entry))
        yield document


def read_urls(
    urls: Iterable[str], config: IngestConfig, *, follow_feeds: bool = True
) -> Iterator[RawDocument | Problem]:
    """Yield the documents at ``urls``, fetched concurrently with the fetcher's limits and address checks."""
    from newsweave.ingest.fetch import FetchConfig, fetch_many

    fetch_config = FetchConfig(max_bytes=config.max_bytes, allow_private=config.allow_private)
    for page in fetch_many(urls, fetch_config):
        if isinstance(page, Problem):
            yield page
            continue
        kind = sniff(page.body[:HEAD_BYTES])
        if kind == "feed" and not follow_feeds:
            yield Problem(page.url, "the link points at another feed; not followed")
            continue
        if kind == "html":
            from newsweave.ingest.html import html_document

            try:
                yield html_document(page.body, page.url, url=page.final_url, charset=page.charset)
            except InputError as error:
                yield Problem(error.source, error.reason)
        else:
            try:
                yield from read_document(page.body, kind, page.url, config)
            except InputError as error:
                yield Problem(error.source, error.reason)


def _gunzip_head(handle: BinaryIO, source: str) -> bytes:
    """Return the first decompressed bytes of a gzip stream; a damaged tail is the reader's business."""
    raw = handle.read(64 * 1024)
    handle.seek(0)
    try:
        head = zlib.decompressobj(wbits=31).decompress(raw, HEAD_BYTES)
    except zlib.error as error:
        raise InputError(source, f"corrupt gzip data ({error})") from error
    if not head:
        raise InputError(source, "corrupt gzip data (nothing could be decompressed)")
    return head


def _read_whole(handle: BinaryIO, source: str, cap: int, compressed: bool) -> bytes:
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, io.UnsupportedOperation):
        size = 0
    if size > cap:
        raise InputError(
            source,
            f"file is {size / MiB:.1f} MiB, over the {cap / MiB:.0f} MiB limit for one article; "
            "raise the limit with --max-bytes if it really is one article",
        )
    data = read_capped(handle, cap, source, "file")
    return gunzip_capped(data, cap, source) if compressed else data


def merge_hints(sidecar: Hints, found: Hints, config: IngestConfig) -> Hints:
    """Return the metadata of a document: CLI options over the sidecar over what its reader found."""
    merged = _prefer(sidecar, found)
    return dataclasses.replace(merged, outlet=config.outlet) if config.outlet else merged


def _prefer(first: Hints, second: Hints) -> Hints:
    """Return ``first`` with its empty fields filled from ``second``."""
    values = {
        field.name: getattr(first, field.name) or getattr(second, field.name) for field in dataclasses.fields(Hints)
    }
    return Hints(**values)


def read_sidecar(path: Path) -> Hints:
    """Return the metadata in ``<file>.meta.json`` beside ``path`` (news-please field names), if any."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return Hints()
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(str(sidecar), f"metadata sidecar is not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise InputError(str(sidecar), "metadata sidecar must be a JSON object")
    return hints_from_mapping(data, str(sidecar))


def hints_from_mapping(data: dict[str, object], source: str) -> Hints:
    """Return Hints from news-please style fields; ``outlet`` is accepted beside ``source_domain``."""
    known = {"outlet", "title", "url", "source_domain", "date_publish", "authors", "language", "description"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(source, f"unknown metadata field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    strings = {key: data[key] for key in known - {"authors", "date_publish"} if key in data}
    for key, value in strings.items():
        if value is not None and not isinstance(value, str):
            raise InputError(source, f"metadata field {key!r} must be a string")
    authors = data.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(name, str) for name in authors):
        raise InputError(source, "metadata field 'authors' must be a list of names")
    date = data.get("date_publish")
    moment: datetime | None = None
    if date is not None:
        if not isinstance(date, str):
            raise InputError(source, "metadata field 'date_publish' must be an ISO 8601 string")
        try:
            moment = datetime.fromisoformat(date)
        except ValueError as error:
            raise InputError(source, f"date_publish {date!r} is not ISO 8601 (e.g. 2018-03-28T01:09+01:00)") from error
    return Hints(
        outlet=_str(strings.get("outlet")),
        title=_str(strings.get("title")),
        url=_str(strings.get("url")),
        source_domain=_str(strings.get("source_domain")),
        date_publish=moment,
        authors=tuple(authors),
        language=_str(strings.get("language")),
        description=_str(strings.get("description")),
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


class _Package(types.ModuleType):
    """This package, callable as ``newsweave.ingest(...)``.

    ``newsweave.ingest`` names both the public function (``pipeline.ingest``) and this package:
    once the package is imported, Python sets the attribute to it, so calling it must still work.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from newsweave.pipeline import ingest

        return ingest(*args, **kwargs)


sys.modules[__name__].__class__ = _Package
