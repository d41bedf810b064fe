"""Tell an input's kind from its first bytes, not from its name."""

from __future__ import annotations

import json
import re
from typing import Literal

Kind = Literal["text", "html", "feed", "warc", "jsonl", "json", "urls"]
GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 8192

_FEED = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|article|main|div|p|h1|meta|title|section)[\s>/]", re.IGNORECASE
)
_URL_LINE = re.compile(rb"^\s*https?://\S+\s*$", re.IGNORECASE)


def sniff(head: bytes) -> Kind:
    """Return the kind of input whose (decompressed) first bytes are ``head``."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"WARC/"):
        return "warc"
    if start.startswith(b"{"):
        first_line = start.split(b"\n", 1)[0]
        try:
            json.loads(first_line)
        except ValueError:
            return "json"  # an object spread over several lines
        return "jsonl"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"<"):
        if _FEED.search(start[:2048]):
            return "feed"
        if _HTML.search(start):
            return "html"
    lines = [line for line in start.split(b"\n")[:50] if line.strip()]
    complete = lines[:-1] if len(start) >= HEAD_BYTES and len(lines) > 1 else lines  # the last may be cut
    if complete and all(_URL_LINE.match(line) for line in complete):
        return "urls"
    if _HTML.search(start[:1024]) and start[:1024].count(b"<") >= 5:
        return "html"  # markup after a preamble or a stray text line
    return "text"
