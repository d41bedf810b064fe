"""Outlet identity from web addresses: the registered domain, from a bundled public-suffix list."""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlsplit


@functools.cache
def _extractor() -> Any:
    import tldextract  # imported here: loading the suffix list takes ~50 ms

    # No suffix-list URLs and no cache: the snapshot bundled with tldextract, never the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(url: str | None) -> str | None:
    """Return the registered domain of ``url`` ("bbc.co.uk" for "https://www.bbc.co.uk/news"), or None."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host:
        return None
    parts = _extractor()(host)
    domain: str = parts.top_domain_under_public_suffix or parts.domain or host
    return domain.lower() or None


def normalised_domain(value: str | None) -> str | None:
    """A site's domain as one outlet: the registered domain of a host name ("www.bbc.co.uk", "news.bbc.co.uk" ->
    "bbc.co.uk"); a value that is no host name under a known public suffix ("herald.example", "Reuters") is kept as
    given, less a leading "www."."""
    if not value:
        return None
    host = value.strip().lower()
    if not _HOST.fullmatch(host):
        return value.strip() or None
    parts = _extractor()(host)
    if parts.suffix and parts.top_domain_under_public_suffix:
        return str(parts.top_domain_under_public_suffix)
    return host.removeprefix("www.")


_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
