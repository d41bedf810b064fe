"""Stable JSON for newsweave records, with news-please field names for articles.

``maintext`` is ``Article.text``; dates are ISO 8601 (with the offset when the zone is known);
sentences are ``[start, end]`` character offsets into ``maintext``. Keys are always present (null
when unknown) and appear in a fixed order, so the same digest always serialises to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from newsweave.errors import FormatError
from newsweave.records import Article, Copy, Digest, Origin, Problem, Sentence, Story

SCHEMA = "newsweave.digest/1"


def article_to_dict(article: Article) -> dict[str, Any]:
    """Return the JSON object of an article."""
    return {
        "id": article.id,
        "outlet": article.outlet,
        "title": article.title,
        "date_publish": article.date_publish.isoformat() if article.date_publish else None,
        "authors": list(article.authors),
        "description": article.description,
        "source_domain": article.source_domain,
        "url": article.url,
        "language": article.language,
        "origin": {
            "location": article.origin.location,
            "reader": article.origin.reader,
            "encoding": article.origin.encoding,
        },
        "maintext": article.text,
        "sentences": [[sentence.start, sentence.end] for sentence in article.sentences],
        "copies": [
            {
                "id": copy.article_id,
                "outlet": copy.outlet,
                "title": copy.title,
                "date_publish": copy.date_publish.isoformat() if copy.date_publish else None,
                "url": copy.url,
                "location": copy.location,
                "overlap": copy.overlap,
                "extra_text": copy.extra_text,
            }
            for copy in article.copies
        ],
    }


def story_to_dict(story: Story) -> dict[str, Any]:
    """Return the JSON object of a story."""
    return {
        "id": story.id,
        "title": story.title,
        "outlets": list(story.outlets),
        "articles": [article_to_dict(article) for article in story.articles],
    }


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    """Return the JSON object of a digest."""
    return {
        "schema": SCHEMA,
        "newsweave_version": digest.version,
        "stories": [story_to_dict(story) for story in digest.stories],
        "problems": [{"source": p.source, "reason": p.reason, "kind": p.kind} for p in digest.problems],
    }


def dumps(digest: Digest) -> str:
    """Return the digest as indented JSON text (UTF-8 characters kept, not escaped)."""
    return json.dumps(digest_to_dict(digest), ensure_ascii=False, indent=2) + "\n"


def loads(text: str) -> Digest:
    """Return the digest serialised in ``text``; raise ``FormatError`` if it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"not JSON: {error}") from error
    return digest_from_dict(data)


def digest_from_dict(data: object) -> Digest:
    """Return the digest of a JSON object made by ``digest_to_dict``."""
    obj = _object(data, "digest")
    if obj.get("schema") != SCHEMA:
        raise FormatError(f"digest schema is {obj.get('schema')!r}; this newsweave reads {SCHEMA!r}")
    problems = tuple(_problem(_object(item, "problem")) for item in _list(obj, "problems"))
    stories = tuple(story_from_dict(item) for item in _list(obj, "stories"))
    return Digest(stories=stories, problems=problems, version=str(obj.get("newsweave_version") or ""))


def _problem(obj: Mapping[str, Any]) -> Problem:
    kind = obj.get("kind")
    if kind == "error":
        return Problem(_text(obj, "source"), _text(obj, "reason"), "error")
    if kind == "skipped":
        return Problem(_text(obj, "source"), _text(obj, "reason"), "skipped")
    raise FormatError(f"problem kind {kind!r} is neither 'error' nor 'skipped'")


def story_from_dict(data: object) -> Story:
    """Return the story of a JSON object made by ``story_to_dict``."""
    obj = _object(data, "story")
    return Story(
        id=_text(obj, "id"),
        title=_optional_text(obj, "title"),
        articles=tuple(article_from_dict(item) for item in _list(obj, "articles")),
    )


def article_from_dict(data: object) -> Article:
    """Return the article of a JSON object made by ``article_to_dict``."""
    obj = _object(data, "article")
    origin = _object(obj.get("origin"), "article origin")
    article_id = _text(obj, "id")
    text = _text(obj, "maintext")
    sentences = []
    for index, pair in enumerate(_list(obj, "sentences")):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) for n in pair)):
            raise FormatError(f"article {article_id}: sentence {index} is not [start, end]")
        start, end = pair
        if not 0 <= start <= end <= len(text):
            raise FormatError(f"article {article_id}: sentence {index} [{start}, {end}] is outside the text")
        sentences.append(Sentence(article_id, index, start, end, text[start:end]))
    moment = _date(_optional_text(obj, "date_publish"))
    authors = _list(obj, "authors")
    if not all(isinstance(name, str) for name in authors):
        raise FormatError(f"article {article_id}: authors must be strings")
    return Article(
        id=article_id,
        outlet=_text(obj, "outlet"),
        text=text,
        origin=Origin(_text(origin, "location"), _text(origin, "reader"), _optional_text(origin, "encoding")),
        title=_optional_text(obj, "title"),
        date_publish=moment,
        url=_optional_text(obj, "url"),
        source_domain=_optional_text(obj, "source_domain"),
        authors=tuple(cast(Sequence[str], authors)),
        description=_optional_text(obj, "description"),
        language=_optional_text(obj, "language"),
        sentences=tuple(sentences),
        copies=tuple(_copy(_object(item, "copy")) for item in _list(obj, "copies")),
    )


def _copy(obj: Mapping[str, Any]) -> Copy:
    overlap = obj.get("overlap")
    if not isinstance(overlap, int | float) or isinstance(overlap, bool):
        raise FormatError("copy 'overlap' must be a number")
    return Copy(
        article_id=_text(obj, "id"),
        outlet=_text(obj, "outlet"),
        location=_text(obj, "location"),
        title=_optional_text(obj, "title"),
        date_publish=_date(_optional_text(obj, "date_publish")),
        url=_optional_text(obj, "url"),
        overlap=float(overlap),
        extra_text=_text(obj, "extra_text"),
    )


def _date(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError as error:
        raise FormatError(f"date {text!r} is not ISO 8601") from error


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise FormatError(f"{key!r} must be a list")
    return value


def _text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise FormatError(f"{key!r} must be a string, not {type(value).__name__}")
    return value


def _optional_text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise FormatError(f"{key!r} must be a string or null")
    return value
