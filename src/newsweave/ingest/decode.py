"""Bytes to text: UTF-8 first, then charset detection; binary data and empty input are refused."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable

from newsweave.errors import InputError

# A text file in any real encoding has no NUL bytes; UTF-16/32 are caught by their BOM first.
_BINARY_SAMPLE = 8192
# Share of control characters (other than tab/newline/CR/form feed) above which decoded "text" is noise.
_MAX_CONTROL_SHARE = 0.02
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LINE_BREAK = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\x0c\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# The characters each pattern above looks for. ``in`` finds one of them ten times faster than the pattern's
# scan (a sub that changes nothing costs a full scan: 0.3 ms on a 10,000-character page for the spaces),
# so a pattern runs only on a text that holds something for it to change. tests/ingest/test_read.py
# checks that these are the patterns' characters.
_LINE_BREAK_CHARS = "\r\x85\u2028\u2029"
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CONTROL_CHARS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F]))
# A single plain space is left as it is; a run of two, or any other horizontal space, is replaced.
_SPACE_SIGNS = ("  ", "\t", "\x0c", "\u00a0", *map(chr, range(0x2000, 0x200B)), "\u202f", "\u205f", "\u3000")


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the bytes of ``source``; raise ``InputError`` if they are not text."""
    if not data.strip():
        raise InputError(source, "empty file: there is no text to read")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"), encoding, source)
    if b"\x00" in data[:_BINARY_SAMPLE]:
        raise InputError(source, "binary file (contains NUL bytes), not text; give a text, HTML or feed file")
    try:
        return _checked(data.decode("utf-8"), "utf-8", source)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 input pays for it

    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise InputError(source, "not UTF-8 and no text encoding fits; convert it to UTF-8")
    tied = {m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    if tied & _WESTERN:
        # Short Western text fits several single-byte code pages equally well; windows-1252 is the
        # web's default for undeclared pages (WHATWG Encoding), so it wins the tie.
        return _checked(data.decode("cp1252", errors="replace"), "cp1252", source)
    return _checked(str(best), best.encoding, source)


def _checked(text: str, encoding: str, source: str) -> tuple[str, str]:
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * max(len(text), 1):
        raise InputError(source, f"binary data ({controls} control characters in {len(text)}), not text")
    return text, encoding


def normalise_text(text: str) -> str:
    """Return ``text`` in NFC with one kind of newline, plain spaces and no invisible characters.

    Idempotent: ``normalise_text(normalise_text(t)) == normalise_text(t)``.
    """
    if _holds_any(text, _LINE_BREAK_CHARS):
        text = _LINE_BREAK.sub("\n", text)
    if _holds_any(text, _INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    if _holds_any(text, _CONTROL_CHARS):
        text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    # One pass over the text, not one per line: the pattern never matches a newline, so the result is the same.
    if _holds_any(text, _SPACE_SIGNS):
        text = _HORIZONTAL_SPACE.sub(" ", text)
    return "\n".join([line.strip() for line in text.split("\n")])


def _holds_any(text: str, pieces: Iterable[str]) -> bool:
    return any(map(text.__contains__, pieces))
