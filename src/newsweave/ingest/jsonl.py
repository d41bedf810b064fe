"""JSON Lines and JSON in news-please's field names: one article per object, streamed line by line."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from newsweave.dates import parse_iso
from newsweave.errors import InputError
from newsweave.records import Hints, Origin, Problem, RawDocument

BODY_FIELDS = ("maintext", "text")


def read_jsonl(stream: BinaryIO, source: str, max_line_bytes: int) -> Iterator[RawDocument | Problem]:
    """Yield one document per line of ``stream``, or a Problem naming the line that is not one."""
    number = 0
    while True:
        line = stream.readline(max_line_bytes + 1)
        if not line:
            return
        number += 1
        where = f"{source}:{number}"
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            yield Problem(where, f"line is over the {max_line_bytes // (1024 * 1024)} MiB limit; skipped")
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = stream.readline(max_line_bytes + 1)
            continue
        if not line.strip():
            continue
        try:
            yield record_document(json.loads(line), where, "jsonl")
        except ValueError as error:
            yield Problem(where, f"not valid JSON ({error})")
        except InputError as error:
            yield Problem(error.source, error.reason)


def read_json(data: bytes, source: str) -> Iterator[RawDocument | Problem]:
    """Yield the documents of a JSON file: one object, or a list of objects."""
    try:
        value = json.loads(data)
    except ValueError as error:
        yield Problem(source, f"not valid JSON ({error})")
        return
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        where = f"{source}[{index}]" if isinstance(value, list) else source
        try:
            yield record_document(item, where, "json")
        except InputError as error:
            yield Problem(error.source, error.reason)


def record_document(value: object, source: str, reader: str) -> RawDocument:
    """Return the document of one news-please style record; raise ``InputError`` if it has no text."""
    if not isinstance(value, Mapping):
        raise InputError(source, f"expected a JSON object with a 'maintext' field, got {type(value).__name__}")
    record: Mapping[str, Any] = value
    body = next((record[name] for name in BODY_FIELDS if isinstance(record.get(name), str)), None)
    if body is None and isinstance(record.get("sentences"), list):
        body = "\n\n".join(str(sentence) for sentence in record["sentences"])
    if not body or not body.strip():
        raise InputError(source, "no article text: the record needs a 'maintext' (or 'text') string")
    authors = record.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    hints = Hints(
        outlet=_string(record.get("outlet")),
        title=_string(record.get("title")),
        url=_string(record.get("url")),
        source_domain=_string(record.get("source_domain")),
        date_publish=parse_iso(record.get("date_publish")),  # unreadable: unknown, not an error
        authors=tuple(str(name) for name in authors if isinstance(name, str) and name.strip()),
        language=_string(record.get("language")),
        description=_string(record.get("description")),
        source_id=_string(record.get("id")) if not isinstance(record.get("id"), int) else str(record["id"]),
    )
    return RawDocument(Origin(source, reader, "utf-8"), body, hints)


def _string(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
