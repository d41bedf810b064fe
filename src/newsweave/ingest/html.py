"""HTML pages: main text and metadata by trafilatura, publication time from the page's own markup."""

from __future__ import annotations

import re
from datetime import datetime

from newsweave.errors import InputError
from newsweave.ingest.decode import decode
from newsweave.records import Hints, Origin, RawDocument

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# Where news sites state the publication time, most specific first.
_META_TIME = re.compile(
    r"""<meta\s[^>]*?(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|og:published_time|
    datePublished|pubdate|publishdate|publish[-_]date|dc\.date(?:\.issued)?|dcterms\.created|sailthru\.date|
    parsely-pub-date|date)["'][^>]*?content\s*=\s*["']([^"']+)["']""",
    re.IGNORECASE | re.VERBOSE,
)
_META_TIME_REVERSED = re.compile(
    r"""<meta\s[^>]*?content\s*=\s*["']([^"']+)["'][^>]*?(?:property|name|itemprop)\s*=\s*["']
    (?:article:published_time|og:published_time|datePublished|pubdate)["']""",
    re.IGNORECASE | re.VERBOSE,
)
_JSON_LD_TIME = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_TIME_TAG = re.compile(r"""<time[^>]+datetime\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|$|[-_])")


def html_document(data: bytes, source: str, *, url: str | None = None, charset: str | None = None) -> RawDocument:
    """Return the main text and metadata of an HTML page; raise ``InputError`` if it has no article text."""
    markup, encoding = _decode_html(data, source, charset)
    import trafilatura  # imported here: lxml and trafilatura take ~0.3 s to load

    try:
        document = trafilatura.bare_extraction(
            markup,
            url=url,
            with_metadata=True,
            include_comments=False,  # reader comments are not the article
            include_images=False,
            include_links=False,
            favor_precision=True,  # captions and related links are chrome for us
        )
    except (ValueError, TypeError, RecursionError) as error:  # lxml's complaints about broken markup
        raise InputError(source, f"HTML could not be parsed ({error})") from error
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise InputError(source, "no article text found in the HTML (an index page, a login wall or an empty page?)")
    canonical = getattr(document, "url", None) or url
    authors = tuple(
        name.strip() for name in re.split(r";|\band\b", getattr(document, "author", None) or "") if name.strip()
    )
    hints = Hints(
        outlet=getattr(document, "sitename", None) or None,
        title=getattr(document, "title", None) or None,
        url=canonical,
        date_publish=publication_time(markup, canonical, getattr(document, "date", None)),
        authors=authors,
        description=getattr(document, "description", None) or None,
        language=_language_hint(markup),
    )
    return RawDocument(Origin(source, "html", encoding), text, hints)


def publication_time(markup: str, url: str | None, day: str | None) -> datetime | None:
    """Return the publication time the page states: its markup first, then the URL, then a bare day."""
    head = markup[:200_000]
    for pattern in (_META_TIME, _META_TIME_REVERSED, _JSON_LD_TIME, _TIME_TAG):
        for match in pattern.finditer(head):
            moment = _iso(match.group(1))
            if moment is not None:
                return moment
    if url and (in_url := _URL_DATE.search(url)):
        year, month, day_of_month = (int(part) for part in in_url.groups())
        try:
            return datetime(year, month, day_of_month)
        except ValueError:
            pass
    return _iso(day) if day else None


def _iso(text: str) -> datetime | None:
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _decode_html(data: bytes, source: str, charset: str | None) -> tuple[str, str]:
    declared = charset
    if declared is None and (match := _META_CHARSET.search(data[:4096])):
        declared = match.group(1).decode("ascii", "replace")
    if declared:
        try:
            return data.decode(declared), declared.lower()
        except (LookupError, UnicodeDecodeError):
            pass  # a lying or unknown declaration: detect instead
    return decode(data, source)


def _language_hint(markup: str) -> str | None:
    match = re.search(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3})""", markup[:4096], re.IGNORECASE)
    return match.group(1).lower() if match else None


def fragment_text(fragment: str) -> str:
    """Return the text of an HTML fragment (a feed entry's content), one block per paragraph."""
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return fragment
    for element in root.iter("script", "style"):
        element.drop_tree()
    for element in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"):
        element.tail = "\n\n" + (element.tail or "")
    return str(root.text_content())
