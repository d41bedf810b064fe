"""Readers: turn files into ``RawDocument`` records (decoded text plus metadata given from outside).

Only the scraped-text reader exists so far; the reader is chosen by content, not only by name.
"""

from __future__ import annotations

import dataclasses
import glob
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsweave.errors import InputError
from newsweave.ingest.decode import decode
from newsweave.records import Hints, Origin, Problem, RawDocument

SIDECAR_SUFFIX = ".meta.json"
# Extensions read when a folder is given; a file named explicitly is always tried.
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ""})
_MiB = 1024 * 1024


@dataclass(frozen=True)
class IngestConfig:
    """Limits and outside metadata for reading inputs."""

    # A news article is rarely above 200 KB of text; 10 MiB leaves room for long pages and stops
    # a mislabelled dump or a disk image from being read into memory.
    max_bytes: int = 10 * _MiB
    outlet: str | None = None


def discover(inputs: Iterable[str | Path]) -> Iterator[Path | Problem]:
    """Yield the files named by ``inputs`` (files, folders, glob patterns), or a Problem for each miss.

    Folders are walked recursively in name order; hidden files, sidecars and files whose extension
    is not an article type are reported as skipped.
    """
    for item in inputs:
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
            yield Problem(
                str(path), f"not an article file type ({path.suffix}); name it explicitly to read it", "skipped"
            )
            continue
        yield path


def read_raw(path: Path, config: IngestConfig = IngestConfig()) -> RawDocument:
    """Return the decoded text and outside metadata of one file; raise ``InputError`` naming the file."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > config.max_bytes:
            raise InputError(
                source,
                f"file is {size / _MiB:.1f} MiB, over the {config.max_bytes / _MiB:.0f} MiB limit for one "
                "article; raise the limit with --max-bytes if it really is one article",
            )
        with path.open("rb") as handle:
            data = handle.read(config.max_bytes + 1)  # bounded even if the file grew since stat()
    except OSError as error:
        raise InputError(source, f"cannot read the file ({error.strerror or error})") from error
    if len(data) > config.max_bytes:
        raise InputError(source, f"file is over the {config.max_bytes / _MiB:.0f} MiB limit for one article")
    text, encoding = decode(data, source)
    hints = read_sidecar(path)
    if config.outlet:
        hints = dataclasses.replace(hints, outlet=config.outlet)
    return RawDocument(Origin(source, "text", encoding), text, hints)


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
        outlet=_str(strings.get("outlet")) or _str(strings.get("source_domain")),
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
