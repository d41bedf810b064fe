"""HTML pages: main text and metadata by trafilatura, publication time from the page's own markup."""

from __future__ import annotations

import functools
import itertools
import re
from datetime import datetime
from typing import Any

from newsweave.dates import parse_iso
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
        # Fast first: trafilatura's comparison with readability and jusText doubles its time on every page
        # and changes the text of few (26 of 770 ECB+ pages, bench/ingest.py). It is run only where it can
        # matter, as trafilatura decides: a short text, or one without paragraphs or made of tables.
        # A page without paragraphs, or with as many tables, would take the fallback anyway: straight to it.
        document = None
        if _more_paragraphs_than_tables(markup):
            document = _extract(trafilatura, markup, url, fast=True)
        if document is None or _worth_the_fallback(document):
            document = _extract(trafilatura, markup, url, fast=False)
    except (ValueError, TypeError, RecursionError) as error:  # lxml's complaints about broken markup
        raise InputError(source, f"HTML could not be parsed ({error})") from error
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise InputError(source, "no article text found in the HTML (an index page, a login wall or an empty page?)")
    head = markup[:200_000]
    meta = _meta_tags(head)
    canonical = _link(head, "canonical") or meta.get("og:url") or url
    site = meta.get("og:site_name") or meta.get("application-name")
    author = meta.get("author") or meta.get("article:author") or _json_ld(head, "author")
    authors = tuple(name.strip() for name in re.split(r";|\band\b|,", author or "") if _looks_like_name(name))
    hints = Hints(
        outlet=site,
        title=meta.get("og:title") or meta.get("twitter:title") or _page_title(head, site),
        url=canonical,
        date_publish=publication_time(markup, canonical, None),
        authors=authors,
        description=meta.get("og:description") or meta.get("description"),
        language=_language_hint(markup),
    )
    return RawDocument(Origin(source, "html", encoding), text, hints)


_PARAGRAPH_TAG = re.compile(r"<p[\s>]", re.IGNORECASE)
_TABLE_TAG = re.compile(r"<table[\s>]", re.IGNORECASE)


def _more_paragraphs_than_tables(markup: str) -> bool:
    """Return True when the markup opens more ``<p>`` than ``<table>`` elements (and so at least one ``<p>``).

    Paragraphs are counted only until they outnumber the tables: on most pages, up to the first one.
    """
    tables = len(_TABLE_TAG.findall(markup))
    return next(itertools.islice(_PARAGRAPH_TAG.finditer(markup), tables, None), None) is not None


# Characters: trafilatura's MIN_EXTRACTED_SIZE. Below it trafilatura asks jusText too; above it, with
# paragraphs and fewer tables, only a readability text over twice as long can replace the extraction.
# bench/ingest.py, ECB+ pages: the full extraction changed 26 of the 47 fast texts under 250 characters
# and none of the 56 between 250 and 499 (500 was the threshold before; those 56 cost 2-4 ms each).
_FALLBACK_BELOW = 250


def _extract(trafilatura: Any, markup: str, url: str | None, *, fast: bool) -> Any:
    return trafilatura.bare_extraction(markup, options=_options(fast) if url is None else _settings(fast, url))


@functools.cache
def _options(fast: bool) -> Any:
    """The extraction settings for pages without a URL: built once per process, read only by trafilatura.

    Building them reads trafilatura's configuration file's values each time (30 us, 1 % of a page).
    """
    return _settings(fast, None)


def _settings(fast: bool, url: str | None) -> Any:
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",  # bare_extraction's own default
        url=url,
        fast=fast,
        # trafilatura's metadata pass (categories, licence, date search) cost 40 % more time on
        # bench/ingest.py; the fields newsweave uses are read from the page's own tags below.
        with_metadata=False,
        comments=False,  # reader comments are not the article
        images=False,
        links=False,
        precision=True,  # captions and related links are chrome for us
    )


def _worth_the_fallback(document: Any) -> bool:
    """Whether trafilatura's fallback extractors could improve this fast extraction."""
    text = getattr(document, "text", None) or ""
    body = getattr(document, "body", None)
    if len(text) < _FALLBACK_BELOW or body is None:
        return True
    paragraphs = body.findall(".//p")
    return not paragraphs or len(body.findall(".//table")) > len(paragraphs)


_TAG_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _meta_tags(head: str) -> dict[str, str]:
    """Return the page's ``<meta>`` values by lower-cased name, property or itemprop (first one wins)."""
    found: dict[str, str] = {}
    for tag in re.findall(r"<meta\s[^>]*>", head, re.IGNORECASE):
        attributes = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _TAG_ATTRIBUTE.finditer(tag)
        }
        content = attributes.get("content", "").strip()
        for key in ("property", "name", "itemprop"):
            if content and attributes.get(key):
                found.setdefault(attributes[key].lower(), _unescape(content))
    return found


def _link(head: str, rel: str) -> str | None:
    for tag in re.findall(r"<link\s[^>]*>", head, re.IGNORECASE):
        if re.search(rf"""rel\s*=\s*["']?{rel}\b""", tag, re.IGNORECASE):
            attributes = {
                m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) for m in _TAG_ATTRIBUTE.finditer(tag)
            }
            if (attributes.get("href") or "").strip():
                return _unescape(attributes["href"])
    return None


def _json_ld(head: str, field: str) -> str | None:
    match = re.search(rf'"{field}"\s*:\s*(?:\[\s*)?(?:\{{[^}}]*?"name"\s*:\s*)?"([^"]+)"', head)
    return _unescape(match.group(1)) if match else None


def _page_title(head: str, site: str | None) -> str | None:
    """Return ``<title>`` without the site's name ("Bridge falls | The Herald" -> "Bridge falls")."""
    match = re.search(r"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    title = " ".join(_unescape(match.group(1)).split())
    parts = [part.strip() for part in re.split(r"\s+[|–—-]\s+|\s+::\s+", title) if part.strip()]
    if site:
        parts = [part for part in parts if part.casefold() != site.casefold()] or parts
    return max(parts, key=len) if parts else None


def _looks_like_name(text: str) -> bool:
    text = text.strip()
    return bool(text) and len(text.split()) <= 5 and not text.lower().startswith(("http", "www.")) and "@" not in text


def _unescape(text: str) -> str:
    import html as html_entities

    return html_entities.unescape(text).strip()


def publication_time(markup: str, url: str | None, day: str | None = None) -> datetime | None:
    """Return the publication time the page states: its markup first, then the URL, then a bare day."""
    head = markup[:200_000]
    for pattern in (_META_TIME, _META_TIME_REVERSED, _JSON_LD_TIME, _TIME_TAG):
        for match in pattern.finditer(head):
            moment = parse_iso(match.group(1))
            if moment is not None:
                return moment
    if url and (in_url := _URL_DATE.search(url)):
        year, month, day_of_month = (int(part) for part in in_url.groups())
        try:
            return datetime(year, month, day_of_month)
        except ValueError:
            pass
    return parse_iso(day) if day else None


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
