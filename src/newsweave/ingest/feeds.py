"""RSS and Atom feeds: each entry becomes an article from its content (or, asked to, its linked page)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from newsweave.errors import InputError
from newsweave.ingest.html import fragment_text
from newsweave.records import Hints, Origin, Problem, RawDocument


def feed_entries(data: bytes, source: str) -> tuple[str | None, list[Any]]:
    """Return the feed's title and its entries; raise ``InputError`` for a feed with none that is broken."""
    import feedparser

    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.entries:
        if parsed.bozo:
            raise InputError(source, f"malformed feed ({parsed.get('bozo_exception')}); no entry could be read")
        raise InputError(source, "the feed has no entries")
    title = parsed.feed.get("title") if parsed.feed else None
    return (str(title) if title else None), list(parsed.entries)


def read_feed(data: bytes, source: str) -> Iterator[RawDocument | Problem]:
    """Yield one document per feed entry, from the entry's own content or summary."""
    try:
        feed_title, entries = feed_entries(data, source)
    except InputError as error:
        yield Problem(error.source, error.reason)
        return
    for index, entry in enumerate(entries):
        where = f"{source}#entry{index + 1}"
        html = _entry_html(entry)
        text = fragment_text(html) if html else ""
        if not text.strip():
            yield Problem(where, "the entry has no content or summary; use --fetch to read the linked page")
            continue
        yield RawDocument(Origin(where, "feed", "utf-8"), text, entry_hints(entry, feed_title))


def entry_links(data: bytes, source: str) -> tuple[str | None, list[tuple[str, Hints]]]:
    """Return the feed's title and, for each entry with a link, the link and the entry's metadata."""
    feed_title, entries = feed_entries(data, source)
    return feed_title, [(str(e.link), entry_hints(e, feed_title)) for e in entries if e.get("link")]


def entry_hints(entry: Any, feed_title: str | None) -> Hints:
    """Return what a feed entry says about its article: title, link, date, authors, summary."""
    parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
    moment = datetime.fromtimestamp(calendar.timegm(parsed_time), UTC) if parsed_time else None
    authors = tuple(str(a.get("name")) for a in entry.get("authors", []) if a.get("name"))
    return Hints(
        outlet=feed_title,
        title=str(entry.get("title")) if entry.get("title") else None,
        url=str(entry.get("link")) if entry.get("link") else None,
        date_publish=moment,
        authors=authors,
        source_id=str(entry.get("id")) if entry.get("id") else None,
    )


def _entry_html(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    if contents:
        return str(max(contents, key=len))
    return str(entry.get("summary") or "")
