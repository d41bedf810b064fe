"""Bytes to text: UTF-8 first, then charset detection; binary data and empty input are refused."""

from __future__ import annotations

import codecs
import re
import unicodedata

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
    text = _LINE_BREAK.sub("\n", text)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", _INVISIBLE.sub("", text)))
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)
